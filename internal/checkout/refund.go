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
	RefundManualReview RefundStatus = "MANUAL_REVIEW" // the provider gave no answer for too long
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
	ID              string // also the provider's refund id
	OrderID         string
	AttemptID       string
	UniqueRequestID string
	ProviderRef     string
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
	ProviderRef  string
	ErrorCode    string
	ErrorMessage string
	NextCheck    time.Time // when to ask the provider again (PENDING only)
}

// RefundInput is a POST /orders/{id}/refunds request as text.
type RefundInput struct {
	UniqueRequestID string
	Amount          string
}

var uniqueRequestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// NewRefundID returns a fresh refund id, usable as the provider's refund id
// (at most 32 of [A-Za-z0-9_-]).
func NewRefundID() string { return "rf" + randomHex(12) }

// AutoRefundID is the refund id of attempt a's automatic refund. Being
// derived from the attempt, it makes the refund happen at most once, at
// paypage and at the provider.
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

// RefundTransition checks a new merchant refund of amount against order o
// and its charged attempt: only a CHARGED order, never more than that
// charge minus its merchant refunds that have not failed, and never a
// reused unique_request_id. Refunds are accounted per charge: automatic
// refunds of other attempts' late captures never reduce what the merchant
// may refund. The store calls it on the locked order row with the order's
// existing refunds.
func RefundTransition(o Order, charged Attempt, existing []Refund, uniqueRequestID string, amount money.Paise) error {
	if o.Status != StatusCharged || charged.Status != AttemptCharged {
		return errs.E(errs.Invalid, "invalid.order.status", "only CHARGED orders can be refunded; this order is %s", o.Status)
	}
	var taken money.Paise
	for _, r := range existing {
		if r.UniqueRequestID == uniqueRequestID {
			return errs.E(errs.Invalid, "duplicate.call", "a refund with unique_request_id %s already exists for this order", uniqueRequestID)
		}
		if r.AttemptID == charged.ID && !r.Automatic && r.Status != RefundFailure {
			taken += r.Amount
		}
	}
	if taken+amount > charged.Amount {
		return errs.E(errs.Invalid, "invalid.amount.exceeded", "amount %s exceeds the refundable amount %s", amount, charged.Amount-taken)
	}
	return nil
}

// RefundResult is what a refund call's or status read's reply means.
type RefundResult struct {
	Outcome     Outcome // Succeeded, Pending, Declined, Rejected, Unknown or NotFound
	ProviderRef string
	Code        string
	Message     string
}

// Refund refunds amount of the merchant's order orderID. The order row is
// locked while the refund is recorded, so concurrent refunds never exceed
// the charged amount; the provider call happens after, by this request alone,
// and an answer that is not definitive leaves the refund PENDING for the
// reconciler, which sends it again under the same id until the provider answers.
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
		UniqueRequestID: in.UniqueRequestID, Amount: amount, Status: RefundPending}, s.opts.ChargeTimeout+checkLease)
	if err != nil {
		return OrderDetails{}, err
	}
	s.sendRefund(ctx, r, a)
	if o, err = s.store.OrderByID(ctx, o.ID); err != nil {
		return OrderDetails{}, err
	}
	return s.details(ctx, o)
}

// sendRefund asks the provider to carry out refund r of attempt a's charge and
// records the answer.
func (s *Service) sendRefund(ctx context.Context, r Refund, a Attempt) {
	m, err := s.methodOf(a)
	if err != nil {
		// Left PENDING: the reconciler sends it once the method is back.
		s.log.ErrorContext(ctx, "refund not sent", "refund_id", r.ID, "error", err)
		return
	}
	call, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	reply := s.refund(call, m, a, r)
	cancel()
	ctx, done := recording(ctx)
	defer done()
	_, _ = s.applyRefund(ctx, r, InterpretRefund(CallRefund, reply, m.Outcomes()))
}

// manualReviewRecheck is how often a refund in MANUAL_REVIEW is still
// asked about, in case the provider answers after all.
const manualReviewRecheck = time.Hour

// nextRefundCheck is when to look again at a refund created at created
// that has no final answer: soon at first, then ever less often.
func nextRefundCheck(created, now time.Time) time.Time {
	switch age := now.Sub(created); {
	case age < time.Minute:
		return now.Add(firstCheck)
	case age < 10*time.Minute:
		return now.Add(30 * time.Second)
	case age < time.Hour:
		return now.Add(5 * time.Minute)
	case age < refundManualAfter:
		return now.Add(30 * time.Minute)
	}
	return now.Add(manualReviewRecheck)
}

// applyRefund records what the provider's answer means for refund r. A merchant
// refund the provider refuses is FAILURE; an automatic refund the provider refuses
// goes to MANUAL_REVIEW, since the late money is still captured; a refund
// with no final answer after a day goes to MANUAL_REVIEW and is still
// asked about hourly. A successful automatic refund makes its attempt
// AUTO_REFUNDED.
func (s *Service) applyRefund(ctx context.Context, r Refund, res RefundResult) (Refund, error) {
	now := s.now()
	var u RefundUpdate
	to := r.Status
	switch res.Outcome {
	case OutcomeSucceeded:
		to, u.ProviderRef = RefundSuccess, res.ProviderRef
	case OutcomeDeclined, OutcomeRejected:
		to, u.ProviderRef, u.ErrorCode, u.ErrorMessage = RefundFailure, res.ProviderRef, res.Code, res.Message
		if r.Automatic {
			to, u.NextCheck = RefundManualReview, now.Add(manualReviewRecheck)
		}
	default: // Pending, Unknown: ask again
		u.ProviderRef, u.NextCheck = res.ProviderRef, nextRefundCheck(r.CreatedAt, now)
		if r.Status == RefundPending && now.Sub(r.CreatedAt) > refundManualAfter {
			to, u.ErrorCode, u.ErrorMessage = RefundManualReview, "NO_FINAL_ANSWER", "the provider gave no final answer within a day; reconcile by hand"
		}
	}
	r2, err := s.store.MoveRefund(ctx, r.ID, r.Status, to, u)
	if err != nil {
		if !errs.Is(err, errs.Conflict) {
			s.log.ErrorContext(ctx, "recording refund outcome failed", "refund_id", r.ID, "error", err)
			return r, err
		}
		return r2, nil // another worker recorded it first
	}
	if to == RefundManualReview && r.Status != RefundManualReview {
		s.log.WarnContext(ctx, "refund needs manual review", "refund_id", r.ID, "automatic", r.Automatic, "code", u.ErrorCode)
		s.opts.Observer.RefundManualReview(r.Automatic)
	}
	if r2.Automatic && r2.Status == RefundSuccess {
		// The late money is back: the attempt (and, unless another attempt
		// succeeded, the order) becomes AUTO_REFUNDED.
		a, err := s.store.AttemptByID(ctx, r2.AttemptID)
		if err != nil {
			return r2, err
		}
		if a.Status != AttemptAutoRefunded {
			_, _, err = s.store.MoveAttempt(ctx, a.ID, a.Status, AttemptAutoRefunded, AttemptUpdate{Settled: true})
			if ignoreStale(err) != nil {
				return r2, err
			}
		}
	}
	return r2, nil
}
