package demoshop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const (
	testBase     = "http://shop.test"
	testKey      = "key_test"
	testRespKey  = "resp_test"
	testHookUser = "hookuser"
	testHookPass = "hookpass"
	testSecret   = "whsec_aG9va3NlY3JldC1rZXk=" // the key is "hooksecret-key"
)

// fakeAPI answers like paypage's merchant API and records what the shop sent.
type fakeAPI struct {
	*httptest.Server
	t        *testing.T
	mu       sync.Mutex
	sessions []map[string]any
	orders   map[string]string // order_id -> status
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, orders: map[string]string{}}
	m := http.NewServeMux()
	m.HandleFunc("POST /session", f.session)
	m.HandleFunc("GET /orders/{id}", f.order)
	f.Server = httptest.NewServer(f.auth(m))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != testKey || p != "" || r.Header.Get("x-merchantid") != "demo" {
			f.t.Errorf("%s %s: basic %q/%q ok=%v, x-merchantid %q", r.Method, r.URL.Path, u, p, ok, r.Header.Get("x-merchantid"))
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"status":"error","error_code":"access_denied"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

var amountRE = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

func (f *fakeAPI) session(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("session Content-Type %q", ct)
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("session body: %v", err)
	}
	f.mu.Lock()
	f.sessions = append(f.sessions, body)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if a, _ := body["amount"].(string); !amountRE.MatchString(a) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":"ERROR","error_code":"INVALID_REQUEST","error_message":"amount must be a decimal number of rupees","error_info":{"fields":[{"field_name":"amount","reason":"not a number"}]}}`))
		return
	}
	oid := body["order_id"].(string)
	f.mu.Lock()
	f.orders[oid] = "NEW"
	f.mu.Unlock()
	fmt.Fprintf(w, `{"status":"NEW","id":"ordeh_0123","order_id":%q,"payment_links":{"web":"%s/orders/ordeh_0123/payment-page","expiry":"2030-01-01T00:00:00Z"},"order_expiry":"2030-01-01T00:00:00Z"}`, oid, f.URL)
}

func (f *fakeAPI) order(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f.mu.Lock()
	status, ok := f.orders[id]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"status":"NOT_FOUND","status_id":40}`))
		return
	}
	ids := map[string]int{"NEW": 10, "CHARGED": 21, "AUTHORIZATION_FAILED": 27}
	fmt.Fprintf(w, `{"order_id":%q,"status":%q,"status_id":%d,"amount":1499,"currency":"INR","customer_phone":"+919000000001"}`, id, status, ids[status])
}

func (f *fakeAPI) setStatus(orderID, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[orderID] = status
}

func newTestShop(api *fakeAPI) *Shop {
	return New(Options{
		BaseURL: testBase, APIURL: api.URL, MerchantID: "demo", APIKey: testKey,
		ResponseKey: testRespKey, WebhookUsername: testHookUser, WebhookPassword: testHookPass,
		WebhookSecret: testSecret,
	})
}

func serve(t *testing.T, s *Shop, r *http.Request) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return rec, doc
}

func postForm(path string, v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func text(doc *goquery.Document, testID string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testID + `"]`).Text())
}

// signedReturn is the query paypage would put on the return URL.
func signedReturn(orderID, status, statusID string) url.Values {
	p := map[string]string{"order_id": orderID, "status": status, "status_id": statusID, "cart": "headphones:1 case:0"}
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	v.Set("signature", JuspaySignature(p, testRespKey))
	v.Set("signature_algorithm", "HMAC-SHA256")
	return v
}
