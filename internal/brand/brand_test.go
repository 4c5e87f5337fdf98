package brand

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"
)

func TestContrastRatio(t *testing.T) {
	for _, tt := range []struct {
		color string
		want  float64
		ok    bool
	}{
		{"#767676", 4.54, true},
		{"#777777", 4.48, false},
		{"#000000", 21, true},
		{"#ffff00", 1.07, false},
		{"#FFFFFF", 1, false},
		{"#0b57d0", 6.39, true},
	} {
		got := ContrastRatio(strings.ToLower(tt.color), "#ffffff")
		if math.Abs(got-tt.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, white) = %.3f, want %.2f", tt.color, got, tt.want)
		}
		c, err := CheckColor(tt.color)
		if tt.ok != (err == nil) {
			t.Errorf("CheckColor(%s) = %q, %v; want ok %v", tt.color, c, err, tt.ok)
		}
		if err == nil && c != strings.ToLower(tt.color) {
			t.Errorf("CheckColor(%s) = %q, want it lower-cased", tt.color, c)
		}
	}
	_, err := CheckColor("#777777")
	if err == nil || !strings.Contains(err.Error(), "4.47:1") && !strings.Contains(err.Error(), "4.48:1") || !strings.Contains(err.Error(), "4.5:1") {
		t.Errorf("CheckColor(#777777) error = %v, want the ratio found and the minimum", err)
	}
	for _, bad := range []string{"", "767676", "#76767", "#7676767", "#gggggg", "red", "#-12345"} {
		if _, err := CheckColor(bad); err == nil || err.Error() != "must be #RRGGBB" {
			t.Errorf("CheckColor(%q) = %v, want must be #RRGGBB", bad, err)
		}
	}
}

// tinyImage is a w x h image with a little colour in it.
func tinyImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, G: 30, B: 90, A: 255})
	}
	return img
}

// pngBytes returns the bytes of a w x h PNG.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, tinyImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheckLogo(t *testing.T) {
	var jpg, gifb bytes.Buffer
	if err := jpeg.Encode(&jpg, tinyImage(40, 20), nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifb, tinyImage(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	webp, err := os.ReadFile("testdata/logo.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		ct   string
		w, h int
	}{
		{"png", pngBytes(t, 120, 40), "image/png", 120, 40},
		{"jpeg", jpg.Bytes(), "image/jpeg", 40, 20},
		{"webp", webp, "image/webp", 150, 100},
	} {
		l, err := CheckLogo(tt.data)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if l.ContentType != tt.ct || l.Width != tt.w || l.Height != tt.h || len(l.SHA256) != 64 || !bytes.Equal(l.Data, tt.data) {
			t.Errorf("%s: got %s %dx%d %q", tt.name, l.ContentType, l.Width, l.Height, l.SHA256)
		}
	}

	big := pngBytes(t, 8, 8)
	big = append(big, make([]byte, 65*1024-len(big))...) // trailing bytes after IEND: still a PNG by its header
	truncatedPNG := pngBytes(t, 8, 8)[:20]
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"65 KB", big, "at most 65536 (64 KB)"},
		{"gif", gifb.Bytes(), "must be a PNG, JPEG or WebP image"},
		{"text named .png", []byte("this is not a picture\n"), "must be a PNG, JPEG or WebP image"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "must be a PNG, JPEG or WebP image"},
		{"empty", nil, "is empty"},
		{"truncated png", truncatedPNG, "is not a readable png image"},
		{"too wide", pngBytes(t, 1025, 2), "is 1025x2 pixels; at most 1024x1024"},
	} {
		if _, err := CheckLogo(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSupportContacts(t *testing.T) {
	for _, ok := range []string{"help@shop.example", "a.b+c@x.co.in"} {
		if got, err := CheckEmail(ok); err != nil || got != ok {
			t.Errorf("CheckEmail(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "help", "help@", "Help <help@shop.example>", "help@localhost", "a?subject=x@shop.example", "a&b@shop.example", "javascript:alert(1)@x.y"} {
		if _, err := CheckEmail(bad); err == nil {
			t.Errorf("CheckEmail(%q) accepted", bad)
		}
	}
	for in, tel := range map[string]string{"+91 80 4000 1234": "tel:+918040001234", "1800-419-0001": "tel:18004190001", "080 4000 1234": "tel:08040001234"} {
		got, err := CheckPhone(in)
		if err != nil || got != in || TelURI(got) != tel {
			t.Errorf("CheckPhone(%q) = %q, %v; tel %q", in, got, err, TelURI(got))
		}
	}
	for _, bad := range []string{"", "12345", "+91 80 4000 1234 5678 9", "call us", "+91--80", "80+91", "(080) 4000 1234", "1234567-"} {
		if _, err := CheckPhone(bad); err == nil {
			t.Errorf("CheckPhone(%q) accepted", bad)
		}
	}
}
