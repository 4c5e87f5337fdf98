package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/metrics"
	"github.com/paypage/paypage/web"
)

type upDB struct{}

func (upDB) Ping(context.Context) error { return nil }

func serve(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestProductionListener: in production the public listener hides /metrics
// and sends HSTS on every answer, errors included; the sandbox keeps both
// as they were, since it runs on http://localhost.
func TestProductionListener(t *testing.T) {
	opts := web.Options{BaseURL: "https://pay.example", SecretKey: strings.Repeat("k", 32), DB: upDB{}, Metrics: metrics.New()}
	prod := web.NewServer(opts).Handler()
	if rec := serve(t, prod, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("production public /metrics: %d, want 404", rec.Code)
	}
	const hsts = "max-age=31536000; includeSubDomains"
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/no-such-page", "/orders/x"} {
		if got := serve(t, prod, path).Header().Get("Strict-Transport-Security"); got != hsts {
			t.Errorf("production %s: Strict-Transport-Security %q, want %q", path, got, hsts)
		}
	}

	opts.Sandbox, opts.BaseURL = true, "http://localhost:8080"
	sandbox := web.NewServer(opts).Handler()
	rec := serve(t, sandbox, "/metrics")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "paypage_http_requests_total") {
		t.Errorf("sandbox public /metrics: %d", rec.Code)
	}
	if got := serve(t, sandbox, "/healthz").Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("sandbox sends HSTS %q", got)
	}
}

// TestOpsHandler: metrics always, the profiler only when asked for.
func TestOpsHandler(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("health", http.MethodGet, 200, 0)
	off := web.OpsHandler(m, false)
	if rec := serve(t, off, "/metrics"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "paypage_http_requests_total") {
		t.Errorf("ops /metrics: %d", rec.Code)
	}
	if rec := serve(t, off, "/debug/pprof/"); rec.Code != http.StatusNotFound {
		t.Errorf("pprof served without PAYPAGE_PPROF: %d", rec.Code)
	}
	on := web.OpsHandler(m, true)
	rec := serve(t, on, "/debug/pprof/")
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("pprof with PAYPAGE_PPROF=1: %d", rec.Code)
	}
}
