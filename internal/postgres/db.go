// Package postgres is paypage's store: hand-written SQL over sqlx and lib/pq,
// one file per table, mapping rows to internal/checkout types and PostgreSQL
// errors to internal/errs kinds. It also applies the embedded migrations.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

// DB is the store's handle on PostgreSQL.
type DB struct {
	db     *sqlx.DB
	outbox Outbox
	pooler Pooler
	stmts  sync.Map // query text -> *sqlx.Stmt; session pooling only
	// preparing holds the query texts being prepared for inTx.
	preparing sync.Map
	// The best-effort rows of provider answers, written in groups.
	timeline group[timelineEntry]
	offers   group[checkout.CachedOffer]
}

// Pooler names what stands between paypage and PostgreSQL, which decides
// what state a pool connection may keep between transactions.
type Pooler string

const (
	// PoolerSession is a direct connection, or a pooler that gives each
	// client connection one server connection for its whole life.
	PoolerSession Pooler = "session"
	// PoolerTransaction is a pooler such as PgBouncer in
	// pool_mode=transaction, which may hand every transaction (and every
	// statement outside one) to another server connection. Nothing may
	// outlive a transaction there: no named prepared statements, no SET,
	// no session advisory locks.
	PoolerTransaction Pooler = "transaction"
)

// ParsePooler reads PAYPAGE_DB_POOLER: empty or "session", or "transaction".
func ParsePooler(s string) (Pooler, error) {
	switch Pooler(s) {
	case "", PoolerSession:
		return PoolerSession, nil
	case PoolerTransaction:
		return PoolerTransaction, nil
	}
	return "", fmt.Errorf("postgres: pooler %q is neither session nor transaction", s)
}

// Open connects to dsn and checks that the server answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenPooled(ctx, dsn, PoolerSession)
}

// OpenPooled is Open through a connection pooler of the given kind. Behind
// a transaction pooler every query with arguments goes out as one unnamed
// parse-bind-execute message sequence ending in a single Sync (lib/pq's
// binary_parameters), so it is complete within one round trip and one
// server connection, and no statement is ever prepared by name. In that
// mode lib/pq sends a []byte argument in binary format, which is right for
// bytea only: store code passes JSON (and any other text) as a string.
func OpenPooled(ctx context.Context, dsn string, pooler Pooler) (*DB, error) {
	if pooler != PoolerTransaction {
		db, err := sqlx.Open("postgres", dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: open: %w", err)
		}
		return open(ctx, db)
	}
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// Without it lib/pq parses a query with arguments in one round trip
	// and binds it in another, each ending in Sync, and a transaction
	// pooler may run the two on different server connections.
	cfg.BinaryParameters = true
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	d, err := open(ctx, sqlx.NewDb(sql.OpenDB(c), "postgres"))
	if err != nil {
		return nil, err
	}
	d.pooler = PoolerTransaction
	return d, nil
}

// OpenFunc is Open for a server whose address may change while paypage
// runs: each new connection asks dsn where to go. The embedded cluster needs
// it, because a restarted server may listen on another port.
func OpenFunc(ctx context.Context, dsn func() string) (*DB, error) {
	return open(ctx, sqlx.NewDb(sql.OpenDB(connector{dsn}), "postgres"))
}

// connector is a lib/pq connector that reads its DSN for every connection.
type connector struct{ dsn func() string }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pq.NewConnector(c.dsn())
	if err != nil {
		return nil, err
	}
	return pc.Connect(ctx)
}

func (connector) Driver() driver.Driver { return &pq.Driver{} }

func open(ctx context.Context, db *sqlx.DB) (*DB, error) {
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{db: db, pooler: PoolerSession}, nil
}

// Close closes the connection pool.
func (d *DB) Close() error {
	d.stmts.Range(func(_, v any) bool {
		v.(*sqlx.Stmt).Close()
		return true
	})
	return d.db.Close()
}

// stmt returns query prepared on the pool, for the hot statements that run
// outside transactions, in session pooling only (see get and queryRow).
// lib/pq sends a query with arguments as a parse-and-describe round trip
// followed by an execute round trip; a prepared statement executes in one,
// and PostgreSQL plans it once per connection. Statements are prepared on first use rather than in Open,
// because the tables may not exist before Migrate.
func (d *DB) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := d.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := d.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := d.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// get runs a single-row query into dest: prepared in session pooling, one
// unnamed round trip behind a transaction pooler.
func (d *DB) get(ctx context.Context, dest any, query string, args ...any) error {
	if d.pooler == PoolerTransaction {
		return d.db.GetContext(ctx, dest, query, args...)
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

// queryRow is get for callers that scan columns themselves.
func (d *DB) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	if d.pooler == PoolerTransaction {
		return d.db.QueryRowContext(ctx, query, args...)
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// exec is get for statements that return no rows.
func (d *DB) exec(ctx context.Context, query string, args ...any) error {
	if d.pooler == PoolerTransaction {
		_, err := d.db.ExecContext(ctx, query, args...)
		return err
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// selectRows is get for queries of many rows.
func (d *DB) selectRows(ctx context.Context, dest any, query string, args ...any) error {
	if d.pooler == PoolerTransaction {
		return d.db.SelectContext(ctx, dest, query, args...)
	}
	st, err := d.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

// inTx returns query as a statement of tx, so that statements inside
// transactions run prepared too in session pooling; nil behind a
// transaction pooler, or while the pool does not have it prepared yet.
// The pool prepares it in the background at first use rather than on the
// spot: preparing takes a pool connection of its own, and transactions
// that each hold one while waiting for another could wait for ever once
// they hold the whole pool. Until then callers run the query text.
func (d *DB) inTx(ctx context.Context, tx *sqlx.Tx, query string) *sqlx.Stmt {
	if d.pooler == PoolerTransaction {
		return nil
	}
	if st, ok := d.stmts.Load(query); ok {
		return tx.StmtxContext(ctx, st.(*sqlx.Stmt))
	}
	if _, busy := d.preparing.LoadOrStore(query, struct{}{}); !busy {
		go func() {
			defer d.preparing.Delete(query)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// On error it stays unprepared: a later transaction tries again.
			_, _ = d.stmt(ctx, query)
		}()
	}
	return nil
}

// txGet is get inside tx (see inTx).
func (d *DB) txGet(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if st := d.inTx(ctx, tx, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return tx.GetContext(ctx, dest, query, args...)
}

// txExec is exec inside tx (see inTx), with the statement's result.
func (d *DB) txExec(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	if st := d.inTx(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// txSelect is selectRows inside tx (see inTx).
func (d *DB) txSelect(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	if st := d.inTx(ctx, tx, query); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return tx.SelectContext(ctx, dest, query, args...)
}

// rowScanner is a *sql.Row, or errRow when there is no statement to run.
type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Pooler reports which kind of pooler the store was opened for.
func (d *DB) Pooler() Pooler { return d.pooler }

// Ping checks that the database answers, for readiness probes.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// SQL returns the underlying pool for packages that need raw access (tests,
// metrics).
func (d *DB) SQL() *sqlx.DB { return d.db }

type txKey struct{}

// Transact runs fn in a transaction, committing if it returns nil and rolling
// back on error or panic. A serialization failure (SQLSTATE 40001) or a
// deadlock (40P01) is retried a few times. Transactions do not nest.
func (d *DB) Transact(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if ctx.Value(txKey{}) != nil {
		return errors.New("postgres: nested Transact")
	}
	ctx = context.WithValue(ctx, txKey{}, true)
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = d.transactOnce(ctx, fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

func (d *DB) transactOnce(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(err, "begin transaction")
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			// The request ran out of time (a database that stalls while
			// it restarts) and database/sql rolled the transaction back
			// before the commit: nothing was written, retrying may work.
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		// The connection may have died after the server committed: the
		// caller cannot tell, and retries the same idempotent request.
		return mapErr(err, "commit transaction")
	}
	return nil
}

func retryable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// mapErr turns driver errors into domain kinds: no rows is NotFound, a
// unique violation is Conflict, a database that cannot be reached or did not
// answer in time is Unavailable, anything else Internal.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return &errs.Error{Kind: errs.Conflict, Code: "conflict", Message: what + " already exists", Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &errs.Error{Kind: errs.Unavailable, Message: "The payment system did not answer in time; try again in a moment", Err: err}
	}
	if unreachable(err) {
		return &errs.Error{Kind: errs.Unavailable, Message: "The payment system could not be reached; try again in a moment", Err: err}
	}
	return errs.Wrap(err, "%s", what)
}

// unreachable reports whether err says that the server could not be reached
// or is not taking work right now (down, starting up, shutting down, out of
// connection slots, or the connection broke), rather than that a statement
// failed. Such errors pass once the server is back.
func unreachable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		case "53300": // too_many_connections
			return true
		}
		return pe.Code.Class() == "08" // connection_exception
	}
	var ne net.Error // dial, read and write failures
	return errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func isNotFound(err error) bool { return errs.Is(err, errs.NotFound) }
