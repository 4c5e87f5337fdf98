package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// versionTable is golang-migrate's postgres table, kept so that databases
// migrated by earlier paypage versions (and its tests' migrateTo) agree.
const versionTable = "schema_migrations"

// migrationDriver is golang-migrate's database driver, written for
// transaction pooling. The library's postgres driver holds a session-level
// advisory lock (pg_advisory_lock, then pg_advisory_unlock as separate
// statements), which a transaction pooler may take on one server
// connection and try to release on another, leaving it held. Here the lock
// is transaction-scoped, in a transaction that stays open while the
// migrations run on other connections, so it is pinned to one server
// connection and released by that transaction ending, however the process
// ends. A waiter polls with pg_try_advisory_xact_lock rather than blocking,
// so that waiting instances do not each pin a server connection of a small
// pool and starve the one holding the lock. The key is the one the library
// uses, so paypage versions that still use its driver wait for this one
// and the other way round.
type migrationDriver struct {
	ctx    context.Context
	cancel context.CancelFunc // ends a Lock still waiting after Close
	db     *sqlx.DB
	key    string

	mu   sync.Mutex
	lock *sql.Tx // open while locked
}

func newMigrationDriver(ctx context.Context, db *sqlx.DB) (*migrationDriver, error) {
	var dbName, schema string
	if err := db.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&dbName, &schema); err != nil {
		return nil, fmt.Errorf("postgres: migration driver: %w", err)
	}
	key, err := database.GenerateAdvisoryLockId(dbName, schema, versionTable)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	return &migrationDriver{ctx: ctx, cancel: cancel, db: db, key: key}, nil
}

func (m *migrationDriver) Open(string) (database.Driver, error) {
	return nil, errors.New("postgres: migration driver opens through the store")
}

// Close ends the lock transaction if Unlock did not, and stops a Lock that
// golang-migrate gave up waiting for.
func (m *migrationDriver) Close() error {
	m.cancel()
	if err := m.unlock(); !errors.Is(err, database.ErrNotLocked) {
		return err
	}
	return nil
}

func (m *migrationDriver) unlock() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lock == nil {
		return database.ErrNotLocked
	}
	err := m.lock.Rollback()
	m.lock = nil
	return err
}

// Lock waits for the migration lock and makes sure the version table
// exists.
func (m *migrationDriver) Lock() error {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		tx, err := m.tryLock()
		if err != nil {
			return &database.Error{OrigErr: err, Err: "migration lock"}
		}
		if tx != nil {
			break
		}
		select {
		case <-m.ctx.Done():
			return &database.Error{OrigErr: m.ctx.Err(), Err: "migration lock"}
		case <-time.After(wait):
		}
	}
	create := `CREATE TABLE IF NOT EXISTS ` + pq.QuoteIdentifier(versionTable) +
		` (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`
	if _, err := m.db.ExecContext(m.ctx, create); err != nil {
		_ = m.unlock()
		return &database.Error{OrigErr: err, Query: []byte(create)}
	}
	return nil
}

// tryLock opens a transaction and takes the lock in it, or answers nil
// when another session holds it.
func (m *migrationDriver) tryLock() (*sql.Tx, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lock != nil {
		return nil, database.ErrLocked
	}
	tx, err := m.db.BeginTx(m.ctx, nil)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := tx.QueryRowContext(m.ctx, `SELECT pg_try_advisory_xact_lock($1)`, m.key).Scan(&got); err != nil || !got {
		_ = tx.Rollback()
		return nil, err
	}
	m.lock = tx
	return tx, nil
}

// Unlock ends the lock transaction; it did nothing else, so it rolls back.
func (m *migrationDriver) Unlock() error { return m.unlock() }

// Run applies one migration file as a single simple-protocol message, so
// PostgreSQL runs it as one implicit transaction on one server connection.
func (m *migrationDriver) Run(migration io.Reader) error {
	q, err := io.ReadAll(migration)
	if err != nil {
		return err
	}
	if _, err := m.db.ExecContext(m.ctx, string(q)); err != nil {
		return database.Error{OrigErr: err, Err: "migration failed", Query: q}
	}
	return nil
}

// SetVersion records version as golang-migrate's postgres driver does.
func (m *migrationDriver) SetVersion(version int, dirty bool) error {
	tx, err := m.db.BeginTx(m.ctx, nil)
	if err != nil {
		return &database.Error{OrigErr: err, Err: "transaction start failed"}
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(m.ctx, `TRUNCATE `+pq.QuoteIdentifier(versionTable)); err != nil {
		return &database.Error{OrigErr: err, Err: "truncate version table"}
	}
	// A failed first down migration leaves a dirty nil version behind.
	if version >= 0 || (version == database.NilVersion && dirty) {
		insert := `INSERT INTO ` + pq.QuoteIdentifier(versionTable) + ` (version, dirty) VALUES ($1, $2)`
		if _, err := tx.ExecContext(m.ctx, insert, version, dirty); err != nil {
			return &database.Error{OrigErr: err, Query: []byte(insert)}
		}
	}
	if err := tx.Commit(); err != nil {
		return &database.Error{OrigErr: err, Err: "transaction commit failed"}
	}
	return nil
}

// Version reads the recorded version; no table or no row is no version.
func (m *migrationDriver) Version() (int, bool, error) {
	var (
		version int
		dirty   bool
	)
	err := m.db.QueryRowContext(m.ctx, `SELECT version, dirty FROM `+pq.QuoteIdentifier(versionTable)+` LIMIT 1`).Scan(&version, &dirty)
	var pe *pq.Error
	switch {
	case errors.Is(err, sql.ErrNoRows), errors.As(err, &pe) && pe.Code == "42P01": // undefined_table
		return database.NilVersion, false, nil
	case err != nil:
		return 0, false, &database.Error{OrigErr: err, Err: "read schema version"}
	}
	return version, dirty, nil
}

// Drop is not offered: paypage never drops its schema.
func (m *migrationDriver) Drop() error {
	return errors.New("postgres: dropping the schema is not supported")
}
