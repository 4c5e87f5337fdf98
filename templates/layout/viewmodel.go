// Package layout is the page shell every shopper-facing screen renders in:
// document head with the inline stylesheet, and footer. Screens pass a Head and their
// body as children.
package layout

// Head is what the shell needs to know about a page.
type Head struct {
	Title string
	// CSS is the stylesheet, written inline in the head (under the CSP's
	// nonce): the first paint needs no other request.
	CSS string
	// BrandColor, "#rrggbb", colours buttons and accents; empty: paypage's.
	BrandColor string
}
