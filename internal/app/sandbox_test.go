package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// noRedirects is a client that reports each redirect instead of following it.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func post(t *testing.T, u string, form url.Values, header http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSandboxSafety checks, through the whole server with the real merchant
// API, that the demo shop never answers 5xx to odd fields, that the mounted
// simulator's consent returns only to this server, and that both refuse
// cross-origin form posts.
func TestSandboxSafety(t *testing.T) {
	srv := apptest.Start(t, nil)
	checkout := srv.URL + "/sandbox/shop/checkout"

	odd := []string{
		"", " ", "-1", "0", "1e3", "99999999999999999999999", "₹10", "10.001", "<script>x</script>", "'; --",
		"%00", strings.Repeat("é", 64), strings.Repeat("9", 33), "+91 90000 00001", "9000000001@example",
		"a\x00b", "a\nb", "a\x7fb", "\xff", strings.Repeat("x", 5000),
	}
	good := url.Values{"amount": {"10"}, "phone": {"9000000001"}, "customer_id": {""}}
	for field := range good {
		for _, v := range odd {
			form := url.Values{"amount": good["amount"], "phone": good["phone"], "customer_id": good["customer_id"]}
			form.Set(field, v)
			if resp := post(t, checkout, form, nil); resp.StatusCode >= 500 {
				t.Errorf("%s=%q: HTTP %d", field, v, resp.StatusCode)
			}
		}
	}
	if resp := post(t, checkout, good, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good checkout: HTTP %d", resp.StatusCode)
	}
	foreign := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	if resp := post(t, checkout, good, foreign); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin checkout: HTTP %d", resp.StatusCode)
	}

	ap := srv.Config.AmazonPay
	client := amazonpay.New(amazonpay.Config{LWAURL: ap.LWAURL, ClientID: ap.ClientID})
	own := srv.URL + web.ConsentReturnPath
	for uri, want := range map[string]int{own: http.StatusOK, own + "/": http.StatusBadRequest, "https://evil.example" + web.ConsentReturnPath: http.StatusBadRequest} {
		resp, err := noRedirects.Get(client.ConsentURL("s", uri, "9000000001"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Location") != "" {
			t.Errorf("consent for %s: HTTP %d, Location %q, want %d", uri, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	decision := url.Values{
		"client_id": {ap.ClientID}, "redirect_uri": {own}, "state": {"s"}, "scope": {amazonpay.ConsentScope},
		"response_type": {"code"}, "login_hint": {"9000000001"}, "decision": {"allow"},
	}
	if resp := post(t, ap.LWAURL+amazonpay.PathAuthorize, decision, foreign); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin consent: HTTP %d", resp.StatusCode)
	}
	if resp := post(t, ap.LWAURL+amazonpay.PathAuthorize, decision, nil); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), own+"?") {
		t.Errorf("consent: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
