// Package pay renders the hosted payment page from a ready-formatted view
// model; it knows nothing about orders or Amazon Pay. Its own words come
// from the i18n catalogue in the language of the render context.
package pay

import "github.com/paypage/paypage/templates/layout"

// Screens of the payment page.
const (
	ScreenPayable   = "payable"
	ScreenNoMethods = "no-methods"
	// ScreenChecking: nothing is payable yet, but Amazon has not answered
	// for a method: its card says so, and the page looks again.
	ScreenChecking = "checking"
	// ScreenListing is the summary of a streamed page, sent before the
	// methods are known; Body never renders it.
	ScreenListing    = "listing"
	ScreenProcessing = "processing"
	ScreenCharged    = "charged"
	ScreenExpired    = "expired"
	ScreenClosed     = "closed"
)

// PageVM is everything the payment page shows.
type PageVM struct {
	Head         layout.Head
	Screen       string
	MerchantName string
	Amount       string // "₹1,23,456.78"
	Description  string
	OrderID      string
	TimeLeft     string // "14 minutes"
	ExpiresAt    string // RFC 3339, for the <time> element
	Notice       *NoticeVM
	Methods      []MethodVM // one card each, in the order listed
	NoMethodsWhy string     // on the no-methods screen, why, in a sentence
	PayURL       string     // the pay form's action
	CSRF         string
	// PayToken is the pay form's per-order token, which lets it pay when
	// the browser sent no session cookie.
	PayToken  string
	Retry     bool   // the pay button is a retry after a failure
	ReturnURL string // back to the merchant with the current status
	// PayAnotherWay, after a failed payment, offers the way back to the
	// merchant as "pay another way" (the return carries the failure).
	PayAnotherWay bool
	// Exhausted: retries have stopped (a hard decline or too many
	// failures); the page offers no pay button, and "pay another way"
	// is its main button.
	Exhausted bool
	// CheckURL is where the processing screen looks again: the page
	// itself, which returns to the merchant once the payment settles.
	CheckURL string
	// ContinueURL, on the processing screen, is Amazon's page where the
	// shopper confirms the payment (2FA), if Amazon asked for that.
	ContinueURL string
	// CheckEvery is how many seconds the processing screen's script waits
	// before it first asks StatusURL; it waits longer each time, up to 10 s.
	CheckEvery int
	// StatusURL is the order's status endpoint, which the processing
	// screen's script polls.
	StatusURL string
	// UpToMinutes is the longest Amazon may take to settle a pending
	// payment, for the processing screen to say.
	UpToMinutes int
	// PageURL is this page, for the checking cards' "Try again".
	PageURL string
	// CheckingNext, when a card is checking, is where the page's script
	// goes after CheckingWait milliseconds: this page again, counting the
	// automatic tries. Empty once they are used up.
	CheckingNext string
	CheckingWait int
	// Brand is the merchant's logo, colour and support contacts.
	Brand layout.Brand
	// ShowSupport shows the support contacts: on failures, declines, the
	// no-methods and closed screens.
	ShowSupport bool
	// Languages is the language switcher: this page in each language.
	Languages []LanguageVM
}

// LanguageVM is one entry of the language switcher.
type LanguageVM struct {
	Code    string // e.g. "hi"
	Name    string // in its own script, e.g. "हिन्दी"
	URL     string // this page in that language
	Current bool
}

// NoticeVM is the outcome of the latest attempt.
type NoticeVM struct {
	Status  string // "Payment declined"
	Message string
	Tone    string // "ok", "bad" or "warn"
}

// MethodVM is one payment method's card.
type MethodVM struct {
	Name  string // the pay form's method value; the card is data-testid "method-" + Name
	Title string
	// Checking: Amazon has not answered for this method yet. The card is
	// data-testid "checking", with the method in data-method.
	Checking bool
	Enabled  bool // payable now: the card has its pay button
	// Figure is the credit or balance ("₹50,000.00"), shown in an element
	// with data-testid FigureTestID ("available-credit", "available-balance").
	Figure       string
	FigureTestID string
	Reason       string // why it cannot be used now, in the provider's words
	// Consent is the sentence above the button; with TermsURL, it is the
	// part before the link to the terms (TermsLabel, data-testid
	// "kfs-link") and ConsentAfter the part after it.
	Consent      string
	TermsURL     string
	TermsLabel   string
	ConsentAfter string
	ButtonLabel  string
}
