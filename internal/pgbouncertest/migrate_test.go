package pgbouncertest_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/pgbouncertest"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// TestConcurrentMigrationsThroughTransactionPooler starts more migrators
// than PgBouncer has server connections, on an empty database, and checks
// that they serialise (one applies, the others find nothing to do), that
// none waits forever for a server connection that a waiter pins, and that
// no advisory lock is left held on any server connection afterwards.
func TestConcurrentMigrationsThroughTransactionPooler(t *testing.T) {
	t.Parallel()
	direct := pgtest.NewDatabase(t, nil)
	pooled := pgbouncertest.Start(t, direct, pgbouncertest.Options{PoolSize: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const migrators = 6
	var wg sync.WaitGroup
	errs := make(chan error, migrators)
	for range migrators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.OpenPooled(ctx, pooled, postgres.PoolerTransaction)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- db.Migrate(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("migrate through PgBouncer: %v", err)
		}
	}

	db, err := postgres.OpenPooled(ctx, pooled, postgres.PoolerTransaction)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	current, dirty, latest, err := db.SchemaVersion(ctx)
	if err != nil || dirty || current != latest || latest == 0 {
		t.Errorf("schema at %d (dirty %t), want %d: %v", current, dirty, latest, err)
	}

	// Look past PgBouncer: every server connection's locks on this
	// database (the cluster is shared with other tests, whose simulators
	// take advisory locks of their own).
	admin, err := sql.Open("postgres", direct)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var held int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("%d advisory locks still held after migrating", held)
	}
}
