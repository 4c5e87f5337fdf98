package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/paypage/paypage/migrations"
)

// Migrate applies every pending up migration. Concurrent callers, also
// through a transaction pooler, are serialised by a transaction-scoped
// advisory lock (see migrationDriver).
func (d *DB) Migrate(ctx context.Context) error {
	m, err := d.migrator(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// SchemaVersion reports the applied migration version, whether a migration
// failed half way, and the newest version this binary carries.
func (d *DB) SchemaVersion(ctx context.Context) (current uint, dirty bool, latest uint, err error) {
	m, err := d.migrator(ctx)
	if err != nil {
		return 0, false, 0, err
	}
	defer m.Close()
	current, dirty, err = m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		err = nil
	}
	src, serr := iofs.New(migrations.FS, ".")
	if serr != nil {
		return 0, false, 0, serr
	}
	v, ferr := src.First()
	for ferr == nil {
		latest = v
		v, ferr = src.Next(v)
	}
	return current, dirty, latest, err
}

// migrator builds a migrate instance over the pool; closing it ends its
// lock transaction, never the pool.
func (d *DB) migrator(ctx context.Context) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("postgres: read migrations: %w", err)
	}
	driver, err := newMigrationDriver(ctx, d.db)
	if err != nil {
		return nil, err
	}
	m, err := migrate.NewWithInstance("iofs", src, "postgres", driver)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrator: %w", err)
	}
	return m, nil
}
