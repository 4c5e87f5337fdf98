package postgres_test

import (
	"context"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// TestStoreErrorsWhileDatabaseUnreachable points the pool at a closed port,
// as when the server has died, and back: store calls fail as Unavailable,
// transactions included, and work again without reopening the store.
func TestStoreErrorsWhileDatabaseUnreachable(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, migrated)
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Skipf("needs a URL DSN, got %q", dsn)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Host = l.Addr().String()
	l.Close() // nothing listens there now
	down := u.String()

	var mu sync.Mutex
	current := dsn
	use := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		current = s
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.OpenFunc(ctx, func() string {
		mu.Lock()
		defer mu.Unlock()
		return current
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.MerchantByID(ctx, "nobody"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("before: %v", err)
	}

	use(down)
	db.SQL().SetMaxIdleConns(0) // drop the pooled connections to the live server
	if _, err := db.MerchantByID(ctx, "nobody"); !errs.Is(err, errs.Unavailable) {
		t.Errorf("query while unreachable: %v, want Unavailable", err)
	}
	err = db.Transact(ctx, func(*sqlx.Tx) error { return nil })
	if !errs.Is(err, errs.Unavailable) {
		t.Errorf("Transact while unreachable: %v, want Unavailable", err)
	}
	if _, _, _, err := db.StartAttempt(ctx, checkout.Attempt{OrderID: "ordeh_x"}, time.Now()); !errs.Is(err, errs.Unavailable) {
		t.Errorf("StartAttempt while unreachable: %v, want Unavailable", err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping while unreachable succeeded")
	}

	use(dsn)
	db.SQL().SetMaxIdleConns(20)
	if _, err := db.MerchantByID(ctx, "nobody"); !errs.Is(err, errs.NotFound) {
		t.Errorf("after: %v", err)
	}
}

// TestTransactOutOfTimeBeforeCommitIsUnavailable runs out of the request's
// time between a transaction's last statement and its commit, as when the
// database stalls while it restarts: database/sql has rolled back, the
// commit says only "transaction has already been committed or rolled
// back", and the caller must get Unavailable (a 503), not a 500.
func TestTransactOutOfTimeBeforeCommitIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t, migrated))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reqCtx, expire := context.WithCancel(ctx)
	err = db.Transact(reqCtx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(reqCtx, "SELECT 1"); err != nil {
			return err
		}
		expire()
		// database/sql rolls back in the background once the context is done.
		for began := time.Now(); time.Since(began) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
			if _, err := tx.ExecContext(context.Background(), "SELECT 1"); err != nil {
				break
			}
		}
		return nil
	})
	if !errs.Is(err, errs.Unavailable) {
		t.Errorf("commit after the request ran out of time: %v (kind %s), want Unavailable", err, errs.KindOf(err))
	}
}
