package webhook_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/demoshop"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
	"github.com/paypage/paypage/internal/webhook"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newDB returns a store on a fresh migrated database.
func newDB(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := pgtest.NewDatabase(t, apptest.Migrate)
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// merchantCreds are the webhook credentials of a test merchant.
type merchantCreds struct{ id, user, pass, secret string }

func addMerchant(t testing.TB, db *postgres.DB, id string) merchantCreds {
	t.Helper()
	m := merchantCreds{id: id, user: id + "user", pass: id + "-pass",
		secret: "whsec_" + base64.StdEncoding.EncodeToString([]byte(id+"-secret"))}
	hash := sha256.Sum256([]byte(id))
	_, err := db.SQL().Exec(`INSERT INTO merchants (id, name, api_key_hash, response_key,
		webhook_username, webhook_password, webhook_secret) VALUES ($1, $1, $2, 'rk', $3, $4, $5)`,
		id, hash[:], m.user, m.pass, m.secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SQL().Exec(`INSERT INTO orders (id, merchant_id, order_id, amount, currency,
		customer_id, return_url, expires_at) VALUES ($1, $2, 'o1', 100, 'INR', 'c1', 'https://shop/ret', now() + interval '1 hour')`,
		"ordeh_"+id, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// addEvents inserts n events of merchant m, each with a PENDING delivery to
// url due now, and returns their ids in order.
func addEvents(t testing.TB, db *postgres.DB, m merchantCreds, url string, n int) []string {
	t.Helper()
	var ids []string
	err := db.SQL().Select(&ids, `
		WITH ev AS (
			INSERT INTO events (id, merchant_id, order_id, event_name, payload)
			SELECT 'evt_' || $1 || '_' || i, $1, 'ordeh_' || $1, 'ORDER_SUCCEEDED',
				jsonb_build_object('id', 'evt_' || $1 || '_' || i, 'event_name', 'ORDER_SUCCEEDED',
					'date_created', '2025-01-02T03:04:05Z',
					'content', jsonb_build_object('order', jsonb_build_object('order_id', 'o1', 'status', 'CHARGED', 'amount', 1.5, 'note', 'ünïcode <&>')))
			FROM generate_series((SELECT count(*) FROM events WHERE merchant_id = $1) + 1,
				(SELECT count(*) FROM events WHERE merchant_id = $1) + $3) AS i
			RETURNING id
		)
		INSERT INTO webhook_deliveries (event_id, url, next_attempt_at)
		SELECT id, $2, now() - interval '1 second' FROM ev
		RETURNING event_id`, m.id, url, n)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// deliveryRow is a webhook_deliveries row as tests look at it.
type deliveryRow struct {
	Status   string `db:"status"`
	Attempts int    `db:"attempts"`
	Code     *int   `db:"last_status_code"`
	Tries    int    `db:"tries"`
}

func delivery(t testing.TB, db *postgres.DB, id string) deliveryRow {
	t.Helper()
	var r deliveryRow
	err := db.SQL().Get(&r, `SELECT status, attempts, last_status_code,
		(SELECT count(*) FROM webhook_attempts a WHERE a.event_id = d.event_id) AS tries
		FROM webhook_deliveries d WHERE event_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func countStatus(t testing.TB, db *postgres.DB, status string) int {
	t.Helper()
	var n int
	if err := db.SQL().Get(&n, `SELECT count(*) FROM webhook_deliveries WHERE status = $1`, status); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// receiver is a merchant endpoint that checks every webhook with both
// webhook.Verify and demoshop.VerifyWebhook and remembers what arrived.
type receiver struct {
	m     merchantCreds
	srv   *httptest.Server
	fail  atomic.Int32 // answer 500 to this many more requests
	delay time.Duration
	now   func() time.Time // the receiver's clock, for the timestamp check

	mu     sync.Mutex
	hits   map[string]int
	bodies map[string][][]byte
	bad    []string
}

// newReceiver starts a receiver that answers after delay; now is its clock
// (time.Now when nil).
func newReceiver(t testing.TB, m merchantCreds, delay time.Duration, now func() time.Time) *receiver {
	if now == nil {
		now = time.Now
	}
	r := &receiver{m: m, delay: delay, now: now, hits: map[string]int{}, bodies: map[string][][]byte{}}
	r.srv = httptest.NewServer(r)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	var problem string
	if u, p, ok := req.BasicAuth(); !ok || u != r.m.user || p != r.m.pass {
		problem = "basic auth"
	} else if req.Header.Get("Content-Type") != "application/json" {
		problem = "content type"
	} else if err := webhook.Verify(r.m.secret, req.Header, body, r.now(), time.Minute); err != nil {
		problem = "Verify: " + err.Error()
	} else if err := demoshop.VerifyWebhook(r.m.secret, req.Header, body, r.now()); err != nil {
		problem = "demoshop.VerifyWebhook: " + err.Error()
	}
	r.mu.Lock()
	r.hits[id]++
	r.bodies[id] = append(r.bodies[id], body)
	if problem != "" {
		r.bad = append(r.bad, fmt.Sprintf("%s: %s", id, problem))
	}
	r.mu.Unlock()
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-req.Context().Done():
			return
		}
	}
	if problem != "" || r.fail.Add(-1) >= 0 {
		http.Error(w, "nope", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) stats() (hits map[string]int, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hits = map[string]int{}
	for k, v := range r.hits {
		hits[k] = v
	}
	return hits, append([]string(nil), r.bad...)
}

func (r *receiver) checkVerified(t testing.TB) {
	t.Helper()
	if _, bad := r.stats(); len(bad) > 0 {
		t.Errorf("receiver rejected %d webhooks, first: %s", len(bad), bad[0])
	}
}

// freeAddr returns a loopback address nothing listens on (for now).
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// clock is a controllable Now: real time plus an offset.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

// run starts d.Run until the test ends.
func run(t testing.TB, d *webhook.Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}
