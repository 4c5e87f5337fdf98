package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/money"
)

type attemptRow struct {
	ID           string         `db:"id"`
	OrderID      string         `db:"order_id"`
	Seq          int            `db:"seq"`
	TxnID        string         `db:"txn_id"`
	ChargeID     string         `db:"charge_id"`
	Status       string         `db:"status"`
	Linked       bool           `db:"linked"`
	State        sql.NullString `db:"state"`
	Amount       int64          `db:"amount"`
	Method       string         `db:"method"`
	MethodType   string         `db:"method_type"`
	Provider     string         `db:"provider"`
	ProviderRef  string         `db:"provider_ref"`
	ActionURL    string         `db:"action_url"`
	AuthType     string         `db:"auth_type"`
	ErrorCode    string         `db:"error_code"`
	ErrorMessage string         `db:"error_message"`
	ChargeSentAt sql.NullTime   `db:"charge_sent_at"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

func (r attemptRow) attempt() checkout.Attempt {
	a := checkout.Attempt{
		ID: r.ID, OrderID: r.OrderID, Seq: r.Seq, TxnID: r.TxnID, ChargeID: r.ChargeID,
		Status: checkout.AttemptStatus(r.Status), Linked: r.Linked, State: r.State.String,
		Method: r.Method, MethodType: r.MethodType, Provider: r.Provider,
		Amount: money.Paise(r.Amount), ProviderRef: r.ProviderRef, ActionURL: r.ActionURL,
		AuthType: r.AuthType, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.ChargeSentAt.Valid {
		t := r.ChargeSentAt.Time
		a.ChargeSentAt = &t
	}
	return a
}

const attemptColumns = `id, order_id, seq, txn_id, charge_id, status, linked, state, amount,
	provider_ref, action_url, auth_type, error_code, error_message, charge_sent_at,
	created_at, updated_at, method, method_type, provider`

// prefixedAttemptColumns is attemptColumns for queries that alias
// attempts as a.
const prefixedAttemptColumns = `a.id, a.order_id, a.seq, a.txn_id, a.charge_id, a.status, a.linked, a.state,
	a.amount, a.provider_ref, a.action_url, a.auth_type, a.error_code, a.error_message,
	a.charge_sent_at, a.created_at, a.updated_at, a.method, a.method_type, a.provider`

const lockOrder = `SELECT ` + orderColumns + ` FROM orders WHERE id = $1 FOR UPDATE`

const inFlightAttempt = `SELECT ` + attemptColumns + ` FROM attempts
WHERE order_id = $1 AND status IN ('AWAITING_CONSENT', 'PENDING')`

const countAttempts = `SELECT count(*) AS n, count(*) FILTER (WHERE status IN ('AWAITING_CONSENT', 'PENDING')) AS in_flight
FROM attempts WHERE order_id = $1`

const insertAttempt = `
INSERT INTO attempts (id, order_id, seq, txn_id, charge_id, status, linked, state, amount, method, method_type, provider)
VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), $9, $10, $11, $12)
RETURNING ` + attemptColumns

const setOrderStatus = `UPDATE orders SET status = $2, updated_at = now() WHERE id = $1
RETURNING ` + orderColumns

// StartAttempt locks the order and either returns the attempt already in
// flight (joined) or inserts a, numbered after the existing ones, moving the
// order to the status the attempt implies. The order lock serialises double
// clicks; the partial unique index on in-flight attempts backs it up.
func (d *DB) StartAttempt(ctx context.Context, a checkout.Attempt, now time.Time) (checkout.Attempt, checkout.Order, bool, error) {
	var out checkout.Attempt
	var order checkout.Order
	var joined bool
	err := d.Transact(ctx, func(tx *sqlx.Tx) error {
		var or orderRow
		if err := d.txGet(ctx, tx, &or, lockOrder, a.OrderID); err != nil {
			return mapErr(err, "order")
		}
		order = or.order()
		var count struct {
			N        int `db:"n"`
			InFlight int `db:"in_flight"`
		}
		if err := d.txGet(ctx, tx, &count, countAttempts, a.OrderID); err != nil {
			return mapErr(err, "attempt")
		}
		var ar attemptRow
		if count.InFlight > 0 {
			if err := d.txGet(ctx, tx, &ar, inFlightAttempt, a.OrderID); err != nil {
				return mapErr(err, "attempt")
			}
			out, joined = ar.attempt(), true
			return nil
		}
		n := count.N
		status, err := checkout.StartTransition(order, n, now)
		if err != nil {
			return err
		}
		a.Seq = n + 1
		a.TxnID = checkout.TxnID(order, a.Seq)
		if err := d.txGet(ctx, tx, &ar, insertAttempt, a.ID, a.OrderID, a.Seq, a.TxnID, a.ChargeID,
			string(a.Status), a.Linked, a.State, int64(a.Amount), a.Method, a.MethodType, a.Provider); err != nil {
			return mapErr(err, "attempt")
		}
		out = ar.attempt()
		before := order.Status
		if order.Status != status {
			if err := d.txGet(ctx, tx, &or, setOrderStatus, order.ID, string(status)); err != nil {
				return mapErr(err, "order")
			}
			order = or.order()
		}
		if err := d.recordStatus(ctx, tx, order.ID, "attempt", out.TxnID, "", string(out.Status)); err != nil {
			return err
		}
		if err := d.recordStatus(ctx, tx, order.ID, "order", order.OrderID, string(before), string(order.Status)); err != nil {
			return err
		}
		return d.emit(ctx, tx, order, &out, checkout.OrderEvents(before, order.Status, true))
	})
	if err == nil && !joined {
		d.committed()
	}
	return out, order, joined, err
}

const lockAttemptOrder = `SELECT ` + orderColumns + ` FROM orders
WHERE id = (SELECT order_id FROM attempts WHERE id = $1) FOR UPDATE`

const attemptByID = `SELECT ` + attemptColumns + ` FROM attempts WHERE id = $1`

const updateAttempt = `
UPDATE attempts SET status = $2,
	provider_ref = COALESCE(NULLIF($3, ''), provider_ref),
	action_url = COALESCE(NULLIF($4, ''), action_url),
	auth_type = COALESCE(NULLIF($5, ''), auth_type),
	error_code = COALESCE(NULLIF($6, ''), error_code),
	error_message = COALESCE(NULLIF($7, ''), error_message),
	watch = CASE WHEN $8 THEN false ELSE watch END,
	next_check_at = COALESCE($9, next_check_at),
	checking_until = '-infinity',
	updated_at = now()
WHERE id = $1
RETURNING ` + attemptColumns

const insertAutoRefund = `
INSERT INTO refunds (id, order_id, attempt_id, unique_request_id, amount, status, automatic)
VALUES ($1, $2, $3, $4, $5, 'PENDING', true)
ON CONFLICT DO NOTHING`

// MoveAttempt moves an attempt from status from to status to, and its
// order to the status that follows, in one transaction on the locked order
// row. The move is checked by checkout.Transition; a lost race returns
// checkout.ErrStale together with the current attempt and order. to may
// equal from to record fields only (for example the 2FA URL of a pending
// charge). u.AutoRefund is inserted in the same transaction, once per
// attempt. Any move ends a check claimed with ClaimCheck.
func (d *DB) MoveAttempt(ctx context.Context, attemptID string, from, to checkout.AttemptStatus, u checkout.AttemptUpdate) (checkout.Attempt, checkout.Order, error) {
	var a checkout.Attempt
	var o checkout.Order
	wrote := false
	err := d.Transact(ctx, func(tx *sqlx.Tx) error {
		var or orderRow
		if err := d.txGet(ctx, tx, &or, lockAttemptOrder, attemptID); err != nil {
			return mapErr(err, "attempt")
		}
		o = or.order()
		var ar attemptRow
		if err := d.txGet(ctx, tx, &ar, attemptByID, attemptID); err != nil {
			return mapErr(err, "attempt")
		}
		a = ar.attempt()
		prev := a.Status
		next, err := checkout.Transition(o, a, from, to, u)
		if err != nil {
			return err
		}
		if r := u.AutoRefund; r != nil {
			res, err := d.txExec(ctx, tx, insertAutoRefund, r.ID, r.OrderID, r.AttemptID, r.UniqueRequestID, int64(r.Amount))
			if err != nil {
				return mapErr(err, "refund")
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := d.recordStatus(ctx, tx, o.ID, "refund", r.UniqueRequestID, "", string(checkout.RefundPending)); err != nil {
					return err
				}
			}
		}
		var nextCheck *time.Time
		if !u.NextCheck.IsZero() {
			nextCheck = &u.NextCheck
		}
		if err := d.txGet(ctx, tx, &ar, updateAttempt, attemptID, string(to), u.ProviderRef, u.ActionURL,
			u.AuthType, u.ErrorCode, u.ErrorMessage, u.Settled, nextCheck); err != nil {
			return mapErr(err, "attempt")
		}
		a = ar.attempt()
		before := o.Status
		if next != o.Status {
			if err := d.txGet(ctx, tx, &or, setOrderStatus, o.ID, string(next)); err != nil {
				return mapErr(err, "order")
			}
			o = or.order()
		}
		if err := d.recordStatus(ctx, tx, o.ID, "attempt", a.TxnID, string(prev), string(a.Status)); err != nil {
			return err
		}
		if err := d.recordStatus(ctx, tx, o.ID, "order", o.OrderID, string(before), string(o.Status)); err != nil {
			return err
		}
		events := checkout.OrderEvents(before, o.Status, false)
		if to == checkout.AttemptAutoRefunded && prev != to {
			events = append(events, checkout.EventAutoRefundSucceeded)
		}
		wrote = len(events) > 0
		return d.emit(ctx, tx, o, &a, events)
	})
	if err == nil && wrote {
		d.committed()
	}
	if err == checkout.ErrStale {
		// Report the state that won the race.
		a2, aerr := d.AttemptByID(ctx, attemptID)
		o2, oerr := d.OrderByID(ctx, a2.OrderID)
		if aerr == nil && oerr == nil {
			return a2, o2, err
		}
	}
	return a, o, err
}

// AttemptByID returns an attempt by its id (txn_uuid).
func (d *DB) AttemptByID(ctx context.Context, id string) (checkout.Attempt, error) {
	return d.attemptWhere(ctx, attemptByID, id)
}

const attemptByState = `SELECT ` + attemptColumns + ` FROM attempts WHERE state = $1`

// AttemptByState returns the attempt whose consent redirect carried state.
func (d *DB) AttemptByState(ctx context.Context, state string) (checkout.Attempt, error) {
	return d.attemptWhere(ctx, attemptByState, state)
}

const attemptByChargeID = `SELECT ` + attemptColumns + ` FROM attempts WHERE charge_id = $1`

// AttemptByChargeID returns the attempt with Amazon idempotency key chargeID.
func (d *DB) AttemptByChargeID(ctx context.Context, chargeID string) (checkout.Attempt, error) {
	return d.attemptWhere(ctx, attemptByChargeID, chargeID)
}

const latestAttempt = `SELECT ` + attemptColumns + ` FROM attempts WHERE order_id = $1 ORDER BY seq DESC LIMIT 1`

// LatestAttempt returns the order's newest attempt, or NotFound.
func (d *DB) LatestAttempt(ctx context.Context, orderID string) (checkout.Attempt, error) {
	return d.attemptWhere(ctx, latestAttempt, orderID)
}

func (d *DB) attemptWhere(ctx context.Context, query string, arg any) (checkout.Attempt, error) {
	var r attemptRow
	if err := d.get(ctx, &r, query, arg); err != nil {
		return checkout.Attempt{}, mapErr(err, "attempt")
	}
	return r.attempt(), nil
}

const markChargeSent = `
UPDATE attempts SET charge_sent_at = now(), watch = true,
	next_check_at = $2, updated_at = now()
WHERE id = $1 AND status = 'PENDING' AND charge_sent_at IS NULL
RETURNING ` + attemptColumns

// MarkChargeSent records that a PENDING attempt's charge is about to be
// sent. It changes no status, so it needs no order lock; the guard refuses
// an attempt that moved or whose charge was sent meanwhile
// (checkout.ErrStale), so only one caller ever sends the charge.
func (d *DB) MarkChargeSent(ctx context.Context, attemptID string, next time.Time) (checkout.Attempt, error) {
	var r attemptRow
	err := d.get(ctx, &r, markChargeSent, attemptID, next)
	if errs.Is(mapErr(err, "attempt"), errs.NotFound) {
		return checkout.Attempt{}, checkout.ErrStale
	}
	if err != nil {
		return checkout.Attempt{}, mapErr(err, "attempt")
	}
	return r.attempt(), nil
}

const claimCheck = `
UPDATE attempts SET checking_until = now() + make_interval(secs => $2)
WHERE id = $1 AND status = 'PENDING' AND charge_sent_at IS NOT NULL AND checking_until < now()
RETURNING ` + attemptColumns

// ClaimCheck claims the right to ask Amazon about a pending charge for
// lease. The guarded update is atomic, so of any number of concurrent
// callers one wins; the others get the attempt as stored and won false.
func (d *DB) ClaimCheck(ctx context.Context, attemptID string, lease time.Duration) (checkout.Attempt, bool, error) {
	var r attemptRow
	err := d.get(ctx, &r, claimCheck, attemptID, lease.Seconds())
	if errs.Is(mapErr(err, "attempt"), errs.NotFound) {
		a, err := d.AttemptByID(ctx, attemptID)
		return a, false, err
	}
	if err != nil {
		return checkout.Attempt{}, false, mapErr(err, "attempt")
	}
	return r.attempt(), true, nil
}
