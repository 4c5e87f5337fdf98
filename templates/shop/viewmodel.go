// Package shop holds the templ pages of the sandbox demo shop: the cart
// with its checkout form and webhook log, the result page behind the return
// URL, and a message page. They take ready-formatted view models and use
// only the shop's own stylesheet, so they work under a strict CSP.
package shop

// Page is what every shop page needs.
type Page struct {
	Title   string
	CSSURL  string // absolute path of the stylesheet
	HomeURL string // the cart page
}

// Option is one entry of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// WebhookRow is one received webhook in the cart page's log.
type WebhookRow struct {
	Received string // e.g. "14:03:22"
	Event    string
	OrderID  string
	Status   string
	Verified bool
	Reason   string
}

// CartVM is the product page with the checkout form.
type CartVM struct {
	Page
	Action                string // where the checkout form posts
	Product               string
	ProductNote           string
	Amount                string // the amount field's value
	Personas              []Option
	Methods               []Option // which payment methods the session offers
	Languages             []Option // the payment page's language the session asks for
	CustomerID            string   // the customer id field's value; empty means derived
	CustomerIDPlaceholder string
	Error                 string // the API's answer to a rejected checkout
	Webhooks              []WebhookRow
	WebhookCount          int // all received, of which Webhooks are the newest
}

// Fact is one labelled value on the result page.
type Fact struct {
	Label  string
	Value  string
	TestID string // optional data-testid of the value
}

// ResultVM is the page behind the return URL.
type ResultVM struct {
	Page
	Heading   string // says the status, e.g. "Payment successful: CHARGED"
	Tone      string // ok, pending, fail or bad; picks the heading's colour
	Valid     bool   // the return signature verified
	Facts     []Fact
	Warnings  []string
	Received  []Fact // the parameters as received, for curious people
	AgainURL  string
	AgainText string
	// TimelineURL is paypage's QA page of the order's timeline; empty
	// hides the link.
	TimelineURL string
}

// MessageVM is a page with a heading, a message and an optional list.
type MessageVM struct {
	Page
	Heading string
	Message string
	Items   []string
}
