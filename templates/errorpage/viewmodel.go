// Package errorpage renders the friendly pages shoppers see when an order is
// unknown, expired, or something went wrong.
package errorpage

import "github.com/paypage/paypage/templates/layout"

// PageVM describes one error page.
type PageVM struct {
	Head      layout.Head
	Heading   string
	Message   string
	RequestID string
	// RetryURL is where "Try again" goes (the page that failed, as a plain
	// link); empty hides it.
	RetryURL  string
	BackURL   string // where "Back to the shop" goes; empty hides it
	BackLabel string
	// Brand, when the order and so the merchant is known, offers its
	// support contacts.
	Brand layout.Brand
	// HistoryBack, when there is nowhere known to go back to, offers the
	// browser's previous page (a button shown by a small script).
	HistoryBack bool
}
