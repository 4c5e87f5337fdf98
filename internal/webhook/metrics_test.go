package webhook_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/metrics"
	"github.com/paypage/paypage/internal/webhook"
)

func TestDeliveryMetrics(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	rcv := newReceiver(t, m, 0, nil)
	rcv.fail.Store(1)
	addEvents(t, db, m, rcv.srv.URL, 2)
	met := metrics.New()
	d := webhook.New(webhook.Options{Store: db, Metrics: met, PollEvery: 10 * time.Millisecond,
		Schedule: []time.Duration{10 * time.Millisecond}})
	run(t, d) // its first loop also sets the queue gauge
	waitFor(t, 5*time.Second, "deliveries", func() bool { return countStatus(t, db, "DELIVERED") == 2 })

	rec := httptest.NewRecorder()
	met.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`paypage_webhook_deliveries_total{result="delivered"} 2`,
		`paypage_webhook_deliveries_total{result="retry"} 1`,
		`paypage_webhook_attempt_duration_seconds_count{result="delivered"} 2`,
		`paypage_webhook_queue_depth`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grep(text, "paypage_"))
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
