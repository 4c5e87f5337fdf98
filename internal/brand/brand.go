// Package brand checks what a merchant brands its payment page with: the
// logo image (type, size and dimensions, judged by content, never by file
// name) and the brand colour (white text on it must meet WCAG contrast
// 4.5:1), and words support contacts. It stores and serves nothing; the
// domain (internal/checkout) calls it when settings change.
package brand

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the decoder image.DecodeConfig uses
	_ "image/png"  // registers the decoder image.DecodeConfig uses
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	_ "golang.org/x/image/webp" // registers the decoder image.DecodeConfig uses
)

// Limits on a logo.
const (
	MaxLogoBytes     = 64 << 10
	MaxLogoDimension = 1024
)

// MinContrast is the WCAG 2.x AA minimum contrast ratio for normal text,
// which white button text on the brand colour must meet.
const MinContrast = 4.5

// Logo is a checked logo image.
type Logo struct {
	ContentType string // "image/png", "image/jpeg" or "image/webp"
	SHA256      string // hex fingerprint of Data
	Size        int    // bytes
	Width       int
	Height      int
	Data        []byte // nil when only the description was read
}

// Ext is the file extension of the logo's type, without a dot.
func (l Logo) Ext() string { return ExtOf(l.ContentType) }

// ExtOf is the file extension of a logo content type, without a dot.
func ExtOf(contentType string) string {
	switch contentType {
	case "image/png":
		return "png"
	case "image/jpeg":
		return "jpg"
	case "image/webp":
		return "webp"
	}
	return ""
}

// formats maps image.DecodeConfig's format names to content types.
var formats = map[string]string{"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}

// CheckLogo judges data as a logo: PNG, JPEG or WebP by its content, at
// most MaxLogoBytes, and no larger than MaxLogoDimension either way. The
// error says in a phrase what is wrong.
func CheckLogo(data []byte) (Logo, error) {
	switch {
	case len(data) == 0:
		return Logo{}, errors.New("is empty")
	case len(data) > MaxLogoBytes:
		return Logo{}, fmt.Errorf("is %d bytes; at most %d (64 KB) allowed", len(data), MaxLogoBytes)
	}
	ct := sniff(data)
	if ct == "" {
		return Logo{}, errors.New("must be a PNG, JPEG or WebP image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || formats[format] != ct {
		return Logo{}, fmt.Errorf("is not a readable %s image", ExtOf(ct))
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoDimension || cfg.Height > MaxLogoDimension {
		return Logo{}, fmt.Errorf("is %dx%d pixels; at most %dx%d allowed", cfg.Width, cfg.Height, MaxLogoDimension, MaxLogoDimension)
	}
	sum := sha256.Sum256(data)
	return Logo{ContentType: ct, SHA256: hex.EncodeToString(sum[:]), Size: len(data), Width: cfg.Width, Height: cfg.Height, Data: bytes.Clone(data)}, nil
}

// sniff names the image type by its magic bytes, or "" for anything else
// (GIF, SVG, text), so that a renamed file is judged by what it holds.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// ParseColor reads a colour written #RRGGBB (any case) and returns it as
// lower-case #rrggbb.
func ParseColor(s string) (string, error) {
	if len(s) != 7 || s[0] != '#' {
		return "", errors.New("must be #RRGGBB")
	}
	if _, err := strconv.ParseUint(s[1:], 16, 32); err != nil {
		return "", errors.New("must be #RRGGBB")
	}
	return strings.ToLower(s), nil
}

// CheckColor parses s as #RRGGBB and refuses it unless white text on it
// has a contrast ratio of at least MinContrast.
func CheckColor(s string) (string, error) {
	c, err := ParseColor(s)
	if err != nil {
		return "", err
	}
	if r := ContrastRatio(c, "#ffffff"); r < MinContrast {
		return "", fmt.Errorf("white text on %s has contrast %.2f:1; at least %.1f:1 is needed", c, math.Floor(r*100)/100, MinContrast)
	}
	return c, nil
}

// ContrastRatio is the WCAG 2.x contrast ratio of two #rrggbb colours,
// from 1 to 21. Colours that do not parse count as black.
func ContrastRatio(a, b string) float64 {
	la, lb := RelativeLuminance(a), RelativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// RelativeLuminance is the WCAG 2.x relative luminance of a #rrggbb colour.
func RelativeLuminance(hexColor string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hexColor, "#"), 16, 32)
	channel := func(shift uint) float64 {
		c := float64((v>>shift)&0xff) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(16) + 0.7152*channel(8) + 0.0722*channel(0)
}

// plainEmail is the common form of an address, without the characters
// (?, &, #, quotes) that would change the meaning of a mailto: link.
var plainEmail = regexp.MustCompile(`^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)

// CheckEmail reads a support email address: a bare addr-spec such as
// help@shop.example, at most 254 characters.
func CheckEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !plainEmail.MatchString(s) {
		return "", errors.New("must be an email address such as help@shop.example")
	}
	return s, nil
}

// CheckPhone reads a support phone number: digits with an optional leading
// +, and spaces or hyphens between groups, 6 to 15 digits (E.164 allows
// 15). It returns the number as written (trimmed) for showing, and
// TelURI gives the tel: form.
func CheckPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case (r == ' ' || r == '-') && i > 0 && s[i-1] >= '0' && s[i-1] <= '9':
		default:
			return "", errors.New("must be a phone number such as +91 80 4000 1234")
		}
	}
	if digits < 6 || digits > 15 || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
		return "", errors.New("must be a phone number of 6 to 15 digits, such as +91 80 4000 1234")
	}
	return s, nil
}

// TelURI is the tel: URI of a phone number CheckPhone accepted.
func TelURI(phone string) string {
	return "tel:" + strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, phone)
}
