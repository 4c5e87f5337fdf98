package layout

import (
	"context"
	"html"
	"io"
	"regexp"

	"github.com/a-h/templ"
)

// Brand is how a merchant's pages show it: its name and logo, its colour
// on buttons and accents, and whom to ask for help. Empty fields are left
// out.
type Brand struct {
	Name string
	// Color is "#rrggbb"; anything else is ignored.
	Color string
	// LogoURL is on paypage's own origin; LogoWidth and LogoHeight are
	// the CSS pixels to show it at, reserving its space before it loads.
	LogoURL               string
	LogoWidth, LogoHeight int
	SupportEmail          string
	SupportEmailURL       string // mailto:
	SupportPhone          string
	SupportPhoneURL       string // tel:
}

// HasSupport says whether there is a support contact to show.
func (b Brand) HasSupport() bool { return b.SupportEmailURL != "" || b.SupportPhoneURL != "" }

var hexColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// inlineStyle writes the page's stylesheet css, paypage's own and never
// anything from a request, in a style element with the request's nonce
// (the CSP allows no other).
func inlineStyle(css string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if css == "" {
			return nil
		}
		_, err := io.WriteString(w, `<style nonce="`+html.EscapeString(templ.GetNonce(ctx))+`">`+css+`</style>`)
		return err
	})
}

// brandStyle sets the --brand custom property that app.css colours the
// buttons and accents with. The CSP allows style elements only with the
// request's nonce and no style attributes, so it is a nonce'd element, and
// only a colour that is exactly #rrggbb is ever written into it.
func brandStyle(color string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if !hexColor.MatchString(color) {
			return nil
		}
		_, err := io.WriteString(w, `<style nonce="`+html.EscapeString(templ.GetNonce(ctx))+`">:root{--brand:`+color+`}</style>`)
		return err
	})
}
