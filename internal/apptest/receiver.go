package apptest

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/webhook"
)

// Receiver is a merchant's webhook endpoint for tests: it checks each
// delivery's signature with the merchant's secret and counts deliveries
// by webhook-id. With T set, it also checks each delivery against the
// OpenAPI document's webhooks and fails T on a mismatch.
type Receiver struct {
	Secret string
	T      testing.TB
	mu     sync.Mutex
	seen   map[string]int
	bad    int
	check  func(http.Header, []byte)
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.T != nil {
		if r.check == nil {
			r.check = WebhookValidator(r.T)
		}
		r.check(req.Header, body)
	}
	if err := webhook.Verify(r.Secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	r.seen[req.Header.Get("webhook-id")]++
	w.WriteHeader(http.StatusNoContent)
}

// Counts reports distinct deliveries, repeats of one already received, and
// deliveries whose signature did not verify.
func (r *Receiver) Counts() (distinct, dup, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		dup += n - 1
	}
	return len(r.seen), dup, r.bad
}

// WaitFor waits up to d until at least n distinct deliveries arrived.
func (r *Receiver) WaitFor(n int, d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if distinct, _, _ := r.Counts(); distinct >= n {
			return
		}
	}
}
