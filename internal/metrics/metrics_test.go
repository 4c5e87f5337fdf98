package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/metrics"
)

func TestNilMetricsDoNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("pay.show", "GET", 200, time.Millisecond)
	m.AttemptFinished("CHARGED")
	m.WebhookDelivered("delivered", time.Millisecond)
	m.SetWebhookQueue(3)
	m.ReconcilerLag(time.Second)
	m.ReconcilerSettled("CHARGED")
	m.WatchEmbeddedPostgres(func() int64 { return 1 })
	m.WatchPrefetch(func() (int64, int64) { return 1, 1 })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Handler status = %d, want 404", rec.Code)
	}
}

func TestHandlerServesEveryMetric(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("api.order.create", "POST", 200, 20*time.Millisecond)
	m.AttemptFinished("CHARGED")
	m.WebhookDelivered("retry", time.Second)
	m.SetWebhookQueue(7)
	m.ReconcilerLag(-time.Second) // clock skew must not panic or go negative
	m.ReconcilerSettled("AUTHORIZATION_FAILED")
	m.WatchEmbeddedPostgres(func() int64 { return 2 })
	m.WatchPrefetch(func() (int64, int64) { return 5, 1 })

	// Two instances in one process must not collide on a global registry.
	_ = metrics.New()

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`paypage_http_requests_total{method="POST",route="api.order.create",status="200"} 1`,
		`paypage_http_request_duration_seconds_count{route="api.order.create"} 1`,
		`paypage_attempts_total{outcome="CHARGED"} 1`,
		`paypage_webhook_deliveries_total{result="retry"} 1`,
		`paypage_webhook_queue_depth 7`,
		`paypage_reconciler_lag_seconds_bucket{le="0.1"} 1`,
		`paypage_reconciler_settled_total{outcome="AUTHORIZATION_FAILED"} 1`,
		`paypage_embedded_postgres_restarts_total 2`,
		`paypage_prefetches_total{result="started"} 5`,
		`paypage_prefetches_total{result="skipped"} 1`,
		`go_goroutines`,
		`process_`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
