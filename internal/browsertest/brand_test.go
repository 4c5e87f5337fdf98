package browsertest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	domain "github.com/paypage/paypage/internal/checkout"
)

// brandedDecline brands the demo merchant, then checks in the browser that
// the logo loads and the colour applies under the page's CSP (a blocked
// image or style element would show as a console error and fail the
// tab), and that a declined payment offers the support contacts.
func brandedDecline(t *testing.T, s *apptest.Server, b *tab) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 50))
	for x := range 200 {
		img.Set(x, x%50, color.RGBA{R: 122, G: 31, B: 61, A: 255})
	}
	var logo bytes.Buffer
	if err := png.Encode(&logo, img); err != nil {
		t.Fatal(err)
	}
	data, brandColor, email, phone := logo.Bytes(), "#7a1f3d", "help@demo.example", "+91 80 4000 1234"
	if _, err := s.Service.UpdateMerchant(t.Context(), "test", "demo", domain.MerchantUpdate{
		Logo: &data, BrandColor: &brandColor, SupportEmail: &email, SupportPhone: &phone}); err != nil {
		t.Fatal(err)
	}
	checkout(b, "9000000006", "", "pay-button")
	if got := b.eval(`(function(i){return i && i.complete ? i.naturalWidth + "x" + i.naturalHeight + " shown " + i.width + "x" + i.height : ""})(document.querySelector('[data-testid="merchant-logo"]'))`); got != "200x50 shown 160x40" {
		t.Errorf("logo %q, want 200x50 shown 160x40", got)
	}
	if got := b.eval(`getComputedStyle(document.querySelector('[data-testid="pay-button"]')).backgroundColor`); got != "rgb(122, 31, 61)" {
		t.Errorf("pay button background %q, want the brand colour rgb(122, 31, 61)", got)
	}
	b.state("branded-payment-page")
	b.small("branded-payment-page")
	b.tap("pay-button", "consent-allow")
	b.tap("consent-allow", "pay-another-way")
	if !b.has("support-email") || b.text("support-phone") != "+91 80 4000 1234" {
		t.Errorf("no support contacts after a decline")
	}
	b.state("branded-payment-declined")
	b.small("branded-payment-declined")
}
