package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/pgtest"
)

func pgtestDatabase(t *testing.T) string { return pgtest.NewDatabase(t, apptest.Migrate) }

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
	// The merchant answered; the dispatcher records that right after.
	pending := -1
	for deadline := time.Now().Add(5 * time.Second); pending != 0 && time.Now().Before(deadline); {
		if err := s.DB.SQL().Get(&pending, `SELECT count(*) FROM webhook_deliveries WHERE status <> 'DELIVERED'`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
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

// TestDeliveriesSurviveRestart: events written while the merchant's
// endpoint is down are delivered by the next instance once it is up.
func TestDeliveriesSurviveRestart(t *testing.T) {
	t.Parallel()
	dsn := pgtestDatabase(t)
	rcv := &apptest.Receiver{T: t}
	// While down the endpoint answers 503. (An unstarted server would
	// leave requests in its listen backlog, to be answered after the
	// restart as well as sent again.)
	var down atomic.Bool
	down.Store(true)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rcv.ServeHTTP(w, r)
	}))
	defer hook.Close()
	first := apptest.StartOn(t, dsn, nil)
	creds, err := first.Service.CreateMerchant(context.Background(), "test", checkout.NewMerchant{
		ID: "restart", Name: "Restart", ReturnURLPrefixes: []string{"https://restart.example/"},
		WebhookURL: "http://" + hook.Listener.Addr().String() + "/hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	rcv.Secret = creds.WebhookSecret
	body := first.Session("restart-1", "10", "9000000001")
	body["return_url"] = "https://restart.example/back"
	link := first.APIAs(t, "restart", creds.APIKey, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)
	apptest.NewShopper(t, "https://restart.example/").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)

	// The receiver is down: deliveries wait for their retry.
	deadline := time.Now().Add(5 * time.Second)
	var tried int
	for tried < 2 && time.Now().Before(deadline) {
		_ = first.DB.SQL().Get(&tried, `SELECT count(*) FROM webhook_deliveries WHERE attempts > 0 AND status = 'PENDING'`)
		time.Sleep(50 * time.Millisecond)
	}
	if tried < 2 {
		t.Fatalf("%d deliveries tried while the receiver was down", tried)
	}
	first.Stop()

	down.Store(false)
	second := apptest.StartOn(t, dsn, nil)
	// Let the retry be due now rather than in a minute.
	if _, err := second.DB.SQL().Exec(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'PENDING'`); err != nil {
		t.Fatal(err)
	}
	second.Webhooks.Notify()
	deadline = time.Now().Add(10 * time.Second)
	for {
		if distinct, _, _ := rcv.Counts(); distinct >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if distinct, dup, bad := rcv.Counts(); distinct != 2 || dup != 0 || bad != 0 {
		t.Errorf("after restart: %d distinct (want 2), %d duplicates, %d bad", distinct, dup, bad)
	}
}
