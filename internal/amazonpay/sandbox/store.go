package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

// Schema is the PostgreSQL schema that holds the simulator's state. Its
// tables are made by paypage's migrations (migrations/000010), so that any
// process that opened the database as paypage does finds them.
const Schema = "amazonpay_sandbox"

// stateLock is the transaction-level advisory lock every request takes
// before it reads or changes the simulator's state. Amazon's rules span
// rows (a charge and the credit it holds, a refund and the charge it
// returns, pending outcomes settled by whichever request comes first), so
// one lock for all of them keeps two processes from interleaving, just as
// the mutex kept two goroutines from it. The sandbox needs correctness far
// more than throughput.
const stateLock int64 = 0x616d7a6e_73696d // "amzn" "sim"

// txn is one request's view of the simulator's state: a transaction that
// holds stateLock. Its first error sticks and makes every later call do
// nothing, so callers write the rules straight and check the error once,
// in (*Simulator).do.
type txn struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Simulator
	now time.Time
	err error
}

// do runs fn in one transaction holding stateLock, after settling what is
// due, and commits. A database failure is returned; fn's own answers,
// including refusals, are fn's to keep in its closure.
func (s *Simulator) do(ctx context.Context, fn func(t *txn)) error {
	// Requests of this process queue here rather than on stateLock, so
	// they hold at most one of the pool's connections while they wait:
	// the built-in simulator shares paypage's pool.
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sandbox: begin: %w", err)
	}
	t := &txn{ctx: ctx, tx: tx, s: s, now: s.now()}
	t.exec(`SELECT pg_advisory_xact_lock($1)`, stateLock)
	t.settle()
	if t.err == nil {
		fn(t)
	}
	if t.err != nil {
		_ = tx.Rollback()
		return t.err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sandbox: commit: %w", err)
	}
	return nil
}

// must is do for the test and QA controls, which have no error to return:
// a database failure there is a broken test environment.
func (s *Simulator) must(fn func(t *txn)) {
	if err := s.do(context.Background(), fn); err != nil {
		panic(err)
	}
}

func (t *txn) fail(err error) {
	if t.err == nil && err != nil {
		t.err = fmt.Errorf("sandbox: %w", err)
	}
}

func (t *txn) exec(q string, args ...any) int64 {
	if t.err != nil {
		return 0
	}
	res, err := t.tx.ExecContext(t.ctx, q, args...)
	if err != nil {
		t.fail(err)
		return 0
	}
	n, _ := res.RowsAffected()
	return n
}

// one scans the single row of q into dest and reports whether there was
// one.
func (t *txn) one(q string, args []any, dest ...any) bool {
	if t.err != nil {
		return false
	}
	err := t.tx.QueryRowContext(t.ctx, q, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	t.fail(err)
	return err == nil
}

func nullTime(v time.Time) sql.NullTime { return sql.NullTime{Time: v, Valid: !v.IsZero()} }

// account returns the account for a ten-digit phone, creating it with the
// persona's starting credit and balance.
func (t *txn) account(phone string) *account {
	p := PersonaFor(phone)
	t.exec(`INSERT INTO amazonpay_sandbox.accounts (phone, outcome, credit, balance) VALUES ($1, $2, $3, $4)
		ON CONFLICT (phone) DO NOTHING`, phone, int(p.Outcome), int64(p.Credit), int64(p.Balance))
	a := &account{persona: p}
	var outcome int
	if t.one(`SELECT outcome, credit, balance FROM amazonpay_sandbox.accounts WHERE phone = $1`, []any{phone},
		&outcome, &a.credit, &a.balance) {
		a.persona.Outcome = Outcome(outcome)
	}
	return a
}

func (t *txn) setOutcome(phone string, o Outcome) {
	t.account(phone)
	t.exec(`UPDATE amazonpay_sandbox.accounts SET outcome = $2 WHERE phone = $1`, phone, int(o))
}

// addFunds adds delta (negative to take) to the instrument of phone's
// account: its Pay Later credit or its Amazon Pay balance.
func (t *txn) addFunds(phone, instrument string, delta money.Paise) {
	t.account(phone)
	col := "credit"
	if instrument == instrumentBalance {
		col = "balance"
	}
	t.exec(`UPDATE amazonpay_sandbox.accounts SET `+col+` = `+col+` + $2 WHERE phone = $1`, phone, int64(delta))
}

func (t *txn) nextSeq() int64 {
	var n int64
	t.one(`SELECT nextval('amazonpay_sandbox.amazon_id_seq')`, nil, &n)
	return n
}

const chargeColumns = `merchant_id, charge_id, amazon_id, phone, instrument, callback_url, custom_data,
	amount, approved, refunded, held, top_up, status, reason_code, reason_desc, created, updated,
	resolve_at, resolve_to, needs_otp, needs_top_up, deadline, refund_seq, otp_tries`

func (t *txn) insertCharge(c *charge) {
	t.exec(`INSERT INTO amazonpay_sandbox.charges (`+chargeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		c.merchantID, c.id, c.amazonID, c.phone, c.instrument, c.callbackURL, c.customData,
		int64(c.amount), int64(c.approved), int64(c.refunded), int64(c.held), int64(c.topUp),
		string(c.status), c.reasonCode, c.reasonDesc, c.created, c.updated,
		nullTime(c.resolveAt), string(c.resolveTo), c.needsOTP, c.needsTopUp, nullTime(c.deadline), c.refundSeq, c.otpTries)
}

// saveCharge writes back what a charge's life changes.
func (t *txn) saveCharge(c *charge) {
	t.exec(`UPDATE amazonpay_sandbox.charges SET phone = $3, amount = $4, approved = $5, refunded = $6, held = $7,
		top_up = $8, status = $9, reason_code = $10, reason_desc = $11, updated = $12, resolve_at = $13,
		resolve_to = $14, needs_otp = $15, needs_top_up = $16, deadline = $17, refund_seq = $18, otp_tries = $19
		WHERE merchant_id = $1 AND charge_id = $2`,
		c.merchantID, c.id, c.phone, int64(c.amount), int64(c.approved), int64(c.refunded), int64(c.held),
		int64(c.topUp), string(c.status), c.reasonCode, c.reasonDesc, c.updated, nullTime(c.resolveAt),
		string(c.resolveTo), c.needsOTP, c.needsTopUp, nullTime(c.deadline), c.refundSeq, c.otpTries)
}

type scanner interface{ Scan(dest ...any) error }

func scanCharge(row scanner) (*charge, error) {
	var (
		c                     charge
		amount, approved, ref int64
		held, topUp           int64
		status, resolveTo     string
		resolveAt, deadline   sql.NullTime
		created, updated      time.Time
	)
	err := row.Scan(&c.merchantID, &c.id, &c.amazonID, &c.phone, &c.instrument, &c.callbackURL, &c.customData,
		&amount, &approved, &ref, &held, &topUp, &status, &c.reasonCode, &c.reasonDesc, &created, &updated,
		&resolveAt, &resolveTo, &c.needsOTP, &c.needsTopUp, &deadline, &c.refundSeq, &c.otpTries)
	if err != nil {
		return nil, err
	}
	c.amount, c.approved, c.refunded = money.Paise(amount), money.Paise(approved), money.Paise(ref)
	c.held, c.topUp = money.Paise(held), money.Paise(topUp)
	c.status, c.resolveTo = amazonpay.Status(status), amazonpay.Status(resolveTo)
	c.created, c.updated = created.UTC(), updated.UTC()
	if resolveAt.Valid {
		c.resolveAt = resolveAt.Time.UTC()
	}
	if deadline.Valid {
		c.deadline = deadline.Time.UTC()
	}
	return &c, nil
}

// charges returns the charges q (a WHERE clause over chargeColumns) picks.
func (t *txn) charges(where string, args ...any) []*charge {
	if t.err != nil {
		return nil
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+chargeColumns+` FROM amazonpay_sandbox.charges WHERE `+where, args...)
	if err != nil {
		t.fail(err)
		return nil
	}
	defer rows.Close()
	var out []*charge
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			t.fail(err)
			return nil
		}
		out = append(out, c)
	}
	t.fail(rows.Err())
	return out
}

func (t *txn) chargeWhere(where string, args ...any) *charge {
	if cs := t.charges(where, args...); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

// chargeByID is a seller's charge by the merchant's chargeId, or nil.
func (t *txn) chargeByID(merchantID, id string) *charge {
	return t.chargeWhere(`merchant_id = $1 AND charge_id = $2`, merchantID, id)
}

// chargeByAmazonID is any seller's charge by Amazon's id, or nil.
func (t *txn) chargeByAmazonID(amazonID string) *charge {
	return t.chargeWhere(`amazon_id = $1`, amazonID)
}

const refundColumns = `merchant_id, refund_id, amazon_id, charge_id, amount, status, created, updated, resolve_at`

func (t *txn) insertRefund(rf *refund) {
	t.exec(`INSERT INTO amazonpay_sandbox.refunds (`+refundColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		rf.charge.merchantID, rf.id, rf.amazonID, rf.charge.id, int64(rf.amount), string(rf.status), rf.created, rf.updated, rf.resolveAt)
}

// refundWhere is the first refund the WHERE clause picks, with its charge.
func (t *txn) refundWhere(where string, args ...any) *refund {
	var (
		rf                           refund
		merchantID, chargeID, status string
		amount                       int64
	)
	if !t.one(`SELECT `+refundColumns+` FROM amazonpay_sandbox.refunds WHERE `+where, args,
		&merchantID, &rf.id, &rf.amazonID, &chargeID, &amount, &status, &rf.created, &rf.updated, &rf.resolveAt) {
		return nil
	}
	rf.amount, rf.status = money.Paise(amount), amazonpay.Status(status)
	rf.created, rf.updated, rf.resolveAt = rf.created.UTC(), rf.updated.UTC(), rf.resolveAt.UTC()
	if rf.charge = t.chargeByID(merchantID, chargeID); rf.charge == nil {
		t.fail(fmt.Errorf("refund %s has no charge %s", rf.id, chargeID))
		return nil
	}
	return &rf
}

// settle moves pending charges and refunds whose time has come to their
// final status and forgets expired grants. Every request does it first,
// under stateLock, so pending outcomes resolve lazily without goroutines,
// whichever process is asked.
func (t *txn) settle() {
	now := t.now
	due := t.charges(`status = $1 AND (((needs_otp OR needs_top_up) AND deadline <= $2)
		OR (NOT needs_otp AND NOT needs_top_up AND resolve_at <= $2))`, string(amazonpay.StatusCapturePending), now)
	for _, c := range due {
		switch {
		case c.needsOTP:
			t.finish(c, amazonpay.StatusFailed, ReasonCodeTimedOut, "The customer did not complete verification in time.")
		case c.needsTopUp:
			t.finish(c, amazonpay.StatusFailed, ReasonCodeTimedOut, "The customer did not add money in time.")
		case c.resolveTo == amazonpay.StatusCaptureApproved:
			t.finish(c, amazonpay.StatusCaptureApproved, "", "")
		default:
			t.finish(c, amazonpay.StatusFailed, ReasonCodeProcessing, "The charge could not be processed.")
		}
	}
	t.exec(`DELETE FROM amazonpay_sandbox.auth_codes WHERE expires < $1`, now)
	t.exec(`DELETE FROM amazonpay_sandbox.access_grants WHERE expires < $1`, now)
	// An approved refund gives back to the instrument its charge used.
	t.exec(`WITH done AS (
			UPDATE amazonpay_sandbox.refunds SET status = $1, updated = $3
			WHERE status = $2 AND resolve_at <= $3
			RETURNING merchant_id, charge_id, amount
		), back AS (
			SELECT c.phone,
				sum(CASE WHEN c.instrument = $4 THEN 0 ELSE d.amount END) AS credit,
				sum(CASE WHEN c.instrument = $4 THEN d.amount ELSE 0 END) AS balance
			FROM done d JOIN amazonpay_sandbox.charges c USING (merchant_id, charge_id)
			GROUP BY c.phone
		)
		UPDATE amazonpay_sandbox.accounts a SET credit = a.credit + b.credit, balance = a.balance + b.balance
		FROM back b WHERE a.phone = b.phone`,
		string(amazonpay.StatusApproved), string(amazonpay.StatusPending), now, instrumentBalance)
}
