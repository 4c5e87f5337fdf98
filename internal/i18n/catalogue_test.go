package i18n

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// message is one catalogue entry: a plain text, or plural forms by CLDR
// category.
type message struct {
	text  string
	forms map[string]string
}

// readCatalogue flattens a catalogue file into its message ids.
func readCatalogue(t *testing.T, code string) map[string]message {
	t.Helper()
	raw, err := Catalogue(code)
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	var doc map[string]any
	if err := toml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", CatalogueFile(code), err)
	}
	out := map[string]message{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out[prefix] = message{text: v}
		case map[string]any:
			if _, plural := v["other"]; plural {
				m := message{forms: map[string]string{}}
				for k, f := range v {
					s, _ := f.(string)
					m.forms[k] = s
				}
				out[prefix] = m
				return
			}
			for k, x := range v {
				walk(strings.TrimPrefix(prefix+"."+k, "."), x)
			}
		default:
			t.Errorf("%s: %s is a %T, not text", code, prefix, v)
		}
	}
	walk("", doc)
	return out
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestCataloguesComplete holds every catalogue to English: the same
// message ids, no more; the same placeholders in each message (and each
// plural form); plural forms where English has them.
func TestCataloguesComplete(t *testing.T) {
	en := readCatalogue(t, "en")
	if len(en) < 100 {
		t.Fatalf("the English catalogue has only %d messages", len(en))
	}
	for _, l := range Languages[1:] {
		got := readCatalogue(t, l.Code)
		for _, id := range slices.Sorted(maps.Keys(en)) {
			want := en[id]
			m, ok := got[id]
			if !ok {
				t.Errorf("%s lacks %q (English: %q)", CatalogueFile(l.Code), id, want.text)
				continue
			}
			if (want.forms == nil) != (m.forms == nil) {
				t.Errorf("%s: %q must be plural exactly when English is", l.Code, id)
				continue
			}
			wantNames := placeholders(want.text + want.forms["other"])
			texts := map[string]string{"": m.text}
			if m.forms != nil {
				texts = m.forms
			}
			for form, text := range texts {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %q %s is empty", l.Code, id, form)
				}
				if names := placeholders(text); !slices.Equal(names, wantNames) {
					t.Errorf("%s: %q %s has placeholders %v, English has %v", l.Code, id, form, names, wantNames)
				}
			}
		}
		for id := range got {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %q, which English does not", CatalogueFile(l.Code), id)
			}
		}
	}
}

// TestPluralFormsCover renders every plural message for counts that fall
// in every CLDR category of each language: a missing form fails.
func TestPluralFormsCover(t *testing.T) {
	en := readCatalogue(t, "en")
	plurals := 0
	for id, m := range en {
		if m.forms == nil {
			continue
		}
		plurals++
		for _, l := range Languages {
			ctx := WithLang(context.Background(), l.Code)
			for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 11, 14, 21, 22, 100, 101, 1000} {
				s, ok := localize(ctx, pluralConfig(id, n))
				if !ok || !strings.Contains(s, itoa(n)) {
					t.Errorf("%s: %q for %d gives %q (found %v)", l.Code, id, n, s, ok)
				}
			}
		}
	}
	if plurals == 0 {
		t.Fatal("no plural messages: the minutes left should be one")
	}
	if got := N(WithLang(context.Background(), "en"), "time.minutes", 1); got != "1 minute" {
		t.Errorf("English one minute is %q", got)
	}
	if got := N(WithLang(context.Background(), "en"), "time.minutes", 14); got != "14 minutes" {
		t.Errorf("English 14 minutes is %q", got)
	}
}

// TestMessagesRender fills every message of every language with sample
// values: each renders, uses every value it is given (nothing left
// as <no value>), keeps brand names in Latin script and writes digits in
// ASCII, as amounts are.
func TestMessagesRender(t *testing.T) {
	en := readCatalogue(t, "en")
	for _, l := range Languages {
		ctx := WithLang(context.Background(), l.Code)
		for id, m := range en {
			args := Args{}
			for _, name := range placeholders(m.text + m.forms["other"]) {
				args[name] = "«" + name + "»"
			}
			var s string
			if m.forms != nil {
				s = N(ctx, id, 2, args)
			} else {
				var ok bool
				if s, ok = Lookup(ctx, id, args); !ok {
					t.Errorf("%s: %q does not render", l.Code, id)
					continue
				}
			}
			if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
				t.Errorf("%s: %q renders as %q", l.Code, id, s)
			}
			for name := range args {
				if name != "Count" && !strings.Contains(s, "«"+name+"»") {
					t.Errorf("%s: %q drops {{.%s}}: %q", l.Code, id, name, s)
				}
			}
			english, _ := Lookup(WithLang(context.Background(), "en"), id, args)
			for _, brand := range []string{"Amazon Pay Later", "paypage", "KYC", "UPI", "InvalidAccessToken"} {
				if strings.Contains(english, brand) && !strings.Contains(s, brand) {
					t.Errorf("%s: %q loses %q: %q", l.Code, id, brand, s)
				}
			}
			for _, r := range s {
				if unicode.IsDigit(r) && r > unicode.MaxASCII {
					t.Errorf("%s: %q writes the digit %q; digits stay ASCII", l.Code, id, r)
					break
				}
			}
			if l.Code != "en" && s == english && !strings.HasPrefix(id, "method.AMAZONPAYLATER.title") && id != "sandbox.kfs.lender_name" {
				t.Errorf("%s: %q is still English: %q", l.Code, id, s)
			}
		}
	}
}

func pluralConfig(id string, n int) *goi18n.LocalizeConfig {
	return &goi18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: Args{"Count": n}}
}

func itoa(n int) string { return strconv.Itoa(n) }
