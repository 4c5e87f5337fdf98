// Package apptest starts a whole paypage server for tests: a fresh migrated
// database from internal/pgtest, the real router, the mounted Amazon Pay
// simulator and background workers, listening on a loopback port. It also
// offers a small HTTP client for the merchant API. Every merchant API answer
// these servers give is checked against the OpenAPI document (openapi.go).
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/app"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// Server is a running test instance.
type Server struct {
	*app.App
	URL string // base URL, e.g. http://127.0.0.1:41234
	DSN string

	stop func()
}

// Migrate prepares pgtest's template database.
func Migrate(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// Start runs a sandbox server on its own database until the test ends.
// env overrides configuration variables.
func Start(t testing.TB, env map[string]string) *Server {
	t.Helper()
	return StartOn(t, pgtest.NewDatabase(t, Migrate), env)
}

// StartOn is Start on an existing database, for tests that run several
// instances against one PostgreSQL.
func StartOn(t testing.TB, dsn string, env map[string]string) *Server {
	t.Helper()
	ln, _ := Listen(t)
	return StartListening(t, dsn, ln, env)
}

// Listen opens the loopback listener a server will answer on, for tests
// that need its base URL before the server starts (for example to put a
// proxy in front of its simulator).
func Listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// StartListening is StartOn with the listener from Listen.
func StartListening(t testing.TB, dsn string, ln net.Listener, env map[string]string) *Server {
	t.Helper()
	return StartLogging(t, dsn, ln, env, nil)
}

// StartLogging is StartListening with the server's logger, for tests that
// read what it logs; nil logs warnings to stderr (all with PAYPAGE_TEST_LOG).
func StartLogging(t testing.TB, dsn string, ln net.Listener, env map[string]string, log *slog.Logger) *Server {
	t.Helper()
	base := "http://" + ln.Addr().String()
	vars := map[string]string{
		"DATABASE_URL":       dsn,
		"PAYPAGE_BASE_URL":   base,
		"PAYPAGE_DATA_DIR":   t.TempDir(),
		"PAYPAGE_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
		// Many servers share a test binary: no fixed operator's port unless
		// a test asks for one (127.0.0.1:0 picks a free one).
		"PAYPAGE_OPS_ADDR": "off",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if log == nil {
		level := slog.LevelWarn
		if os.Getenv("PAYPAGE_TEST_LOG") != "" {
			level = slog.LevelDebug
		}
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	// Check every merchant API answer, and every webhook the demo shop
	// receives, against the OpenAPI document; not in benchmarks, whose
	// timings and allocations would count the check.
	if _, bench := t.(*testing.B); !bench {
		a.Server.Echo().Pre(validateEcho(t))
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	s := &Server{App: a, URL: base, DSN: dsn}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			a.Close(context.Background())
		})
	}
	t.Cleanup(s.stop)
	return s
}

// Stop shuts the instance down as SIGTERM would: requests drain, workers
// stop, the database stays.
func (s *Server) Stop() { s.stop() }

// Response is a decoded API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.Body)
	}
	return m
}

// API sends a merchant API request with the demo merchant's credentials.
// body may be nil, a string (sent as is) or anything JSON-encodable.
func (s *Server) API(t testing.TB, method, path string, body any) Response {
	t.Helper()
	return s.APIAs(t, s.Demo.MerchantID, s.Demo.APIKey, method, path, body)
}

// APIAs is API with explicit credentials.
func (s *Server) APIAs(t testing.TB, merchantID, apiKey, method, path string, body any) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if apiKey != "" {
		req.SetBasicAuth(apiKey, "")
	}
	if merchantID != "" {
		req.Header.Set("x-merchantid", merchantID)
	}
	return Do(t, req)
}

// Session is a valid POST /session body for the demo merchant; callers
// change fields as they need.
func (s *Server) Session(orderID, amount, phone string) map[string]any {
	return map[string]any{
		"order_id": orderID, "amount": amount, "currency": "INR", "customer_id": "cust-" + orderID,
		"customer_phone": phone, "customer_email": "shopper@example.com",
		"return_url": s.URL + app.DemoShopPath + "/return", "description": "Test order " + orderID,
	}
}

// Do sends req and reads the answer.
func Do(t testing.TB, req *http.Request) Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Settle makes every scheduled status check due at once, as if the waits
// had passed, then runs reconciler rounds until nothing is left to do.
func (s *Server) Settle(t testing.TB) {
	t.Helper()
	due := func(q string) {
		if _, err := s.DB.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	const refundsDue = `UPDATE refunds SET next_check_at = now() WHERE status = 'PENDING'`
	due(`UPDATE attempts SET next_check_at = now() WHERE watch`)
	due(refundsDue)
	// The instance's own reconciler may hold a refund while this runs; a
	// refund it holds is not due here, so look again for a moment before
	// leaving refunds still pending. (Attempts are made due once only:
	// tests count the status reads they cause.)
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; i < 100; i++ {
		n, err := s.Reconciler.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			continue
		}
		var open int
		if err := s.DB.SQL().Get(&open, `SELECT count(*) FROM refunds WHERE status = 'PENDING'`); err != nil {
			t.Fatal(err)
		}
		if open == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(50 * time.Millisecond)
		due(refundsDue)
	}
}
