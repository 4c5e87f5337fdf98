package webhook_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/webhook"
)

func TestDeliverSignedWebhook(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	rcv := newReceiver(t, m, 0, nil)
	ids := addEvents(t, db, m, rcv.srv.URL+"/hook", 1)

	d := webhook.New(webhook.Options{Store: db})
	n, err := d.DeliverDue(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v; want 1, nil", n, err)
	}
	rcv.checkVerified(t)
	if hits, _ := rcv.stats(); hits[ids[0]] != 1 {
		t.Errorf("receiver hits = %v, want one for %s", hits, ids[0])
	}
	got := delivery(t, db, ids[0])
	if got.Status != "DELIVERED" || got.Attempts != 1 || got.Tries != 1 || got.Code == nil || *got.Code != 204 {
		t.Errorf("row = %+v, want DELIVERED after 1 attempt with code 204", got)
	}
	if n, err := d.DeliverDue(context.Background()); err != nil || n != 0 {
		t.Errorf("second DeliverDue = %d, %v; want nothing left", n, err)
	}
}

// The receiver is down (connection refused), then answers 500, then 204:
// the same webhook-id and body arrive each time, on the short schedule.
func TestRetryUntilDelivered(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	addr := freeAddr(t)
	ids := addEvents(t, db, m, "http://"+addr+"/hook", 1)
	d := webhook.New(webhook.Options{Store: db, PollEvery: 10 * time.Millisecond,
		Schedule: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}})

	if n, err := d.DeliverDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v", n, err)
	}
	if got := delivery(t, db, ids[0]); got.Status != "PENDING" || got.Attempts != 1 || got.Code != nil {
		t.Fatalf("after refused connection: %+v", got)
	}

	// Bring the receiver up on the same address, failing once more.
	rcv := newReceiver(t, m, 0, nil)
	rcv.srv.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("address %s taken meanwhile: %v", addr, err)
	}
	rcv.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: rcv}}
	rcv.srv.Start()
	t.Cleanup(rcv.srv.Close)
	rcv.fail.Store(1)

	run(t, d)
	waitFor(t, 5*time.Second, "delivery", func() bool { return delivery(t, db, ids[0]).Status == "DELIVERED" })
	rcv.checkVerified(t)
	rcv.mu.Lock()
	bodies := rcv.bodies[ids[0]]
	rcv.mu.Unlock()
	if len(bodies) != 2 || !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("receiver got %d bodies for %s, want 2 identical", len(bodies), ids[0])
	}
	if got := delivery(t, db, ids[0]); got.Attempts != 3 || got.Tries != 3 || *got.Code != 204 {
		t.Errorf("row = %+v, want 3 attempts recorded", got)
	}
}

func TestFailedAfterSchedule(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	rcv := newReceiver(t, m, 0, nil)
	rcv.fail.Store(1000)
	ids := addEvents(t, db, m, rcv.srv.URL, 1)
	d := webhook.New(webhook.Options{Store: db, PollEvery: 10 * time.Millisecond,
		Schedule: []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}})
	run(t, d)
	waitFor(t, 5*time.Second, "FAILED", func() bool { return delivery(t, db, ids[0]).Status == "FAILED" })
	got := delivery(t, db, ids[0])
	if got.Attempts != 3 || got.Tries != 3 || *got.Code != 500 {
		t.Errorf("row = %+v, want 3 attempts ending in 500", got)
	}
	if hits, _ := rcv.stats(); hits[ids[0]] != 3 {
		t.Errorf("receiver hits = %v, want 3", hits)
	}
	rcv.checkVerified(t)
}

// A merchant that hangs holds only the workers its own deliveries use,
// each until the per-attempt timeout.
func TestHangingReceiverDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	slow, fast := addMerchant(t, db, "slow"), addMerchant(t, db, "fast")
	slowRcv := newReceiver(t, slow, 10*time.Second, nil)
	fastRcv := newReceiver(t, fast, 0, nil)
	slowIDs := addEvents(t, db, slow, slowRcv.srv.URL, 3)
	d := webhook.New(webhook.Options{Store: db, Workers: 4, PollEvery: 20 * time.Millisecond,
		HTTPClient: &http.Client{Timeout: time.Second}})
	run(t, d)
	waitFor(t, 2*time.Second, "slow tries in flight", func() bool {
		hits, _ := slowRcv.stats()
		return len(hits) == 3
	})

	start := time.Now()
	fastIDs := addEvents(t, db, fast, fastRcv.srv.URL, 1)
	d.Notify()
	waitFor(t, 500*time.Millisecond, "fast delivery", func() bool {
		return delivery(t, db, fastIDs[0]).Status == "DELIVERED"
	})
	t.Logf("fast merchant delivered %s after its event was added", time.Since(start))

	waitFor(t, 3*time.Second, "slow tries timed out", func() bool { return delivery(t, db, slowIDs[2]).Tries == 1 })
	for _, id := range slowIDs {
		if got := delivery(t, db, id); got.Status != "PENDING" || got.Code != nil {
			t.Errorf("slow %s = %+v, want PENDING after a timeout", id, got)
		}
	}
}

// Two dispatchers on one database, as two instances would run: every
// delivery is sent exactly once.
func TestTwoDispatchersNeverDoubleSend(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	rcv := newReceiver(t, m, 2*time.Millisecond, nil)
	ids := addEvents(t, db, m, rcv.srv.URL, 50)
	for range 2 {
		run(t, webhook.New(webhook.Options{Store: db, Workers: 4, Batch: 3, PollEvery: 10 * time.Millisecond}))
	}
	waitFor(t, 10*time.Second, "50 deliveries", func() bool { return countStatus(t, db, "DELIVERED") == 50 })
	hits, _ := rcv.stats()
	if len(hits) != 50 {
		t.Errorf("receiver saw %d webhook-ids, want 50", len(hits))
	}
	for _, id := range ids {
		if hits[id] != 1 {
			t.Errorf("%s sent %d times", id, hits[id])
		}
	}
	rcv.checkVerified(t)
}

// A dispatcher that claims and dies before recording leaves a leased row;
// once the lease passes another dispatcher delivers it, and the dead one's
// late result is refused.
func TestCrashMidDeliveryIsRedelivered(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	var clk clock
	rcv := newReceiver(t, m, 0, clk.now) // it shares the dispatcher's skewed clock
	ids := addEvents(t, db, m, rcv.srv.URL, 1)
	ctx := context.Background()

	claimed, err := db.ClaimWebhookDeliveries(ctx, clk.now(), clk.now().Add(webhook.DefaultLease), 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	// ...and the process dies here.

	d := webhook.New(webhook.Options{Store: db, Now: clk.now})
	if n, err := d.DeliverDue(ctx); err != nil || n != 0 {
		t.Fatalf("DeliverDue within the lease = %d, %v; want 0", n, err)
	}
	clk.advance(webhook.DefaultLease + time.Second)
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("DeliverDue after the lease = %d, %v; want 1", n, err)
	}
	if got := delivery(t, db, ids[0]); got.Status != "DELIVERED" || got.Attempts != 2 || got.Tries != 1 {
		t.Errorf("row = %+v, want DELIVERED at attempt 2", got)
	}
	if hits, _ := rcv.stats(); hits[ids[0]] != 1 {
		t.Errorf("receiver hits = %v", hits)
	}
	rcv.checkVerified(t)

	late := webhook.Result{EventID: ids[0], Attempt: claimed[0].Attempt, Status: webhook.StatusFailed,
		AttemptedAt: clk.now(), Error: "late"}
	if err := db.RecordWebhookAttempt(ctx, late); !errs.Is(err, errs.Conflict) {
		t.Errorf("late RecordWebhookAttempt = %v, want Conflict", err)
	}
	if got := delivery(t, db, ids[0]); got.Status != "DELIVERED" {
		t.Errorf("late result overwrote the row: %+v", got)
	}
}

// A redirect is not followed and a binary error body is stored safely;
// both count as failed tries.
func TestRedirectAndBinaryAnswersAreRetried(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	var followed atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Store(true) }))
	t.Cleanup(elsewhere.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusBadGateway)
		w.Write(bytes.Repeat([]byte("\x00\xff\xfeé"), 5000))
	}))
	t.Cleanup(srv.Close)
	redirect := addEvents(t, db, m, srv.URL+"/redirect", 1)[0]
	binary := addEvents(t, db, m, srv.URL+"/binary", 1)[0]

	d := webhook.New(webhook.Options{Store: db})
	if n, err := d.DeliverDue(context.Background()); err != nil || n != 2 {
		t.Fatalf("DeliverDue = %d, %v", n, err)
	}
	if got := delivery(t, db, redirect); got.Status != "PENDING" || got.Tries != 1 || *got.Code != 307 {
		t.Errorf("redirect row = %+v, want a recorded 307 to retry", got)
	}
	if followed.Load() {
		t.Error("the redirect was followed")
	}
	if got := delivery(t, db, binary); got.Status != "PENDING" || got.Tries != 1 || *got.Code != 502 {
		t.Errorf("binary row = %+v, want a recorded 502 to retry", got)
	}
}
