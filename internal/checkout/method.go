package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// Method is one way to pay, as a connector package offers it over its
// provider's API. The checkout keeps the state machine and decides what
// every answer means (Interpret, InterpretRefund, with the method's
// OutcomeTable); a method only translates between the checkout's words and
// its provider's. Adding a method is a new package and one wiring line.
type Method interface {
	// Kind names the method and its provider.
	Kind() MethodKind
	// Outcomes says what each of the provider's error codes means for each
	// call; the checkout applies it.
	Outcomes() OutcomeTable

	// LinkURL is the provider's consent page, where the customer lets the
	// merchant charge them without a redirect next time; state comes back
	// to redirectURI with a code. Methods of one provider share the link.
	LinkURL(state, redirectURI, loginHint string) string
	// ExchangeCode turns a consent code into tokens; Refresh renews them.
	// Both report a link the provider no longer honours as ErrLinkRevoked.
	ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error)
	Refresh(ctx context.Context, refreshToken string) (Token, error)

	// Offer says whether and how to list the method for an order and
	// customer. A token the provider refuses for this method is
	// ErrLinkRevoked: the customer links again for it.
	Offer(ctx context.Context, r OfferRequest) (Offer, error)
	// Charge starts a payment; ChargeStatus reads it back, also once the
	// shopper returns from the provider's page.
	Charge(ctx context.Context, r ChargeRequest) Reply
	ChargeStatus(ctx context.Context, chargeID string) Reply
	// Refund sends a refund of a charge; RefundStatus reads it back.
	Refund(ctx context.Context, r RefundRequest) Reply
	RefundStatus(ctx context.Context, refundID string) Reply
}

// MethodKind names a method as merchants see it (Juspay's names) and the
// provider whose link it uses.
type MethodKind struct {
	Name     string // payment_method, e.g. a card scheme or wallet name
	Type     string // payment_method_type: CARD, WALLET, CONSUMER_FINANCE, ...
	Provider string // the gateway that carries it; links are kept per provider
	Title    string // how the page names it
}

// ErrLinkRevoked means the provider no longer honours the customer's link
// (for this method, or at all); the customer must give consent again.
var ErrLinkRevoked = errors.New("checkout: link revoked")

// Token is a provider's token pair for a linked customer.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time
}

// OfferRequest is what a method needs to decide its offer.
type OfferRequest struct {
	Order Order
	Phone string // the customer's 10-digit phone, or "" when unknown
	Token string // the customer's access token, or "" when not linked
}

// FigureKind says what an offer's figure is.
type FigureKind int

// Figures an offer shows.
const (
	FigureNone    FigureKind = iota
	FigureCredit             // credit available to the customer
	FigureBalance            // the customer's balance
)

// Offer is a method's answer for one order and customer.
type Offer struct {
	Listed  bool // shown at all
	Payable bool // can be paid now
	Linked  bool // pays at once with the stored link; otherwise links first
	// Figure is the credit or balance to show (FigureKind says which).
	Figure     money.Paise
	FigureKind FigureKind
	// Note is the provider's words, shown as they are: why the method
	// cannot be used now, or what happens when the shopper pays.
	Note string
	// Consent is the sentence the shopper agrees to by paying; TermsURL,
	// with TermsLabel, the document it refers to (empty: none to link).
	Consent    string
	TermsURL   string
	TermsLabel string
	// Action is the pay button's words.
	Action string
}

// ChargeRequest asks the provider to capture an amount from a linked
// customer.
type ChargeRequest struct {
	ChargeID    string // paypage's idempotency key, stored before the call
	AccessToken string
	Amount      money.Paise
	CallbackURL string // where the provider sends the shopper back from its page
	Note        string
}

// RefundRequest asks the provider to refund part or all of a charge.
type RefundRequest struct {
	RefundID string
	ChargeID string
	Amount   money.Paise
}

// SealedLink is a customer's link with a provider as stored: tokens sealed
// with the server's key. A link may be refused by one of the provider's
// methods (RefusedFor) while it still serves the others; that method then
// gets a link of its own (Method set).
type SealedLink struct {
	MerchantID   string
	CustomerID   string
	Provider     string
	Method       string // "" for the link shared by the provider's methods
	RefreshToken []byte
	AccessToken  []byte // cached access token; may be nil
	AccessExpiry time.Time
	RefusedFor   []string // methods that refused this link's token
}
