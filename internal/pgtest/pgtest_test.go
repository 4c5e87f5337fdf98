package pgtest_test

import (
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"

	_ "github.com/lib/pq"

	"github.com/paypage/paypage/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	a := open(t, pgtest.NewDatabase(t, nil))
	b := open(t, pgtest.NewDatabase(t, nil))
	if _, err := a.Exec(`CREATE TABLE only_in_a (id int)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(`SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a table created in one database is visible in another")
	}
}

// prepareRuns counts prepareTable calls over the whole test binary, which
// also runs TestPrepareRunsOncePerBinary again under -count.
var prepareRuns atomic.Int32

func prepareTable(dsn string) error {
	prepareRuns.Add(1)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE prepared (id int); INSERT INTO prepared VALUES (1)`)
	return err
}

func TestPrepareRunsOncePerBinary(t *testing.T) {
	t.Parallel()
	var tests atomic.Int32
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				db := open(t, pgtest.NewDatabase(t, prepareTable))
				tests.Add(1)
				// Each clone starts with the template's one row, whatever
				// the other clones do to theirs.
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM prepared`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Fatalf("prepared has %d rows, want 1", n)
				}
				if _, err := db.Exec(`INSERT INTO prepared VALUES (2)`); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
	if tests.Load() == 0 {
		t.Skip("no subtest got a database")
	}
	if got := prepareRuns.Load(); got != 1 {
		t.Fatalf("prepare ran %d times, want 1", got)
	}
}
