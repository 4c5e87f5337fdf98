// Package layout is the page shell every shopper-facing screen renders in:
// document head, stylesheet link and footer. Screens pass a Head and their
// body as children.
package layout

// Head is what the shell needs to know about a page.
type Head struct {
	Title  string
	CSSURL string // fingerprinted stylesheet URL
	// BrandColor, "#rrggbb", colours buttons and accents; empty: paypage's.
	BrandColor string
}
