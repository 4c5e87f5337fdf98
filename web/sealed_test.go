package web_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
)

// TestPayOnInstanceWithAnotherKeyIsExplained runs two instances on one
// database with different PAYPAGE_SECRET_KEYs, as a misconfigured
// deployment would. A shopper loads the payment page on one and taps Pay
// on the other: the second cannot open the first's session cookie, so the
// post is refused. The operator gets one WARN line that names the cause
// (and no cookie or token), the shopper a page that leads back to the
// payment page, and nothing is paid.
func TestPayOnInstanceWithAnotherKeyIsExplained(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, apptest.Migrate)
	a := apptest.StartOn(t, dsn, map[string]string{"PAYPAGE_SECRET_KEY": "instance-a-secret-key-0123456789abcdef"})
	orderID, link := newOrder(t, a, "9000000001", "100", "")
	sh := shopper(t, a).Get(link)
	if !sh.Has("pay-button") {
		t.Fatalf("no Pay button on %s:\n%s", link, sh.Body)
	}
	csrf := sh.Doc.Find(`input[name="csrf"]`).AttrOr("value", "")
	base, _ := url.Parse(a.URL)
	var cookies []string
	for _, c := range sh.Client.Jar.Cookies(base) {
		cookies = append(cookies, c.Value)
	}
	if csrf == "" || len(cookies) == 0 {
		t.Fatalf("csrf %q, cookies %q", csrf, cookies)
	}

	var logs syncBuffer
	ln, bURL := apptest.Listen(t)
	apptest.StartLogging(t, dsn, ln, map[string]string{"PAYPAGE_SECRET_KEY": "instance-b-secret-key-fedcba9876543210"},
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	// The browser keeps the page (and cookie) from a, and its Pay lands on
	// b: cookies are per host, not per port, so b gets a's cookie.
	sh.URL, _ = url.Parse(bURL + sh.URL.RequestURI())
	sh.Submit("pay-button", nil)

	if sh.Status != http.StatusForbidden {
		t.Errorf("pay on the other instance: %d, want 403\n%s", sh.Status, sh.Body)
	}
	page, _ := url.Parse(link)
	if href := sh.Doc.Find(`[data-testid="cancel-link"]`).AttrOr("href", ""); href != page.Path {
		t.Errorf("refusal page links back to %q, want the payment page %s:\n%s", href, page.Path, sh.Body)
	}
	_, rid, _ := strings.Cut(sh.Doc.Find(`[data-testid="error-page"] p.muted`).Text(), "Reference: ")
	rid = strings.TrimSpace(rid)
	var warns []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "PAYPAGE_SECRET_KEY") {
			warns = append(warns, line)
		}
	}
	if len(warns) != 1 {
		t.Fatalf("%d WARN lines about the key, want 1:\n%s", len(warns), logs.String())
	}
	w := warns[0]
	for _, want := range []string{"another PAYPAGE_SECRET_KEY", "do all instances share one key?", "route=/orders/:id/pay"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q: %s", want, w)
		}
	}
	if rid == "" || !strings.Contains(w, "request_id="+rid) {
		t.Errorf("warning lacks the request id %q the shopper sees: %s", rid, w)
	}
	for _, secret := range append(cookies, csrf) {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a cookie or form token value:\n%s", logs.String())
		}
	}
	if got := orderStatus(t, a, orderID)["status"]; got != "NEW" {
		t.Errorf("order %s", got)
	}
}
