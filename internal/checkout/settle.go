package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// Amazon's recommended status polling for a pending charge: every 5 s for
// the first minute, every 10 s for the next three, then every minute until
// the charge times out.
const (
	firstCheck        = 5 * time.Second
	chargeTimeout     = 15 * time.Minute // the timeoutInSecs paypage sends (900)
	consentAbandoned  = 30 * time.Minute // a consent page left this long is given up
	refundManualAfter = time.Hour        // Amazon silent this long about a refund: a person must look
)

// Due is a row a worker leased and when it had become due, for lag
// metrics.
type Due[T any] struct {
	Item  T
	DueAt time.Time
}

// nextCheckAfter is when to ask Amazon again about a charge sent at sent.
func nextCheckAfter(sent, now time.Time) time.Time {
	switch age := now.Sub(sent); {
	case age < time.Minute:
		return now.Add(5 * time.Second)
	case age < 4*time.Minute:
		return now.Add(10 * time.Second)
	}
	return now.Add(time.Minute)
}

// SettleAttempt asks Amazon about an attempt whose charge has no final
// answer yet and acts on the answer: a pending attempt is settled; a closed
// attempt (its order expired or failed meanwhile) that Amazon reports as
// approved is refunded automatically, exactly once. It returns whether the
// charge now has its final answer.
func (s *Service) SettleAttempt(ctx context.Context, a Attempt) (bool, error) {
	now := s.now()
	res := s.opts.Gateway.ChargeStatus(ctx, a.ChargeID)
	sent := a.CreatedAt
	if a.ChargeSentAt != nil {
		sent = *a.ChargeSentAt
	}
	if res.Outcome == OutcomeNotFound && now.Sub(sent) > s.opts.UnsentGrace {
		// Amazon never saw this charge: it cannot succeed any more.
		res = ChargeResult{Outcome: OutcomeRejected, Code: "CHARGE_NOT_FOUND", Message: "Amazon has no record of this charge"}
	}
	if a.Status == AttemptPending {
		a2, _ := s.apply(ctx, a, res)
		if !a2.Status.InFlight() || res.Outcome == OutcomeSucceeded || res.Outcome == OutcomeDeclined || res.Outcome == OutcomeRejected {
			return true, nil
		}
		_, _, err := s.store.MoveAttempt(ctx, a.ID, a2.Status, AttemptUpdate{NextCheck: nextCheckAfter(sent, now)})
		return false, ignoreStale(err)
	}
	switch res.Outcome {
	case OutcomeSucceeded:
		s.log.WarnContext(ctx, "late success on a closed attempt; refunding", "txn_id", a.TxnID, "status", string(a.Status))
		return true, s.autoRefund(ctx, a)
	case OutcomeDeclined, OutcomeRejected:
		_, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, AttemptUpdate{Settled: true})
		return true, ignoreStale(err)
	}
	_, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, AttemptUpdate{NextCheck: nextCheckAfter(sent, now)})
	return false, ignoreStale(err)
}

// autoRefund refunds the whole of a late success. The refund id comes from
// the attempt, so however often this runs, one refund exists here and one
// at Amazon.
func (s *Service) autoRefund(ctx context.Context, a Attempt) error {
	r, err := s.store.CreateAutoRefund(ctx, Refund{
		ID: AutoRefundID(a), OrderID: a.OrderID, AttemptID: a.ID, UniqueRequestID: "auto-" + a.ID[:14],
		Amount: a.Amount, Status: RefundPending, Automatic: true,
	})
	if err != nil {
		return err
	}
	// The charge's fate is known; from here the refund is what is watched.
	if _, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, AttemptUpdate{Settled: true}); ignoreStale(err) != nil {
		return err
	}
	if r.Status == RefundPending {
		s.sendRefund(ctx, r, a)
	}
	return nil
}

// CloseExpired gives up the attempt in flight of an expired order. A charge
// already sent stays watched: if Amazon approves it later, it is refunded.
func (s *Service) CloseExpired(ctx context.Context, a Attempt) error {
	to := AttemptDeclined
	u := AttemptUpdate{ErrorCode: "ORDER_EXPIRED", ErrorMessage: "the order expired before the payment completed"}
	if a.Status == AttemptAwaitingConsent {
		to = AttemptAuthenticationFailed
		u.ErrorCode, u.ErrorMessage = "ABANDONED", "the customer did not come back from Amazon before the order expired"
	}
	_, _, err := s.store.MoveAttempt(ctx, a.ID, to, u)
	if err == nil {
		s.opts.Observer.AttemptFinished(string(to))
	}
	return ignoreStale(err)
}

// AbandonConsent gives up a consent redirect the shopper never came back
// from, so that the order can take a new attempt.
func (s *Service) AbandonConsent(ctx context.Context, a Attempt) error {
	_, _, err := s.store.MoveAttempt(ctx, a.ID, AttemptAuthenticationFailed, AttemptUpdate{
		ErrorCode: "ABANDONED", ErrorMessage: "the customer did not come back from Amazon"})
	if err == nil {
		s.opts.Observer.AttemptFinished(string(AttemptAuthenticationFailed))
	}
	return ignoreStale(err)
}

// UnsentGrace is how long after it was made an attempt whose charge Amazon
// does not know counts as never sent.
func (s *Service) UnsentGrace() time.Duration { return s.opts.UnsentGrace }

// ConsentCutoff is the creation time before which a consent redirect counts
// as abandoned.
func (s *Service) ConsentCutoff() time.Time { return s.now().Add(-consentAbandoned) }

// SettleRefund asks Amazon about a pending refund and records the answer;
// a refund Amazon stays silent about for too long goes to MANUAL_REVIEW.
func (s *Service) SettleRefund(ctx context.Context, r Refund) error {
	res := s.opts.Gateway.RefundStatus(ctx, r.ID)
	if res.Outcome == OutcomeNotFound && s.now().Sub(r.CreatedAt) > s.opts.UnsentGrace {
		// The refund call never reached Amazon: send it now, with the same id.
		a, err := s.store.AttemptByID(ctx, r.AttemptID)
		if err != nil {
			return err
		}
		res = s.opts.Gateway.Refund(ctx, RefundRequest{RefundID: r.ID, ChargeID: a.ChargeID, Amount: r.Amount})
	}
	if (res.Outcome == OutcomeUnknown || res.Outcome == OutcomeNotFound) && s.now().Sub(r.CreatedAt) > refundManualAfter {
		_, err := s.store.MoveRefund(ctx, r.ID, RefundManualReview, RefundUpdate{
			ErrorCode: "NO_ANSWER", ErrorMessage: "Amazon gave no final answer; reconcile by hand"})
		return ignoreStale(err)
	}
	_, err := s.applyRefund(ctx, r, res)
	return err
}

func ignoreStale(err error) error {
	if errors.Is(err, ErrStale) || errs.Is(err, errs.Conflict) {
		return nil
	}
	return err
}
