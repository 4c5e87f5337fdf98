package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
)

// originTransport sends an Origin header on every form post, as browsers
// do (unless origin is empty).
type originTransport struct{ origin string }

func (o originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && o.origin != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", o.origin)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// cookieless is a shopper whose browser keeps no cookie at all, as some
// in-app webviews do, and whose posts carry Origin origin.
func cookieless(t *testing.T, s *apptest.Server, origin string) *apptest.Shopper {
	sh := shopper(t, s)
	sh.Client.Jar = nil
	sh.Client.Transport = originTransport{origin}
	return sh
}

// chargesOf counts the simulator's charges of amount (rupees) to phone;
// each test gives its orders amounts of their own.
func chargesOf(t *testing.T, s *apptest.Server, phone, amount string) int {
	n := 0
	for _, c := range s.Simulator.Charges(phone) {
		if c.Amount == rupees(t, amount) {
			n++
		}
	}
	return n
}

// payForm returns the action and fields of the form holding the page's
// first pay (or retry) button.
func payForm(t *testing.T, sh *apptest.Shopper, button string) (string, url.Values) {
	t.Helper()
	form := sh.Doc.Find(`[data-testid="` + button + `"]`).First().Closest("form")
	if form.Length() == 0 {
		t.Fatalf("no %s form on %s:\n%s", button, sh.URL, sh.Body)
	}
	v := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		v.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	action, _ := sh.URL.Parse(form.AttrOr("action", ""))
	return action.String(), v
}

// post sends a form as a cookie-less browser with Origin origin and reads
// the answer without following it.
func post(t *testing.T, target string, v url.Values, origin string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return fetch(t, client, req)
}

// TestPayWithoutCookies: a browser that keeps no cookie pays with the pay
// form's own token and its Origin, first through consent and then, linked,
// with one tap, and each order is charged once.
func TestPayWithoutCookies(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001"
	first, link := newOrder(t, s, phone, "250", "cookieless-1")
	amounts := map[string]string{first: "250"}
	sh := cookieless(t, s, s.URL).Get(link)
	sh.Submit("pay-button", nil)
	if !sh.Has("consent-allow") {
		t.Fatalf("pay without a cookie did not reach consent: %d %s\n%s", sh.Status, sh.URL, sh.Body)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first payment: %s", got)
	}
	second, link := newOrder(t, s, phone, "120", "cookieless-1")
	amounts[second] = "120"
	sh = cookieless(t, s, s.URL).Get(link)
	if !sh.Has("available-credit") {
		t.Fatalf("second order not linked:\n%s", sh.Body)
	}
	sh.Submit("pay-button", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("one-tap payment: %s", got)
	}
	for _, id := range []string{first, second} {
		if n := chargesOf(t, s, phone, amounts[id]); n != 1 {
			t.Errorf("order %s: %d charges, want 1", id, n)
		}
		if o := orderStatus(t, s, id); o["status"] != "CHARGED" || o["txn_id"] != "demo-"+id+"-1" {
			t.Errorf("order %s: %v", id, o)
		}
	}
}

// TestPayWithoutCookiesRefused: without the cookie, a pay form from
// another origin or from none, a token of another order, a forged token or
// no token at all start nothing, and the 403 page leads back to the
// payment page.
func TestPayWithoutCookiesRefused(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001"
	orderID, link := newOrder(t, s, phone, "300", "")
	_, otherLink := newOrder(t, s, phone, "300", "")
	sh := cookieless(t, s, s.URL).Get(link)
	action, fields := payForm(t, sh, "pay-button")
	_, otherFields := payForm(t, cookieless(t, s, s.URL).Get(otherLink), "pay-button")
	with := func(k, v string) url.Values {
		out := url.Values{}
		for f := range fields {
			out.Set(f, fields.Get(f))
		}
		out.Set(k, v)
		return out
	}
	tok := fields.Get("pay_token")
	cases := []struct {
		name   string
		form   url.Values
		origin string
	}{
		{"foreign origin", fields, "https://evil.example"},
		{"null origin", fields, "null"},
		{"no origin or referer", fields, ""},
		{"other order's token", with("pay_token", otherFields.Get("pay_token")), s.URL},
		{"forged token", with("pay_token", tok[:len(tok)-4]+"AAAA"), s.URL},
		{"no token", with("pay_token", ""), s.URL},
	}
	page := "/orders/" + strings.TrimPrefix(strings.TrimSuffix(action, "/pay"), s.URL+"/orders/") + "/payment-page"
	for _, c := range cases {
		resp, doc := post(t, action, c.form, c.origin)
		back, _ := doc.Find(`[data-testid="cancel-link"]`).Attr("href")
		if resp.StatusCode != http.StatusForbidden || back != page {
			t.Errorf("%s: %d, way back %q (want %q):\n%s", c.name, resp.StatusCode, back, page, doc.Text())
		}
	}
	if o := orderStatus(t, s, orderID); o["status"] != "NEW" || chargesOf(t, s, phone, "300") != 0 {
		t.Errorf("a refused form moved the order: %v", o)
	}
	// The good form still works afterwards.
	if resp, _ := post(t, action, fields, s.URL); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "/sandbox/amazonpay/") {
		t.Errorf("good form: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestDoubleSubmitWithCookieMakesOneCharge: two taps of a linked
// shopper's Pay at once, with the cookie, charge once.
func TestDoubleSubmitWithCookieMakesOneCharge(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001"
	_, link := newOrder(t, s, phone, "99", "double-1")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("linking payment: %s", got)
	}
	orderID, link := newOrder(t, s, phone, "150", "double-1")
	sh.Get(link)
	action, fields := payForm(t, sh, "pay-button")
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := sh.Client.PostForm(action, fields)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if n := chargesOf(t, s, phone, "150"); n != 1 {
		t.Errorf("%d charges for a double tap, want 1", n)
	}
	if o := orderStatus(t, s, orderID); o["status"] != "CHARGED" || o["txn_id"] != "demo-"+orderID+"-1" {
		t.Errorf("order: %v", o)
	}
}

type statusAnswer struct {
	State string `json:"state"`
	Next  string `json:"next"`
}

func pollStatus(t *testing.T, s *apptest.Server, id string) (int, statusAnswer) {
	t.Helper()
	resp, err := http.Get(s.URL + "/orders/" + id + "/payment-page/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("status answer Cache-Control %q", cc)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("status answer sets cookies: %v", resp.Cookies())
	}
	var a statusAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("status answer: %v", err)
	}
	return resp.StatusCode, a
}

// pageID is paypage's order id in a payment link.
func pageID(link string) string {
	return strings.TrimSuffix(link[strings.Index(link, "/orders/")+len("/orders/"):], "/payment-page")
}

// TestPaymentStatusEndpoint: the page's state as JSON, from payable to
// processing to charged (next: the signed return), polled by many at once
// without a cookie; unknown orders are not_found.
func TestPaymentStatusEndpoint(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "2s"})
	for _, id := range []string{"ordeh_00000000000000000000000000000000", "nonsense"} {
		if code, a := pollStatus(t, s, id); code != http.StatusNotFound || a.State != "not_found" {
			t.Errorf("%s: %d %+v", id, code, a)
		}
	}
	_, link := newOrder(t, s, "9000000007", "500", "") // pending, approved later
	id := pageID(link)
	if code, a := pollStatus(t, s, id); code != 200 || a.State != "payable" || a.Next != "/orders/"+id+"/payment-page" {
		t.Errorf("new order: %d %+v", code, a)
	}
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if !sh.Has("processing") || !sh.Has("check-again") {
		t.Fatalf("no processing screen:\n%s", sh.Body)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, a := pollStatus(t, s, id); code != 200 || (a.State != "processing" && a.State != "charged") {
				t.Errorf("pending: %d %+v", code, a)
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(15 * time.Second)
	var a statusAnswer
	for time.Now().Before(deadline) {
		if _, a = pollStatus(t, s, id); a.State != "processing" {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if a.State != "charged" || a.Next != "/orders/"+id+"/return" {
		t.Fatalf("settled: %+v", a)
	}
	if n := chargesOf(t, s, "9000000007", "500"); n != 1 {
		t.Errorf("%d charges", n)
	}
	// The Check again link still goes to the merchant once settled.
	sh.Follow("check-again")
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Errorf("check again: %s", got)
	}
}

// TestDeclineStopsRetries: after Amazon declines, the page offers no
// retry but a prominent "Pay another way" back to the merchant, the old
// form cannot start another attempt, and the status says exhausted.
func TestDeclineStopsRetries(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000006"
	_, link := newOrder(t, s, phone, "700", "")
	sh := shopper(t, s).Get(link)
	action, fields := payForm(t, sh, "pay-button")
	sh.Submit("pay-button", nil).Submit("consent-allow", nil)
	if sh.Text("result-status") != "Payment declined" || sh.Has("retry-button") || sh.Has("pay-button") {
		t.Fatalf("after decline:\n%s", sh.Body)
	}
	if cls := sh.Doc.Find(`[data-testid="pay-another-way"]`).AttrOr("class", ""); cls != "btn" {
		t.Errorf("pay-another-way is %q, not a button", cls)
	}
	if _, a := pollStatus(t, s, pageID(link)); a.State != "exhausted" {
		t.Errorf("status after a decline: %+v", a)
	}
	s.Simulator.SetOutcome(phone, sandbox.Approve) // were Amazon asked, it would approve
	resp, err := sh.Client.PostForm(action, fields)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Refused, and back on the page, which says retries have stopped:
	// never an error page.
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/payment-page") {
		t.Errorf("old pay form after the decline: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if n := chargesOf(t, s, phone, "700"); n != 1 {
		t.Errorf("%d charges, want the declined one only", n)
	}
	sh.Follow("pay-another-way")
	if got := signedReturn(t, s, sh); got != "AUTHORIZATION_FAILED" {
		t.Errorf("back to the merchant with %s", got)
	}
}

// TestFailedAttemptsStopRetries: soft failures (consent denied) may be
// retried until the merchant's max_failed_attempts (3 for the demo shop).
func TestFailedAttemptsStopRetries(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "100", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-deny", nil)
	for i := 2; i <= 3; i++ {
		if !sh.Has("retry-button") || sh.Doc.Find(`[data-testid="pay-another-way"].btn`).Length() != 0 {
			t.Fatalf("after %d failures:\n%s", i-1, sh.Body)
		}
		sh.Submit("retry-button", nil).Submit("consent-deny", nil)
	}
	if sh.Has("retry-button") || sh.Has("pay-button") || sh.Doc.Find(`[data-testid="pay-another-way"].btn`).Length() != 1 {
		t.Fatalf("after 3 failures:\n%s", sh.Body)
	}
	if o := orderStatus(t, s, orderID); o["status"] != "AUTHENTICATION_FAILED" || o["txn_id"] != "demo-"+orderID+"-3" {
		t.Errorf("order: %v", o)
	}
}

// TestErrorPagesHaveAWayOn: error pages without an order lead to the demo
// shop (sandbox); with one, back to the payment page.
func TestErrorPagesHaveAWayOn(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, path := range []string{"/orders/ordeh_00000000000000000000000000000000/payment-page", "/nowhere", "/orders/nonsense/return"} {
		resp, doc := get(t, s.URL+path)
		if href, _ := doc.Find(`[data-testid="cancel-link"]`).Attr("href"); resp.StatusCode != 404 || href != "/sandbox/shop/" {
			t.Errorf("%s: %d, way on %q", path, resp.StatusCode, href)
		}
	}
	_, link := newOrder(t, s, "9000000001", "100", "")
	id := pageID(link)
	// An unknown payment method: a 400 that leads back to the page.
	resp, doc := post(t, s.URL+"/orders/"+id+"/pay", url.Values{"method": {"NOPE"}}, s.URL)
	if href, _ := doc.Find(`[data-testid="cancel-link"]`).Attr("href"); resp.StatusCode != http.StatusForbidden ||
		href != "/orders/"+id+"/payment-page" {
		t.Errorf("form without token: %d, way on %q", resp.StatusCode, href)
	}
}

// TestConsentNamesTheShopAndAmount: Amazon's consent page (the simulator)
// shows the merchant's name and the amount about to be paid.
func TestConsentNamesTheShopAndAmount(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrder(t, s, "9000000001", "1499.00", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil)
	if got := sh.Text("consent-merchant"); got != "Demo Shop" {
		t.Errorf("consent page names %q", got)
	}
	if got := sh.Text("consent-amount"); got != "₹1,499.00" {
		t.Errorf("consent page shows amount %q", got)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Errorf("after consent: %s", got)
	}
}

// TestKeyFactStatementHasAWayBack: the statement opens in the same tab
// and leads back to the payment page.
func TestKeyFactStatementHasAWayBack(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newPayLaterOrder(t, s, "9000000001", "100", "kfs-1")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("linking: %s", got)
	}
	_, link = newPayLaterOrder(t, s, "9000000001", "200", "kfs-1")
	sh.Get(link)
	kfs := sh.Doc.Find(`[data-testid="kfs-link"]`)
	if kfs.Length() != 1 {
		t.Fatalf("no kfs-link:\n%s", sh.Body)
	}
	if _, blank := kfs.Attr("target"); blank {
		t.Error("kfs-link opens another window")
	}
	sh.Follow("kfs-link")
	if back := sh.Doc.Find(`[data-testid="kfs-back"]`).AttrOr("href", ""); back != link {
		t.Fatalf("statement's way back %q, want %q", back, link)
	}
	sh.Follow("kfs-back")
	if !sh.Has("pay-button") || !sh.Has("available-credit") {
		t.Errorf("back on the payment page:\n%s", sh.Body)
	}
}

// TestOTPTypoThenCorrectPays: a mistyped OTP on Amazon's 2FA page can be
// entered again, and the payment goes through.
func TestOTPTypoThenCorrectPays(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000005", "321", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	sh.Submit("otp-submit", map[string]string{"otp": "123455"})
	if sh.Status != http.StatusUnprocessableEntity || !strings.Contains(sh.Text("otp-error"), "2 tries left") {
		t.Fatalf("after a typo: %d\n%s", sh.Status, sh.Body)
	}
	sh.Submit("otp-submit", map[string]string{"otp": sandbox.OTPApprove})
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("after the right code: %s", got)
	}
	if o := orderStatus(t, s, orderID); o["txn_id"] != "demo-"+orderID+"-1" {
		t.Errorf("order: %v", o)
	}
}
