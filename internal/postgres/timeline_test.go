package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/webhook"
)

// Every status move lands on the timeline in the transaction of the move,
// next to the provider calls and webhook tries, in time order.
func TestOrderTimeline(t *testing.T) {
	t.Parallel()
	db, o := storeFixture(t)
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `UPDATE merchants SET webhook_url = 'https://shop.example/hook'`); err != nil {
		t.Fatal(err)
	}
	a, _, _, err := db.StartAttempt(ctx, checkout.NewAttempt(o, creditKind, true), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordTimeline(ctx, checkout.TimelineEntry{OrderID: o.ID, At: time.Now(), Kind: checkout.TimelineProviderCall,
		Fields: map[string]any{"operation": "charge", "http_status": 200}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkChargeSent(ctx, a.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.MoveAttempt(ctx, a.ID, checkout.AttemptPending, checkout.AttemptCharged, checkout.AttemptUpdate{Settled: true}); err != nil {
		t.Fatal(err)
	}
	r, _, err := db.CreateRefund(ctx, o.ID, checkout.Refund{ID: checkout.NewRefundID(), OrderID: o.ID,
		UniqueRequestID: "r1", Amount: 100, Status: checkout.RefundPending}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRefund(ctx, r.ID, checkout.RefundPending, checkout.RefundSuccess, checkout.RefundUpdate{}); err != nil {
		t.Fatal(err)
	}
	ds, err := db.ClaimWebhookDeliveries(ctx, time.Now().Add(time.Minute), time.Now().Add(2*time.Minute), 1)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v %v", ds, err)
	}
	next := time.Now().Add(time.Hour)
	if err := db.RecordWebhookAttempt(ctx, webhook.Result{EventID: ds[0].EventID, Attempt: 1, Status: webhook.StatusPending,
		NextAttempt: next, AttemptedAt: time.Now(), Latency: 12 * time.Millisecond, StatusCode: 500, Error: "HTTP 500: secret body"}); err != nil {
		t.Fatal(err)
	}

	entries, err := db.OrderTimeline(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range entries {
		if i > 0 && e.At.Before(entries[i-1].At) {
			t.Errorf("entry %d at %v is before the one above it", i, e.At)
		}
		s := string(e.Kind)
		if obj, ok := e.Fields["object"].(string); ok {
			s += ":" + obj + ":" + e.Fields["to"].(string)
		}
		if e.Kind == checkout.TimelineWebhookAttempt {
			if e.Fields["status_code"] != 500 || e.Fields["error_kind"] != "http_status" || e.Fields["next_attempt_at"] == nil {
				t.Errorf("webhook attempt %+v", e.Fields)
			}
			if _, ok := e.Fields["error"]; ok {
				t.Errorf("the merchant's answer is on the timeline: %+v", e.Fields)
			}
		}
		got = append(got, s)
	}
	want := []string{
		"status:attempt:PENDING", "status:order:PENDING_VBV", "provider_call",
		"status:attempt:CHARGED", "status:order:CHARGED",
		"status:refund:PENDING", "status:refund:SUCCESS", "webhook_attempt",
	}
	if len(got) != len(want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("timeline %v, want %v", got, want)
		}
	}
}
