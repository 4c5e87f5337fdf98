package apptest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The validator is only worth its silence if it speaks up: these feed it
// real answers that break the document, and some that keep it, through the
// same code that checks the test servers' answers.

const goodOrder = `{"id":"ordeh_0123456789abcdef0123456789abcdef","order_id":"o-1","merchant_id":"demo",
	"status":"CHARGED","status_id":21,"amount":10.5,"currency":"INR",
	"date_created":"2025-01-31T10:15:00Z","last_updated":"2025-01-31T10:16:00Z",
	"customer_id":"c","customer_email":"","customer_phone":"9000000001","return_url":"https://shop.example/r","description":"",
	"udf1":"","udf2":"","udf3":"","udf4":"","udf5":"","udf6":"","udf7":"","udf8":"","udf9":"","udf10":"",
	"payment_links":{"web":"http://127.0.0.1:1/orders/ordeh_0123456789abcdef0123456789abcdef/payment-page","expiry":"2025-01-31T10:30:00Z"},
	"order_expiry":"2025-01-31T10:30:00Z","effective_amount":10.5,"refunded":false,"amount_refunded":0,
	"maximum_eligible_refund_amount":10.5,"metadata":{},"a_key_added_later":{"x":1}}`

// with returns goodOrder with the given fields replaced (or, for a nil
// value, removed).
func with(t *testing.T, changes map[string]any) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(goodOrder[:len(goodOrder)-1])
	for k, v := range changes {
		if v == nil {
			continue
		}
		fmt.Fprintf(&b, ",%q:%s", k, v)
	}
	b.WriteString("}")
	s := b.String()
	for k, v := range changes {
		if v == nil {
			i := strings.Index(s, `"`+k+`":`)
			if i < 0 {
				t.Fatalf("no %s in the order", k)
			}
			j := i + strings.IndexAny(s[i:], ",}")
			if s[j] == ',' {
				j++
			}
			s = s[:i] + s[j:]
		}
	}
	return s
}

func exchange(method, path string, status int, contentType, body string) Exchange {
	r := httptest.NewRequest(method, path, nil)
	return Exchange{Request: r, Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: []byte(body)}
}

func TestValidatorRejectsAnswersThatBreakTheDocument(t *testing.T) {
	jsonCT := "application/json"
	for _, tc := range []struct {
		name string
		x    Exchange
		want string // in the problem; "" for an answer that keeps the document
	}{
		{"a good order", exchange("GET", "/orders/o-1", 200, jsonCT, goodOrder), ""},
		{"no amount", exchange("GET", "/orders/o-1", 200, jsonCT, with(t, map[string]any{"amount": nil})), "amount"},
		{"amount as a string", exchange("GET", "/orders/o-1", 200, jsonCT, strings.Replace(goodOrder, `"amount":10.5`, `"amount":"10.5"`, 1)), "$.amount: got string, want number"},
		{"amount with 3 decimals", exchange("GET", "/orders/o-1", 200, jsonCT, strings.Replace(goodOrder, `"amount":10.5`, `"amount":10.555`, 1)), "$.amount: multipleOf"},
		{"no status", exchange("GET", "/orders/o-1", 200, jsonCT, with(t, map[string]any{"status": nil})), "status"},
		{"status_id not the status's", exchange("GET", "/orders/o-1", 200, jsonCT, strings.Replace(goodOrder, `"status_id":21`, `"status_id":10`, 1)), "status_id"},
		{"an unknown status", exchange("GET", "/orders/o-1", 200, jsonCT, strings.Replace(goodOrder, `"CHARGED"`, `"PAID"`, 1)), "$.status:"},
		{"a timestamp that is not one", exchange("GET", "/orders/o-1", 200, jsonCT, strings.Replace(goodOrder, `"2025-01-31T10:15:00Z"`, `"yesterday"`, 1)), "date_created"},
		{"txn_id without the attempt's fields", exchange("GET", "/orders/o-1", 200, jsonCT, with(t, map[string]any{"txn_id": `"demo-o-1-1"`})), "txn_uuid"},
		{"a refund without an amount", exchange("POST", "/orders/o-1/refunds", 200, jsonCT,
			with(t, map[string]any{"refunds": `[{"unique_request_id":"r1","id":"x","ref":"x","status":"PENDING","created":"2025-01-31T10:15:00Z","refund_source":"AMAZONPAY","refund_type":"STANDARD","initiated_by":"API","error_code":"","error_message":""}]`})), "amount"},
		{"HTML for an order", exchange("GET", "/orders/o-1", 200, "text/html; charset=UTF-8", "<p>hi</p>"), "content type 'text/html'"},
		{"an undocumented status", exchange("GET", "/orders/o-1", 418, jsonCT, `{"status":"ERROR","error_code":"x","error_message":"x"}`), "418"},
		{"a good 404", exchange("GET", "/orders/nope", 404, jsonCT, `{"status":"NOT_FOUND","status_id":40,"error_code":"order.not_found","error_message":"order not found","order_id":"nope"}`), ""},
		{"NOT_FOUND without status_id 40", exchange("GET", "/orders/nope", 404, jsonCT, `{"status":"NOT_FOUND","status_id":41,"error_code":"order.not_found","error_message":"x"}`), "status_id"},
		{"an error without error_code", exchange("POST", "/session", 400, jsonCT, `{"status":"ERROR","error_message":"x"}`), "error_code"},
		{"a 503 without Retry-After", exchange("POST", "/session", 503, jsonCT, `{"status":"ERROR","error_code":"unavailable","error_message":"x"}`), "Retry-After"},
		{"a wrong method answered with HTML", exchange("GET", "/session", 405, "text/html", "<p>no</p>"), "Content-Type"},
		{"a good wrong-method answer", exchange("DELETE", "/orders/o-1", 405, jsonCT, `{"status":"ERROR","error_code":"method_not_allowed","error_message":"Method Not Allowed"}`), ""},
		{"an unknown API route with a bad envelope", exchange("GET", "/orders/o-1/nothing", 404, jsonCT, `{"status":"ERROR"}`), "error_code"},
		{"a shopper page is not the API", exchange("GET", "/orders/o-1/payment-page", 200, "text/html", "<p>page</p>"), ""},
	} {
		f, err := CheckAnswer(tc.x)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(f.Problems, "\n")
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%s: reported %s", tc.name, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: reported %q, want a problem naming %q", tc.name, got, tc.want)
		}
		if tc.want != "" && got != "" && !strings.Contains(got, fmt.Sprint(tc.x.Status)) {
			t.Errorf("%s: %q does not name the status", tc.name, got)
		}
	}
}

func TestValidatorChecksAcceptedRequests(t *testing.T) {
	x := exchange("POST", "/session", 200, "application/json",
		`{"status":"NEW","id":"ordeh_0123456789abcdef0123456789abcdef","order_id":"o-1","payment_links":{"web":"http://x/p","expiry":"2025-01-31T10:30:00Z"},"order_expiry":"2025-01-31T10:30:00Z"}`)
	x.Request.Header.Set("Content-Type", "application/json")
	x.Request.Header.Set("x-merchantid", "demo")
	x.Request.SetBasicAuth("key", "")
	for body, want := range map[string]string{
		`{"order_id":"o-1","amount":"10.50","currency":"INR","customer_id":"c"}`:  "",
		`{"order_id":"o-1","amount":10.5,"currency":"INR","customer_id":"c"}`:     "",
		`{"order_id":"o-1","amount":"10.505","currency":"INR","customer_id":"c"}`: "amount",
		`{"order_id":"o-1","amount":"10","currency":"USD","customer_id":"c"}`:     "currency",
		`{"amount":"10","currency":"INR","customer_id":"c"}`:                      "order_id",
	} {
		x.RequestBody = []byte(body)
		f, err := CheckAnswer(x)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(f.Problems, "\n")
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s accepted: reported %q, want %q", body, got, want)
		}
	}
}

func TestValidatorChecksWebhooks(t *testing.T) {
	header := http.Header{
		"Content-Type":      {"application/json"},
		"Webhook-Id":        {"evt_0123abcd"},
		"Webhook-Timestamp": {"1738318500"},
		"Webhook-Signature": {"v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.SetBasicAuth("hookuser", "hookpass")
	header.Set("Authorization", r.Header.Get("Authorization"))
	event := func(name, order string) []byte {
		return []byte(`{"id":"evt_0123abcd","date_created":"2025-01-31T10:15:00Z","event_name":"` + name + `","content":{"order":` + order + `}}`)
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
		want   string
	}{
		{"a good event", header, event("ORDER_SUCCEEDED", goodOrder), ""},
		{"an unknown event", header, event("ORDER_PAID", goodOrder), "event_name"},
		{"an order without amount", header, event("ORDER_SUCCEEDED", with(t, map[string]any{"amount": nil})), "amount"},
		{"no signature", without(header, "Webhook-Signature"), event("ORDER_SUCCEEDED", goodOrder), "webhook-signature"},
		{"no Basic credentials", without(header, "Authorization"), event("ORDER_SUCCEEDED", goodOrder), "Authorization header"},
	} {
		f, err := CheckWebhook(tc.header, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(f.Problems, "\n")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: reported %q, want %q", tc.name, got, tc.want)
		}
	}
}

func without(h http.Header, key string) http.Header {
	h = h.Clone()
	h.Del(key)
	return h
}

// spyTB records the failures a reporter reports.
type spyTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (s *spyTB) Errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

func (s *spyTB) Logf(string, ...any) {}

// TestValidateAPIFailsTheTest serves answers that break the document
// through ValidateAPI, gzipped as the server sends large ones, and checks
// that the test would fail naming the operation and the status.
func TestValidateAPIFailsTheTest(t *testing.T) {
	bad := strings.Replace(goodOrder, `"amount":10.5`, `"amount":"10.5"`, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body := goodOrder
		if r.URL.Path == "/orders/bad" {
			body = bad
		}
		if r.Header.Get("Accept-Encoding") == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write([]byte(body))
			_ = zw.Close()
			return
		}
		_, _ = w.Write([]byte(body))
	})
	for _, gz := range []bool{false, true} {
		spy := &spyTB{TB: t}
		srv := httptest.NewServer(ValidateAPI(spy, h))
		for _, path := range []string{"/orders/good", "/orders/bad"} {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.SetBasicAuth("key", "")
			req.Header.Set("x-merchantid", "demo")
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
		}
		srv.Close()
		if len(spy.errs) != 1 || !strings.Contains(spy.errs[0], "getOrder") || !strings.Contains(spy.errs[0], "200") || !strings.Contains(spy.errs[0], "$.amount") {
			t.Errorf("gzip %v: reported %q, want one failure for GET /orders/bad naming getOrder, 200 and $.amount", gz, spy.errs)
		}
	}

	// The same through a client's transport.
	spy := &spyTB{TB: t}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: ValidatingTransport(spy, nil)}
	for _, path := range []string{"/orders/good", "/orders/bad"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.SetBasicAuth("key", "")
		req.Header.Set("x-merchantid", "demo")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if !strings.Contains(b.String(), `"order_id":"o-1"`) {
			t.Errorf("the client got %q", b.String())
		}
	}
	if len(spy.errs) != 1 || !strings.Contains(spy.errs[0], "getOrder") {
		t.Errorf("transport: reported %q, want one failure for GET /orders/bad", spy.errs)
	}
}
