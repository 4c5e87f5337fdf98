// Package pay renders the hosted payment page from a ready-formatted view
// model; it knows nothing about orders or Amazon Pay.
package pay

import "github.com/paypage/paypage/templates/layout"

// PageVM is everything the payment page shows.
type PageVM struct {
	Head         layout.Head
	MerchantName string
	Amount       string // "₹1,23,456.78"
	Description  string
	OrderID      string
	TimeLeft     string // "14 minutes"
	ExpiresAt    string // RFC 3339, for the <time> element
}
