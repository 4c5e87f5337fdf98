package checkout

import (
	"context"
	"regexp"
	"time"

	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/money"
)

// RefundStatus is a refund's state, named as Juspay does.
type RefundStatus string

// Refund statuses.
const (
	RefundPending      RefundStatus = "PENDING"
	RefundSuccess      RefundStatus = "SUCCESS"
	RefundFailure      RefundStatus = "FAILURE"
	RefundManualReview RefundStatus = "MANUAL_REVIEW" // Amazon gave no answer for too long
)

var refundTransitions = map[RefundStatus][]RefundStatus{
	RefundPending:      {RefundSuccess, RefundFailure, RefundManualReview},
	RefundManualReview: {RefundSuccess, RefundFailure},
}

// CanMoveRefund reports whether a refund may move between statuses.
func CanMoveRefund(from, to RefundStatus) bool {
	for _, s := range refundTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Refund is money sent back for a charged attempt.
type Refund struct {
	ID              string // also Amazon's refundId
	OrderID         string
	AttemptID       string
	UniqueRequestID string
	AmazonRefundID  string
	Amount          money.Paise
	Status          RefundStatus
	Automatic       bool // an auto-refund of a late success
	ErrorCode       string
	ErrorMessage    string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// RefundUpdate carries what a refund transition records.
type RefundUpdate struct {
	AmazonRefundID string
	ErrorCode      string
	ErrorMessage   string
	NextCheck      time.Time // when to ask Amazon again (PENDING only)
}

// RefundInput is a POST /orders/{id}/refunds request as text.
type RefundInput struct {
	UniqueRequestID string
	Amount          string
}

var uniqueRequestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// NewRefundID returns a fresh refund id, usable as Amazon's refundId
// (at most 32 of [A-Za-z0-9_-]).
func NewRefundID() string { return "rf" + randomHex(12) }

// AutoRefundID is the refund id of attempt a's automatic refund. Being
// derived from the attempt, it makes the refund happen at most once, at
// paypage and at Amazon.
func AutoRefundID(a Attempt) string { return "ar" + a.ID }

func (in RefundInput) validate() (money.Paise, error) {
	var fields []errs.FieldError
	switch {
	case in.UniqueRequestID == "":
		fields = append(fields, errs.FieldError{Field: "unique_request_id", Message: "is required"})
	case !uniqueRequestIDPattern.MatchString(in.UniqueRequestID):
		fields = append(fields, errs.FieldError{Field: "unique_request_id", Message: "must be 1-20 characters of A-Z a-z 0-9 _ -"})
	}
	amount, err := money.Parse(in.Amount)
	switch {
	case err != nil:
		fields = append(fields, errs.FieldError{Field: "amount", Message: err.Error()})
	case amount <= 0:
		fields = append(fields, errs.FieldError{Field: "amount", Message: "must be greater than 0"})
	}
	if len(fields) > 0 {
		return 0, errs.Fields("invalid.request", fields...)
	}
	return amount, nil
}

// RefundTransition checks a new refund of amount against order o: only a
// CHARGED order, never more than was charged minus refunds that have not
// failed, and never a reused unique_request_id. The store calls it on the
// locked order row with the order's existing refunds.
func RefundTransition(o Order, existing []Refund, uniqueRequestID string, amount money.Paise) error {
	if o.Status != StatusCharged {
		return errs.E(errs.Invalid, "invalid.order.status", "only CHARGED orders can be refunded; this order is %s", o.Status)
	}
	var taken money.Paise
	for _, r := range existing {
		if r.UniqueRequestID == uniqueRequestID {
			return errs.E(errs.Invalid, "duplicate.call", "a refund with unique_request_id %s already exists for this order", uniqueRequestID)
		}
		if r.Status != RefundFailure {
			taken += r.Amount
		}
	}
	if taken+amount > o.Amount {
		return errs.E(errs.Invalid, "invalid.amount.exceeded", "amount %s exceeds the refundable amount %s", amount, o.Amount-taken)
	}
	return nil
}

// RefundRequest asks Amazon to refund part or all of a charge.
type RefundRequest struct {
	RefundID string
	ChargeID string
	Amount   money.Paise
}

// RefundResult is Amazon's answer about a refund.
type RefundResult struct {
	Outcome        Outcome // Succeeded, Pending, Declined, Rejected, Unknown or NotFound
	AmazonRefundID string
	Code           string
	Message        string
}

// Refund refunds amount of the merchant's order orderID. The order row is
// locked while the refund is recorded, so concurrent refunds never exceed
// the charged amount; the Amazon call happens after, and a timeout leaves
// the refund PENDING for the reconciler.
func (s *Service) Refund(ctx context.Context, merchantID, orderID string, in RefundInput) (OrderDetails, error) {
	o, err := s.MerchantOrder(ctx, merchantID, orderID)
	if err != nil {
		return OrderDetails{}, err
	}
	amount, err := in.validate()
	if err != nil {
		return OrderDetails{}, err
	}
	r, a, err := s.store.CreateRefund(ctx, o.ID, Refund{ID: NewRefundID(), OrderID: o.ID,
		UniqueRequestID: in.UniqueRequestID, Amount: amount, Status: RefundPending})
	if err != nil {
		return OrderDetails{}, err
	}
	s.sendRefund(ctx, r, a)
	if o, err = s.store.OrderByID(ctx, o.ID); err != nil {
		return OrderDetails{}, err
	}
	return s.details(ctx, o)
}

// sendRefund asks Amazon to carry out refund r of attempt a's charge and
// records the answer.
func (s *Service) sendRefund(ctx context.Context, r Refund, a Attempt) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	defer cancel()
	res := s.opts.Gateway.Refund(ctx, RefundRequest{RefundID: r.ID, ChargeID: a.ChargeID, Amount: r.Amount})
	s.applyRefund(ctx, r, res)
}

// refundRecheck is how long a pending refund waits before the next look.
const refundRecheck = 30 * time.Second

// applyRefund records Amazon's answer about a refund.
func (s *Service) applyRefund(ctx context.Context, r Refund, res RefundResult) (Refund, error) {
	u := RefundUpdate{AmazonRefundID: res.AmazonRefundID, ErrorCode: res.Code, ErrorMessage: res.Message}
	to := r.Status
	switch res.Outcome {
	case OutcomeSucceeded:
		to = RefundSuccess
	case OutcomeDeclined, OutcomeRejected:
		to = RefundFailure
	default:
		u.NextCheck = s.now().Add(refundRecheck)
		if s.now().Sub(r.CreatedAt) < time.Minute {
			u.NextCheck = s.now().Add(firstCheck)
		}
	}
	r2, err := s.store.MoveRefund(ctx, r.ID, to, u)
	if err != nil && !errs.Is(err, errs.Conflict) {
		s.log.ErrorContext(ctx, "recording refund outcome failed", "refund_id", r.ID, "error", err)
		return r, err
	}
	if r2.Automatic && r2.Status == RefundSuccess {
		// The late money is back: the attempt (and, unless another attempt
		// succeeded, the order) becomes AUTO_REFUNDED.
		if _, _, err := s.store.MoveAttempt(ctx, r2.AttemptID, AttemptAutoRefunded, AttemptUpdate{Settled: true}); ignoreStale(err) != nil {
			return r2, err
		}
	}
	return r2, nil
}
