package browsertest

import (
	"bytes"
	"compress/gzip"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/brand"
	domain "github.com/paypage/paypage/internal/checkout"
)

// The payment page's budget. 14 KB is what a new TCP connection delivers
// in its first round trip (initial window of 10 segments); 50 KB is the
// whole page on a slow mobile connection in about a second.
const (
	firstResponseBudget = 14 * 1024 // HTML bytes on the wire, compressed or not
	totalBudget         = 50 * 1024 // everything the page loads, uncompressed
)

// paymentPageWeight holds the payment page to its budget: the compressed
// HTML as the server sends it, and everything the browser loads for it.
// With a logo (the merchant's own bytes, at most brand.MaxLogoBytes) the
// page itself keeps its budget and the logo is allowed on top of it.
func paymentPageWeight(t *testing.T, browser context.Context, logo []byte) {
	s := apptest.Start(t, nil)
	if logo != nil {
		color := "#7a1f3d"
		if _, err := s.Service.UpdateMerchant(t.Context(), "test", "demo", domain.MerchantUpdate{Logo: &logo, BrandColor: &color}); err != nil {
			t.Fatal(err)
		}
	}
	body := s.Session("weight-1", "1499.00", "9000000001")
	r := s.API(t, "POST", "/session", body)
	if r.Status != 200 {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	link := r.JSON(t)["payment_links"].(map[string]any)["web"].(string)

	wire, plain := compressedHTML(t, link)
	t.Logf("payment page HTML: %d bytes on the wire (budget %d), %d bytes uncompressed", wire, firstResponseBudget, plain)
	if wire > firstResponseBudget {
		t.Errorf("payment page HTML is %d bytes compressed, over the %d byte budget", wire, firstResponseBudget)
	}

	b := newTab(t, browser, s.URL, "payment-page-weight")
	b.forgetNetwork()
	b.open(strings.TrimPrefix(link, s.URL), "pay-button")
	// Subresources that load after the load event (none today) get a
	// moment to show up in the count.
	time.Sleep(300 * time.Millisecond)
	b.state("payment-page")

	var total, logoBytes int64
	for _, res := range b.loaded() {
		if strings.Contains(res.URL, "/brand/demo/logo-") {
			logoBytes += res.Decoded
		}
		t.Logf("loaded %-10s %6d bytes (%6d on the wire) %s %s", res.Type, res.Decoded, res.Encoded, res.RenderBlocking, res.URL)
		if !res.Finished || res.Status != 200 {
			t.Errorf("%s: status %d, finished %v", res.URL, res.Status, res.Finished)
		}
		if res.Type == network.ResourceTypeDocument && res.Encoded > firstResponseBudget {
			t.Errorf("the browser received %d bytes for the HTML (headers included), over %d", res.Encoded, firstResponseBudget)
		}
		blocking := res.RenderBlocking == network.RenderBlockingBehaviorBlocking ||
			res.RenderBlocking == network.RenderBlockingBehaviorInBodyParserBlocking
		// The stylesheet is inline: the first paint needs nothing but the
		// HTML (firstpaint_test.go checks it against the paint timing).
		if blocking {
			t.Errorf("render-blocking request: %s", res.URL)
		}
		total += res.Decoded
	}
	t.Logf("payment page total: %d bytes uncompressed, %d of them the logo (budget %d plus the logo)", total, logoBytes, totalBudget)
	if total-logoBytes > totalBudget {
		t.Errorf("payment page loads %d bytes uncompressed besides the logo, over the %d byte budget", total-logoBytes, totalBudget)
	}
	if logoBytes != int64(len(logo)) {
		t.Errorf("the browser loaded %d bytes of logo, want the %d stored", logoBytes, len(logo))
	}
	if total < plain {
		t.Errorf("the browser counted %d bytes in all, less than the HTML alone (%d): the measurement is broken", total, plain)
	}
}

// compressedHTML fetches url asking for gzip, as browsers do, and returns
// the body's size as sent and after any decompression.
func compressedHTML(t *testing.T, url string) (wire, plain int64) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	// Without DisableCompression the transport would decompress and hide
	// the bytes on the wire.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("payment page: status %d", resp.StatusCode)
	}
	// Small pages go uncompressed (gzip would not save a round trip), so
	// either encoding is measured as sent.
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return int64(len(raw)), int64(len(raw))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(raw)), n
}

// logo64KB is a real PNG of noise as close under brand.MaxLogoBytes as its
// height allows: the heaviest logo a merchant can upload.
func logo64KB(t *testing.T) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const w = 128
	img := image.NewNRGBA(image.Rect(0, 0, w, 256))
	for y := range 256 {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(r.Uint32()), G: uint8(r.Uint32()), B: uint8(r.Uint32()), A: 255})
		}
	}
	var best []byte
	for h := 100; h <= 256; h++ {
		var b bytes.Buffer
		if err := png.Encode(&b, img.SubImage(image.Rect(0, 0, w, h))); err != nil {
			t.Fatal(err)
		}
		if b.Len() > brand.MaxLogoBytes {
			break
		}
		best = b.Bytes()
	}
	if len(best) < brand.MaxLogoBytes-1024 {
		t.Fatalf("test logo is only %d bytes", len(best))
	}
	return best
}
