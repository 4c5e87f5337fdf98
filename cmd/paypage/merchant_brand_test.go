package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes data to a file named name in a temporary directory and
// returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 11, G: 87, B: 208, A: 255})
	}
	return img
}

func TestMerchantBrandingCommands(t *testing.T) {
	run, _ := merchantRunner(t)
	var pngb, gifb bytes.Buffer
	if err := png.Encode(&pngb, testImage(96, 32)); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifb, testImage(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	logo := writeFile(t, "logo.png", pngb.Bytes())
	if _, err := run("merchant", "create", "--id", "acme", "--display-name", "Acme Stores", "--return-url-prefix", "https://acme.example/",
		"--logo", logo, "--brand-color", "#0B57D0", "--support-email", "help@acme.example", "--support-phone", "+91 80 4000 1234"); err != nil {
		t.Fatal(err)
	}
	type shown struct {
		Name         string `json:"name"`
		BrandColor   string `json:"brand_color"`
		SupportEmail string `json:"support_email"`
		SupportPhone string `json:"support_phone"`
		Logo         *struct {
			SHA256      string `json:"sha256"`
			ContentType string `json:"content_type"`
			Size        int    `json:"size"`
			Width       int    `json:"width"`
			Height      int    `json:"height"`
		} `json:"logo"`
	}
	show := func() (s shown, raw string) {
		t.Helper()
		out, err := run("merchant", "show", "--id", "acme")
		if err != nil || json.Unmarshal([]byte(out), &s) != nil {
			t.Fatalf("show = %v:\n%s", err, out)
		}
		return s, out
	}
	s, raw := show()
	if s.Name != "Acme Stores" || s.BrandColor != "#0b57d0" || s.SupportEmail != "help@acme.example" || s.SupportPhone != "+91 80 4000 1234" ||
		s.Logo == nil || len(s.Logo.SHA256) != 64 || s.Logo.ContentType != "image/png" || s.Logo.Size != pngb.Len() || s.Logo.Width != 96 || s.Logo.Height != 32 {
		t.Fatalf("show after create:\n%s", raw)
	}
	if strings.Contains(raw, "iVBOR") || strings.Contains(raw, `"data"`) {
		t.Errorf("show prints the logo's bytes:\n%s", raw)
	}

	// The name is one setting under two flags; --logo "" removes the logo.
	if _, err := run("merchant", "update", "--id", "acme", "--name", "Acme", "--support-phone", "", "--logo", ""); err != nil {
		t.Fatal(err)
	}
	if s, raw = show(); s.Name != "Acme" || s.Logo != nil || s.SupportPhone != "" || s.BrandColor != "#0b57d0" || !strings.Contains(raw, `"logo": null`) {
		t.Errorf("show after update:\n%s", raw)
	}
	if _, err := run("merchant", "update", "--id", "acme", "--logo", logo); err != nil {
		t.Fatal(err)
	}
	if _, err := run("merchant", "update", "--id", "acme", "--remove-logo", "--display-name", "Acme Two"); err != nil {
		t.Fatal(err)
	}
	if s, raw = show(); s.Logo != nil || s.Name != "Acme Two" {
		t.Errorf("show after --remove-logo:\n%s", raw)
	}

	big := writeFile(t, "big.png", append(bytes.Clone(pngb.Bytes()), make([]byte, 65*1024)...))
	text := writeFile(t, "notes.png", []byte("not an image\n"))
	gifFile := writeFile(t, "logo.gif", gifb.Bytes())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--logo", big}, "--logo: " + big + " is larger than 64 KB"},
		{[]string{"--logo", gifFile}, "--logo: must be a PNG, JPEG or WebP image"},
		{[]string{"--logo", text}, "--logo: must be a PNG, JPEG or WebP image"},
		{[]string{"--logo", filepath.Join(t.TempDir(), "missing.png")}, "--logo: open "},
		{[]string{"--logo", logo, "--remove-logo"}, "--logo FILE and --remove-logo"},
		{[]string{"--brand-color", "#777777"}, "--brand-color: white text on #777777 has contrast 4.47:1; at least 4.5:1 is needed"},
		{[]string{"--brand-color", "#ffff00"}, "--brand-color: white text on #ffff00 has contrast 1.07:1"},
		{[]string{"--brand-color", "blue"}, "--brand-color: must be #RRGGBB"},
		{[]string{"--support-email", "help"}, "--support-email: must be an email address"},
		{[]string{"--support-phone", "call us"}, "--support-phone: must be a phone number"},
		{[]string{"--name", "A", "--display-name", "B"}, "--name and --display-name"},
	} {
		_, err := run(append([]string{"merchant", "update", "--id", "acme"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("update %v: %v, want one line with %q", tt.args, err, tt.want)
		}
	}
	if _, err := run("merchant", "create", "--id", "bad", "--name", "Bad", "--return-url-prefix", "https://bad.example/", "--logo", gifFile); err == nil ||
		!strings.Contains(err.Error(), "merchant create: --logo: must be a PNG, JPEG or WebP image") {
		t.Errorf("create with a GIF logo: %v", err)
	}
	if s, _ = show(); s.Name != "Acme Two" || s.BrandColor != "#0b57d0" {
		t.Errorf("a refused update changed the merchant: %+v", s)
	}
	out, err := run("merchant", "update", "--help")
	for _, f := range []string{"-display-name", "-logo", "-remove-logo", "-brand-color", "-support-email", "-support-phone", "4.5:1", "64 KB"} {
		if err != nil || !strings.Contains(out, f) {
			t.Errorf("update --help does not mention %s", f)
		}
	}
}
