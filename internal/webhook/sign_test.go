package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/demoshop"
	"github.com/paypage/paypage/internal/webhook"
)

func TestSignVerify(t *testing.T) {
	const secret = "whsec_s3cret"
	ts := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED"}`)
	headers := func(sig string, at time.Time) http.Header {
		h := http.Header{}
		h.Set("webhook-id", "evt_1")
		h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
		h.Set("webhook-signature", sig)
		return h
	}
	good := webhook.Sign(secret, "evt_1", ts, body)
	for _, tc := range []struct {
		name    string
		secret  string
		h       http.Header
		body    []byte
		now     time.Time
		wantErr error
	}{
		{"good", secret, headers(good, ts), body, ts.Add(time.Minute), nil},
		{"prefix optional", "s3cret", headers(good, ts), body, ts, nil},
		{"one of several", secret, headers("v1,AAAA v2,x "+good, ts), body, ts, nil},
		{"tampered body", secret, headers(good, ts), append([]byte(" "), body...), ts, webhook.ErrSignature},
		{"wrong secret", "whsec_other", headers(good, ts), body, ts, webhook.ErrSignature},
		{"other id", secret, func() http.Header { h := headers(good, ts); h.Set("webhook-id", "evt_2"); return h }(), body, ts, webhook.ErrSignature},
		{"old timestamp", secret, headers(good, ts), body, ts.Add(6 * time.Minute), webhook.ErrTimestamp},
		{"future timestamp", secret, headers(good, ts), body, ts.Add(-6 * time.Minute), webhook.ErrTimestamp},
		{"missing signature", secret, headers("", ts), body, ts, webhook.ErrMissingHeaders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.h, tc.body, tc.now, 0)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Verify = %v, want %v", err, tc.wantErr)
			}
			// The demo shop implements the same rule independently.
			if shopErr := demoshop.VerifyWebhook(tc.secret, tc.h, tc.body, tc.now); (shopErr == nil) != (err == nil) {
				t.Errorf("demoshop.VerifyWebhook = %v, Verify = %v", shopErr, err)
			}
		})
	}
}
