// Package metrics holds paypage's Prometheus instruments on a registry of
// its own, and serves them for /metrics. Other packages report through its
// small methods (ObserveRequest, WebhookDelivered, ...) and never touch
// Prometheus types; every method is safe on a nil *Metrics, so tests and
// callers that do not care about metrics pass nil and need no checks.
//
// Label values must come from small fixed sets (route names, outcomes), never
// from request data, so the number of series stays bounded.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of paypage's instruments and the registry they live in.
type Metrics struct {
	// Registry holds only paypage's collectors plus the Go and process
	// collectors, so several instances in one test binary do not clash.
	Registry *prometheus.Registry

	requests          *prometheus.CounterVec
	requestDuration   *prometheus.HistogramVec
	attempts          *prometheus.CounterVec
	webhookDeliveries *prometheus.CounterVec
	webhookDuration   *prometheus.HistogramVec
	webhookQueue      prometheus.Gauge
	reconcilerLag     prometheus.Histogram
	reconcilerSettled *prometheus.CounterVec
	refundsReview     *prometheus.CounterVec
}

// New builds the instruments and registers them on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paypage_http_requests_total",
			Help: "HTTP requests answered, by route name, method and status code.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "paypage_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route name.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paypage_attempts_total",
			Help: "Payment attempts that reached an outcome, by outcome.",
		}, []string{"outcome"}),
		webhookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paypage_webhook_deliveries_total",
			Help: "Webhook HTTP attempts, by result: delivered, retry (scheduled again) or failed (schedule exhausted).",
		}, []string{"result"}),
		webhookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "paypage_webhook_attempt_duration_seconds",
			Help:    "Time a webhook HTTP attempt took, by result.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"result"}),
		webhookQueue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "paypage_webhook_queue_depth",
			Help: "Pending webhook deliveries, due now or later, as last counted by a dispatcher.",
		}),
		reconcilerLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "paypage_reconciler_lag_seconds",
			Help:    "Delay between a pending attempt becoming due for a check and the reconciler checking it.",
			Buckets: []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}),
		reconcilerSettled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paypage_reconciler_settled_total",
			Help: "Attempts the reconciler checked, by outcome.",
		}, []string{"outcome"}),
		refundsReview: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paypage_refunds_manual_review_total",
			Help: "Refunds moved to MANUAL_REVIEW (refused, or no final answer from Amazon within a day), by kind: automatic or merchant.",
		}, []string{"kind"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.attempts,
		m.webhookDeliveries, m.webhookDuration, m.webhookQueue,
		m.reconcilerLag, m.reconcilerSettled, m.refundsReview,
	)
	return m
}

// Handler serves the registry in the Prometheus text format. On a nil
// *Metrics it answers 404, so a route can be mounted unconditionally.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	// The server compresses responses itself.
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry, DisableCompression: true})
}

// ObserveRequest counts one answered request. route is the route name
// (e.g. "api.order.create"), not the raw path, to keep series bounded.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(route).Observe(d.Seconds())
}

// AttemptFinished counts a payment attempt that reached outcome (for
// example CHARGED, AUTHORIZATION_FAILED).
func (m *Metrics) AttemptFinished(outcome string) {
	if m == nil {
		return
	}
	m.attempts.WithLabelValues(outcome).Inc()
}

// WebhookDelivered counts one webhook HTTP attempt and how long it took.
// result is "delivered", "retry" or "failed".
func (m *Metrics) WebhookDelivered(result string, d time.Duration) {
	if m == nil {
		return
	}
	m.webhookDeliveries.WithLabelValues(result).Inc()
	m.webhookDuration.WithLabelValues(result).Observe(d.Seconds())
}

// SetWebhookQueue records the number of pending webhook deliveries.
func (m *Metrics) SetWebhookQueue(depth int) {
	if m == nil {
		return
	}
	m.webhookQueue.Set(float64(depth))
}

// ReconcilerLag records how late the reconciler checked a due attempt.
func (m *Metrics) ReconcilerLag(d time.Duration) {
	if m == nil {
		return
	}
	if d < 0 {
		d = 0
	}
	m.reconcilerLag.Observe(d.Seconds())
}

// ReconcilerSettled counts an attempt the reconciler checked, by outcome.
func (m *Metrics) ReconcilerSettled(outcome string) {
	if m == nil {
		return
	}
	m.reconcilerSettled.WithLabelValues(outcome).Inc()
}

// RefundManualReview counts a refund that went to MANUAL_REVIEW.
func (m *Metrics) RefundManualReview(automatic bool) {
	if m == nil {
		return
	}
	kind := "merchant"
	if automatic {
		kind = "automatic"
	}
	m.refundsReview.WithLabelValues(kind).Inc()
}

// WatchPrefetch exports, read at each scrape, how many prefetches of the
// page's offers this process started at session create and how many it
// skipped because its limit of prefetches was already in flight (those pages ask
// Amazon themselves).
func (m *Metrics) WatchPrefetch(stats func() (started, skipped int64)) {
	if m == nil {
		return
	}
	for _, c := range []struct {
		result string
		read   func() int64
	}{
		{"started", func() int64 { n, _ := stats(); return n }},
		{"skipped", func() int64 { _, n := stats(); return n }},
	} {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "paypage_prefetches_total",
			Help:        "Prefetches of the payment page's offers at session create, by whether they started or were skipped at the in-flight limit.",
			ConstLabels: prometheus.Labels{"result": c.result},
		}, func() float64 { return float64(c.read()) }))
	}
}

// WatchEmbeddedPostgres exports restarts, read at each scrape, as the number
// of times this process restarted its embedded PostgreSQL after it died.
// Call it once, and only for a cluster this process owns.
func (m *Metrics) WatchEmbeddedPostgres(restarts func() int64) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "paypage_embedded_postgres_restarts_total",
		Help: "Times this process restarted its embedded PostgreSQL after it exited unexpectedly.",
	}, func() float64 { return float64(restarts()) }))
}
