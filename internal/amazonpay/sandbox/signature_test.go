package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

func TestRequestSignatureChecks(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000001")
	query := map[string]string{
		"merchantId": sandbox.DefaultCredentials().MerchantID, "accessToken": tok.AccessToken,
		"instrumentTypes": "AmazonPayLater", "amount": "10.00",
	}
	eligibility := map[string]string{
		"merchantId": sandbox.DefaultCredentials().MerchantID, "phoneNumber": "9000000001",
		"amount": "10.00", "instrumentType": "AmazonPayLater",
	}
	now := e.clock.Now()
	wrongKey := defaultSigner()
	wrongKey.SecretKey = "not-the-key"
	tests := []struct {
		name   string
		signer amazonpay.Signer
		date   time.Time
		method string
		path   string
		body   any
		mutate func(*http.Request)
		status int
		code   string
	}{
		{"valid", defaultSigner(), now, "GET", amazonpay.PathInstruments, nil, nil, 200, ""},
		{"AMZ+ separator", defaultSigner(), now, "GET", amazonpay.PathInstruments, nil, func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AMZ ", "AMZ+", 1))
		}, 200, ""},
		{"wrong key", wrongKey, now, "GET", amazonpay.PathInstruments, nil, nil, 401, amazonpay.CodeAuthorizationFailed},
		{"tampered query", defaultSigner(), now, "GET", amazonpay.PathInstruments, nil, func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "amount=10.00", "amount=11.00", 1)
		}, 401, amazonpay.CodeAuthorizationFailed},
		{"tampered body", defaultSigner(), now, "POST", amazonpay.PathEligibility, eligibility, func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b = bytes.Replace(b, []byte("10.00"), []byte("99.00"), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}, 401, amazonpay.CodeAuthorizationFailed},
		{"tampered header", defaultSigner(), now, "GET", amazonpay.PathInstruments, nil, func(r *http.Request) {
			r.Header.Set("x-amz-user-ip", "198.51.100.1")
		}, 401, amazonpay.CodeAuthorizationFailed},
		{"no authorization", defaultSigner(), now, "GET", amazonpay.PathInstruments, nil, func(r *http.Request) {
			r.Header.Del("Authorization")
		}, 401, amazonpay.CodeAuthorizationFailed},
		{"unknown access key", amazonpay.Signer{AccessKey: "AKOTHER", SecretKey: defaultSigner().SecretKey}, now, "GET", amazonpay.PathInstruments, nil, nil, 401, amazonpay.CodeAuthorizationFailed},
		{"expired date", defaultSigner(), now.Add(-16 * time.Minute), "GET", amazonpay.PathInstruments, nil, nil, 401, amazonpay.CodeAuthorizationExpired},
		{"future date", defaultSigner(), now.Add(10 * time.Minute), "GET", amazonpay.PathInstruments, nil, nil, 401, amazonpay.CodeAuthorizationExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q map[string]string
			if tt.method == "GET" {
				q = query
			}
			status, code := e.raw(tt.signer, tt.date, tt.method, tt.path, q, tt.body, tt.mutate)
			if status != tt.status || code != tt.code {
				t.Errorf("got %d %q, want %d %q", status, code, tt.status, tt.code)
			}
		})
	}
}

func TestClientSeesAuthErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	stale := e.cfg
	stale.Now = func() time.Time { return e.clock.Now().Add(-time.Hour) }
	_, err := amazonpay.New(stale).Eligibility(ctx, "9000000001", rupees("10"))
	wantCode(t, err, amazonpay.CodeAuthorizationExpired)

	wrong := e.cfg
	wrong.SecretKey = "wrong"
	// The answer is signed with the real key, so this client cannot trust it.
	if _, err := amazonpay.New(wrong).Eligibility(ctx, "9000000001", rupees("10")); !errors.Is(err, amazonpay.ErrSignature) {
		t.Errorf("wrong key: %v", err)
	}
}

// TestResponseSignatureVerified puts a proxy between client and simulator
// that turns a Declined charge into an approved one.
func TestResponseSignatureVerified(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000006")
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.sim.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"Declined"`), []byte(`"CaptureApproved"`)))
	}))
	defer proxy.Close()
	_, err := amazonpay.New(e.config(proxy.URL)).Charge(context.Background(), amazonpay.ChargeRequest{
		ChargeID: "tamper-1", AccessToken: tok.AccessToken, Amount: rupees("10"), CallbackURL: callbackURL,
	})
	if !errors.Is(err, amazonpay.ErrSignature) || !amazonpay.IsIndeterminate(err) {
		t.Errorf("tampered answer: %v", err)
	}
}

// TestChargeRetriesLostAnswer drops the connection after the first charge
// reached the simulator; the client retries with the same chargeId, gets
// DuplicateChargeId and looks the charge up.
func TestChargeRetriesLostAnswer(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000001")
	var posts atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.sim.ServeHTTP(rec, r)
		if r.Method == "POST" && posts.Add(1) == 1 {
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer proxy.Close()
	ch, err := amazonpay.New(e.config(proxy.URL)).Charge(context.Background(), amazonpay.ChargeRequest{
		ChargeID: "lost-1", AccessToken: tok.AccessToken, Amount: rupees("10"), CallbackURL: callbackURL,
	})
	if err != nil || ch.Status != amazonpay.StatusCaptureApproved || posts.Load() != 2 {
		t.Fatalf("charge = %+v, %v after %d posts", ch, err, posts.Load())
	}
	if n := e.sim.ChargeCount("lost-1"); n != 1 {
		t.Errorf("charge count = %d", n)
	}
}

func TestChargeGivesUpWhenContextEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	var calls atomic.Int32
	c := amazonpay.New(amazonpay.Config{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: countingTransport{&calls}}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Charge(ctx, amazonpay.ChargeRequest{ChargeID: "x", Amount: 1})
	if !amazonpay.IsIndeterminate(err) || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, calls.Load())
	}
}

type countingTransport struct{ n *atomic.Int32 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}
