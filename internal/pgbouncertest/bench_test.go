package pgbouncertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgbouncertest"
	"github.com/paypage/paypage/internal/pgtest"
)

// BenchmarkStoreReads times, one at a time, the two reads every payment
// page and status call makes, in each mode: named prepared statements on
// a direct connection (session), one unnamed round trip per query on a
// direct connection (transaction), and the same through PgBouncer. The
// README's cost table comes from
//
//	go test -run '^$' -bench StoreReads -benchtime 3000x -count 5 ./internal/pgbouncertest/
func BenchmarkStoreReads(b *testing.B) {
	for _, mode := range []struct{ name, pooler string }{
		{"direct-session", "session"}, {"direct-transaction", "transaction"}, {"pgbouncer-transaction", "transaction"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			dsn := pgtest.NewDatabase(b, apptest.Migrate)
			if strings.HasPrefix(mode.name, "pgbouncer") {
				dsn = pgbouncertest.Start(b, dsn, pgbouncertest.Options{})
			}
			s := apptest.StartOn(b, dsn, map[string]string{"PAYPAGE_DB_POOLER": mode.pooler})
			resp := s.API(b, "POST", "/session", s.Session("bench-1", "10", "9000000001"))
			link, _ := resp.JSON(b)["payment_links"].(map[string]any)["web"].(string)
			id := strings.TrimSuffix(link[strings.Index(link, "/orders/")+len("/orders/"):], "/payment-page")
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				if _, err := s.DB.PageRecords(ctx, id); err != nil {
					b.Fatal(err)
				}
				if _, err := s.DB.OrderByID(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
