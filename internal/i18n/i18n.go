// Package i18n holds the shopper-facing text of paypage in every language it
// speaks, one message catalogue per language (locales/active.<code>.toml,
// embedded), and the small API pages use to read it: the web layer puts the
// shopper's language in the request context with WithLang, and templates
// and handlers call T, N and Split with that context.
//
// Messages are go-i18n messages (text/template placeholders such as
// {{.Merchant}}, CLDR plural forms for counts). A language without a
// message falls back to English; the catalogue tests keep that from
// happening.
package i18n

import (
	"context"
	"embed"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var locales embed.FS

// Default is the language used when nothing else says which.
const Default = "en"

// Language is one language the pages speak.
type Language struct {
	Code string // BCP 47 code, e.g. "hi"
	Name string // its name in its own script, e.g. "हिन्दी"
}

// Languages are the languages paypage speaks, English first.
var Languages = []Language{
	{"en", "English"},
	{"hi", "हिन्दी"},
	{"bn", "বাংলা"},
	{"mr", "मराठी"},
	{"te", "తెలుగు"},
	{"ta", "தமிழ்"},
	{"gu", "ગુજરાતી"},
	{"kn", "ಕನ್ನಡ"},
}

// Codes returns the codes of Languages, in order.
func Codes() []string {
	codes := make([]string, len(Languages))
	for i, l := range Languages {
		codes[i] = l.Code
	}
	return codes
}

var (
	bundle     = newBundle()
	localizers = map[string]*goi18n.Localizer{}
	matcher    language.Matcher
)

func init() {
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.MustParse(l.Code)
		localizers[l.Code] = goi18n.NewLocalizer(bundle, l.Code)
	}
	matcher = language.NewMatcher(tags)
}

func newBundle() *goi18n.Bundle {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, l := range Languages {
		if _, err := b.LoadMessageFileFS(locales, CatalogueFile(l.Code)); err != nil {
			panic("i18n: " + err.Error())
		}
	}
	return b
}

// CatalogueFile is the path, inside the embedded locales, of a language's
// catalogue.
func CatalogueFile(code string) string { return "locales/active." + code + ".toml" }

// Catalogue returns the raw catalogue file of a language, for tests.
func Catalogue(code string) ([]byte, error) { return locales.ReadFile(CatalogueFile(code)) }

// Valid reports whether code is one of Languages.
func Valid(code string) bool {
	_, ok := localizers[code]
	return ok
}

// Match picks the best of Languages for an Accept-Language header, or ""
// when the header names none of them.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return ""
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return ""
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return ""
	}
	return Languages[i].Code
}

// Pick is a request's language: the first of choices that is one of
// Languages (someone's own choice, in the order it counts), else the best
// for its Accept-Language header, else Default.
func Pick(acceptLanguage string, choices ...string) string {
	for _, code := range choices {
		if Valid(code) {
			return code
		}
	}
	if code := Match(acceptLanguage); code != "" {
		return code
	}
	return Default
}

type ctxKey struct{}

// WithLang returns ctx speaking code; an unknown code means Default.
func WithLang(ctx context.Context, code string) context.Context {
	if !Valid(code) {
		code = Default
	}
	return context.WithValue(ctx, ctxKey{}, code)
}

// Lang is the language of ctx, for <html lang>: Default unless WithLang
// set another.
func Lang(ctx context.Context) string {
	if code, ok := ctx.Value(ctxKey{}).(string); ok {
		return code
	}
	return Default
}

// Args are a message's placeholders by name.
type Args = map[string]any

// T returns message id in the language of ctx, with args filled in. A
// message the language lacks comes back in English, and one no catalogue
// has as its id, so it shows.
func T(ctx context.Context, id string, args ...Args) string {
	s, _ := Lookup(ctx, id, args...)
	return s
}

// Lookup is T that also reports whether the message exists.
func Lookup(ctx context.Context, id string, args ...Args) (string, bool) {
	lc := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		lc.TemplateData = args[0]
	}
	return localize(ctx, lc)
}

// N returns the plural message id for count (its {{.Count}}), with args.
func N(ctx context.Context, id string, count int, args ...Args) string {
	data := Args{}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	data["Count"] = count
	s, _ := localize(ctx, &goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	return s
}

func localize(ctx context.Context, lc *goi18n.LocalizeConfig) (string, bool) {
	s, err := localizers[Lang(ctx)].Localize(lc)
	switch {
	case err == nil:
		return s, true
	case s != "":
		return s, false // English, where the language lacks the message
	default:
		return lc.MessageID, false
	}
}

// slotMark stands in for a placeholder that a page fills with markup.
const slotMark = "\x00"

// Split returns message id with placeholder slot cut out: the text before
// it and the text after, so a page can put an element (an amount in a
// span, a link) where each language's word order wants it.
func Split(ctx context.Context, id, slot string, args ...Args) (before, after string) {
	data := Args{}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	data[slot] = slotMark
	s := T(ctx, id, data)
	before, after, _ = strings.Cut(s, slotMark)
	return before, after
}
