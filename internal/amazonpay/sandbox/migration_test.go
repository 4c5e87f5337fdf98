package sandbox_test

import (
	"strings"
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

// Migration 17 indexes charges by phone and status, so that asking whether
// a phone has a pending charge due reads its pending charges only, and its
// down migration puts the index by phone alone back.
func TestMigrationSeventeenBothWays(t *testing.T) {
	dsn := pgtest.NewDatabase(t, migrateUp)
	db := openDB(t, dsn)
	indexes := func() (byPhone, byPhoneStatus bool) {
		rows, err := db.Query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'charges'`, sandbox.Schema)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			byPhone = byPhone || name == "charges_phone"
			byPhoneStatus = byPhoneStatus || name == "charges_phone_status"
		}
		return byPhone, byPhoneStatus
	}
	if p, ps := indexes(); p || !ps {
		t.Fatalf("after migrating up: by phone %v, by phone and status %v", p, ps)
	}
	// The simulator's statements are prepared, so PostgreSQL soon plans
	// them once for any argument (a generic plan), which cannot use the
	// index of pending charges alone (its WHERE names the status). Kept
	// off sequential scans (the table is nearly empty), such a plan finds
	// one phone's pending charges through the index on both columns.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{`SET LOCAL enable_seqscan = off`, `SET LOCAL plan_cache_mode = force_generic_plan`,
		`PREPARE pending_of_phone (text, text) AS SELECT 1 FROM amazonpay_sandbox.charges WHERE phone = $1 AND status = $2`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(`EXPLAIN EXECUTE pending_of_phone ('9000000001', 'CapturePending')`)
	if err != nil {
		t.Fatal(err)
	}
	plan := ""
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan += line + "\n"
	}
	rows.Close()
	if !strings.Contains(plan, "charges_phone_status") || !strings.Contains(plan, "Index Cond: ((phone = $1) AND (status = $2))") {
		t.Errorf("pending charges of a phone not found by phone and status:\n%s", plan)
	}
	tx.Rollback()
	pgtest.MigrateTo(t, dsn, 16)
	if p, ps := indexes(); !p || ps {
		t.Fatalf("after migrating down to 16: by phone %v, by phone and status %v", p, ps)
	}
}
