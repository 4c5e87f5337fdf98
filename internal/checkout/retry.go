package checkout

import "github.com/paypage/paypage/internal/errs"

// Bounds and default of Merchant.MaxFailedAttempts.
const (
	DefaultMaxFailedAttempts = 3
	MinFailedAttempts        = 1
	MaxFailedAttemptsLimit   = MaxAttempts
)

// RetriesExhausted reports whether order o of merchant m, whose newest
// attempt is latest, may no longer be retried on the payment page: its
// newest attempt failed and was a hard decline (the provider refused the
// payment: AUTHORIZATION_FAILED, for a reason its method's table t does not
// list as soft), or it was the merchant's MaxFailedAttempts-th failure.
// The shopper is then sent back to the merchant to pay another way rather
// than asked to try again. A failure that another try can mend (consent
// denied, 2FA failed, a link to redo, a top-up not finished) does not stop
// retries by itself.
func RetriesExhausted(o Order, m Merchant, latest *Attempt, t OutcomeTable) bool {
	if latest == nil || o.Status.Final() || !o.Status.Failed() || latest.Status.InFlight() || latest.Status == AttemptCharged {
		return false
	}
	if latest.Status == AttemptAuthorizationFailed && !t.SoftDeclines[latest.ErrorCode] {
		return true
	}
	// Every attempt before the newest ended without a payment (else the
	// order would be charged), so the newest one's number counts the
	// failures.
	return latest.Seq >= maxFailedAttempts(m)
}

// retriesExhausted is RetriesExhausted under the table of latest's method.
func (s *Service) retriesExhausted(o Order, m Merchant, latest *Attempt) bool {
	var t OutcomeTable
	if latest != nil {
		if meth, err := s.methodOf(*latest); err == nil {
			t = meth.Outcomes()
		}
	}
	return RetriesExhausted(o, m, latest, t)
}

// maxFailedAttempts is m's setting, or the default when unset.
func maxFailedAttempts(m Merchant) int {
	if m.MaxFailedAttempts <= 0 {
		return DefaultMaxFailedAttempts
	}
	return m.MaxFailedAttempts
}

// checkMaxFailedAttempts checks a max_failed_attempts setting.
func checkMaxFailedAttempts(n int) []errs.FieldError {
	if n < MinFailedAttempts || n > MaxFailedAttemptsLimit {
		return []errs.FieldError{{Field: "max-failed-attempts", Message: "must be 1 to 25"}}
	}
	return nil
}

// errRetriesExhausted refuses a pay form for an order whose retries have
// stopped (see RetriesExhausted).
var errRetriesExhausted = errs.E(errs.Conflict, "order.retries_exhausted", "this order cannot be retried here; pay another way at the shop")
