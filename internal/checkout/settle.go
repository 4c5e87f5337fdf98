package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// The status polling providers recommend for a pending charge: every 5 s for
// the first minute, every 10 s for the next three, then every minute until
// the charge times out.
const (
	firstCheck        = 5 * time.Second
	chargeTimeout     = 15 * time.Minute // the timeoutInSecs paypage sends (900)
	consentAbandoned  = 30 * time.Minute // a consent page left this long is given up
	refundManualAfter = 24 * time.Hour   // a refund job unfinished this long: a person must look
)

// Due is a row a worker leased and when it had become due, for lag
// metrics.
type Due[T any] struct {
	Item  T
	DueAt time.Time
}

// nextCheckAfter is when to ask the provider again about a charge sent at sent.
func nextCheckAfter(sent, now time.Time) time.Time {
	switch age := now.Sub(sent); {
	case age < time.Minute:
		return now.Add(5 * time.Second)
	case age < 4*time.Minute:
		return now.Add(10 * time.Second)
	}
	return now.Add(time.Minute)
}

// SettleAttempt asks the provider about an attempt whose charge has no final
// answer yet, for the reconciler that claimed it, and acts on the answer:
// a pending attempt is settled once the provider answers definitively; a closed
// attempt that the provider reports as captured gets a refund job, exactly once.
// It returns whether the charge now has its final answer.
func (s *Service) SettleAttempt(ctx context.Context, a Attempt) (bool, error) {
	m, err := s.methodOf(a)
	if err != nil {
		return false, err
	}
	now := s.now()
	call, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	res := Interpret(CallChargeStatus, s.chargeStatus(call, m, a), m.Outcomes())
	cancel()
	sent := a.CreatedAt
	if a.ChargeSentAt != nil {
		sent = *a.ChargeSentAt
	}
	if res.Outcome == OutcomeNotFound && s.neverCharged(a, now) {
		// The provider never saw this charge, and now it never can.
		res = ChargeResult{Outcome: OutcomeRejected, Code: "CHARGE_NOT_FOUND", Message: "the provider has no record of this charge"}
	}
	again := AttemptUpdate{NextCheck: nextCheckAfter(sent, now)}
	if a.Status == AttemptPending {
		a2, o := s.apply(ctx, a, CallChargeStatus, res)
		if o.ID != "" && !a2.Status.InFlight() {
			return true, nil
		}
		_, _, err := s.store.MoveAttempt(ctx, a.ID, AttemptPending, AttemptPending, again)
		return false, ignoreStale(err)
	}
	switch res.Outcome {
	case OutcomeSucceeded:
		return false, s.lateCapture(ctx, a)
	case OutcomeDeclined, OutcomeRejected:
		_, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, a.Status, AttemptUpdate{Settled: true})
		return true, ignoreStale(err)
	}
	_, _, err = s.store.MoveAttempt(ctx, a.ID, a.Status, a.Status, again)
	return false, ignoreStale(err)
}

// sentNotFoundAfter is how long after a charge call was sent the provider's
// "no such charge" becomes final: a delayed request signed then is refused
// once its signature has expired (providers allow 15 minutes).
const sentNotFoundAfter = 16 * time.Minute

// neverCharged reports whether the provider not knowing attempt a's charge
// at now
// means the charge can no longer happen: a charge never sent, once the
// unsent grace has passed, or a sent one whose request can no longer be
// accepted.
func (s *Service) neverCharged(a Attempt, now time.Time) bool {
	if a.ChargeSentAt == nil {
		return now.Sub(a.CreatedAt) > s.opts.UnsentGrace
	}
	return now.Sub(*a.ChargeSentAt) > sentNotFoundAfter
}

// lateCaptureRecheck is how often a late capture whose refund is under way
// is looked at again; the refund job does the work meanwhile.
const lateCaptureRecheck = 10 * time.Minute

// lateCapture records that the provider captured the charge of closed attempt a:
// in the same transaction it creates the refund job, whose id comes from
// the attempt, so however often and wherever this runs, one refund exists
// here and one at the provider. The attempt stays watched until the refund is
// done (applyRefund moves it to AUTO_REFUNDED).
func (s *Service) lateCapture(ctx context.Context, a Attempt) error {
	s.log.WarnContext(ctx, "late success on a closed attempt; refunding", "txn_id", a.TxnID, "status", string(a.Status))
	job := Refund{
		ID: AutoRefundID(a), OrderID: a.OrderID, AttemptID: a.ID, UniqueRequestID: "auto-" + a.ID[:14],
		Amount: a.Amount, Status: RefundPending, Automatic: true,
	}
	_, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, a.Status, AttemptUpdate{
		AutoRefund: &job, NextCheck: s.now().Add(lateCaptureRecheck)})
	return ignoreStale(err)
}

// CloseExpired gives up the attempt in flight of an expired order whose
// charge was never sent. A charge on its way is never given up: it stays
// pending until the provider answers, and the move loses if the charge is sent
// while this runs.
func (s *Service) CloseExpired(ctx context.Context, a Attempt) error {
	to := AttemptDeclined
	u := AttemptUpdate{ErrorCode: "ORDER_EXPIRED", ErrorMessage: "the order expired before the payment completed", OnlyUnsent: true}
	if a.Status == AttemptAwaitingConsent {
		to = AttemptAuthenticationFailed
		u.ErrorCode, u.ErrorMessage = "ABANDONED", "the customer did not come back from the provider's page before the order expired"
	}
	_, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, to, u)
	s.finished(err, to)
	return ignoreStale(err)
}

// AbandonConsent gives up a consent redirect the shopper never came back
// from, so that the order can take a new attempt. A callback that arrives
// meanwhile wins or loses the same move.
func (s *Service) AbandonConsent(ctx context.Context, a Attempt) error {
	_, _, err := s.store.MoveAttempt(ctx, a.ID, AttemptAwaitingConsent, AttemptAuthenticationFailed, AttemptUpdate{
		ErrorCode: "ABANDONED", ErrorMessage: "the customer did not come back from the provider's page"})
	s.finished(err, AttemptAuthenticationFailed)
	return ignoreStale(err)
}

// UnsentGrace is how long after it was made an attempt whose charge the provider
// does not know counts as never sent.
func (s *Service) UnsentGrace() time.Duration { return s.opts.UnsentGrace }

// ConsentCutoff is the creation time before which a consent redirect counts
// as abandoned.
func (s *Service) ConsentCutoff() time.Time { return s.now().Add(-consentAbandoned) }

// SettleRefund carries a refund job one step on, for the reconciler that
// claimed it: a refund the provider has not acknowledged is sent (again: its id
// makes a repeat harmless at the provider), an acknowledged one is read back, and
// the answer is recorded by applyRefund.
func (s *Service) SettleRefund(ctx context.Context, r Refund) error {
	a, err := s.store.AttemptByID(ctx, r.AttemptID)
	if err != nil {
		return err
	}
	m, err := s.methodOf(a)
	if err != nil {
		return err
	}
	if r.ProviderRef == "" {
		call, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
		reply := s.refund(call, m, a, r)
		cancel()
		_, err = s.applyRefund(ctx, r, InterpretRefund(CallRefund, reply, m.Outcomes()))
		return err
	}
	call, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	res := InterpretRefund(CallRefundStatus, s.refundStatus(call, m, r), m.Outcomes())
	cancel()
	if res.Outcome == OutcomeNotFound {
		// The provider acknowledged this refund before; not finding it now is
		// no answer.
		res.Outcome = OutcomeUnknown
	}
	_, err = s.applyRefund(ctx, r, res)
	return err
}

func ignoreStale(err error) error {
	if errors.Is(err, ErrStale) || errs.Is(err, errs.Conflict) {
		return nil
	}
	return err
}
