// Package timeline renders an order's timeline as a page for QA in sandbox
// mode: the same entries as GET /orders/{order_id}/timeline, one row each.
package timeline

import "github.com/paypage/paypage/templates/layout"

// PageVM is one order's timeline.
type PageVM struct {
	Head            layout.Head
	OrderID         string // paypage's id
	MerchantOrderID string
	MerchantID      string
	Status          string
	Entries         []EntryVM
}

// EntryVM is one entry, ready to show.
type EntryVM struct {
	At      string // formatted time, e.g. 14:03:05.123
	Kind    string // status, provider_call, webhook_attempt or return
	Summary string // one line, e.g. "order NEW → CHARGED"
	Details []Detail
}

// Detail is one field of an entry.
type Detail struct {
	Key, Value string
}
