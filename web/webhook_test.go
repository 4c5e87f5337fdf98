package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
)

func TestWebhooksReachTheMerchant(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "120")
	if r := refund(t, s, orderID, "wh-1", "20"); r.Status != 200 {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	want := map[string]bool{"TXN_CREATED": false, "ORDER_SUCCEEDED": false, "ORDER_REFUNDED": false}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, w := range s.Shop.Webhooks() {
			if w.OrderID != orderID {
				continue
			}
			if !w.Verified {
				t.Fatalf("webhook %s not verified: %s", w.EventName, w.Reason)
			}
			want[w.EventName] = true
		}
		done := true
		for _, got := range want {
			done = done && got
		}
		if done {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for name, got := range want {
		if !got {
			t.Errorf("no verified %s webhook", name)
		}
	}
	var pending int
	if err := s.DB.SQL().Get(&pending, `SELECT count(*) FROM webhook_deliveries WHERE status <> 'DELIVERED'`); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d deliveries not delivered", pending)
	}

	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"paypage_http_requests_total", `paypage_attempts_total{outcome="CHARGED"}`, "paypage_webhook_deliveries_total", "paypage_reconciler_lag_seconds"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
