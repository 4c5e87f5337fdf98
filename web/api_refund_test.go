package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// chargedOrder pays a fresh order as a returning customer and returns its id.
func chargedOrder(t *testing.T, s *apptest.Server, amount string) string {
	t.Helper()
	orderID, link := newOrder(t, s, "9000000001", amount, "cust-refunds")
	sh := shopper(t, s).Get(link)
	if sh.Has("available-credit") {
		sh.Submit("pay-button", nil)
	} else {
		sh.Submit("pay-button", nil).Submit("consent-allow", nil)
	}
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("payment: %s", got)
	}
	return orderID
}

func refund(t *testing.T, s *apptest.Server, orderID, reqID, amount string) apptest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/orders/"+orderID+"/refunds",
		strings.NewReader(url.Values{"unique_request_id": {reqID}, "amount": {amount}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.Demo.APIKey, "")
	req.Header.Set("x-merchantid", "demo")
	return apptest.Do(t, req)
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "1000")
	credit := s.Simulator.Credit("9000000001")

	r := refund(t, s, orderID, "rf-1", "400.50")
	if r.Status != 200 {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	o := r.JSON(t)
	refunds := o["refunds"].([]any)
	first := refunds[0].(map[string]any)
	if len(refunds) != 1 || first["unique_request_id"] != "rf-1" || first["amount"] != 400.5 || first["refund_source"] != "AMAZONPAY" {
		t.Fatalf("refunds: %v", refunds)
	}
	if first["status"] != "SUCCESS" && first["status"] != "PENDING" {
		t.Errorf("refund status %v", first["status"])
	}

	// JSON body works too.
	j := s.API(t, "POST", "/orders/"+orderID+"/refunds", map[string]any{"unique_request_id": "rf-2", "amount": 99.5})
	if j.Status != 200 {
		t.Fatalf("json refund: %d %s", j.Status, j.Body)
	}
	// Errors.
	for _, tt := range []struct{ id, amount, code string }{
		{"rf-1", "1", "duplicate.call"},
		{"rf-3", "500.01", "invalid.amount.exceeded"},
		{"rf-4", "0", "invalid.request"},
		{"", "1", "invalid.request"},
		{"bad id!", "1", "invalid.request"},
		{"rf-5", "1.001", "invalid.request"},
	} {
		r := refund(t, s, orderID, tt.id, tt.amount)
		if r.Status != 400 || r.JSON(t)["error_code"] != tt.code {
			t.Errorf("refund %q %q: %d %s", tt.id, tt.amount, r.Status, r.Body)
		}
	}
	// The rest, exactly.
	if r := refund(t, s, orderID, "rf-6", "500"); r.Status != 200 {
		t.Fatalf("last refund: %d %s", r.Status, r.Body)
	}
	settle(t, s)
	o = orderStatus(t, s, orderID)
	if o["refunded"] != true || o["amount_refunded"] != 1000.0 || len(o["refunds"].([]any)) != 3 {
		t.Errorf("after full refund: refunded=%v amount_refunded=%v refunds=%v", o["refunded"], o["amount_refunded"], o["refunds"])
	}
	if got := s.Simulator.Credit("9000000001"); got != credit+100000 {
		t.Errorf("credit %d, want %d", got, credit+100000)
	}
	// Not CHARGED: refused; unknown order: 404.
	other, _ := newOrder(t, s, "9000000001", "10", "")
	if r := refund(t, s, other, "rf-x", "1"); r.Status != 400 {
		t.Errorf("refund of a NEW order: %d %s", r.Status, r.Body)
	}
	if r := refund(t, s, "missing", "rf-x", "1"); r.Status != 404 {
		t.Errorf("refund of an unknown order: %d %s", r.Status, r.Body)
	}
}

func TestConcurrentRefundsNeverOverRefund(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "100")
	var wg sync.WaitGroup
	ok := make(chan bool, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := refund(t, s, orderID, fmt.Sprintf("par-%d", i), "30")
			ok <- r.Status == 200
		}(i)
	}
	wg.Wait()
	close(ok)
	n := 0
	for b := range ok {
		if b {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d refunds of 30 accepted against 100", n)
	}
	var sum int64
	if err := s.DB.SQL().Get(&sum, `SELECT COALESCE(sum(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE o.order_id = $1 AND r.status <> 'FAILURE'`, orderID); err != nil {
		t.Fatal(err)
	}
	if sum > 10000 {
		t.Errorf("refunded %d paise of 10000", sum)
	}
}
