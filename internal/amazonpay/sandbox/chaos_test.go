package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// With every request faulted, the API answers an unsigned 500 or nothing,
// pages still work, and nothing a faulted request asked for happens.
func TestFaultsFailAPIRequestsBeforeServingThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.link("9000000001") // linked while faults are off
	// The same Amazon (one database) with every request faulted.
	f := newEnvWith(t, sandbox.Options{DB: e.db, Faults: 1})
	f.client = amazonpay.New(withTimeout(f.cfg, 300*time.Millisecond))
	for i := range 6 {
		_, err := f.client.ChargeStatus(context.Background(), "nope")
		var ae *amazonpay.APIError
		switch {
		case errors.As(err, &ae) && ae.HTTPStatus == 500 && !ae.Verified:
		case amazonpay.IsIndeterminate(err):
		default:
			t.Fatalf("request %d: %v, want an unsigned 500 or no answer", i, err)
		}
	}
	// A faulted charge is never made.
	for i := range 2 {
		if _, err := f.charge(tok, "faulted-"+string(rune('a'+i)), 100); err == nil {
			t.Fatal("a charge went through with every request faulted")
		}
	}
	if n := len(f.sim.Charges("")); n != 0 {
		t.Errorf("%d charges made by faulted requests", n)
	}
	// Pages are only slowed, never faulted.
	resp, err := browser().Get(f.srv.URL + "/sandbox/amazonpay/lwa/ap/oa?client_id=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusInternalServerError {
		t.Errorf("the consent page was faulted: %d", resp.StatusCode)
	}
}

// Latency holds every answer at least that long.
func TestLatencyDelaysEveryAnswer(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, sandbox.Options{Latency: 120 * time.Millisecond})
	start := time.Now()
	if _, err := e.client.ChargeStatus(context.Background(), "nope"); !amazonpay.IsNotFound(err) {
		t.Fatalf("status of an unknown charge: %v", err)
	}
	if took := time.Since(start); took < 120*time.Millisecond {
		t.Errorf("answered after %s, want at least the 120ms latency", took)
	}
}

func withTimeout(c amazonpay.Config, d time.Duration) amazonpay.Config {
	c.HTTPClient = &http.Client{Timeout: d}
	return c
}
