// Package redirect renders the page that posts the signed result to a
// merchant that asked for POST returns. It submits itself with a nonce'd
// script and shows a button for browsers without JavaScript.
package redirect

import "github.com/paypage/paypage/templates/layout"

// Field is one hidden form field.
type Field struct{ Name, Value string }

// PageVM is the auto-submitting form.
type PageVM struct {
	Head         layout.Head
	Action       string
	Fields       []Field
	MerchantName string
}
