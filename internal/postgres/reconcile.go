package postgres

import (
	"context"
	"time"

	"github.com/paypage/paypage/internal/checkout"
)

// claimWatched leases due watched attempts, and pending attempts whose
// charge was never recorded as sent (the process died between consent and
// charge): their next_check_at moves past the lease so that another
// instance skips them, SKIP LOCKED keeps two instances from claiming the
// same rows at the same moment, and checking_until keeps out a page load
// or 2FA return asking about the same charge (see ClaimCheck). If this
// instance dies, the rows are due again when the lease ends.
const claimWatched = `
WITH due AS (
	SELECT id, next_check_at FROM attempts
	WHERE (watch OR (status = 'PENDING' AND charge_sent_at IS NULL AND updated_at < now() - make_interval(secs => $3)))
		AND next_check_at <= now() AND checking_until < now()
	ORDER BY next_check_at
	LIMIT $1
	FOR UPDATE SKIP LOCKED
)
UPDATE attempts a SET next_check_at = now() + make_interval(secs => $2),
	checking_until = now() + make_interval(secs => $2)
FROM due WHERE a.id = due.id
RETURNING due.next_check_at AS due_at, ` + prefixedAttemptColumns

// ClaimWatchedAttempts leases up to limit attempts whose charge needs a
// status check now.
func (d *DB) ClaimWatchedAttempts(ctx context.Context, limit int, lease, unsentAfter time.Duration) ([]checkout.Due[checkout.Attempt], error) {
	var rows []struct {
		DueAt time.Time `db:"due_at"`
		attemptRow
	}
	if err := d.selectRows(ctx, &rows, claimWatched, limit, lease.Seconds(), unsentAfter.Seconds()); err != nil {
		return nil, mapErr(err, "attempts")
	}
	out := make([]checkout.Due[checkout.Attempt], len(rows))
	for i, r := range rows {
		out[i] = checkout.Due[checkout.Attempt]{Item: r.attempt(), DueAt: r.DueAt}
	}
	return out, nil
}

const expiredInFlight = `
SELECT ` + prefixedAttemptColumns + ` FROM attempts a JOIN orders o ON o.id = a.order_id
WHERE a.status IN ('AWAITING_CONSENT', 'PENDING') AND a.charge_sent_at IS NULL AND o.expires_at <= now()
LIMIT $1`

// ExpiredInFlight returns attempts still in flight on orders that expired
// whose charge was never sent. A sent charge is settled by Amazon's answer,
// whenever it comes.
func (d *DB) ExpiredInFlight(ctx context.Context, limit int) ([]checkout.Attempt, error) {
	return d.attempts(ctx, expiredInFlight, limit)
}

const abandonedConsents = `
SELECT ` + prefixedAttemptColumns + ` FROM attempts a
WHERE a.status = 'AWAITING_CONSENT' AND a.created_at < $2
LIMIT $1`

// AbandonedConsents returns consent redirects started before cutoff.
func (d *DB) AbandonedConsents(ctx context.Context, cutoff time.Time, limit int) ([]checkout.Attempt, error) {
	return d.attempts(ctx, abandonedConsents, limit, cutoff)
}

func (d *DB) attempts(ctx context.Context, query string, args ...any) ([]checkout.Attempt, error) {
	var rows []attemptRow
	if err := d.selectRows(ctx, &rows, query, args...); err != nil {
		return nil, mapErr(err, "attempts")
	}
	out := make([]checkout.Attempt, len(rows))
	for i, r := range rows {
		out[i] = r.attempt()
	}
	return out, nil
}

const claimRefunds = `
WITH due AS (
	SELECT id, next_check_at FROM refunds
	WHERE status IN ('PENDING', 'MANUAL_REVIEW') AND next_check_at <= now()
	ORDER BY next_check_at
	LIMIT $1
	FOR UPDATE SKIP LOCKED
)
UPDATE refunds r SET next_check_at = now() + make_interval(secs => $2)
FROM due WHERE r.id = due.id
RETURNING due.next_check_at AS due_at, r.id, r.order_id, r.attempt_id, r.unique_request_id, r.provider_ref,
	r.amount, r.status, r.automatic, r.error_code, r.error_message, r.created_at, r.updated_at`

// ClaimDueRefunds leases up to limit refund jobs (PENDING, or in
// MANUAL_REVIEW) due to be sent or read.
func (d *DB) ClaimDueRefunds(ctx context.Context, limit int, lease time.Duration) ([]checkout.Due[checkout.Refund], error) {
	var rows []struct {
		DueAt time.Time `db:"due_at"`
		refundRow
	}
	if err := d.selectRows(ctx, &rows, claimRefunds, limit, lease.Seconds()); err != nil {
		return nil, mapErr(err, "refunds")
	}
	out := make([]checkout.Due[checkout.Refund], len(rows))
	for i, r := range rows {
		out[i] = checkout.Due[checkout.Refund]{Item: r.refund(), DueAt: r.DueAt}
	}
	return out, nil
}
