package pgbouncertest_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgbouncertest"
	"github.com/paypage/paypage/internal/pgtest"
)

// TestPaymentsThroughTransactionPooler runs a paypage server whose only
// way to PostgreSQL is PgBouncer in pool_mode=transaction with fewer
// server connections than paypage's pool, and drives real sandbox
// payments (first-time consent, persona 9000000001), page loads, refunds
// and webhook deliveries through it, all concurrently. Every request must
// succeed.
//
// PAYPAGE_POOLER_PAYMENTS and PAYPAGE_POOLER_PAGES set the counts (20 and
// 200); the load measurement in the README used 200 and 2000.
func TestPaymentsThroughTransactionPooler(t *testing.T) {
	t.Parallel()
	payments, pages := envInt(t, "PAYPAGE_POOLER_PAYMENTS", 20), envInt(t, "PAYPAGE_POOLER_PAGES", 200)
	pooled := pgbouncertest.Start(t, pgtest.NewDatabase(t, apptest.Migrate), pgbouncertest.Options{})
	s := apptest.StartOn(t, pooled, map[string]string{"PAYPAGE_DB_POOLER": "transaction"})
	r := drive(t, s, payments, pages)
	t.Logf("through PgBouncer (transaction): %s", r)
	r.check(t, payments, pages)
	checkSettled(t, s, r.refunds)
}

// TestPoolerCost measures the same load in each mode, for the README's
// table: a direct connection with named prepared statements (session),
// a direct connection with one unnamed round trip per query
// (transaction), and PgBouncer in transaction mode. It runs only with
// PAYPAGE_POOLER_MEASURE=1, because its timings mean something only on an
// otherwise idle machine.
func TestPoolerCost(t *testing.T) {
	if os.Getenv("PAYPAGE_POOLER_MEASURE") != "1" {
		t.Skip("set PAYPAGE_POOLER_MEASURE=1 to measure")
	}
	payments, pages := envInt(t, "PAYPAGE_POOLER_PAYMENTS", 200), envInt(t, "PAYPAGE_POOLER_PAGES", 2000)
	for _, mode := range []struct{ name, pooler string }{
		{"direct-session", "session"}, {"direct-transaction", "transaction"}, {"pgbouncer-transaction", "transaction"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			dsn := pgtest.NewDatabase(t, apptest.Migrate)
			if strings.HasPrefix(mode.name, "pgbouncer") {
				dsn = pgbouncertest.Start(t, dsn, pgbouncertest.Options{})
			}
			s := apptest.StartOn(t, dsn, map[string]string{"PAYPAGE_DB_POOLER": mode.pooler})
			r := drive(t, s, payments, pages)
			t.Logf("%s: %s", mode.name, r)
			r.check(t, payments, pages)
		})
	}
}

// workers is how many shoppers act at once.
const workers = 8

// result counts what a drive did and what went wrong.
type result struct {
	charged, pageLoads, refunds int
	problems                    []string
	payTook, pagesTook          time.Duration
	pageLatency                 []time.Duration
}

func (r *result) String() string {
	sort.Slice(r.pageLatency, func(i, j int) bool { return r.pageLatency[i] < r.pageLatency[j] })
	pct := func(p float64) time.Duration {
		if len(r.pageLatency) == 0 {
			return 0
		}
		return r.pageLatency[int(p*float64(len(r.pageLatency)-1))]
	}
	rate := 0.0
	if r.pagesTook > 0 {
		rate = float64(r.pageLoads) / r.pagesTook.Seconds()
	}
	return fmt.Sprintf("%d payments charged in %v (%v each, %d at once), %d refunds; "+
		"%d page loads in %v (%.0f/s; p50 %v, p99 %v); %d errors",
		r.charged, r.payTook.Round(time.Millisecond), (r.payTook / time.Duration(max(r.charged, 1))).Round(10*time.Microsecond), workers, r.refunds,
		r.pageLoads, r.pagesTook.Round(time.Millisecond), rate,
		pct(0.5).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), len(r.problems))
}

func (r *result) check(t *testing.T, payments, pages int) {
	t.Helper()
	if len(r.problems) > 0 {
		t.Errorf("%d errors, the first: %s", len(r.problems), strings.Join(r.problems[:min(5, len(r.problems))], "\n"))
	}
	if r.charged != payments || r.pageLoads != pages {
		t.Errorf("charged %d of %d payments, loaded %d of %d pages", r.charged, payments, r.pageLoads, pages)
	}
}

// drive pays for payments orders at once, refunds every fourth in part,
// then loads their pages pages times in all.
func drive(t *testing.T, s *apptest.Server, payments, pages int) *result {
	var (
		r     result
		mu    sync.Mutex
		links []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
	run := func(n int, job func(i int)) time.Duration {
		jobs := make(chan int, n)
		for i := range n {
			jobs <- i
		}
		close(jobs)
		began := time.Now()
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					job(i)
				}
			}()
		}
		wg.Wait()
		return time.Since(began)
	}
	prefix := fmt.Sprintf("pgb%d", time.Now().UnixNano()%1e9)

	r.payTook = run(payments, func(i int) {
		orderID := fmt.Sprintf("%s-%d", prefix, i)
		resp := s.API(t, "POST", "/session", s.Session(orderID, "10", "9000000001"))
		if resp.Status != 200 {
			problem("session %s: %d %s", orderID, resp.Status, resp.Body)
			return
		}
		link, _ := resp.JSON(t)["payment_links"].(map[string]any)["web"].(string)
		sh := apptest.NewShopper(t, s.URL+"/sandbox/shop/return")
		for _, step := range []string{"", "pay-button", "consent-allow"} {
			if step == "" {
				sh.Get(link)
			} else if !sh.Has(step) {
				problem("order %s: no %s on %s (%d): %.300s", orderID, step, sh.URL, sh.Status, sh.Body)
				return
			} else {
				sh.Submit(step, nil)
			}
		}
		if loc := sh.Location(); !strings.Contains(loc, "status=CHARGED") {
			problem("order %s: returned to %q (%d): %.300s", orderID, loc, sh.Status, sh.Body)
			return
		}
		if o := s.API(t, "GET", "/orders/"+orderID, nil); o.Status != 200 || o.JSON(t)["status"] != "CHARGED" {
			problem("order %s status: %d %s", orderID, o.Status, o.Body)
			return
		}
		if i%4 == 0 {
			rf := s.API(t, "POST", "/orders/"+orderID+"/refunds",
				map[string]any{"unique_request_id": "rf-" + strconv.Itoa(i), "amount": "5"})
			if rf.Status != 200 {
				problem("refund %s: %d %s", orderID, rf.Status, rf.Body)
				return
			}
			mu.Lock()
			r.refunds++
			mu.Unlock()
		}
		mu.Lock()
		r.charged++
		links = append(links, link)
		mu.Unlock()
	})
	if len(links) == 0 {
		return &r
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	r.pagesTook = run(pages, func(i int) {
		link := links[i%len(links)]
		began := time.Now()
		resp, err := client.Get(link)
		if err != nil {
			problem("page %s: %v", link, err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(began)
		if resp.StatusCode != 200 {
			problem("page %s: %d", link, resp.StatusCode)
			return
		}
		mu.Lock()
		r.pageLoads++
		r.pageLatency = append(r.pageLatency, took)
		mu.Unlock()
	})
	return &r
}

// checkSettled runs the reconciler until the refunds are settled, then
// waits for every webhook to be delivered (the demo merchant's go to the
// demo shop on the same server), all through the pooler.
func checkSettled(t *testing.T, s *apptest.Server, refunds int) {
	t.Helper()
	s.Settle(t)
	var succeeded int
	if err := s.DB.SQL().Get(&succeeded, `SELECT count(*) FROM refunds WHERE status = 'SUCCESS'`); err != nil {
		t.Fatal(err)
	}
	if succeeded != refunds {
		t.Errorf("%d of %d refunds succeeded", succeeded, refunds)
	}
	var delivered, left int
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		err := s.DB.SQL().QueryRow(`SELECT count(*) FILTER (WHERE status = 'DELIVERED'),
			count(*) FILTER (WHERE status <> 'DELIVERED') FROM webhook_deliveries`).Scan(&delivered, &left)
		if err != nil {
			t.Fatal(err)
		}
		if left == 0 || time.Now().After(deadline) {
			break
		}
	}
	if left != 0 || delivered == 0 {
		t.Errorf("webhooks: %d delivered, %d not", delivered, left)
	}
	t.Logf("refunds settled: %d; webhooks delivered: %d", succeeded, delivered)
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive count", name, v)
	}
	return n
}
