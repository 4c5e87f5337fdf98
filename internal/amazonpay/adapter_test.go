package amazonpay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paypage/paypage/internal/checkout"
)

func TestAdapterPassesTheShopperOn(t *testing.T) {
	var ip, ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ua = r.Header.Get("x-amz-user-ip"), r.Header.Get("x-amz-user-agent")
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	a := Adapter{C: New(Config{BaseURL: srv.URL, MerchantID: "m", AccessKey: "a", SecretKey: "s"})}
	ctx := checkout.WithShopper(context.Background(), checkout.Shopper{IP: "203.0.113.9", UserAgent: "Mozilla/5.0 (Linux; Android 14; wv)"})
	_ = a.ChargeStatus(ctx, "pp1")
	if ip != "203.0.113.9" || ua != "Mozilla/5.0 (Linux; Android 14; wv)" {
		t.Errorf("Amazon saw ip %q, user agent %q", ip, ua)
	}
}
