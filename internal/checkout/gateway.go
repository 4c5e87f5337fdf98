package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// Gateway is what the checkout needs from Amazon Pay. internal/amazonpay
// implements it; it only translates, and reports payment calls as Replies
// whose meaning is decided here (Interpret, InterpretRefund).
type Gateway interface {
	ConsentURL(state, redirectURI, loginHint string) string
	ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error)
	Refresh(ctx context.Context, refreshToken string) (Token, error)
	PayLater(ctx context.Context, accessToken string, amount money.Paise) (PayLater, error)
	Eligible(ctx context.Context, phone string, amount money.Paise) (bool, error)
	Charge(ctx context.Context, r ChargeRequest) Reply
	ChargeStatus(ctx context.Context, chargeID string) Reply
	Refund(ctx context.Context, r RefundRequest) Reply
	RefundStatus(ctx context.Context, refundID string) Reply
}

// ErrLinkRevoked means Amazon no longer honours the customer's link; the
// customer must give consent again.
var ErrLinkRevoked = errors.New("checkout: amazon link revoked")

// Token is a Login with Amazon token pair.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time
}

// PayLater is Amazon Pay Later's answer for a linked customer and amount.
type PayLater struct {
	Enabled         bool
	AvailableCredit money.Paise
	Reason          string // why not enabled, as Amazon words it
	KFSURL          string // Key Fact Statement
}

// ChargeRequest asks Amazon to capture an amount from a linked account.
type ChargeRequest struct {
	ChargeID    string
	AccessToken string
	Amount      money.Paise
	CallbackURL string
	Note        string
}

// Outcome is what a charge or refund call or status read means, in
// checkout's terms.
type Outcome int

// Outcomes of a charge.
const (
	OutcomeUnknown   Outcome = iota // no definitive, verified answer (timeout, 429, 5xx, unsigned): ask again later
	OutcomeSucceeded                // money captured
	OutcomePending                  // not decided yet; maybe the shopper must act (RedirectURL)
	OutcomeDeclined                 // Amazon refused the charge
	OutcomeRejected                 // the request was refused before a decision (bad input, bad token)
	OutcomeNotFound                 // Amazon has no such charge
)

// ChargeResult is what a charge call's or status read's reply means.
type ChargeResult struct {
	Outcome        Outcome
	AmazonChargeID string
	RedirectURL    string // 2FA page, with OutcomePending
	// AuthenticationFailed marks a decline caused by the shopper's 2FA
	// (wrong OTP, page abandoned) rather than by Amazon's credit decision.
	AuthenticationFailed bool
	// LinkRevoked marks a rejection because the customer's link no longer
	// works (unlinked at Amazon).
	LinkRevoked bool
	Code        string
	Message     string
}

// SealedLink is a customer's Amazon link as stored: tokens sealed with the
// server's key.
type SealedLink struct {
	MerchantID   string
	CustomerID   string
	RefreshToken []byte
	AccessToken  []byte // cached access token; may be nil
	AccessExpiry time.Time
}
