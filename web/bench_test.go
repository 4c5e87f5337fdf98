package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// BenchmarkPaymentPageRender renders the payment page of a linked customer
// in process, through the whole middleware chain, with the shopper's
// cookie: the page `make bench` loads with wrk. Get Instruments still goes
// to the mounted simulator over loopback HTTP, so allocs/op counts that
// call on both sides.
func BenchmarkPaymentPageRender(b *testing.B) {
	s := apptest.Start(b, nil)
	sh := apptest.NewShopper(b, s.URL+"/sandbox/shop/return")
	body := s.Session("bench-link", "100", "9000000001")
	body["customer_id"] = "bench-linked"
	r := s.API(b, "POST", "/session", body)
	if r.Status != http.StatusOK {
		b.Fatalf("session: %d %s", r.Status, r.Body)
	}
	link := r.JSON(b)["payment_links"].(map[string]any)["web"].(string)
	sh.Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if sh.Location() == "" {
		b.Fatalf("first payment did not return to the merchant:\n%s", sh.Body)
	}

	body = s.Session("bench-page", "250", "9000000001")
	body["customer_id"] = "bench-linked"
	r = s.API(b, "POST", "/session", body)
	if r.Status != http.StatusOK {
		b.Fatalf("session: %d %s", r.Status, r.Body)
	}
	link = r.JSON(b)["payment_links"].(map[string]any)["web"].(string)
	if !sh.Get(link).Has("available-credit") {
		b.Fatalf("not a linked page:\n%s", sh.Body)
	}
	u, _ := url.Parse(link)
	cookies := sh.Client.Jar.Cookies(u)

	h := s.Server.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("page: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSessionCreate creates orders through POST /session in process,
// through the whole middleware chain and the database.
func BenchmarkSessionCreate(b *testing.B) {
	s := apptest.Start(b, nil)
	h := s.Server.Handler()
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n++
		body := fmt.Sprintf(`{"order_id":"bs-%d","amount":"100.00","currency":"INR","customer_id":"c-%d","customer_phone":"9000000001","return_url":%q}`,
			n, n, s.URL+"/sandbox/shop/return")
		req := httptest.NewRequest(http.MethodPost, "/session", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-merchantid", s.Demo.MerchantID)
		req.SetBasicAuth(s.Demo.APIKey, "")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("session: %d %s", rec.Code, rec.Body)
		}
	}
}
