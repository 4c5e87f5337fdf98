package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/webhook"
)

type webhookDeliveryRow struct {
	EventID  string       `db:"event_id"`
	URL      string       `db:"url"`
	Attempts int          `db:"attempts"`
	Payload  string       `db:"payload"`
	Username string       `db:"webhook_username"`
	Password string       `db:"webhook_password"`
	Secret   string       `db:"webhook_secret"`
	Previous string       `db:"webhook_secret_previous"`
	Until    sql.NullTime `db:"webhook_secret_previous_until"`
}

func (r webhookDeliveryRow) delivery() webhook.Delivery {
	return webhook.Delivery{
		EventID: r.EventID, URL: r.URL, Attempt: r.Attempts, Payload: []byte(r.Payload),
		Username: r.Username, Password: r.Password, Secret: r.Secret,
		PreviousSecret: r.Previous, PreviousUntil: r.Until.Time,
	}
}

// claimWebhookDeliveries is one statement, so the row locks last only as
// long as it runs: SKIP LOCKED keeps concurrent claimers off each other's
// rows, and the pushed next_attempt_at (the lease) keeps them off rows that
// are being sent. payload::text is deterministic for a stored jsonb value,
// so every retry sends the same bytes. The merchant's secrets are read
// here, at each try, so a retry is signed with the secrets of the moment.
const claimWebhookDeliveries = `
WITH due AS (
	SELECT event_id FROM webhook_deliveries
	WHERE status = 'PENDING' AND next_attempt_at <= $1
	ORDER BY next_attempt_at
	LIMIT $3
	FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries w
SET attempts = w.attempts + 1, next_attempt_at = $2, updated_at = now()
FROM due, events e, merchants m
WHERE w.event_id = due.event_id AND e.id = w.event_id AND m.id = e.merchant_id
RETURNING w.event_id, w.url, w.attempts, e.payload::text AS payload,
	m.webhook_username, m.webhook_password, m.webhook_secret,
	m.webhook_secret_previous, m.webhook_secret_previous_until`

// ClaimWebhookDeliveries leases up to limit due deliveries until leaseUntil
// and returns them with their payload and merchant credentials.
func (d *DB) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]webhook.Delivery, error) {
	var rows []webhookDeliveryRow
	if err := d.selectRows(ctx, &rows, claimWebhookDeliveries, now, leaseUntil, limit); err != nil {
		return nil, mapErr(err, "webhook deliveries")
	}
	out := make([]webhook.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}

// recordWebhookAttempt updates the delivery only while it is still PENDING
// at the claimed attempt number, so a dispatcher whose lease expired (and
// whose row another instance re-claimed) cannot overwrite the newer state.
// The attempt row is inserted regardless: the HTTP try did happen.
// Both data-modifying CTEs run whether or not the SELECT reads them.
const recordWebhookAttempt = `
WITH upd AS (
	UPDATE webhook_deliveries
	SET status = $3,
		next_attempt_at = COALESCE($4, next_attempt_at),
		last_status_code = $5,
		last_error = $6,
		delivered_at = CASE WHEN $3 = 'DELIVERED' THEN $7 ELSE delivered_at END,
		updated_at = now()
	WHERE event_id = $1 AND attempts = $2 AND status = 'PENDING'
	RETURNING event_id
), ins AS (
	INSERT INTO webhook_attempts (event_id, attempted_at, status_code, latency_ms, error, next_attempt_at)
	VALUES ($1, $7, $5, $8, $6, $4)
)
SELECT count(*) FROM upd`

// RecordWebhookAttempt stores the outcome of one HTTP try. It returns
// errs.Conflict when the delivery's lease was lost.
func (d *DB) RecordWebhookAttempt(ctx context.Context, r webhook.Result) error {
	var next sql.NullTime
	if r.Status == webhook.StatusPending {
		next = sql.NullTime{Time: r.NextAttempt, Valid: true}
	}
	var code sql.NullInt32
	if r.StatusCode != 0 {
		code = sql.NullInt32{Int32: int32(r.StatusCode), Valid: true}
	}
	var updated int
	err := d.get(ctx, &updated, recordWebhookAttempt, r.EventID, r.Attempt, string(r.Status),
		next, code, r.Error, r.AttemptedAt, r.Latency.Milliseconds())
	if err != nil {
		return mapErr(err, "webhook delivery")
	}
	if updated != 1 {
		return errs.E(errs.Conflict, "webhook.lease_lost", "webhook delivery %s is no longer leased at attempt %d", r.EventID, r.Attempt)
	}
	return nil
}

const pendingWebhookCount = `SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING'`

// PendingWebhookCount counts deliveries not yet delivered or failed; the
// partial index webhook_deliveries_due covers it.
func (d *DB) PendingWebhookCount(ctx context.Context) (int, error) {
	var n int
	if err := d.get(ctx, &n, pendingWebhookCount); err != nil {
		return 0, mapErr(err, "webhook deliveries")
	}
	return n, nil
}

// replayWebhook upserts the event's delivery as due now with a fresh
// schedule (attempts 0), to the webhook URL of the moment; a try still
// leased at the old attempt number then loses its lease when it records.
const replayWebhook = `
WITH ev AS (
	SELECT e.id, e.event_name, e.merchant_id, o.order_id,
		COALESCE(NULLIF(o.webhook_url, ''), NULLIF(m.webhook_url, '')) AS url
	FROM events e JOIN orders o ON o.id = e.order_id JOIN merchants m ON m.id = e.merchant_id
	WHERE e.id = $1 AND ($2 = '' OR e.order_id = $2)
), up AS (
	INSERT INTO webhook_deliveries (event_id, url)
	SELECT id, url FROM ev WHERE url IS NOT NULL
	ON CONFLICT (event_id) DO UPDATE SET status = 'PENDING', attempts = 0, next_attempt_at = now(),
		url = EXCLUDED.url, last_error = '', updated_at = now()
	RETURNING event_id
)
SELECT ev.id, ev.event_name, ev.merchant_id, ev.order_id, (SELECT count(*) FROM up) AS queued FROM ev`

// ReplayWebhook queues event eventID (of order orderID, unless empty) for
// delivery again under the same id, and wakes the dispatcher.
func (d *DB) ReplayWebhook(ctx context.Context, eventID, orderID string) (checkout.WebhookReplay, error) {
	var r struct {
		ID         string `db:"id"`
		EventName  string `db:"event_name"`
		MerchantID string `db:"merchant_id"`
		OrderID    string `db:"order_id"`
		Queued     int    `db:"queued"`
	}
	if err := d.get(ctx, &r, replayWebhook, eventID, orderID); err != nil {
		return checkout.WebhookReplay{}, mapErr(err, "event")
	}
	if r.Queued != 1 {
		return checkout.WebhookReplay{}, errs.E(errs.Conflict, "webhook.no_url", "event %s has no webhook URL to go to", eventID)
	}
	d.committed()
	return checkout.WebhookReplay{EventID: r.ID, EventName: r.EventName, MerchantID: r.MerchantID, OrderID: r.OrderID}, nil
}
