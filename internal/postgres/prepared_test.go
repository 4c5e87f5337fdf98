package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// Statements inside transactions come to run prepared in session pooling
// (after the pool has prepared them in the background), and are never
// prepared by name behind a transaction pooler. The pool has one
// connection, so the transaction holds the only one while its statement
// is first prepared: the preparation waits for it rather than the other
// way round.
func TestStatementsInTransactionsArePrepared(t *testing.T) {
	t.Parallel()
	const query = `SELECT $1::int + 1 AS n`
	for _, c := range []struct {
		pooler   postgres.Pooler
		prepared bool
	}{{postgres.PoolerSession, true}, {postgres.PoolerTransaction, false}} {
		t.Run(string(c.pooler), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := postgres.OpenPooled(ctx, pgtest.NewDatabase(t, migrated), c.pooler)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SQL().SetMaxOpenConns(1)
			deadline := time.Now().Add(5 * time.Second)
			for i := 0; ; i++ {
				var n, kept int
				err := db.Transact(ctx, func(tx *sqlx.Tx) error {
					if err := db.TxGet(ctx, tx, &n, query, i); err != nil {
						return err
					}
					return tx.GetContext(ctx, &kept, `SELECT count(*) FROM pg_prepared_statements WHERE statement = $1`, query)
				})
				if err != nil {
					t.Fatal(err)
				}
				if n != i+1 {
					t.Fatalf("run %d answered %d", i, n)
				}
				switch {
				case kept > 0 && !c.prepared:
					t.Fatalf("behind a transaction pooler the statement was prepared by name (run %d)", i)
				case kept > 0:
					return
				case c.prepared && time.Now().After(deadline):
					t.Fatalf("after %d transactions the statement is still not prepared on the connection", i+1)
				case !c.prepared && i == 20:
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
