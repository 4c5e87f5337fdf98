package checkout

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A provider call lands on the timeline with its operation, HTTP status and
// the provider's codes; a timeline that cannot write does not stop the
// payment.
func TestProviderCallsAreRecorded(t *testing.T) {
	ctx := context.Background()
	o := testOrder()
	a := NewAttempt(o, testKind, true)
	sent := time.Now().Add(-time.Minute)
	a.ChargeSentAt = &sent
	rs := newRowStore(o, a)
	f := rs.fake()
	f.AttemptByChargeFn = func(context.Context, string) (Attempt, error) { return rs.attempt(a.ID), nil }
	f.ClaimCheckFn = func(context.Context, string, time.Duration) (Attempt, bool, error) {
		return rs.attempt(a.ID), true, nil
	}
	reply := captured()
	reply.Reason = "Captured"
	m := &fakeMethod{ChargeStatusFn: func(context.Context, string) Reply { return reply }}
	var got []TimelineEntry
	tl := &fakeTimeline{RecordFn: func(_ context.Context, e TimelineEntry) error {
		got = append(got, e)
		return errors.New("timeline down")
	}}
	svc := NewService(f, Options{Methods: methods(m), Logger: quiet, Timeline: tl})
	if next, err := svc.ChargeReturn(ctx, a.ChargeID); err != nil || next.Kind != NextMerchant {
		t.Fatalf("charge return despite a failing timeline: %+v %v", next, err)
	}
	if len(got) != 1 {
		t.Fatalf("entries %+v", got)
	}
	e := got[0]
	if e.OrderID != o.ID || e.Kind != TimelineProviderCall || e.Fields["operation"] != OpChargeStatus ||
		e.Fields["http_status"] != reply.HTTPStatus || e.Fields["provider_reason"] != "Captured" || e.Fields["verified"] != true {
		t.Errorf("entry %+v", e)
	}
	if _, ok := e.Fields["latency_ms"].(int64); !ok {
		t.Errorf("latency missing: %+v", e.Fields)
	}
}
