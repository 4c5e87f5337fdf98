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

// The test vector of the Standard Webhooks libraries (their Go and
// JavaScript TestWebhookSign): the key is the base64 after "whsec_",
// decoded.
func TestSignMatchesTheSpecificationVector(t *testing.T) {
	got, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; err != nil || got != want {
		t.Errorf("Sign = %q, %v; want %q", got, err, want)
	}
}

func TestDecodeSecret(t *testing.T) {
	for _, tc := range []struct {
		secret string
		want   string // "" for an error
	}{
		{"whsec_czNjcmV0", "s3cret"},
		{"czNjcmV0", "s3cret"}, // the prefix is optional, as in the libraries
		{"whsec_", ""},
		{"whsec_s3cret", ""}, // text, not base64
		{"whsec_YTJjZDNlNGY1YTZiN2M4ZDllMGYxYTJiM2M0ZDVlNmY", ""}, // unpadded
		{"whsec_-_8=", ""}, // base64url
	} {
		key, err := webhook.DecodeSecret(tc.secret)
		if tc.want == "" {
			if !errors.Is(err, webhook.ErrSecret) {
				t.Errorf("DecodeSecret(%q) = %q, %v; want ErrSecret", tc.secret, key, err)
			}
		} else if err != nil || string(key) != tc.want {
			t.Errorf("DecodeSecret(%q) = %q, %v; want %q", tc.secret, key, err, tc.want)
		}
	}
	if _, err := webhook.Sign("whsec_s3cret", "evt_1", time.Now(), nil); !errors.Is(err, webhook.ErrSecret) {
		t.Errorf("Sign with a malformed secret: %v, want ErrSecret", err)
	}
}

func TestSignatureHeaderListsEverySecretInOrder(t *testing.T) {
	const newer, older = "whsec_bmV3ZXIta2V5", "whsec_b2xkZXIta2V5"
	ts := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	a, _ := webhook.Sign(newer, "evt_1", ts, body)
	b, _ := webhook.Sign(older, "evt_1", ts, body)
	got, err := webhook.SignatureHeader([]string{newer, older}, "evt_1", ts, body)
	if err != nil || got != a+" "+b {
		t.Errorf("SignatureHeader = %q, %v; want %q", got, err, a+" "+b)
	}
	if _, err := webhook.SignatureHeader([]string{newer, "whsec_?"}, "evt_1", ts, body); !errors.Is(err, webhook.ErrSecret) {
		t.Errorf("SignatureHeader with a malformed secret: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	const secret = "whsec_czNjcmV0LWtleS1ieXRlcw==" // "s3cret-key-bytes"
	ts := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED"}`)
	headers := func(sig string, at time.Time) http.Header {
		h := http.Header{}
		h.Set("webhook-id", "evt_1")
		h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
		h.Set("webhook-signature", sig)
		return h
	}
	good, err := webhook.Sign(secret, "evt_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		secret  string
		h       http.Header
		body    []byte
		now     time.Time
		wantErr error
	}{
		{"good", secret, headers(good, ts), body, ts.Add(time.Minute), nil},
		{"prefix optional", "czNjcmV0LWtleS1ieXRlcw==", headers(good, ts), body, ts, nil},
		{"one of several", secret, headers("v1,AAAA v2,x "+good, ts), body, ts, nil},
		{"tampered body", secret, headers(good, ts), append([]byte(" "), body...), ts, webhook.ErrSignature},
		{"wrong secret", "whsec_b3RoZXI=", headers(good, ts), body, ts, webhook.ErrSignature},
		{"key is not the text", "whsec_s3cret-key-bytes", headers(good, ts), body, ts, webhook.ErrSecret},
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
			// The demo shop verifies with the official Standard Webhooks
			// library: it must agree.
			if shopErr := demoshop.VerifyWebhook(tc.secret, tc.h, tc.body, tc.now); (shopErr == nil) != (err == nil) {
				t.Errorf("demoshop.VerifyWebhook = %v, Verify = %v", shopErr, err)
			}
		})
	}
}
