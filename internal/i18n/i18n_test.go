package i18n

import (
	"context"
	"testing"
)

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                          "",
		"hi":                        "hi",
		"hi-IN,hi;q=0.9,en;q=0.8":   "hi",
		"en-IN,en;q=0.9":            "en",
		"en-US,hi;q=0.9":            "en",
		"pa-IN,hi;q=0.8":            "hi", // Punjabi first, which we lack
		"ta-IN":                     "ta",
		"kn":                        "kn",
		"gu-IN,en;q=0.5":            "gu",
		"mr-IN":                     "mr",
		"te-IN":                     "te",
		"bn-BD":                     "bn",
		"fr-FR,de;q=0.5":            "",
		"*":                         "",
		"hi;q=banana":               "",
		"x-invalid-tag-that-is-bad": "",
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestPick(t *testing.T) {
	for _, c := range []struct {
		header  string
		choices []string
		want    string
	}{
		{"hi", nil, "hi"},
		{"hi", []string{"ta"}, "ta"},
		{"hi", []string{"", "xx", "kn"}, "kn"},
		{"hi", []string{"xx"}, "hi"},
		{"fr-FR", []string{"xx"}, Default},
		{"", nil, Default},
	} {
		if got := Pick(c.header, c.choices...); got != c.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", c.header, c.choices, got, c.want)
		}
	}
}

func TestContextLanguage(t *testing.T) {
	ctx := context.Background()
	if Lang(ctx) != "en" || T(ctx, "pay.order") != "Order" {
		t.Errorf("no language: %q %q", Lang(ctx), T(ctx, "pay.order"))
	}
	if got := Lang(WithLang(ctx, "fr")); got != "en" {
		t.Errorf("unknown code: %q", got)
	}
	hi := WithLang(ctx, "hi")
	if Lang(hi) != "hi" || T(hi, "pay.order") != "ऑर्डर" {
		t.Errorf("Hindi: %q %q", Lang(hi), T(hi, "pay.order"))
	}
	if got := T(hi, "no.such.message"); got != "no.such.message" {
		t.Errorf("unknown message: %q", got)
	}
	if _, ok := Lookup(hi, "no.such.message"); ok {
		t.Error("Lookup found an unknown message")
	}
	// Split puts the amount where each language's word order wants it.
	for code, want := range map[string][2]string{"en": {"Pay ", ""}, "hi": {"", " का भुगतान करें"}} {
		before, after := Split(WithLang(ctx, code), "pay.heading", "Amount")
		if before != want[0] || after != want[1] {
			t.Errorf("%s: Split = %q, %q", code, before, after)
		}
	}
	if got := N(WithLang(ctx, "te"), "time.minutes", 1); got != "1 నిమిషం" {
		t.Errorf("Telugu 1 minute: %q", got)
	}
	if got := N(WithLang(ctx, "te"), "time.minutes", 14); got != "14 నిమిషాలు" {
		t.Errorf("Telugu 14 minutes: %q", got)
	}
	if len(Codes()) != 8 || !Valid("kn") || Valid("KN") || Valid("") {
		t.Errorf("codes %v", Codes())
	}
}
