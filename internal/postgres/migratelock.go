package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

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
// is pg_advisory_xact_lock inside a transaction that stays open while the
// migrations run on other connections, so it is pinned to one server
// connection and released by that transaction ending, however the process
// ends. The key is the one the library uses, so paypage versions that
// still use its driver wait for this one and the other way round.
type migrationDriver struct {
	ctx  context.Context
	db   *sqlx.DB
	key  string
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
	return &migrationDriver{ctx: ctx, db: db, key: key}, nil
}

func (m *migrationDriver) Open(string) (database.Driver, error) {
	return nil, errors.New("postgres: migration driver opens through the store")
}

// Close ends the lock transaction if Unlock did not.
func (m *migrationDriver) Close() error {
	if m.lock != nil {
		err := m.lock.Rollback()
		m.lock = nil
		return err
	}
	return nil
}

// Lock waits for the migration lock and makes sure the version table
// exists.
func (m *migrationDriver) Lock() error {
	if m.lock != nil {
		return database.ErrLocked
	}
	tx, err := m.db.BeginTx(m.ctx, nil)
	if err != nil {
		return &database.Error{OrigErr: err, Err: "migration lock transaction"}
	}
	if _, err := tx.ExecContext(m.ctx, `SELECT pg_advisory_xact_lock($1)`, m.key); err != nil {
		_ = tx.Rollback()
		return &database.Error{OrigErr: err, Err: "migration lock"}
	}
	m.lock = tx
	create := `CREATE TABLE IF NOT EXISTS ` + pq.QuoteIdentifier(versionTable) +
		` (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`
	if _, err := m.db.ExecContext(m.ctx, create); err != nil {
		_ = m.Close()
		return &database.Error{OrigErr: err, Query: []byte(create)}
	}
	return nil
}

// Unlock ends the lock transaction; it did nothing else, so it rolls back.
func (m *migrationDriver) Unlock() error {
	if m.lock == nil {
		return database.ErrNotLocked
	}
	return m.Close()
}

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
