package amazonpay

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTransportErrorsHideTokens: a failed Get Instruments call's error text
// names the URL, but not the shopper's access token in its query.
func TestTransportErrorsHideTokens(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the connection drops before any answer
		}
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, LWAURL: srv.URL, MerchantID: "M", AccessKey: "A", SecretKey: "S", ClientID: "C", ClientSecret: "cs-secret"})
	_, err := c.Instruments(context.Background(), "Atza|IwEBIsecret", 100)
	if err == nil {
		t.Fatal("no error from a dropped connection")
	}
	if !errors.Is(err, ErrTransport) {
		t.Errorf("not a transport error: %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "Atza") || strings.Contains(msg, "IwEBIsecret") || !strings.Contains(msg, "accessToken=REDACTED") {
		t.Errorf("error text: %s", msg)
	}
	_, err = c.Refresh(context.Background(), "Atzr|IwEBIrefresh")
	if err == nil || strings.Contains(err.Error(), "Atzr") || strings.Contains(err.Error(), "cs-secret") {
		t.Errorf("token refresh error: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/v1/x?accessToken=Atza%7Cabc&merchantId=M": "https://a.example/v1/x?accessToken=REDACTED&merchantId=M",
		"https://a.example/token?refresh_token=Atzr|x&code=abc":      "https://a.example/token?code=REDACTED&refresh_token=REDACTED",
		"https://a.example/v1/x":                                     "https://a.example/v1/x",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%s) = %s, want %s", in, got, want)
		}
	}
}
