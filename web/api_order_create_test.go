package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
)

// postOrders sends POST /orders as the demo merchant with body as is.
func postOrders(t *testing.T, s *apptest.Server, contentType, body string) apptest.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+"/orders", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.SetBasicAuth(s.Demo.APIKey, "")
	req.Header.Set("x-merchantid", s.Demo.MerchantID)
	return apptest.Do(t, req)
}

const formType = "application/x-www-form-urlencoded"

// orderForm is a valid POST /orders form for the demo merchant.
func orderForm(s *apptest.Server, orderID, amount string) url.Values {
	return url.Values{
		"order_id": {orderID}, "amount": {amount}, "currency": {"INR"}, "customer_id": {"cust-" + orderID},
		"customer_phone": {"9000000001"}, "customer_email": {"shopper@example.com"},
		"return_url": {s.URL + "/sandbox/shop/return"}, "description": {"Order " + orderID},
	}
}

func TestCreateOrderFromForm(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	form := orderForm(s, "form-1", "1499.50")
	form.Set("udf1", "one")
	form.Set("metadata.expiryInMins", "30")
	// Fields Juspay's SDK examples send that paypage has no use for.
	form.Set("billing_address_first_name", "Juspay")
	form.Set("options.get_client_auth_token", "true")
	start := time.Now()
	r := postOrders(t, s, formType, form.Encode())
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	o := r.JSON(t)
	id, _ := o["id"].(string)
	if o["status"] != "NEW" || o["status_id"] != float64(10) || o["order_id"] != "form-1" || !strings.HasPrefix(id, "ordeh_") ||
		o["amount"] != 1499.5 || o["currency"] != "INR" || o["udf1"] != "one" || o["merchant_id"] != "demo" {
		t.Errorf("order object: %s", r.Body)
	}
	links, _ := o["payment_links"].(map[string]any)
	if links["web"] != s.URL+"/orders/"+id+"/payment-page" {
		t.Errorf("payment_links: %v", links)
	}
	expiry, err := time.Parse(time.RFC3339, o["order_expiry"].(string))
	if err != nil || expiry.Before(start.Add(29*time.Minute)) || expiry.After(start.Add(31*time.Minute)) {
		t.Errorf("order_expiry %v, want about 30 minutes from now", o["order_expiry"])
	}
	// The answer is the order object, exactly as the status call shows it.
	if st := s.API(t, "GET", "/orders/form-1", nil).JSON(t); !reflect.DeepEqual(st, o) {
		t.Errorf("POST /orders answered\n%s\nbut GET shows\n%v", r.Body, st)
	}
}

func TestCreateOrderFromJSON(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	body := s.Session("json-1", "250", "9000000001")
	body["amount"] = 250
	body["metadata"] = map[string]any{"expiryInMins": 20}
	raw, _ := json.Marshal(body)
	r := postOrders(t, s, "application/json; charset=utf-8", string(raw))
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	o := r.JSON(t)
	if o["status"] != "NEW" || o["order_id"] != "json-1" || o["amount"] != float64(250) || o["payment_links"] == nil {
		t.Errorf("order object: %s", r.Body)
	}
}

func TestCreateOrderReplayAndConflict(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	first := postOrders(t, s, formType, orderForm(s, "again-1", "100").Encode())
	if first.Status != 200 {
		t.Fatalf("create: %d %s", first.Status, first.Body)
	}
	id := first.JSON(t)["id"]
	// The same amount written differently, as a form and through /session.
	if r := postOrders(t, s, formType, orderForm(s, "again-1", "100.00").Encode()); r.Status != 200 || r.JSON(t)["id"] != id {
		t.Errorf("replay: %d %s", r.Status, r.Body)
	}
	if r := s.API(t, "POST", "/session", s.Session("again-1", "100", "9000000001")); r.Status != 200 {
		t.Errorf("replay through /session: %d %s", r.Status, r.Body)
	} else if r.JSON(t)["id"] != id {
		t.Errorf("replay through /session made another order: %s", r.Body)
	}
	for field, value := range map[string]string{"amount": "101", "customer_id": "someone-else"} {
		form := orderForm(s, "again-1", "100")
		form.Set(field, value)
		r := postOrders(t, s, formType, form.Encode())
		if r.Status != http.StatusConflict || r.JSON(t)["error_code"] != "order.conflict" {
			t.Errorf("%s changed: %d %s", field, r.Status, r.Body)
		}
	}
}

func TestCreateOrderRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	form := orderForm(s, "has space", "1.234")
	form.Del("currency")
	form.Set("customer_phone", "12345")
	form.Set("return_url", "https://evil.example/return")
	form.Set("metadata.expiryInMins", "0")
	form.Set("udf2", "bad\x00text")
	r := postOrders(t, s, formType, form.Encode())
	if r.Status != 400 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	for _, field := range []string{"order_id", "amount", "currency", "customer_phone", "return_url", "metadata.expiryInMins", "udf2"} {
		if !strings.Contains(string(r.Body), `"field_name":"`+field+`"`) {
			t.Errorf("error does not name %s: %s", field, r.Body)
		}
	}

	// Only the body counts, not the query string.
	req, _ := http.NewRequest("POST", s.URL+"/orders?"+orderForm(s, "query-1", "10").Encode(), strings.NewReader(""))
	req.Header.Set("Content-Type", formType)
	req.SetBasicAuth(s.Demo.APIKey, "")
	req.Header.Set("x-merchantid", "demo")
	if r := apptest.Do(t, req); r.Status != 400 || !strings.Contains(string(r.Body), `"field_name":"order_id"`) {
		t.Errorf("fields in the query string: %d %s", r.Status, r.Body)
	}

	for name, tc := range map[string]struct {
		contentType, body string
		status            int
	}{
		"malformed form":      {formType, "order_id=%zz", 400},
		"malformed JSON":      {"application/json", `{"order_id":`, 400},
		"multipart no bounds": {"multipart/form-data", "x", 400},
		"plain text":          {"text/plain", "order_id=x", http.StatusUnsupportedMediaType},
		"no content type":     {"", "order_id=x", http.StatusUnsupportedMediaType},
		"XML":                 {"application/xml", "<order/>", http.StatusUnsupportedMediaType},
	} {
		r := postOrders(t, s, tc.contentType, tc.body)
		var body struct {
			ErrorCode string `json:"error_code"`
		}
		if err := json.Unmarshal(r.Body, &body); r.Status != tc.status || err != nil || body.ErrorCode == "" {
			t.Errorf("%s: %d %.300s, want %d with an error_code", name, r.Status, r.Body, tc.status)
		}
	}
	if r := postOrders(t, s, "text/plain", "x"); r.JSON(t)["error_code"] != "content_type.unsupported" {
		t.Errorf("415 envelope: %s", r.Body)
	}
	// The body limit answers before any route, still in the envelope.
	if r := postOrders(t, s, formType, "description="+strings.Repeat("x", 200_000)); r.Status != http.StatusRequestEntityTooLarge || r.JSON(t)["error_code"] != "request.too_large" {
		t.Errorf("large body: %d %s", r.Status, r.Body)
	}
	// Without a Content-Length the limit is met while the form is read.
	req, _ = http.NewRequest("POST", s.URL+"/orders", io.MultiReader(strings.NewReader("description="+strings.Repeat("x", 200_000))))
	req.Header.Set("Content-Type", formType)
	req.SetBasicAuth(s.Demo.APIKey, "")
	req.Header.Set("x-merchantid", "demo")
	if r := apptest.Do(t, req); r.Status != http.StatusRequestEntityTooLarge || r.JSON(t)["error_code"] != "request.too_large" {
		t.Errorf("large chunked body: %d %s", r.Status, r.Body)
	}
}
