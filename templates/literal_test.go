// Package templates_test checks the shopper-facing templates as a whole:
// their words come from the i18n catalogues, never from the markup.
package templates_test

import (
	"html"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	parser "github.com/a-h/templ/parser/v2"
)

// shopperTemplates are the templates shoppers read. The sandbox index
// (a QA page of personas and endpoints) and the order timeline (QA and
// merchants) are in English only.
var shopperTemplates = []string{
	"layout/layout.templ",
	"pay/page.templ",
	"errorpage/page.templ",
	"redirect/page.templ",
	"amazonsandbox/shell.templ",
	"amazonsandbox/consent.templ",
	"amazonsandbox/otp.templ",
	"amazonsandbox/topup.templ",
	"shop/shell.templ",
	"shop/cart.templ",
	"shop/result.templ",
}

// allowed are the words a template may spell out: brand names.
var allowed = []string{"Amazon Pay Later", "Amazon Pay", "amazon pay", "paypage"}

// shownAttributes are the attributes whose values people read or hear.
var shownAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true, "aria-description": true}

var word = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestNoLiteralText fails when a shopper-facing template holds a word of
// text (or a shown attribute) outside a { ... } expression: such text
// would stay English in every language.
func TestNoLiteralText(t *testing.T) {
	for _, name := range shopperTemplates {
		tf, err := parser.Parse(filepath.FromSlash(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		walk(reflect.ValueOf(tf), func(kind, s string) {
			s = html.UnescapeString(s)
			for _, a := range allowed {
				s = strings.ReplaceAll(s, a, " ")
			}
			if w := word.FindString(s); w != "" {
				t.Errorf("%s: %s %q has the literal word %q: move it to the catalogue", name, kind, strings.TrimSpace(s), w)
			}
		})
	}
}

// TestNoLiteralTextCatches proves the check sees text in every place a
// template can hold it.
func TestNoLiteralTextCatches(t *testing.T) {
	src := `package x

templ T(ok bool) {
	<p>Pay now</p>
	if ok {
		<span aria-label="Close it">x</span>
	} else {
		for range 3 {
			Done
		}
	}
}
`
	tf, err := parser.ParseString(src)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	walk(reflect.ValueOf(tf), func(_, s string) {
		if word.MatchString(s) {
			found = append(found, strings.TrimSpace(s))
		}
	})
	if strings.Join(found, "|") != "Pay now|Close it|Done" {
		t.Errorf("found %q", found)
	}
}

var (
	textType = reflect.TypeOf(parser.Text{})
	attrType = reflect.TypeOf(parser.ConstantAttribute{})
)

// walk calls f with every literal text and shown constant attribute value
// under v, whatever node holds it.
func walk(v reflect.Value, f func(kind, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), f)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), f)
		}
	case reflect.Struct:
		switch v.Type() {
		case textType:
			f("text", v.FieldByName("Value").String())
			return
		case attrType:
			a := v.Interface().(parser.ConstantAttribute)
			if shownAttributes[strings.ToLower(a.Key.String())] {
				f("attribute "+a.Key.String(), a.Value)
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), f)
			}
		}
	}
}
