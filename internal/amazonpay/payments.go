package amazonpay

import (
	"context"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// API paths under Config.BaseURL.
const (
	PathInstruments = "/v1/payments/instruments"
	PathEligibility = "/v1/payments/eligibility"
	PathCharge      = "/v1/payments/charge"
	PathRefund      = "/v1/payments/refund"
)

// DefaultChargeTimeout is the timeoutInSecs sent when a ChargeRequest leaves
// it zero. Amazon accepts 300 to 900 seconds.
const DefaultChargeTimeout = 900

// Status is a charge or refund status as Amazon names it.
type Status string

// Charge and refund statuses.
const (
	StatusCaptureApproved Status = "CaptureApproved" // charge: money captured
	StatusCapturePending  Status = "CapturePending"  // charge: not final; see AmazonPayURL
	StatusDeclined        Status = "Declined"        // charge or refund refused
	StatusFailed          Status = "Failed"          // charge failed
	StatusAuthApproved    Status = "AuthApproved"    // pre-auth intents only
	StatusAuthPending     Status = "AuthPending"     // pre-auth intents only
	StatusPending         Status = "Pending"         // refund: not settled yet
	StatusApproved        Status = "Approved"        // refund: done
)

// Final reports whether the status can no longer change.
func (s Status) Final() bool {
	switch s {
	case StatusCaptureApproved, StatusDeclined, StatusFailed, StatusApproved:
		return true
	}
	return false
}

// Instruments is the Amazon Pay Later part of a Get Instruments answer.
type Instruments struct {
	Enabled             bool // eligible for this amount
	Priority            int
	AvailableCredit     money.Paise
	IneligibilityCode   string // empty when eligible
	IneligibilityReason string // show to the customer exactly as given
	KeyFactStatementURL string
}

// Balance is the Amazon Pay balance part of a Get Instruments answer.
type Balance struct {
	Enabled bool // the balance can pay (a KYC'd account)
	Total   money.Paise
	// Redeemable is what can be spent now; show this one.
	Redeemable money.Paise
}

// Eligibility is the answer to a pre-link eligibility check.
type Eligibility struct {
	Eligible            bool
	LinkingRequired     bool
	IneligibilityCode   string
	IneligibilityReason string
}

// ChargeRequest is a direct-debit charge against a linked account.
type ChargeRequest struct {
	ChargeID       string // idempotency key: up to 50 of [A-Za-z0-9_-]
	ReferenceID    string // defaults to ChargeID
	AccessToken    string
	Amount         money.Paise
	CallbackURL    string // where Amazon sends the customer back after amazonPayUrl
	TimeoutInSecs  int    // 300..900; DefaultChargeTimeout if zero
	NoteToCustomer string
	CustomData     string
	// Instrument is the selectedPaymentInstrumentType; InstrumentPayLater
	// when empty.
	Instrument string
}

// Charge is Amazon's view of a charge.
type Charge struct {
	ChargeID        string
	AmazonChargeID  string
	Status          Status
	RequestedAmount money.Paise
	ApprovedAmount  money.Paise
	AmazonPayURL    string // set when the customer must act (2FA)
	ReasonCode      string
	ReasonMessage   string
	CustomData      string
	CreateTime      time.Time
	UpdateTime      time.Time
}

// RefundRequest refunds all or part of a charge.
type RefundRequest struct {
	RefundID       string // idempotency key: up to 32 of [A-Za-z0-9_-]
	ChargeID       string // the merchant's charge id
	Amount         money.Paise
	NoteToCustomer string
	SoftDescriptor string
}

// Refund is Amazon's view of a refund.
type Refund struct {
	RefundID       string
	AmazonRefundID string
	ChargeID       string
	AmazonChargeID string
	Status         Status
	Amount         money.Paise
	RefundedFee    money.Paise
	ReasonCode     string
	ReasonMessage  string
	CreateTime     time.Time
	UpdateTime     time.Time
}

// Instruments asks for the customer's Amazon Pay Later eligibility and
// credit for amount.
func (c *Client) Instruments(ctx context.Context, accessToken string, amount money.Paise) (Instruments, error) {
	query := map[string]string{
		"merchantId": c.cfg.MerchantID, "accessToken": accessToken,
		"instrumentTypes": InstrumentPayLater, "amount": amount.String(),
	}
	var w wireInstruments
	if err := c.do(ctx, "GET", PathInstruments, query, nil, &w); err != nil {
		return Instruments{}, err
	}
	return w.instruments()
}

// Balance asks for the customer's Amazon Pay balance.
func (c *Client) Balance(ctx context.Context, accessToken string, amount money.Paise) (Balance, error) {
	query := map[string]string{
		"merchantId": c.cfg.MerchantID, "accessToken": accessToken,
		"instrumentTypes": InstrumentBalance, "amount": amount.String(),
	}
	var w wireInstruments
	if err := c.do(ctx, "GET", PathInstruments, query, nil, &w); err != nil {
		return Balance{}, err
	}
	return w.balance()
}

// Eligibility asks whether a customer who has not linked yet could pay
// amount with Amazon Pay Later.
func (c *Client) Eligibility(ctx context.Context, phone string, amount money.Paise) (Eligibility, error) {
	body := wireEligibilityRequest{
		MerchantID: c.cfg.MerchantID, PhoneNumber: phone, Amount: amount.String(),
		InstrumentType: InstrumentPayLater,
	}
	var w wireEligibility
	if err := c.do(ctx, "POST", PathEligibility, nil, body, &w); err != nil {
		return Eligibility{}, err
	}
	return w.eligibility(), nil
}

// Charge captures an Amazon Pay Later payment. A transport error or 5xx is
// retried a few times with the same charge id; a DuplicateChargeId answer
// is resolved with ChargeStatus, never by charging again. When the error
// is indeterminate (see IsIndeterminate) the charge may exist; settle it
// with ChargeStatus later.
func (c *Client) Charge(ctx context.Context, r ChargeRequest) (Charge, error) {
	body := c.chargeRequest(r)
	var w wireCharge
	err := withRetry(ctx, func() error { return c.do(ctx, "POST", PathCharge, nil, body, &w) })
	if IsDuplicateChargeID(err) {
		existing, serr := c.ChargeStatus(ctx, r.ChargeID)
		if serr != nil {
			return Charge{}, serr
		}
		if existing.RequestedAmount != 0 && existing.RequestedAmount != r.Amount {
			return Charge{}, err // the id was used for a different charge
		}
		return existing, nil
	}
	if err != nil {
		return Charge{}, err
	}
	return w.charge()
}

// ChargeStatus reads a charge by the merchant's charge id.
func (c *Client) ChargeStatus(ctx context.Context, chargeID string) (Charge, error) {
	query := map[string]string{"merchantId": c.cfg.MerchantID, "txnIdType": txnIDMerchant, "txnId": chargeID}
	var w wireCharge
	if err := withRetry(ctx, func() error { return c.do(ctx, "GET", PathCharge, query, nil, &w) }); err != nil {
		return Charge{}, err
	}
	return w.charge()
}

// Refund refunds all or part of an approved charge. Like Charge it retries
// transient failures with the same refund id and resolves
// DuplicateRefundId with RefundStatus.
func (c *Client) Refund(ctx context.Context, r RefundRequest) (Refund, error) {
	body := wireRefundRequest{
		MerchantID: c.cfg.MerchantID, Amount: r.Amount.String(), CurrencyCode: currencyINR,
		RefundID: r.RefundID, ChargeIDType: txnIDMerchant, ChargeID: r.ChargeID,
		NoteToCustomer: r.NoteToCustomer, SoftDescriptor: r.SoftDescriptor,
	}
	var w wireRefund
	err := withRetry(ctx, func() error { return c.do(ctx, "POST", PathRefund, nil, body, &w) })
	if IsDuplicateRefundID(err) {
		existing, serr := c.RefundStatus(ctx, r.RefundID)
		if serr != nil {
			return Refund{}, serr
		}
		if existing.ChargeID != "" && existing.ChargeID != r.ChargeID || existing.Amount != r.Amount {
			return Refund{}, err
		}
		return existing, nil
	}
	if err != nil {
		return Refund{}, err
	}
	return w.refund()
}

// RefundStatus reads a refund by the merchant's refund id.
func (c *Client) RefundStatus(ctx context.Context, refundID string) (Refund, error) {
	query := map[string]string{"merchantId": c.cfg.MerchantID, "txnIdType": txnIDMerchant, "txnId": refundID}
	var w wireRefund
	if err := withRetry(ctx, func() error { return c.do(ctx, "GET", PathRefund, query, nil, &w) }); err != nil {
		return Refund{}, err
	}
	return w.refund()
}
