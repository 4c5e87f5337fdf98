// Package postgres is paypage's store: hand-written SQL over sqlx and lib/pq,
// one file per table, mapping rows to internal/checkout types and PostgreSQL
// errors to internal/errs kinds. It also applies the embedded migrations.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/errs"
)

// DB is the store's handle on PostgreSQL.
type DB struct {
	db     *sqlx.DB
	outbox Outbox
	stmts  sync.Map // query text -> *sqlx.Stmt
}

// Open connects to dsn and checks that the server answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{db: db}, nil
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
// outside transactions. lib/pq sends a query with arguments as a
// parse-and-describe round trip followed by an execute round trip; a
// prepared statement executes in one, and PostgreSQL plans it once per
// connection. Statements are prepared on first use rather than in Open,
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

// get runs a prepared single-row query into dest.
func (d *DB) get(ctx context.Context, dest any, query string, args ...any) error {
	st, err := d.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

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
		return fmt.Errorf("postgres: begin: %w", err)
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
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// mapErr turns driver errors into domain kinds: no rows is NotFound, a
// unique violation is Conflict, anything else Internal.
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
		return &errs.Error{Kind: errs.Unavailable, Message: "database did not answer in time", Err: err}
	}
	return errs.Wrap(err, "%s", what)
}

func isNotFound(err error) bool { return errs.Is(err, errs.NotFound) }
