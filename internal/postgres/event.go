package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/juspay"
)

// Outbox settings: the store renders each event's webhook body inside the
// transaction of the change, so the body shows the order as the change left
// it, and nothing is lost if the process dies after the commit.
type Outbox struct {
	// PaymentPageURL gives an order's hosted page URL for payment_links.
	PaymentPageURL func(orderID string) string
	// Committed, if set, is called after a transaction that wrote events
	// commits, to wake the webhook dispatcher.
	Committed func()
	// Now stamps events; time.Now when nil.
	Now func() time.Time
}

// SetOutbox configures event rendering and the commit hook.
func (d *DB) SetOutbox(o Outbox) { d.outbox = o }

const insertEvent = `INSERT INTO events (id, merchant_id, order_id, event_name, payload, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`

const insertDelivery = `
INSERT INTO webhook_deliveries (event_id, url)
SELECT $1, COALESCE(NULLIF(o.webhook_url, ''), NULLIF(m.webhook_url, ''))
FROM orders o JOIN merchants m ON m.id = o.merchant_id
WHERE o.id = $2 AND COALESCE(NULLIF(o.webhook_url, ''), NULLIF(m.webhook_url, '')) IS NOT NULL`

const refundsOfOrder = `SELECT ` + refundColumns + ` FROM refunds WHERE order_id = $1 ORDER BY created_at, id`

// emit writes events for order o (as it is now, inside tx) with a delivery
// to the order's or merchant's webhook URL. latest is the order's newest
// attempt when the caller has it at hand (nil: read it).
func (d *DB) emit(ctx context.Context, tx *sqlx.Tx, o checkout.Order, latest *checkout.Attempt, names []string) error {
	if len(names) == 0 {
		return nil
	}
	if latest == nil {
		var ar attemptRow
		if err := d.txGet(ctx, tx, &ar, latestAttempt, o.ID); err == nil {
			a := ar.attempt()
			latest = &a
		}
	}
	// Only a charged order has merchant refunds; an automatic one is
	// reported with its own event.
	var rrs []refundRow
	if o.Status == checkout.StatusCharged || o.Status == checkout.StatusAutoRefunded || slices.Contains(names, checkout.EventAutoRefundSucceeded) {
		if err := d.txSelect(ctx, tx, &rrs, refundsOfOrder, o.ID); err != nil {
			return mapErr(err, "refunds")
		}
	}
	refunds := make([]checkout.Refund, len(rrs))
	for i, r := range rrs {
		refunds[i] = r.refund()
	}
	page := ""
	if d.outbox.PaymentPageURL != nil {
		page = d.outbox.PaymentPageURL(o.ID)
	}
	now := time.Now
	if d.outbox.Now != nil {
		now = d.outbox.Now
	}
	order := juspay.NewOrder(o, latest, refunds, page)
	for _, name := range names {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		id := "evt_" + hex.EncodeToString(b)
		at := now()
		body, err := jsonText(juspay.NewEvent(id, name, at, order))
		if err != nil {
			return err
		}
		if _, err := d.txExec(ctx, tx, insertEvent, id, o.MerchantID, o.ID, name, body, at); err != nil {
			return mapErr(err, "event")
		}
		if _, err := d.txExec(ctx, tx, insertDelivery, id, o.ID); err != nil {
			return mapErr(err, "webhook delivery")
		}
	}
	return nil
}

// committed tells the dispatcher that new deliveries may be due.
func (d *DB) committed() {
	if d.outbox.Committed != nil {
		d.outbox.Committed()
	}
}
