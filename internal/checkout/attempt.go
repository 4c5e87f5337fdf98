package checkout

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/money"
)

// AttemptStatus is the state of one payment attempt (a Juspay transaction).
type AttemptStatus string

// Attempt statuses. AWAITING_CONSENT and PENDING are in flight; the rest
// are final for the attempt.
const (
	AttemptAwaitingConsent      AttemptStatus = "AWAITING_CONSENT" // shopper sent to the provider to link their account
	AttemptPending              AttemptStatus = "PENDING"          // charge sent or about to be; outcome not known
	AttemptCharged              AttemptStatus = "CHARGED"
	AttemptAuthenticationFailed AttemptStatus = "AUTHENTICATION_FAILED" // consent denied, 2FA failed or abandoned
	AttemptAuthorizationFailed  AttemptStatus = "AUTHORIZATION_FAILED"  // the provider declined
	AttemptDeclined             AttemptStatus = "JUSPAY_DECLINED"       // refused before the provider decided
	AttemptAutoRefunded         AttemptStatus = "AUTO_REFUNDED"         // late success, refunded
)

// MaxAttempts is how many attempts one order may have.
const MaxAttempts = 25

// InFlight reports whether the attempt may still change on its own.
func (s AttemptStatus) InFlight() bool {
	return s == AttemptAwaitingConsent || s == AttemptPending
}

var attemptTransitions = map[AttemptStatus][]AttemptStatus{
	AttemptAwaitingConsent: {AttemptPending, AttemptAuthenticationFailed, AttemptDeclined},
	AttemptPending:         {AttemptCharged, AttemptAuthenticationFailed, AttemptAuthorizationFailed, AttemptDeclined},
	// A success that the provider reports after the attempt was given up is
	// refunded (AUTO_REFUNDED), never kept. A CHARGED attempt is the
	// order's payment and is never refunded automatically.
	AttemptAuthenticationFailed: {AttemptAutoRefunded},
	AttemptAuthorizationFailed:  {AttemptAutoRefunded},
	AttemptDeclined:             {AttemptAutoRefunded},
}

// orderStatusFor is the order status an attempt status implies.
func orderStatusFor(s AttemptStatus) Status {
	switch s {
	case AttemptAwaitingConsent, AttemptPending:
		return StatusPendingVBV
	case AttemptCharged:
		return StatusCharged
	}
	return Status(s)
}

// Attempt is one try at paying an order.
type Attempt struct {
	ID       string // txn_uuid
	OrderID  string // the order's "ordeh_" id
	Seq      int    // 1..MaxAttempts
	TxnID    string // <merchant_id>-<order_id>-<seq>
	ChargeID string // the provider's idempotency key, stored before the charge call
	// Method and MethodType are the method's Juspay names (payment_method,
	// payment_method_type) and Provider its gateway.
	Method       string
	MethodType   string
	Provider     string
	Status       AttemptStatus
	Linked       bool   // charged through an existing link, without consent
	State        string // OAuth state of the consent redirect; empty when linked
	Amount       money.Paise
	ProviderRef  string // the provider's id of the charge
	ActionURL    string // the provider's page where the shopper finishes (2FA, top-up)
	AuthType     string
	ErrorCode    string
	ErrorMessage string
	ChargeSentAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AttemptUpdate carries what a transition records besides the status.
// Empty fields leave the stored value unchanged.
type AttemptUpdate struct {
	ProviderRef  string
	ActionURL    string
	AuthType     string
	ErrorCode    string
	ErrorMessage string
	Settled      bool      // the provider gave its final answer: stop watching the charge
	NextCheck    time.Time // when the reconciler should ask the provider next; zero leaves it
	// OnlyUnsent makes the move lose (ErrStale) if the attempt's charge
	// has been sent meanwhile: a charge on its way is never given up.
	OnlyUnsent bool
	// AutoRefund, when set, is recorded in the same transaction: the
	// refund job for a success the provider reported on a closed attempt.
	AutoRefund *Refund
}

// ErrStale means a transition lost a race: the attempt had already moved.
// Callers reload and act on the current state.
var ErrStale = errs.E(errs.Conflict, "attempt.stale", "the payment attempt has already moved on")

// Transition is the one rule for status changes: it checks that attempt a
// is still in status from, as its mover saw it, and may move to status to,
// and returns the order status that follows. The store calls it on locked
// rows, so every change of an order or attempt status goes through here,
// and of two requests that saw the same state only one wins the move; the
// other gets ErrStale. from equal to to records fields only, still guarded
// by the status.
func Transition(o Order, a Attempt, from, to AttemptStatus, u AttemptUpdate) (Status, error) {
	if a.Status != from || (u.OnlyUnsent && a.ChargeSentAt != nil) {
		return "", ErrStale
	}
	if from == to {
		return o.Status, nil
	}
	allowed := false
	for _, s := range attemptTransitions[a.Status] {
		allowed = allowed || s == to
	}
	if !allowed {
		return "", ErrStale
	}
	next := orderStatusFor(to)
	switch {
	case to == AttemptAutoRefunded:
		// The order keeps a success another attempt brought, or an attempt
		// in flight; otherwise it records that the late money went back.
		if (o.Status == StatusCharged && a.Status != AttemptCharged) || o.Status == StatusPendingVBV {
			return o.Status, nil
		}
		return StatusAutoRefunded, nil
	case o.Status == next:
		return next, nil
	case !CanMove(o.Status, next):
		return "", fmt.Errorf("checkout: order %s may not move from %s to %s: %w", o.ID, o.Status, next, ErrStale)
	}
	return next, nil
}

// codeOrderFinal is the error code of a payment refused because the order
// is already CHARGED or AUTO_REFUNDED.
const codeOrderFinal = "order.final"

// StartTransition is Transition for a new attempt: it checks that order o,
// with n attempts so far and none in flight, may take one at time now, and
// returns the order status that follows.
func StartTransition(o Order, n int, now time.Time) (Status, error) {
	switch {
	case o.Status.Final():
		return "", errs.E(errs.Conflict, codeOrderFinal, "this order is already %s", o.Status)
	case o.Expired(now):
		return "", errs.E(errs.Conflict, "order.expired", "this order has expired")
	case n >= MaxAttempts:
		return "", errs.E(errs.Conflict, "order.attempts_exhausted", "this order has reached %d payment attempts", MaxAttempts)
	case o.Status != StatusPendingVBV && !CanMove(o.Status, StatusPendingVBV):
		return "", ErrStale
	}
	return StatusPendingVBV, nil
}

// NewAttempt prepares a fresh attempt for order o with method k. The store
// fills Seq and TxnID when it inserts it.
func NewAttempt(o Order, k MethodKind, linked bool) Attempt {
	id := randomHex(12)
	a := Attempt{
		ID:         id,
		OrderID:    o.ID,
		ChargeID:   "pp" + id + randomHex(4),
		Method:     k.Name,
		MethodType: k.Type,
		Provider:   k.Provider,
		Linked:     linked,
		Amount:     o.Amount,
		Status:     AttemptPending,
	}
	if !linked {
		a.Status = AttemptAwaitingConsent
		b := make([]byte, 32)
		mustRead(b)
		a.State = base64.RawURLEncoding.EncodeToString(b)
	}
	return a
}

// TxnID is Juspay's transaction id for attempt seq of order o.
func TxnID(o Order, seq int) string { return fmt.Sprintf("%s-%s-%d", o.MerchantID, o.OrderID, seq) }

func randomHex(n int) string {
	b := make([]byte, n)
	mustRead(b)
	return hex.EncodeToString(b)
}

func mustRead(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("checkout: crypto/rand failed: " + err.Error())
	}
}
