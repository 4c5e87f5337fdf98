package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/database"

	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// TestMigrateWaitsForTheLibrarysLock holds the session advisory lock that
// golang-migrate's own postgres driver (earlier paypage versions) takes,
// and checks that Migrate waits for it rather than migrating alongside,
// then migrates once it is released.
func TestMigrateWaitsForTheLibrarysLock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, nil)
	ctx := context.Background()
	old, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	conn, err := old.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var name string
	if err := conn.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	key, _ := database.GenerateAdvisoryLockId(name, "public", "schema_migrations")
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		t.Fatal(err)
	}

	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := db.Migrate(short); err == nil || !strings.Contains(err.Error(), "migration lock") {
		t.Fatalf("migrate while another version held the migration lock: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate after the lock was released: %v", err)
	}
	if current, dirty, latest, err := db.SchemaVersion(ctx); err != nil || dirty || current != latest {
		t.Errorf("schema at %d (dirty %t), want %d: %v", current, dirty, latest, err)
	}
}

func TestParsePooler(t *testing.T) {
	for in, want := range map[string]postgres.Pooler{
		"": postgres.PoolerSession, "session": postgres.PoolerSession, "transaction": postgres.PoolerTransaction,
	} {
		if got, err := postgres.ParsePooler(in); err != nil || got != want {
			t.Errorf("ParsePooler(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := postgres.ParsePooler("statement"); err == nil {
		t.Error("ParsePooler accepted statement pooling, which cannot run transactions")
	}
}
