package postgres_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

// logoPNG is a small real PNG, w pixels wide, in a shade of c.
func logoPNG(t *testing.T, w int, c uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, 16))
	for x := range w {
		img.Set(x, x%16, color.RGBA{R: c, G: 40, B: 90, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMerchantBrandIsStored(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	db, svc, creds := lifecycleStore(t, &now)
	ctx := context.Background()
	first, second := logoPNG(t, 64, 10), logoPNG(t, 80, 200)
	color, email, phone := "#0B57D0", "help@acme.example", "+91 80 4000 1234"

	m, err := svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{Logo: &first, BrandColor: &color, SupportEmail: &email, SupportPhone: &phone})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.MerchantByID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	b := got.Brand
	if b.Color != "#0b57d0" || b.SupportEmail != email || b.SupportPhone != phone || b.Logo == nil {
		t.Fatalf("stored brand = %+v", b)
	}
	if b.Logo.SHA256 != m.Brand.Logo.SHA256 || b.Logo.Data != nil || b.Logo.Size != len(first) || b.Logo.Width != 64 || b.Logo.Height != 16 || b.Logo.ContentType != "image/png" {
		t.Errorf("logo read with the merchant = %+v, want its description without bytes", *b.Logo)
	}
	l, err := db.MerchantLogo(ctx, "acme")
	if err != nil || !bytes.Equal(l.Data, first) || l.SHA256 != b.Logo.SHA256 {
		t.Fatalf("MerchantLogo = %v, %d bytes, sha %s", err, len(l.Data), l.SHA256)
	}
	if _, err := svc.MerchantLogo(ctx, "acme", b.Logo.SHA256); err != nil {
		t.Errorf("service logo by its fingerprint: %v", err)
	}
	for _, sha := range []string{strings.Repeat("0", 64), "", b.Logo.SHA256[:10]} {
		if _, err := svc.MerchantLogo(ctx, "acme", sha); !errs.Is(err, errs.NotFound) {
			t.Errorf("logo with fingerprint %q: %v, want NotFound", sha, err)
		}
	}
	if _, err := svc.MerchantLogo(ctx, "nobody", b.Logo.SHA256); !errs.Is(err, errs.NotFound) {
		t.Errorf("logo of an unknown merchant: %v, want NotFound", err)
	}

	// Another setting leaves the logo; a new logo replaces it; the demo
	// merchant's upsert keeps the brand; an empty logo removes it.
	name := "Acme Ltd"
	if _, err := svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if l, err := db.MerchantLogo(ctx, "acme"); err != nil || !bytes.Equal(l.Data, first) {
		t.Errorf("logo after a name change: %v", err)
	}
	if _, err := svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{Logo: &second}); err != nil {
		t.Fatal(err)
	}
	l, err = db.MerchantLogo(ctx, "acme")
	if err != nil || !bytes.Equal(l.Data, second) || l.SHA256 == b.Logo.SHA256 {
		t.Errorf("replaced logo = %v, sha %s", err, l.SHA256)
	}
	if err := svc.EnsureMerchant(ctx, checkout.NewMerchant{ID: "acme", Name: "Acme", ReturnURLPrefixes: []string{"https://acme.example/"}}, creds); err != nil {
		t.Fatal(err)
	}
	if ms, err := db.Merchants(ctx); err != nil || len(ms) != 1 || ms[0].Brand.Color != "#0b57d0" || ms[0].Brand.Logo == nil || ms[0].Brand.Logo.SHA256 != l.SHA256 {
		t.Errorf("after upsert, merchants = %+v, %v", ms, err)
	}
	none := []byte{}
	clear := ""
	if m, err = svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{Logo: &none, BrandColor: &clear}); err != nil || m.Brand.Logo != nil {
		t.Fatalf("removing the logo: %v, %+v", err, m.Brand)
	}
	if _, err := db.MerchantLogo(ctx, "acme"); !errs.Is(err, errs.NotFound) {
		t.Errorf("removed logo: %v, want NotFound", err)
	}
	if got, _ := db.MerchantByID(ctx, "acme"); got.Brand.Logo != nil || got.Brand.Color != "" || got.Brand.SupportEmail != email {
		t.Errorf("after removal, brand = %+v", got.Brand)
	}

	// Each change is audited with the logo's fingerprint, never its bytes.
	rows := auditRows(t, db, "acme")
	if len(rows) != 5 {
		t.Fatalf("audit has %d rows, want 5", len(rows))
	}
	for i, want := range []string{`"sha256": "` + b.Logo.SHA256, `"name": "Acme Ltd"`, `"sha256": "` + l.SHA256, `"logo": null`} {
		if c := string(rows[i+1].Changes); !strings.Contains(c, want) || strings.Contains(c, "iVBOR") {
			t.Errorf("audit row %d = %s, want %s", i+1, c, want)
		}
	}
	if c := string(rows[1].Changes); !strings.Contains(c, `"brand_color": "#0b57d0"`) || !strings.Contains(c, `"support_phone": "+91 80 4000 1234"`) {
		t.Errorf("audit of the brand = %s", c)
	}
}
