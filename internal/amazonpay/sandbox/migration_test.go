package sandbox_test

import (
	"testing"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/pgtest"
)

// Migration 10 makes the simulator's schema and its down migration drops
// it; up again (and on to the latest), a simulator works on it.
func TestMigrationTenBothWays(t *testing.T) {
	dsn := pgtest.NewDatabase(t, migrateUp)
	db := openDB(t, dsn)
	to := func(version uint) {
		t.Helper()
		pgtest.MigrateTo(t, dsn, version)
	}
	hasSchema := func() bool {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_namespace WHERE nspname = $1`, sandbox.Schema).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	to(10)
	if !hasSchema() {
		t.Fatal("no schema at version 10")
	}
	to(9)
	if hasSchema() {
		t.Fatal("schema left at version 9")
	}
	to(10)
	if !hasSchema() {
		t.Fatal("no schema at version 10 again")
	}
	// Later migrations add to the schema (000016: otp_tries); the
	// simulator needs them all.
	if err := migrateUp(dsn); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, sandbox.Options{DB: db})
	if _, err := e.charge(e.link("9000000001"), "after-migrations", rupees("100")); err != nil {
		t.Fatalf("charge on the migrated schema: %v", err)
	}
}

// Migration 16 adds the OTP tries and the merchants' failure limit, and its
// down migration takes them away again.
func TestMigrationSixteenBothWays(t *testing.T) {
	dsn := pgtest.NewDatabase(t, migrateUp)
	db := openDB(t, dsn)
	columns := func() int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM information_schema.columns
			WHERE (table_schema = $1 AND table_name = 'charges' AND column_name = 'otp_tries')
			OR (table_name = 'merchants' AND column_name = 'max_failed_attempts')`, sandbox.Schema).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if columns() != 2 {
		t.Fatal("columns missing after migrating up")
	}
	pgtest.MigrateTo(t, dsn, 12)
	if columns() != 0 {
		t.Fatal("columns left after migrating down to 12")
	}
	pgtest.MigrateTo(t, dsn, 16)
	if columns() != 2 {
		t.Fatal("columns missing after migrating up again")
	}
}
