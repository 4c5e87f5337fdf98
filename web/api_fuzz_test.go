package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// FuzzMerchantAPI sends arbitrary bodies to POST /session, POST /orders
// (as JSON and as a form) and the refunds endpoint: every answer is a 2xx
// or a 4xx, never a 500. `go test` runs the
// seeds; `go test -fuzz FuzzMerchantAPI ./web/` explores further.
func FuzzMerchantAPI(f *testing.F) {
	for _, seed := range []string{
		`{"order_id":"f1","amount":"10","currency":"INR","customer_id":"c","return_url":"RETURN"}`,
		`{"order_id":"f2","amount":1e400,"currency":"INR","customer_id":"c"}`,
		`{"order_id":"f3","amount":"10","currency":"INR","customer_id":"c\u0000","udf1":"\ud800"}`,
		`{"order_id":"f4","amount":"99999999999999999999999","currency":"INR","customer_id":"c"}`,
		`{"metadata":{"expiryInMins":[1]},"metadata.webhook_url":{}}`,
		`{"order_id":null,"amount":null}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
		"\x00\x01\x02",
		`{"unique_request_id":"r1","amount":"1"}`,
		`order_id=f5&amount=10&currency=INR&customer_id=c&return_url=RETURN&payment_filter=%7B%7D`,
		`{"order_id":"f6","amount":"10","currency":"INR","customer_id":"c","payment_filter":{"options":[{"enable":"yes"}]}}`,
		`order_id=f7&amount=10&metadata.x=%00`,
	} {
		f.Add(seed)
	}
	s := apptest.Start(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		body = strings.ReplaceAll(body, "RETURN", s.URL+"/sandbox/shop/return")
		for _, call := range [][2]string{{"/session", "application/json"}, {"/orders", "application/json"},
			{"/orders", "application/x-www-form-urlencoded"}, {"/orders/f1/refunds", "application/json"}} {
			path := call[0]
			req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", call[1])
			req.Header.Set("x-merchantid", s.Demo.MerchantID)
			req.SetBasicAuth(s.Demo.APIKey, "")
			r := apptest.Do(t, req)
			if r.Status >= 500 {
				t.Errorf("POST %s %q: %d %s", path, body, r.Status, r.Body)
			}
		}
	})
}
