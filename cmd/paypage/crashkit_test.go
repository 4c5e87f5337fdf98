package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/webhook"
	"github.com/paypage/paypage/web"
)

// Helpers for the tests that kill paypage or its PostgreSQL and look at
// what is left afterwards.

// amazonInTest runs the Amazon Pay simulator in the test process, so that
// it outlives a kill -9 of paypage, and returns it with the environment
// that points a paypage serving at addr to it. Its state is in a database
// of its own on pgtest's server, which outlives a kill -9 of paypage's
// embedded PostgreSQL.
func amazonInTest(t *testing.T, addr string, pendingDelay time.Duration) (*sandbox.Simulator, []string) {
	t.Helper()
	sim := sandbox.New(sandbox.Options{
		DB: sqlDB(t, pgtest.NewDatabase(t, apptest.Migrate)), Prefix: config.SandboxPath, RedirectURIs: []string{"http://" + addr + web.ConsentReturnPath}, PendingDelay: pendingDelay,
	})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, []string{
		"AMAZONPAY_BASE_URL=" + srv.URL + config.SandboxPath, "AMAZONPAY_LWA_URL=" + srv.URL + config.SandboxPath + "/lwa",
	}
}

// sqlDB opens a pool on dsn for a simulator in the test process, closed
// when the test ends.
func sqlDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// apiClient bounds every merchant API call, so that none outlives a test
// that is killing servers under it.
var apiClient = &http.Client{Timeout: 20 * time.Second}

// merchantAPI calls paypage's merchant API as one merchant. A failed call
// comes back as status 0 rather than failing the test, so that goroutines
// and calls racing a kill can use it. Its client checks each answer
// against the OpenAPI document.
type merchantAPI struct {
	base, merchantID, apiKey string
	client                   *http.Client
}

// checkedClient is apiClient checking each merchant API answer against
// the OpenAPI document, failing t on a mismatch.
func checkedClient(t *testing.T) *http.Client {
	return &http.Client{Timeout: apiClient.Timeout, Transport: apptest.ValidatingTransport(t, nil)}
}

// demoAPI is the API as the demo merchant whose key s printed in its banner.
func demoAPI(t *testing.T, s *server) merchantAPI {
	t.Helper()
	key := regexp.MustCompile(`api_key=(\S+)`).FindStringSubmatch(s.stdout.String())
	if key == nil {
		t.Fatalf("no api key in banner:\n%s", s.stdout)
	}
	return merchantAPI{base: s.base, merchantID: "demo", apiKey: key[1], client: checkedClient(t)}
}

func (m merchantAPI) call(method, path string, body any) (int, map[string]any) {
	code, out, _ := m.do(method, path, body)
	return code, out
}

// do is call that also says why there was no answer.
func (m merchantAPI) do(method, path string, body any) (int, map[string]any, error) {
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, m.base+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-merchantid", m.merchantID)
	req.SetBasicAuth(m.apiKey, "")
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, nil
}

// clusterDB connects to the embedded cluster in data dir as its superuser,
// over TCP on the port that postmaster.pid names now: a server restarted
// after a kill may listen on another one. The caller closes it.
func clusterDB(data string) (*sqlx.DB, error) {
	pid, err := os.ReadFile(filepath.Join(data, "pg", "postmaster.pid"))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return nil, fmt.Errorf("short postmaster.pid: %q", pid)
	}
	pass, err := os.ReadFile(filepath.Join(data, "pg.pass"))
	if err != nil {
		return nil, err
	}
	dsn := url.URL{
		Scheme: "postgres", User: url.UserPassword("postgres", strings.TrimSpace(string(pass))),
		Host: "127.0.0.1:" + strings.TrimSpace(lines[3]), Path: "/paypage", RawQuery: "sslmode=disable&connect_timeout=5",
	}
	db, err := sqlx.Open("postgres", dsn.String())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// letTimePass makes the attempts still open look old, as if the minutes
// had passed after which Amazon's "no such charge" is final and an
// abandoned consent page is given up, and makes every scheduled status
// check, refund job and webhook retry due now, as if its back-off or the
// lease of a worker that died had run out. The running server's workers
// then do the rest. Leases taken in the last 5 seconds (a status check's
// or refund job's 30 s, a webhook try's 2 min) are left alone: their
// worker is alive and at it.
func letTimePass(ctx context.Context, db *sqlx.DB) error {
	for _, q := range []string{
		`UPDATE attempts SET created_at = created_at - interval '40 minutes',
			charge_sent_at = charge_sent_at - interval '20 minutes'
			WHERE status IN ('AWAITING_CONSENT', 'PENDING') OR watch`,
		`UPDATE attempts SET next_check_at = now(), checking_until = '-infinity'
			WHERE (status IN ('AWAITING_CONSENT', 'PENDING') OR watch) AND checking_until < now() + interval '25 seconds'`,
		`UPDATE refunds SET next_check_at = now() WHERE status IN ('PENDING', 'MANUAL_REVIEW')
			AND next_check_at NOT BETWEEN now() + interval '25 seconds' AND now() + interval '30 seconds'`,
		`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'PENDING'
			AND next_attempt_at NOT BETWEEN now() + interval '115 seconds' AND now() + interval '120 seconds'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// hookLog is the merchant's webhook endpoint. It checks each delivery's
// signature (and, with check set, the delivery against the OpenAPI
// document), counts it by webhook-id and answers 204 only after a pause,
// so that deliveries are on their way when a server dies.
type hookLog struct {
	pause time.Duration
	check func(http.Header, []byte)

	mu      sync.Mutex
	secret  string
	seen    map[string]int
	body    map[string]string // the first delivery of each id
	bad     int               // signatures that did not verify
	changed int               // repeats whose body differed from the first
}

func (h *hookLog) setSecret(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secret = s
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if h.check != nil {
		h.check(r.Header, raw)
	}
	id := r.Header.Get("webhook-id")
	h.mu.Lock()
	err := webhook.Verify(h.secret, r.Header, raw, time.Now(), webhook.DefaultTolerance)
	switch {
	case err != nil:
		h.bad++
	case h.seen[id] == 0:
		if h.seen == nil {
			h.seen, h.body = map[string]int{}, map[string]string{}
		}
		h.seen[id], h.body[id] = 1, string(raw)
	default:
		h.seen[id]++
		if h.body[id] != string(raw) {
			h.changed++
		}
	}
	h.mu.Unlock()
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	time.Sleep(h.pause)
	w.WriteHeader(http.StatusNoContent)
}

// deliveries counts the verified deliveries by webhook-id.
func (h *hookLog) deliveries() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.seen)
}

func (h *hookLog) problems() (bad, changed int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bad, h.changed
}
