package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/static"
)

func get(t *testing.T, url string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, http.DefaultClient, req)
}

// fetch sends req with client and reads the answer as HTML.
func fetch(t *testing.T, client *http.Client, req *http.Request) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func TestPaymentPageShell(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	body := s.Session("page-1", "123456.78", "9000000003")
	body["description"] = "Two <b>shoes</b>"
	link := s.API(t, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)

	resp, doc := get(t, link)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	if got := doc.Find(`[data-testid="order-amount"]`).Text(); got != "₹1,23,456.78" {
		t.Errorf("amount %q", got)
	}
	text := doc.Find("main").Text()
	for _, want := range []string{"Demo Shop", "Two <b>shoes</b>", "page-1", "minutes"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if doc.Find("main b").Length() != 0 {
		t.Error("description was rendered as HTML")
	}
	if lang, _ := doc.Find("html").Attr("lang"); lang != "en" {
		t.Errorf("lang %q", lang)
	}
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'nonce-") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("headers %v", h)
	}
	cookie := h.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") || strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q", cookie)
	}
	// The stylesheet is inline, under the CSP's nonce: the first paint
	// needs no second request.
	if n := doc.Find(`link[rel="stylesheet"]`).Length(); n != 0 {
		t.Errorf("%d stylesheet links: the first paint would wait for them", n)
	}
	style := doc.Find("head style")
	if style.Length() != 1 || !strings.Contains(style.Text(), ".btn{") || !strings.Contains(csp, "'nonce-"+style.AttrOr("nonce", "?")+"'") {
		t.Errorf("inline stylesheet: %d elements, nonce %q, CSP %q", style.Length(), style.AttrOr("nonce", ""), csp)
	}
	// The stylesheet is still served, fingerprinted and immutable, for
	// what links it.
	cr, err := http.Get(s.URL + "/static/" + strings.TrimPrefix(static.URL("app.css"), "/static/"))
	if err != nil {
		t.Fatal(err)
	}
	cr.Body.Close()
	if cr.StatusCode != 200 || !strings.Contains(cr.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(cr.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d %v", cr.StatusCode, cr.Header)
	}
}

func TestPaymentPageNotFoundAndExpired(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, path := range []string{"/orders/ordeh_00000000000000000000000000000000/payment-page", "/orders/%00/payment-page", "/nowhere"} {
		resp, doc := get(t, s.URL+path)
		if resp.StatusCode != 404 || !strings.Contains(doc.Find("h1").Text(), "couldn't find") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, doc.Find("h1").Text())
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no CSP on the error page", path)
		}
	}

	link := s.API(t, "POST", "/session", s.Session("exp-1", "10", "9000000001")).JSON(t)["payment_links"].(map[string]any)["web"].(string)
	if _, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 minute' WHERE order_id = 'exp-1'`); err != nil {
		t.Fatal(err)
	}
	resp, doc := get(t, link)
	if resp.StatusCode != http.StatusGone || !strings.Contains(doc.Find("h1").Text(), "expired") {
		t.Errorf("expired: %d %q", resp.StatusCode, doc.Find("h1").Text())
	}
	href, _ := doc.Find(`[data-testid="cancel-link"]`).Attr("href")
	if !strings.HasSuffix(href, "/return") {
		t.Fatalf("no way back from the expired page: %q", href)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	back, err := client.Get(s.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	if loc := back.Header.Get("Location"); back.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, s.URL+"/sandbox/shop/return?") || !strings.Contains(loc, "status=NEW") {
		t.Errorf("way back: %d %q", back.StatusCode, loc)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}
