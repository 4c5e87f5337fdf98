package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// Every answer under the API's paths is the JSON envelope, whatever
// produced it (router, body limit, content type, auth, the handler), with
// one status spelling and one error_code per condition, and none is cached.
func TestAPIErrorsAreJSONEverywhere(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	big := `{"order_id":"big","description":"` + strings.Repeat("x", 200_000) + `"}`
	tests := []struct {
		name, method, path, body, contentType string
		noAuth                                bool
		status                                int
		jsonStatus, code                      string
	}{
		{"unknown route under /orders", "GET", "/orders/o1/nothing", "", "", false, 404, "ERROR", "route.not_found"},
		{"unknown route under /session", "POST", "/session/extra", "{}", "", false, 404, "ERROR", "route.not_found"},
		{"unknown route, merchant client", "GET", "/v2/orders/o1", "", "", false, 404, "ERROR", "route.not_found"},
		{"wrong method on /session", "GET", "/session", "", "", false, 405, "ERROR", "method.not_allowed"},
		{"wrong method on an order", "DELETE", "/orders/o1", "", "", false, 405, "ERROR", "method.not_allowed"},
		{"wrong method on refunds", "GET", "/orders/o1/refunds", "", "", false, 405, "ERROR", "method.not_allowed"},
		{"body over the limit", "POST", "/session", big, "", false, 413, "ERROR", "request.too_large"},
		{"body over the limit, no auth", "POST", "/session", big, "", true, 413, "ERROR", "request.too_large"},
		{"unsupported content type", "POST", "/session", "order_id=x", "text/plain", false, 415, "ERROR", "content_type.unsupported"},
		{"no credentials", "GET", "/orders/o1", "", "", true, 401, "ERROR", "access_denied"},
		{"bad input", "POST", "/session", "{}", "", false, 400, "ERROR", "invalid.request"},
		{"unknown order", "GET", "/orders/missing-1", "", "", false, 404, "NOT_FOUND", "order.not_found"},
		{"unknown order, malformed id", "GET", "/orders/not%20valid", "", "", false, 404, "NOT_FOUND", "order.not_found"},
		{"unknown order, overlong id", "GET", "/orders/" + strings.Repeat("x", 300), "", "", false, 404, "NOT_FOUND", "order.not_found"},
		{"refund of an unknown order", "POST", "/orders/missing-1/refunds", `{"unique_request_id":"r1","amount":"1"}`, "", false, 404, "NOT_FOUND", "order.not_found"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if tt.body != "" {
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
		}
		if !tt.noAuth {
			req.SetBasicAuth(s.Demo.APIKey, "")
			req.Header.Set("x-merchantid", s.Demo.MerchantID)
		}
		r := apptest.Do(t, req)
		if r.Status != tt.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s %s, want %d JSON", tt.name, r.Status, r.Header.Get("Content-Type"), r.Body, tt.status)
			continue
		}
		body := r.JSON(t)
		if body["status"] != tt.jsonStatus || body["error_code"] != tt.code || body["error_message"] == "" {
			t.Errorf("%s: %s, want status %s error_code %s", tt.name, r.Body, tt.jsonStatus, tt.code)
		}
		if tt.jsonStatus == "NOT_FOUND" && body["status_id"] != float64(40) {
			t.Errorf("%s: status_id %v, want 40", tt.name, body["status_id"])
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tt.name, got)
		}
	}

	// Shopper pages keep their HTML error pages.
	req, _ := http.NewRequest("GET", s.URL+"/orders/ordeh_00000000000000000000000000000000/payment-page", nil)
	if r := apptest.Do(t, req); r.Status != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown payment page: %d %s", r.Status, r.Header.Get("Content-Type"))
	}

	// Successful answers are not cached either.
	if r := s.API(t, "POST", "/session", s.Session("nocache-1", "10", "9000000001")); r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("create: %d Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
	}
}
