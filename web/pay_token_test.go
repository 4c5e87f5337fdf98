package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
)

func tokenServer(secret string, now time.Time) *Server {
	svc := checkout.NewService(nil, checkout.Options{Now: func() time.Time { return now }})
	return &Server{opts: Options{BaseURL: "https://pay.example.com", SecretKey: secret}, svc: svc}
}

// TestPayToken: a pay form token is good for its own order until its
// expiry, and nothing else is: another order, another key, a changed
// expiry or nonce, an expired or a malformed token.
func TestPayToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	s := tokenServer("key-a-0123456789abcdef0123456789", now)
	const order = "ordeh_0123456789abcdef0123456789abcdef"
	tok := s.payToken(order, now.Add(15*time.Minute))
	if !s.validPayToken(tok, order) {
		t.Fatalf("own token %q refused", tok)
	}
	if s.payToken(order, now.Add(15*time.Minute)) == tok {
		t.Error("two renders gave the same token: no nonce")
	}
	exp, rest, _ := strings.Cut(tok, ".")
	nonce, mac, _ := strings.Cut(rest, ".")
	refused := map[string]string{
		"other order":  "",
		"other key":    tokenServer("key-b-0123456789abcdef0123456789", now).payToken(order, now.Add(time.Hour)),
		"later expiry": "9999999999." + nonce + "." + mac,
		"other nonce":  exp + ".AAAAAAAAAAAAAAAA." + mac,
		"forged mac":   exp + "." + nonce + "." + strings.Repeat("A", len(mac)),
		"expired":      s.payToken(order, now.Add(-time.Second)),
		"empty":        "",
		"no dots":      "abc",
		"one dot":      exp + "." + nonce,
		"not a number": "soon." + nonce + "." + mac,
	}
	for name, bad := range refused {
		id := order
		if name == "other order" {
			bad, id = tok, "ordeh_ffffffffffffffffffffffffffffffff"
		}
		if s.validPayToken(bad, id) {
			t.Errorf("%s: token %q accepted", name, bad)
		}
	}
	// Good until the order's expiry, not after.
	later := tokenServer("key-a-0123456789abcdef0123456789", now.Add(15*time.Minute))
	if later.validPayToken(tok, order) {
		t.Error("token accepted at its expiry")
	}
}

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	s := &Server{opts: Options{BaseURL: "https://pay.example.com"}}
	tests := []struct {
		origin, referer string
		want            bool
	}{
		{"https://pay.example.com", "", true},
		{"https://PAY.example.com:443", "", true},
		{"", "https://pay.example.com/orders/x/payment-page", true},
		{"https://pay.example.com", "https://evil.example/", true}, // Origin decides when sent
		{"https://evil.example", "https://pay.example.com/orders/x/payment-page", false},
		{"null", "", false},
		{"http://pay.example.com", "", false},
		{"https://pay.example.com.evil.example", "", false},
		{"", "", false},
		{"", "https://evil.example/?u=https://pay.example.com", false},
		{"", "/orders/x/payment-page", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/orders/x/pay", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if tt.referer != "" {
			r.Header.Set("Referer", tt.referer)
		}
		if got := s.sameOrigin(r); got != tt.want {
			t.Errorf("Origin %q, Referer %q: same origin %v, want %v", tt.origin, tt.referer, got, tt.want)
		}
	}
}
