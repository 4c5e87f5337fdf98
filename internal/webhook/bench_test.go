package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/webhook"
)

// BenchmarkDeliver measures how many deliveries per second one Dispatcher
// with default options sustains to a local receiver that answers 204 at
// once: b.N deliveries are queued, then Run sends them all.
//
//	go test -run XXX -bench Deliver -benchtime 2000x ./internal/webhook/
func BenchmarkDeliver(b *testing.B) {
	db := newDB(b)
	m := addMerchant(b, db, "bench")
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	addEvents(b, db, m, srv.URL, b.N)
	d := webhook.New(webhook.Options{Store: db})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- d.Run(ctx) }()
	for countStatus(b, db, "DELIVERED") < b.N {
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if got.Load() != int64(b.N) {
		b.Fatalf("receiver got %d requests for %d deliveries", got.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
}
