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

// stateLock is the transaction-level advisory lock that orders the
// simulator's writers. The payments API and token endpoint take it shared
// and then lock only what they change (see change), so requests for
// different customers run side by side; the pages and the test and QA
// controls take it exclusively (see do), which keeps their rules simple.
// Reads take no lock at all (see read).
const stateLock int64 = 0x616d7a6e_73696d // "amzn" "sim"

// Classes of the two-key advisory locks that change takes under stateLock
// held shared: an id a seller may send twice (a chargeId or refundId),
// then the customer account whose money the request moves. A transaction
// takes at most one of each, ids first, so two of them never wait on each
// other in opposite orders.
const (
	lockClassID      int32 = 0x616d7a01
	lockClassAccount int32 = 0x616d7a02
)

// querier is what txn runs its statements on: a transaction, or the pool
// itself for a read.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// txn is one request's view of the simulator's state: a transaction that
// holds stateLock (exclusively, or shared with the locks of what it
// changes), or plain reads of committed state. Its first error sticks and
// makes every later call do nothing, so callers write the rules straight
// and check the error once, in do, change or read.
type txn struct {
	ctx context.Context
	q   querier
	s   *Simulator
	now time.Time
	err error
	// settled is the account lockAccount locked and settled, if any.
	settled string
}

// do runs fn in one transaction holding stateLock exclusively, after
// settling everything that is due, and commits. A database failure is
// returned; fn's own answers, including refusals, are fn's to keep in its
// closure.
func (s *Simulator) do(ctx context.Context, fn func(t *txn)) error {
	// Requests of this process queue here rather than on stateLock, so
	// they hold at most one of the pool's connections while they wait:
	// the built-in simulator shares paypage's pool.
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inTx(ctx, func(t *txn) {
		t.exec(`SELECT pg_advisory_xact_lock($1)`, stateLock)
		t.settle("")
		if t.err == nil {
			fn(t)
		}
	})
}

// change runs fn in one transaction holding stateLock shared, and
// commits. fn must lock what it changes before it reads it: lockID for a
// seller's id it is about to record, then lockAccount for the customer
// whose credit, balance or charges it changes.
func (s *Simulator) change(ctx context.Context, fn func(t *txn)) error {
	return s.inTx(ctx, func(t *txn) {
		t.exec(`SELECT pg_advisory_xact_lock_shared($1)`, stateLock)
		if t.err == nil {
			fn(t)
		}
	})
}

// read runs fn on committed state without a transaction or a lock: each
// statement sees what was committed when it started. fn must not write;
// what it finds due (see dueCharge) it leaves to change.
func (s *Simulator) read(ctx context.Context, fn func(t *txn)) error {
	release, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer release()
	t := &txn{ctx: ctx, q: s.db, s: s, now: s.now()}
	fn(t)
	return t.err
}

// maxBusy bounds the requests one simulator serves against its database at
// once, so that it holds at most that many connections: the built-in
// simulator shares paypage's pool, and a pool without a bound would open
// one connection per request up to the server's max_connections.
const maxBusy = 8

// turn waits for one of the maxBusy turns and returns its release.
func (s *Simulator) turn(ctx context.Context) (func(), error) {
	select {
	case s.busy <- struct{}{}:
		return func() { <-s.busy }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("sandbox: %w", ctx.Err())
	}
}

func (s *Simulator) inTx(ctx context.Context, fn func(t *txn)) error {
	release, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sandbox: begin: %w", err)
	}
	t := &txn{ctx: ctx, q: tx, s: s, now: s.now()}
	fn(t)
	if t.err != nil {
		_ = tx.Rollback()
		return t.err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sandbox: commit: %w", err)
	}
	return nil
}

// lockID takes the lock of a seller's id of kind ("charge", "refund"), so
// that two requests recording the same id run one after the other and the
// second sees the first's.
func (t *txn) lockID(kind, merchantID, id string) {
	t.exec(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockClassID, kind+" "+merchantID+" "+id)
}

// lockAccount takes the lock of phone's account and settles what is due
// for it, so that what follows reads its credit, balance and charges as
// they are now and changes them alone.
func (t *txn) lockAccount(phone string) {
	if t.settled == phone {
		return
	}
	if t.settled != "" {
		t.fail(fmt.Errorf("account %s locked after %s", phone, t.settled))
		return
	}
	t.settled = phone
	t.exec(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockClassAccount, phone)
	t.settle(phone)
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
	res, err := t.q.ExecContext(t.ctx, q, args...)
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
	var row *sql.Row
	if st := t.prepared(q); st != nil {
		row = st.QueryRowContext(t.ctx, args...)
	} else {
		row = t.q.QueryRowContext(t.ctx, q, args...)
	}
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	t.fail(err)
	return err == nil
}

// prepared returns q prepared on the pool when t reads outside a
// transaction and Options.Prepare is set, or nil: statements in
// transactions run unprepared. A statement that fails to prepare runs
// unprepared too, and the failure shows when it runs.
func (t *txn) prepared(q string) *sql.Stmt {
	if !t.s.opts.Prepare || t.q != querier(t.s.db) {
		return nil
	}
	if st, ok := t.s.stmts.Load(q); ok {
		return st.(*sql.Stmt)
	}
	st, err := t.s.db.PrepareContext(t.ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := t.s.stmts.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt)
	}
	return st
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
	p := PersonaFor(phone)
	t.exec(`INSERT INTO amazonpay_sandbox.accounts (phone, outcome, credit, balance) VALUES ($1, $2, $3, $4)
		ON CONFLICT (phone) DO UPDATE SET outcome = EXCLUDED.outcome`, phone, int(o), int64(p.Credit), int64(p.Balance))
}

// addFunds adds delta (negative to take) to the instrument of phone's
// account: its Pay Later credit or its Amazon Pay balance. An account
// not yet made is made with the persona's starting credit and balance,
// then changed, in the one statement.
func (t *txn) addFunds(phone, instrument string, delta money.Paise) {
	p := PersonaFor(phone)
	credit, balance, col := p.Credit+delta, p.Balance, "credit"
	if instrument == instrumentBalance {
		credit, balance, col = p.Credit, p.Balance+delta, "balance"
	}
	t.exec(`INSERT INTO amazonpay_sandbox.accounts AS a (phone, outcome, credit, balance) VALUES ($1, $2, $3, $4)
		ON CONFLICT (phone) DO UPDATE SET `+col+` = a.`+col+` + $5`,
		phone, int(p.Outcome), int64(credit), int64(balance), int64(delta))
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
	q := `SELECT ` + chargeColumns + ` FROM amazonpay_sandbox.charges WHERE ` + where
	var (
		rows *sql.Rows
		err  error
	)
	if st := t.prepared(q); st != nil {
		rows, err = st.QueryContext(t.ctx, args...)
	} else {
		rows, err = t.q.QueryContext(t.ctx, q, args...)
	}
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
// final status: phone's alone, under its account lock (see lockAccount),
// or everyone's (phone ""), under stateLock held exclusively, which also
// forgets expired grants. Pending outcomes thus resolve lazily without
// goroutines, whichever process is asked, before anyone reads them.
func (t *txn) settle(phone string) {
	now := t.now
	due := t.charges(`status = $1 AND ($3 = '' OR phone = $3) AND (((needs_otp OR needs_top_up) AND deadline <= $2)
		OR (NOT needs_otp AND NOT needs_top_up AND resolve_at <= $2))`, string(amazonpay.StatusCapturePending), now, phone)
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
	if phone == "" {
		t.exec(`DELETE FROM amazonpay_sandbox.auth_codes WHERE expires < $1`, now)
		t.exec(`DELETE FROM amazonpay_sandbox.access_grants WHERE expires < $1`, now)
	}
	// An approved refund gives back to the instrument its charge used.
	t.exec(`WITH done AS (
			UPDATE amazonpay_sandbox.refunds SET status = $1, updated = $3
			WHERE status = $2 AND resolve_at <= $3
				AND ($5 = '' OR (merchant_id, charge_id) IN (
					SELECT merchant_id, charge_id FROM amazonpay_sandbox.charges WHERE phone = $5))
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
		string(amazonpay.StatusApproved), string(amazonpay.StatusPending), now, instrumentBalance, phone)
}

// dueCharge reports whether settle would finish c now.
func dueCharge(c *charge, now time.Time) bool {
	if c.status != amazonpay.StatusCapturePending {
		return false
	}
	if c.needsOTP || c.needsTopUp {
		return !c.deadline.IsZero() && !c.deadline.After(now)
	}
	return !c.resolveAt.IsZero() && !c.resolveAt.After(now)
}

// dueRefund reports whether settle would approve rf now.
func dueRefund(rf *refund, now time.Time) bool {
	return rf.status == amazonpay.StatusPending && !rf.resolveAt.After(now)
}

// accountNow reads phone's account without making it (a customer Amazon
// has not seen has the persona's starting credit and balance), whether it
// has a link that works for Pay Later, and whether a charge or refund of
// it is due to settle, in which case its credit and balance are not yet
// what they are: the caller settles it with lockAccount under change.
func (t *txn) accountNow(phone string) (a *account, linked, due bool) {
	p := PersonaFor(phone)
	a = &account{persona: p, credit: p.Credit, balance: p.Balance}
	var (
		outcome         sql.NullInt64
		credit, balance sql.NullInt64
	)
	t.one(`SELECT a.outcome, a.credit, a.balance,
			EXISTS (SELECT 1 FROM amazonpay_sandbox.refresh_grants g
				WHERE g.phone = p.phone AND NOT g.revoked AND NOT g.balance_only),
			`+dueOfPhone+`
		FROM (SELECT $1::text AS phone) p LEFT JOIN amazonpay_sandbox.accounts a ON a.phone = p.phone`,
		[]any{phone, string(amazonpay.StatusCapturePending), t.now, string(amazonpay.StatusPending)},
		&outcome, &credit, &balance, &linked, &due)
	a.fill(outcome, credit, balance)
	return a, linked, due
}

// dueOfPhone is a boolean SQL expression: whether a charge or refund of
// the account p.phone is due to settle at $3 ($2 CapturePending, $4
// Pending).
const dueOfPhone = `(EXISTS (SELECT 1 FROM amazonpay_sandbox.charges c
				WHERE c.status = $2 AND c.phone = p.phone AND (((c.needs_otp OR c.needs_top_up) AND c.deadline <= $3)
					OR (NOT c.needs_otp AND NOT c.needs_top_up AND c.resolve_at <= $3)))
			OR EXISTS (SELECT 1 FROM amazonpay_sandbox.refunds r JOIN amazonpay_sandbox.charges c USING (merchant_id, charge_id)
				WHERE r.status = $4 AND r.resolve_at <= $3 AND c.phone = p.phone))`

// fill sets a's outcome, credit and balance from a stored account row, if
// there was one.
func (a *account) fill(outcome, credit, balance sql.NullInt64) {
	if outcome.Valid {
		a.persona.Outcome = Outcome(outcome.Int64)
		a.credit, a.balance = money.Paise(credit.Int64), money.Paise(balance.Int64)
	}
}

// tokenAccountNow is phoneForToken and accountNow in one statement, for
// the instruments read: whose access token tok is (or the refusal
// phoneForToken gives), that customer's account as accountNow reads it,
// and whether it is due to settle.
func (t *txn) tokenAccountNow(tok string, payLater bool) (phone string, a *account, due bool, e *apiError) {
	var (
		g                        accessGrant
		revoked                  bool
		outcome, credit, balance sql.NullInt64
	)
	found := t.one(`SELECT p.phone, p.balance_only, p.expires, p.revoked, a.outcome, a.credit, a.balance, `+dueOfPhone+`
		FROM (SELECT g.phone, g.balance_only, g.expires, r.revoked
			FROM amazonpay_sandbox.access_grants g JOIN amazonpay_sandbox.refresh_grants r ON r.token = g.refresh
			WHERE g.token = $1) p
		LEFT JOIN amazonpay_sandbox.accounts a ON a.phone = p.phone`,
		[]any{tok, string(amazonpay.StatusCapturePending), t.now, string(amazonpay.StatusPending)},
		&g.phone, &g.balanceOnly, &g.expires, &revoked, &outcome, &credit, &balance, &due)
	if e = tokenRefusal(found, g, revoked, payLater, t.now); e != nil || t.err != nil {
		return "", nil, false, e
	}
	p := PersonaFor(g.phone)
	a = &account{persona: p, credit: p.Credit, balance: p.Balance}
	a.fill(outcome, credit, balance)
	return g.phone, a, due, nil
}
