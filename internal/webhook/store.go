package webhook

import (
	"context"
	"time"
)

// Delivery is one claimed webhook delivery: the event to send, where, and
// the merchant credentials to send it with.
type Delivery struct {
	EventID string
	URL     string
	// Attempt is the number of this HTTP try, starting at 1. The claim has
	// already counted it, so it doubles as the lease token when recording.
	Attempt  int
	Payload  []byte // events.payload as text, the same bytes on every try
	Username string // Basic auth user, Juspay style
	Password string
	// Secret is the merchant's Standard Webhooks signing secret, read
	// when the try is claimed, so a retry signs with the current one.
	Secret string
	// PreviousSecret is the secret the last rotation replaced; tries
	// before PreviousUntil are signed with it too (after Secret).
	PreviousSecret string
	PreviousUntil  time.Time
}

// secrets returns the secrets a try at d sent at must be signed with: the
// current one and, during a rotation's overlap, the previous one.
func (d Delivery) secrets(at time.Time) []string {
	if d.PreviousSecret != "" && at.Before(d.PreviousUntil) {
		return []string{d.Secret, d.PreviousSecret}
	}
	return []string{d.Secret}
}

// Status is the state of a webhook delivery row.
type Status string

// The delivery states stored in webhook_deliveries.status.
const (
	StatusPending   Status = "PENDING"
	StatusDelivered Status = "DELIVERED"
	StatusFailed    Status = "FAILED"
)

// Result is the outcome of one HTTP try, to be recorded on the delivery
// row and as a webhook_attempts row.
type Result struct {
	EventID     string
	Attempt     int    // the Delivery.Attempt this result belongs to
	Status      Status // PENDING means "retry at NextAttemptAt"
	NextAttempt time.Time
	AttemptedAt time.Time
	Latency     time.Duration
	StatusCode  int    // 0 when no HTTP response arrived
	Error       string // empty on success; already truncated
}

// Store is what the dispatcher needs from the database. *postgres.DB
// implements it.
type Store interface {
	// ClaimWebhookDeliveries takes up to limit PENDING deliveries due at
	// now, skipping rows another instance has locked, counts the attempt
	// and leases each row until leaseUntil: if the process dies before
	// recording a result, the row becomes due again then.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Delivery, error)
	// RecordWebhookAttempt stores r. It returns an errs.Conflict error when
	// the delivery is no longer PENDING at r.Attempt, i.e. the lease was lost
	// to another instance; the attempt row is kept either way.
	RecordWebhookAttempt(ctx context.Context, r Result) error
	// PendingWebhookCount counts PENDING deliveries, due now or later.
	PendingWebhookCount(ctx context.Context) (int, error)
}
