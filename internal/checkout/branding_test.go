package checkout

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/errs"
)

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBuildMerchantChecksTheBrand(t *testing.T) {
	nm := NewMerchant{ID: "acme", Name: "Acme", ReturnURLPrefixes: []string{"https://acme.example/"},
		BrandColor: "#777777", SupportEmail: "nobody", SupportPhone: "12", Logo: []byte("GIF89a")}
	_, err := BuildMerchant(nm, Credentials{})
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) != 4 {
		t.Fatalf("BuildMerchant = %v, want four field errors", err)
	}
	for i, f := range []string{"brand-color", "support-email", "support-phone", "logo"} {
		if e.Fields[i].Field != f {
			t.Errorf("field %d = %s, want %s", i, e.Fields[i].Field, f)
		}
	}
	nm.BrandColor, nm.SupportEmail, nm.SupportPhone, nm.Logo = "#0B57D0", " help@acme.example ", "", tinyPNG(t)
	m, err := BuildMerchant(nm, Credentials{})
	if err != nil || m.Brand.Color != "#0b57d0" || m.Brand.SupportEmail != "help@acme.example" || m.Brand.Logo == nil || m.Brand.Logo.Width != 4 {
		t.Fatalf("BuildMerchant = %+v, %v", m.Brand, err)
	}
	logo := *m.Brand.Logo

	// An update naming only the colour keeps the logo; an empty logo
	// removes it; the audit shows the logo by its fingerprint.
	c := "#000000"
	got, changes, err := ApplyUpdate(m, MerchantUpdate{BrandColor: &c})
	if err != nil || got.Brand.Logo == nil || got.Brand.Logo.SHA256 != logo.SHA256 || len(changes) != 1 || changes["brand_color"] != "#000000" {
		t.Errorf("colour update = %+v, %v, %v", got.Brand, changes, err)
	}
	none := []byte{}
	got, changes, err = ApplyUpdate(m, MerchantUpdate{Logo: &none})
	if err != nil || got.Brand.Logo != nil || changes["logo"] != (*LogoSettings)(nil) {
		t.Errorf("logo removal = %+v, %v, %v", got.Brand, changes, err)
	}
	bad := []byte("not an image")
	if _, _, err := ApplyUpdate(m, MerchantUpdate{Logo: &bad}); err == nil || !strings.Contains(err.Error(), "logo") {
		t.Errorf("bad logo update: %v", err)
	}
	_, changes, _ = ApplyUpdate(got, MerchantUpdate{Logo: &nm.Logo})
	if l, ok := changes["logo"].(*LogoSettings); !ok || l.SHA256 != logo.SHA256 || l.Size != len(nm.Logo) {
		t.Errorf("audit of a new logo = %#v", changes["logo"])
	}
}

func TestMerchantLogoServesOnlyTheCurrentFingerprint(t *testing.T) {
	logo, err := brand.CheckLogo(tinyPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	desc := logo
	desc.Data = nil
	reads := 0
	f := &fakeStore{
		MerchantByIDFn: func(_ context.Context, id string) (Merchant, error) {
			if id != "acme" {
				return Merchant{}, errs.E(errs.NotFound, "", "merchant not found")
			}
			return Merchant{ID: "acme", Name: "Acme", Brand: Brand{Logo: &desc}}, nil
		},
		MerchantLogoFn: func(context.Context, string) (brand.Logo, error) { reads++; return logo, nil },
	}
	svc := NewService(f, Options{Logger: quiet})
	ctx := context.Background()
	if l, err := svc.MerchantLogo(ctx, "acme", logo.SHA256); err != nil || !bytes.Equal(l.Data, logo.Data) {
		t.Fatalf("MerchantLogo = %v", err)
	}
	for _, tt := range [][2]string{{"acme", strings.Repeat("a", 64)}, {"acme", ""}, {"nobody", logo.SHA256}} {
		if _, err := svc.MerchantLogo(ctx, tt[0], tt[1]); !errs.Is(err, errs.NotFound) {
			t.Errorf("MerchantLogo(%s, %q) = %v, want NotFound", tt[0], tt[1], err)
		}
	}
	if reads != 1 {
		t.Errorf("the store was read %d times; a wrong fingerprint should not read it", reads)
	}
	name, b, err := svc.MerchantBrand(ctx, "acme")
	if err != nil || name != "Acme" || b.Logo == nil {
		t.Errorf("MerchantBrand = %q, %+v, %v", name, b, err)
	}
}
