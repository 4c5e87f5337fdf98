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
	scrape := func() string {
		rec := httptest.NewRecorder()
		met.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		return string(body)
	}
	// A delivery is counted just after its row is marked, so wait for both.
	waitFor(t, 5*time.Second, "deliveries", func() bool {
		return countStatus(t, db, "DELIVERED") == 2 && strings.Contains(scrape(), `paypage_webhook_deliveries_total{result="delivered"} 2`)
	})
	text := scrape()
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
