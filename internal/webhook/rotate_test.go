package webhook_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/webhook"
)

// A webhook queued before a rotation and retried during its overlap carries
// both signatures, the new one first; after the overlap only the new one.
// Nothing signed is stored: each try signs with the secrets of the moment.
func TestRetriesSignWithTheCurrentSecrets(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	m := addMerchant(t, db, "shop1")
	var clk clock
	type try struct {
		h    http.Header
		body []byte
	}
	var mu sync.Mutex
	var tries []try
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		tries = append(tries, try{r.Header.Clone(), body})
		mu.Unlock()
		http.Error(w, "not yet", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	addEvents(t, db, m, srv.URL, 1)
	d := webhook.New(webhook.Options{Store: db, Now: clk.now, Schedule: []time.Duration{time.Minute, time.Minute}})
	ctx := context.Background()
	deliver := func(want int) try {
		t.Helper()
		if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("DeliverDue = %d, %v", n, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(tries) != want {
			t.Fatalf("receiver saw %d tries, want %d", len(tries), want)
		}
		return tries[want-1]
	}

	first := deliver(1)
	if sigs := strings.Fields(first.h.Get("webhook-signature")); len(sigs) != 1 {
		t.Errorf("before the rotation: %d signatures, want 1", len(sigs))
	}
	if err := webhook.Verify(m.secret, first.h, first.body, clk.now(), 0); err != nil {
		t.Errorf("before the rotation: %v", err)
	}

	rotated := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the rotated-in key"))
	if err := db.RotateWebhookSecret(ctx, m.id, rotated, clk.now().Add(time.Hour),
		checkout.MerchantChange{MerchantID: m.id, Action: checkout.ActionRotateWebhookSecret, Actor: "test", At: clk.now()}); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute + time.Second) // the retry is due
	second := deliver(2)
	sec, err := strconv.ParseInt(second.h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	id, at := second.h.Get("webhook-id"), time.Unix(sec, 0)
	wantNew, _ := webhook.Sign(rotated, id, at, second.body)
	wantOld, _ := webhook.Sign(m.secret, id, at, second.body)
	if got := second.h.Get("webhook-signature"); got != wantNew+" "+wantOld {
		t.Errorf("during the overlap: %q, want %q", got, wantNew+" "+wantOld)
	}
	for _, secret := range []string{rotated, m.secret} {
		if err := webhook.Verify(secret, second.h, second.body, clk.now(), 0); err != nil {
			t.Errorf("during the overlap, with %s: %v", secret, err)
		}
	}

	clk.advance(time.Hour) // past the overlap, and the next retry is due
	third := deliver(3)
	if sigs := strings.Fields(third.h.Get("webhook-signature")); len(sigs) != 1 {
		t.Errorf("after the overlap: %d signatures, want 1", len(sigs))
	}
	if err := webhook.Verify(rotated, third.h, third.body, clk.now(), 0); err != nil {
		t.Errorf("after the overlap, with the new secret: %v", err)
	}
	if err := webhook.Verify(m.secret, third.h, third.body, clk.now(), 0); err == nil {
		t.Error("after the overlap the old secret still verifies")
	}
}
