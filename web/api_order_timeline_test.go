package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
)

// timeline reads the demo merchant's order timeline until ready says it
// shows what the test waits for, or 10 s pass.
func timeline(t *testing.T, s *apptest.Server, orderID string, ready func([]map[string]any) bool) (apptest.Response, []map[string]any) {
	t.Helper()
	var r apptest.Response
	var entries []map[string]any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r = s.API(t, "GET", "/orders/"+orderID+"/timeline", nil)
		if r.Status != 200 {
			t.Fatalf("timeline: %d %s", r.Status, r.Body)
		}
		entries = entries[:0]
		for _, e := range r.JSON(t)["entries"].([]any) {
			entries = append(entries, e.(map[string]any))
		}
		if ready(entries) {
			break
		}
	}
	return r, entries
}

func hasKind(entries []map[string]any, kind string) bool {
	for _, e := range entries {
		if e["kind"] == kind {
			return true
		}
	}
	return false
}

// A real sandbox payment shows on the timeline: the status changes, the
// provider calls without tokens or the shopper's data, the webhook tries
// and the return, in time order.
func TestOrderTimelineOfAPayment(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "150")
	r, entries := timeline(t, s, orderID, func(es []map[string]any) bool { return hasKind(es, "webhook_attempt") })
	if got := r.JSON(t)["order_id"]; got != orderID {
		t.Errorf("order_id %v", got)
	}
	for _, kind := range []string{"status", "provider_call", "webhook_attempt", "return"} {
		if !hasKind(entries, kind) {
			t.Errorf("no %s entry in %s", kind, r.Body)
		}
	}
	var charged, charge bool
	var prev time.Time
	for _, e := range entries {
		at, err := time.Parse(time.RFC3339Nano, e["at"].(string))
		if err != nil || at.Before(prev) {
			t.Errorf("entry at %v after %v (%v)", e["at"], prev, err)
		}
		prev = at
		charged = charged || e["kind"] == "status" && e["object"] == "order" && e["to"] == "CHARGED"
		charge = charge || e["kind"] == "provider_call" && e["operation"] == "charge" && e["http_status"] != nil
		if e["kind"] == "webhook_attempt" && (e["event_id"] == "" || e["status_code"] == nil) {
			t.Errorf("webhook attempt %v", e)
		}
		if e["kind"] == "return" && e["method"] != "GET" {
			t.Errorf("return %v", e)
		}
	}
	if !charged || !charge {
		t.Errorf("charged %v, charge call %v: %s", charged, charge, r.Body)
	}
	for _, secret := range []string{"Atza", "9000000001", "shopper@example.com", "signature"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the timeline shows %q: %s", secret, r.Body)
		}
	}

	if r := s.API(t, "GET", "/orders/missing-1/timeline", nil); r.Status != 404 || r.JSON(t)["error_code"] != "order.not_found" {
		t.Errorf("unknown order: %d %s", r.Status, r.Body)
	}
}

// A payment through the provider's 2FA page shows the charge left pending
// and the status read that settled it.
func TestOrderTimelineOfATwoFactorPayment(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000005", "100", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if !sh.Has("otp-input") {
		t.Fatalf("no 2FA page:\n%s", sh.Body)
	}
	sh.Submit("otp-submit", map[string]string{"otp": sandbox.OTPApprove})
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("2FA return %s", got)
	}
	r, entries := timeline(t, s, orderID, func(es []map[string]any) bool { return hasKind(es, "return") })
	var ops []string
	for _, e := range entries {
		if e["kind"] == "provider_call" && e["operation"] != "offer" {
			ops = append(ops, e["operation"].(string))
		}
	}
	if len(ops) < 2 || ops[0] != "charge" || ops[len(ops)-1] != "charge_status" {
		t.Errorf("provider calls %v: %s", ops, r.Body)
	}
	for _, secret := range []string{"Atza", "9000000005", "shopper@example.com"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the timeline shows %q: %s", secret, r.Body)
		}
	}
}
