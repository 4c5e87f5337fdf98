package sandbox_test

import (
	"testing"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/pgtest"
)

// Migration 10 makes the simulator's schema and its down migration drops
// it; up again, a simulator works on it.
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
	e := newEnvWith(t, sandbox.Options{DB: db})
	if _, err := e.charge(e.link("9000000001"), "after-migrations", rupees("100")); err != nil {
		t.Fatalf("charge on the migrated schema: %v", err)
	}
}
