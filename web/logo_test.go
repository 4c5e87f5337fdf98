package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
)

// brandDemo gives the demo merchant a 200x50 PNG logo, a brand colour and
// support contacts, and returns the logo's bytes.
func brandDemo(t *testing.T, s *apptest.Server) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 50))
	for x := range 200 {
		img.Set(x, x%50, color.RGBA{R: 120, G: 20, B: 60, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	logo := b.Bytes()
	color, email, phone := "#7a1f3d", "help@demo.example", "+91 80 4000 1234"
	_, err := s.Service.UpdateMerchant(context.Background(), "test", "demo", checkout.MerchantUpdate{
		Logo: &logo, BrandColor: &color, SupportEmail: &email, SupportPhone: &phone})
	if err != nil {
		t.Fatal(err)
	}
	return logo
}

// sameOrigin fails the test for anything the page would load from
// elsewhere than base: scripts, styles, images, frames, forms' targets.
func sameOrigin(t *testing.T, base string, doc *goquery.Document) {
	t.Helper()
	doc.Find("[src], link[href], form[action], [srcset], [poster], [data]").Each(func(_ int, el *goquery.Selection) {
		for _, attr := range []string{"src", "href", "action", "srcset", "poster", "data"} {
			v, ok := el.Attr(attr)
			if !ok || strings.HasPrefix(v, "data:") {
				continue
			}
			u, err := url.Parse(v)
			if err != nil || u.Host != "" && "http://"+u.Host != base {
				t.Errorf("page loads %s=%q from another origin", attr, v)
			}
		}
	})
	if doc.Find("[style]").Length() != 0 {
		t.Error("page has a style attribute, which the CSP forbids")
	}
}

func TestBrandedPaymentPage(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	logo := brandDemo(t, s)
	_, link := newOrder(t, s, "9000000006", "700", "")
	sh := shopper(t, s).Get(link)
	doc := sh.Doc

	img := doc.Find(`img[data-testid="merchant-logo"]`)
	src, _ := img.Attr("src")
	if !regexp.MustCompile(`^/brand/demo/logo-[0-9a-f]{64}\.png$`).MatchString(src) {
		t.Fatalf("logo src %q:\n%s", src, sh.Body)
	}
	if w, _ := img.Attr("width"); w != "160" {
		t.Errorf("logo width %q, want 160 (200x50 fitted in 160x48)", w)
	}
	if h, _ := img.Attr("height"); h != "40" {
		t.Errorf("logo height %q, want 40", h)
	}
	if alt, _ := img.Attr("alt"); alt != "Demo Shop" {
		t.Errorf("logo alt %q", alt)
	}
	// The stylesheet, then the brand colour, each under the nonce.
	style := doc.Find("head style").Eq(1)
	nonce, _ := style.Attr("nonce")
	if doc.Find("head style").Length() != 2 || style.Text() != ":root{--brand:#7a1f3d}" || nonce == "" {
		t.Errorf("brand style = %d elements, %q, nonce %q", style.Length(), style.Text(), nonce)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !regexp.MustCompile(`style-src 'self' 'nonce-[^']+';`).MatchString(csp) || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	sameOrigin(t, s.URL, doc)
	if sh.Has("support") {
		t.Error("support contacts on a page where nothing failed")
	}

	// The logo URL serves exactly the bytes, for good; any other is a 404.
	lr, err := http.Get(s.URL + src)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(lr.Body)
	lr.Body.Close()
	h := lr.Header
	if lr.StatusCode != 200 || !bytes.Equal(body, logo) || h.Get("Content-Type") != "image/png" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Encoding") != "" {
		t.Errorf("logo: %d, %d bytes, %v", lr.StatusCode, len(body), h)
	}
	sha := strings.TrimSuffix(strings.TrimPrefix(src, "/brand/demo/logo-"), ".png")
	for _, p := range []string{
		"/brand/demo/logo-" + strings.Repeat("0", 64) + ".png",
		"/brand/demo/logo-" + sha + ".jpg",
		"/brand/demo/logo-" + sha,
		"/brand/demo/" + sha + ".png",
		"/brand/nobody/logo-" + sha + ".png",
		"/brand/demo/logo-" + sha[:10] + ".png",
	} {
		r, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.StatusCode)
		}
	}

	// A declined payment offers the merchant's support contacts.
	sh.Submit("pay-button", nil).Submit("consent-allow", nil)
	if sh.Text("result-status") != "Payment declined" || !sh.Has("support") {
		t.Fatalf("after decline:\n%s", sh.Body)
	}
	if href, _ := sh.Doc.Find(`[data-testid="support-email"]`).Attr("href"); href != "mailto:help@demo.example" {
		t.Errorf("support email link %q", href)
	}
	if href, _ := sh.Doc.Find(`[data-testid="support-phone"]`).Attr("href"); href != "tel:+918040001234" || sh.Text("support-phone") != "+91 80 4000 1234" {
		t.Errorf("support phone link %q", href)
	}
	sameOrigin(t, s.URL, sh.Doc)

	// Removing the logo removes it from the page and its URL 404s.
	none := []byte{}
	if _, err := s.Service.UpdateMerchant(context.Background(), "test", "demo", checkout.MerchantUpdate{Logo: &none}); err != nil {
		t.Fatal(err)
	}
	if sh.Get(link); sh.Doc.Find(`img[data-testid="merchant-logo"]`).Length() != 0 {
		t.Errorf("logo still shown after removal")
	}
	if r, err := http.Get(s.URL + src); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("removed logo: %v %v", r.StatusCode, err)
	}
}

func TestBrandOnFailureStates(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	brandDemo(t, s)

	// No way to pay: support is offered.
	_, link := newPayLaterOrder(t, s, "9000000003", "100", "")
	if sh := shopper(t, s).Get(link); !sh.Has("no-methods") || !sh.Has("support-email") {
		t.Errorf("no-methods page without support:\n%s", sh.Body)
	}
	// Expired: support is offered, with the brand colour.
	orderID, link := newOrder(t, s, "9000000001", "100", "")
	if _, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	sh := shopper(t, s).Get(link)
	if sh.Status != http.StatusGone || !sh.Has("support-phone") || sh.Doc.Find("head style").Eq(1).Text() != ":root{--brand:#7a1f3d}" {
		t.Errorf("expired page: %d\n%s", sh.Status, sh.Body)
	}
	sameOrigin(t, s.URL, sh.Doc)
}

// TestLogoUnderTransactionPooler stores and serves a logo with the store
// in its PgBouncer transaction-mode setting: no named statements.
func TestLogoUnderTransactionPooler(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_DB_POOLER": "transaction"})
	logo := brandDemo(t, s)
	_, link := newOrder(t, s, "9000000001", "100", "")
	src, _ := shopper(t, s).Get(link).Doc.Find(`img[data-testid="merchant-logo"]`).Attr("src")
	r, err := http.Get(s.URL + src)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if src == "" || r.StatusCode != 200 || !bytes.Equal(body, logo) {
		t.Errorf("logo %q: %d, %d bytes", src, r.StatusCode, len(body))
	}
}
