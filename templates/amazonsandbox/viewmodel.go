// Package amazonsandbox holds the templ pages of the Amazon Pay simulator:
// the Login with Amazon consent page, the 2FA (OTP) page, Amazon's
// balance top-up page, the dummy Key Fact Statement, the simulator's index
// and a message page.
// They take ready-formatted view models and use only the simulator's own
// stylesheet: no inline styles or scripts.
package amazonsandbox

// Page is what every simulator page needs.
type Page struct {
	Title  string
	CSSURL string // absolute path of the stylesheet
	Wide   bool   // a wider card, for tables
	TestID string // the main element's data-testid, if any
}

// Field is a hidden form field.
type Field struct {
	Name  string
	Value string
}

// ConsentVM is the Login with Amazon consent page.
type ConsentVM struct {
	Page
	Action             string // where every form posts
	AppName            string // the merchant's name when the consent URL gives it
	Amount             string // the payment about to be made, formatted; empty when not given
	Phone              string // the persona's phone; empty when NeedPhone
	PersonaName        string
	PersonaDescription string
	NeedPhone          bool    // no login hint came: ask for the phone
	Hidden             []Field // carried by every form
	Error              string
}

// OTPVM is the 2FA page behind a charge's amazonPayUrl.
type OTPVM struct {
	Page
	Action   string
	Amount   string // formatted, e.g. "₹1,234.50"
	Phone    string // masked
	ChargeID string
	Error    string
	// Notice says the code was sent again; ResendURL asks for that.
	Notice    string
	ResendURL string
}

// TopUpVM is Amazon's top-up page behind a short balance charge's
// amazonPayUrl. Amounts are formatted, e.g. "₹1,49,900.00".
type TopUpVM struct {
	Page
	Action    string // where both forms post
	Amount    string // the whole charge
	Balance   string // what the balance pays
	Shortfall string // what the customer adds
	ChargeID  string
}

// KFSVM is the dummy Key Fact Statement.
type KFSVM struct {
	Page
	Credit  string
	BackURL string // the payment page the statement was opened from; empty when not known
}

// MessageVM is a page with a heading and one message, for errors.
type MessageVM struct {
	Page
	Heading string
	Message string
}

// IndexVM is the simulator's index: its personas, endpoints and knobs, for
// QA. Everything is ready-formatted.
type IndexVM struct {
	Page
	Personas  []PersonaRow
	Endpoints []EndpointRow
	Knobs     []KnobRow
}

// PersonaRow is one persona in the index.
type PersonaRow struct {
	Phone       string // 10 digits; empty for the default persona
	Name        string
	Description string
	PayLater    string // starting credit and eligibility, e.g. "₹50,000.00, eligible"
	Balance     string // starting balance, e.g. "₹1,000.00"
}

// EndpointRow is one URL in the index.
type EndpointRow struct {
	Method  string // e.g. "GET" or "POST"
	URL     string // absolute URL or URL shape, e.g. ".../pay/{amazonChargeId}"
	Purpose string
}

// KnobRow is one simulator setting and its current value.
type KnobRow struct {
	Name  string
	Value string
	Set   string // how to change it, e.g. "PAYPAGE_SANDBOX_LATENCY"
}
