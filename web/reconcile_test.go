package web_test

import (
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
)

func TestPendingSettlesWithoutBrowser(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "1s"})
	want := map[string]string{}
	for phone, status := range map[string]string{"9000000007": "CHARGED", "9000000008": "AUTHORIZATION_FAILED"} {
		orderID, link := newOrder(t, s, phone, "100", "")
		sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
		if !sh.Has("processing") {
			t.Fatalf("%s: not processing:\n%s", phone, sh.Body)
		}
		want[orderID] = status
	}
	// Nobody reloads the page: the background reconciler settles both on
	// Amazon's schedule (first look 5 s after the charge).
	deadline := time.Now().Add(20 * time.Second)
	for orderID, status := range want {
		for orderStatus(t, s, orderID)["status"] != status && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
		if got := orderStatus(t, s, orderID)["status"]; got != status {
			t.Errorf("order %s: %s, want %s", orderID, got, status)
		}
	}
}

// A charge on its way when the order expires is never given up: it ends
// as Amazon decides, here captured, and is not refunded.
func TestPendingChargeOutlivesExpiry(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "2s"})
	orderID, link := newOrder(t, s, "9000000007", "250", "")
	shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if _, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)
	if got := orderStatus(t, s, orderID)["status"]; got != "PENDING_VBV" {
		t.Fatalf("expired order with a pending charge: %s", got)
	}
	time.Sleep(2100 * time.Millisecond) // Amazon approves the charge now
	s.Settle(t)
	o := orderStatus(t, s, orderID)
	if o["status"] != "CHARGED" || o["refunds"] != nil || o["auto_refunds"] != nil {
		t.Fatalf("pending charge after expiry: %v, refunds %v, auto %v", o["status"], o["refunds"], o["auto_refunds"])
	}
	if c := s.Simulator.Charges("9000000007"); len(c) != 1 || c[0].Status != "CaptureApproved" || c[0].Refunded != 0 {
		t.Errorf("simulator: %+v", c)
	}
}

// An expired order whose attempt never sent its charge is closed, and the
// charge is never sent afterwards.
func TestExpiryClosesAnUnsentAttempt(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "250", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil)
	if !sh.Has("consent-allow") {
		t.Fatalf("not at consent:\n%s", sh.Body)
	}
	if _, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)
	if got := orderStatus(t, s, orderID)["status"]; got != "AUTHENTICATION_FAILED" {
		t.Fatalf("expired during consent: %s", got)
	}
	sh.Submit("consent-allow", nil) // the shopper comes back too late
	if got := orderStatus(t, s, orderID)["status"]; got != "AUTHENTICATION_FAILED" {
		t.Errorf("after a late consent: %s", got)
	}
	if n := len(s.Simulator.Charges("9000000001")); n != 0 {
		t.Errorf("%d charges after expiry", n)
	}
}

// A capture Amazon reports on an attempt it had refused (here: the link
// was revoked between the page and Pay, then Amazon holds the charge after
// all) is refunded once, reported apart from merchant refunds, and the
// order ends AUTO_REFUNDED.
func TestLateCaptureIsRefundedOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001"
	_, link := newOrder(t, s, phone, "10", "cust-late")
	shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	orderID, link := newOrder(t, s, phone, "250", "cust-late")
	sh := shopper(t, s).Get(link)
	credit := s.Simulator.Credit(phone)
	s.Simulator.RevokeLink(phone)
	sh.Submit("pay-button", nil)
	o := orderStatus(t, s, orderID)
	if o["status"] != "JUSPAY_DECLINED" {
		t.Fatalf("charge with a revoked link: %v", o["status"])
	}
	var chargeID string
	if err := s.DB.SQL().Get(&chargeID, `SELECT charge_id FROM attempts WHERE id = $1`, o["txn_uuid"]); err != nil {
		t.Fatal(err)
	}
	s.Simulator.ForceCapture(chargeID, phone, 25000)
	for i := 0; i < 3; i++ {
		s.Settle(t)
	}
	o = orderStatus(t, s, orderID)
	if o["status"] != "AUTO_REFUNDED" || o["status_id"] != float64(36) || o["refunded"] != true {
		t.Fatalf("late capture: %v refunded %v", o["status"], o["refunded"])
	}
	auto, _ := o["auto_refunds"].([]any)
	if len(auto) != 1 || auto[0].(map[string]any)["status"] != "SUCCESS" || o["refunds"] != nil {
		t.Errorf("refunds %v, auto refunds %v", o["refunds"], auto)
	}
	var late []sandbox.ChargeRecord
	for _, c := range s.Simulator.Charges(phone) {
		if c.ChargeID == chargeID {
			late = append(late, c)
		}
	}
	if len(late) != 1 || late[0].Refunded != 25000 {
		t.Errorf("simulator: %+v", late)
	}
	if got := s.Simulator.Credit(phone); got != credit {
		t.Errorf("credit %d after auto-refund, want %d", got, credit)
	}
	var events []string
	if err := s.DB.SQL().Select(&events, `SELECT e.event_name FROM events e JOIN orders o ON o.id = e.order_id
		WHERE o.order_id = $1 ORDER BY e.created_at`, orderID); err != nil {
		t.Fatal(err)
	}
	want := []string{"TXN_CREATED", "ORDER_FAILED", "AUTO_REFUND_SUCCEEDED"}
	if len(events) != len(want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Errorf("events %v, want %v", events, want)
		}
	}
}

func TestEventsAreWrittenWithTheirChange(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "100")
	if r := refund(t, s, orderID, "ev-1", "100"); r.Status != 200 {
		t.Fatalf("refund %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	var rows []struct {
		Name   string `db:"event_name"`
		URL    string `db:"url"`
		Status string `db:"status"`
	}
	if err := s.DB.SQL().Select(&rows, `SELECT e.event_name, d.url, e.payload->'content'->'order'->>'status' AS status
		FROM events e JOIN orders o ON o.id = e.order_id JOIN webhook_deliveries d ON d.event_id = e.id
		WHERE o.order_id = $1 ORDER BY e.created_at`, orderID); err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"TXN_CREATED", "PENDING_VBV"}, {"ORDER_SUCCEEDED", "CHARGED"}, {"ORDER_REFUNDED", "CHARGED"}}
	if len(rows) != len(want) {
		t.Fatalf("events %+v", rows)
	}
	for i, w := range want {
		if rows[i].Name != w[0] || rows[i].Status != w[1] || rows[i].URL != s.URL+"/sandbox/shop/webhooks" {
			t.Errorf("event %d: %+v, want %v", i, rows[i], w)
		}
	}
}
