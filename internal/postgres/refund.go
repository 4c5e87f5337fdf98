package postgres

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/money"
)

type refundRow struct {
	ID              string    `db:"id"`
	OrderID         string    `db:"order_id"`
	AttemptID       string    `db:"attempt_id"`
	UniqueRequestID string    `db:"unique_request_id"`
	ProviderRef     string    `db:"provider_ref"`
	Amount          int64     `db:"amount"`
	Status          string    `db:"status"`
	Automatic       bool      `db:"automatic"`
	ErrorCode       string    `db:"error_code"`
	ErrorMessage    string    `db:"error_message"`
	CreatedAt       time.Time `db:"created_at"`
	UpdatedAt       time.Time `db:"updated_at"`
}

func (r refundRow) refund() checkout.Refund {
	return checkout.Refund{
		ID: r.ID, OrderID: r.OrderID, AttemptID: r.AttemptID, UniqueRequestID: r.UniqueRequestID,
		ProviderRef: r.ProviderRef, Amount: money.Paise(r.Amount), Status: checkout.RefundStatus(r.Status),
		Automatic: r.Automatic, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

const refundColumns = `id, order_id, attempt_id, unique_request_id, provider_ref, amount, status,
	automatic, error_code, error_message, created_at, updated_at`

const chargedAttempt = `SELECT ` + attemptColumns + ` FROM attempts
WHERE order_id = $1 AND status = 'CHARGED' ORDER BY seq DESC LIMIT 1`

const insertRefund = `
INSERT INTO refunds (id, order_id, attempt_id, unique_request_id, amount, status, automatic, next_check_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
RETURNING ` + refundColumns

// CreateRefund records a PENDING refund of order orderID's charged attempt,
// due for the reconciler after hold. The order row is locked and
// checkout.RefundTransition sees every refund so far, so concurrent refunds
// can never add up to more than the charge.
func (d *DB) CreateRefund(ctx context.Context, orderID string, r checkout.Refund, hold time.Duration) (checkout.Refund, checkout.Attempt, error) {
	var out checkout.Refund
	var a checkout.Attempt
	err := d.Transact(ctx, func(tx *sqlx.Tx) error {
		var or orderRow
		if err := d.txGet(ctx, tx, &or, lockOrder, orderID); err != nil {
			return mapErr(err, "order")
		}
		var rrs []refundRow
		if err := d.txSelect(ctx, tx, &rrs, refundsOfOrder, orderID); err != nil {
			return mapErr(err, "refunds")
		}
		existing := make([]checkout.Refund, len(rrs))
		for i, x := range rrs {
			existing[i] = x.refund()
		}
		var ar attemptRow
		if err := d.txGet(ctx, tx, &ar, chargedAttempt, orderID); err != nil && !isNotFound(mapErr(err, "")) {
			return mapErr(err, "charged attempt")
		}
		a = ar.attempt()
		if err := checkout.RefundTransition(or.order(), a, existing, r.UniqueRequestID, r.Amount); err != nil {
			return err
		}
		var rr refundRow
		if err := d.txGet(ctx, tx, &rr, insertRefund, r.ID, orderID, a.ID, r.UniqueRequestID,
			int64(r.Amount), string(checkout.RefundPending), r.Automatic, hold.Seconds()); err != nil {
			return mapErr(err, "refund")
		}
		out = rr.refund()
		return d.recordStatus(ctx, tx, orderID, "refund", out.UniqueRequestID, "", string(out.Status))
	})
	return out, a, err
}

const lockRefundOrder = `SELECT ` + orderColumns + ` FROM orders
WHERE id = (SELECT order_id FROM refunds WHERE id = $1) FOR UPDATE`

const refundByID = `SELECT ` + refundColumns + ` FROM refunds WHERE id = $1`

const updateRefund = `
UPDATE refunds SET status = $2,
	provider_ref = COALESCE(NULLIF($3, ''), provider_ref),
	error_code = COALESCE(NULLIF($4, ''), error_code),
	error_message = COALESCE(NULLIF($5, ''), error_message),
	next_check_at = COALESCE($6, next_check_at),
	updated_at = now()
WHERE id = $1
RETURNING ` + refundColumns

// MoveRefund moves a refund from status from to status to (checked by
// checkout.CanMoveRefund) on the locked order row and writes its events in
// the same transaction. to may equal from to record fields or the next
// check time only. A refund no longer in from is errs.Conflict, returned
// with the refund as it is.
func (d *DB) MoveRefund(ctx context.Context, refundID string, from, to checkout.RefundStatus, u checkout.RefundUpdate) (checkout.Refund, error) {
	var out checkout.Refund
	wrote := false
	err := d.Transact(ctx, func(tx *sqlx.Tx) error {
		var or orderRow
		if err := d.txGet(ctx, tx, &or, lockRefundOrder, refundID); err != nil {
			return mapErr(err, "refund")
		}
		var rr refundRow
		if err := d.txGet(ctx, tx, &rr, refundByID, refundID); err != nil {
			return mapErr(err, "refund")
		}
		r := rr.refund()
		if r.Status != from || (to != r.Status && !checkout.CanMoveRefund(r.Status, to)) {
			out = r
			return errs.E(errs.Conflict, "refund.stale", "refund is already %s", r.Status)
		}
		var next *time.Time
		if !u.NextCheck.IsZero() {
			next = &u.NextCheck
		}
		if err := d.txGet(ctx, tx, &rr, updateRefund, refundID, string(to), u.ProviderRef, u.ErrorCode, u.ErrorMessage, next); err != nil {
			return mapErr(err, "refund")
		}
		out = rr.refund()
		if err := d.recordStatus(ctx, tx, out.OrderID, "refund", out.UniqueRequestID, string(r.Status), string(out.Status)); err != nil {
			return err
		}
		events := checkout.RefundEvents(r, to)
		wrote = len(events) > 0
		return d.emit(ctx, tx, or.order(), nil, events)
	})
	if err == nil && wrote {
		d.committed()
	}
	return out, err
}

// Refunds returns an order's refunds, oldest first.
func (d *DB) Refunds(ctx context.Context, orderID string) ([]checkout.Refund, error) {
	var rrs []refundRow
	if err := d.selectRows(ctx, &rrs, refundsOfOrder, orderID); err != nil {
		return nil, mapErr(err, "refunds")
	}
	out := make([]checkout.Refund, len(rrs))
	for i, r := range rrs {
		out[i] = r.refund()
	}
	return out, nil
}
