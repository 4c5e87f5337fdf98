package clienttest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
)

// sdkResult is what juspaysdk.cjs printed for one call.
type sdkResult struct {
	Result *struct {
		StatusCode int            `json:"status_code"`
		Body       map[string]any `json:"body"`
	} `json:"result"`
	Error *struct {
		Name         string         `json:"name"`
		APIError     bool           `json:"api_error"`
		Status       string         `json:"status"`
		ErrorCode    string         `json:"error_code"`
		ErrorMessage string         `json:"error_message"`
		Raw          map[string]any `json:"raw"`
	} `json:"error"`
}

// juspaySDK runs Juspay's Node SDK against one paypage merchant and keeps a
// table of every call and what the SDK returned.
type juspaySDK struct {
	t     *testing.T
	env   []string
	table strings.Builder
	tw    *tabwriter.Writer
}

func (j *juspaySDK) call(label, name string, args map[string]any) sdkResult {
	j.t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		j.t.Fatal(err)
	}
	out := Node(j.t, j.env, "juspaysdk.cjs", name, string(raw))
	var r sdkResult
	if err := json.Unmarshal(out, &r); err != nil || (r.Result == nil) == (r.Error == nil) {
		j.t.Fatalf("%s: unexpected output (%v): %s", name, err, out)
	}
	fmt.Fprintf(j.tw, "%s\t%s\t%s\n", name, label, summary(r))
	return r
}

// summary is one table cell: the HTTP status and the fields that matter.
func summary(r sdkResult) string {
	if e := r.Error; e != nil {
		return fmt.Sprintf("threw %s: status=%s status_id=%v error_code=%s error_message=%q",
			e.Name, e.Status, e.Raw["status_id"], e.ErrorCode, e.ErrorMessage)
	}
	b := r.Result.Body
	s := fmt.Sprintf("%d status=%v", r.Result.StatusCode, b["status"])
	for _, k := range []string{"status_id", "id", "amount", "txn_id", "payment_method", "amount_refunded"} {
		if v, ok := b[k]; ok {
			s += fmt.Sprintf(" %s=%v", k, v)
		}
	}
	if links, ok := b["payment_links"].(map[string]any); ok {
		s += fmt.Sprintf(" payment_links.web=%v", links["web"])
	}
	if refunds, ok := b["refunds"].([]any); ok {
		for _, rf := range refunds {
			rf := rf.(map[string]any)
			s += fmt.Sprintf(" refunds[%v]=%v/%v", rf["unique_request_id"], rf["status"], rf["amount"])
		}
	}
	return s
}

// TestJuspayNodeSDK drives paypage with Juspay's own Node SDK, unchanged:
// session, order create, status before and after a real sandbox payment,
// refund, and an unknown order.
func TestJuspayNodeSDK(t *testing.T) {
	dir := Dir(t)
	s := apptest.Start(t, nil)
	creds, err := s.Service.CreateMerchant(context.Background(), "test", checkout.NewMerchant{
		ID: "sdkshop", Name: "SDK Shop", ReturnURLPrefixes: []string{"https://sdkshop.example/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	front, caFile := tlsFront(t, s.URL)
	j := &juspaySDK{t: t, env: []string{
		"JUSPAY_MERCHANT_ID=" + creds.MerchantID,
		"JUSPAY_API_KEY=" + creds.APIKey,
		"JUSPAY_BASE_URL=" + front,
		"NODE_EXTRA_CA_CERTS=" + caFile,
		"NODE_OPTIONS=--require=" + filepath.Join(dir, "juspaysdk_shim.cjs"),
	}}
	j.tw = tabwriter.NewWriter(&j.table, 0, 4, 2, ' ', 0)
	fmt.Fprintf(j.tw, "SDK call\tcase\tresult\n")
	defer func() {
		j.tw.Flush()
		t.Logf("Juspay Node SDK (expresscheckout-nodejs 1.0.0) against paypage at %s:\n%s", front, j.table.String())
	}()

	order := func(orderID string, amount any) map[string]any {
		return map[string]any{
			"order_id": orderID, "amount": amount, "currency": "INR", "customer_id": "cust-" + orderID,
			"customer_phone": "9000000001", "customer_email": "shopper@example.com",
			"return_url": "https://sdkshop.example/return", "description": "SDK order " + orderID,
		}
	}

	// orderSession.create: POST /session, JSON.
	body := order("sdk-session-1", 1499.5)
	body["payment_page_client_id"], body["action"], body["metadata.expiryInMins"] = "sdkshop", "paymentPage", "30"
	r := j.call("new order", "orderSession.create", map[string]any{"body": body})
	sess := ok(t, r)
	link, _ := sess["payment_links"].(map[string]any)["web"].(string)
	if sess["status"] != "NEW" || sess["order_id"] != "sdk-session-1" || !strings.HasPrefix(link, s.URL+"/orders/ordeh_") {
		t.Fatalf("orderSession.create: %v", sess)
	}

	// order.status of the NEW order.
	st := ok(t, j.call("NEW order", "order.status", map[string]any{"order_id": "sdk-session-1"}))
	if st["status"] != "NEW" || st["status_id"] != float64(10) || st["amount"] != 1499.5 || st["merchant_id"] != "sdkshop" || st["id"] != sess["id"] {
		t.Errorf("order.status NEW: %v", st)
	}

	// A real sandbox payment through the hosted page: persona 9000000001
	// is approved at once.
	sh := apptest.NewShopper(t, "https://sdkshop.example/").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if loc, _ := url.Parse(sh.Location()); loc == nil || loc.Query().Get("status") != "CHARGED" {
		t.Fatalf("payment did not end CHARGED: at %s, location %q\n%s", sh.URL, sh.Location(), sh.Body)
	}
	st = ok(t, j.call("CHARGED order", "order.status", map[string]any{"order_id": "sdk-session-1"}))
	if st["status"] != "CHARGED" || st["status_id"] != float64(21) || st["txn_id"] != "sdkshop-sdk-session-1-1" || st["payment_method"] != "AMAZONPAYLATER" {
		t.Errorf("order.status CHARGED: %v", st)
	}

	// order.refund on the CHARGED order: POST /orders/{id}/refunds, form.
	rf := ok(t, j.call("CHARGED order, 500 of 1499.50", "order.refund", map[string]any{
		"order_id": "sdk-session-1",
		"body":     map[string]any{"unique_request_id": "sdk-refund-1", "order_id": "sdk-session-1", "amount": 500},
	}))
	refunds, _ := rf["refunds"].([]any)
	if len(refunds) != 1 {
		t.Fatalf("order.refund: %v", rf)
	}
	first := refunds[0].(map[string]any)
	if first["unique_request_id"] != "sdk-refund-1" || first["amount"] != float64(500) || first["refund_source"] != "AMAZONPAY" ||
		(first["status"] != "PENDING" && first["status"] != "SUCCESS") {
		t.Errorf("order.refund: %v", rf)
	}
	// Once Amazon has answered, the status call shows the refund done.
	s.Settle(t)
	st = ok(t, j.call("CHARGED order, refund settled", "order.status", map[string]any{"order_id": "sdk-session-1"}))
	if refunds, _ := st["refunds"].([]any); len(refunds) != 1 || refunds[0].(map[string]any)["status"] != "SUCCESS" || st["amount_refunded"] != float64(500) {
		t.Errorf("order.status after the refund: %v", st)
	}

	// order.status of an unknown order: the SDK throws its
	// InvalidRequestError (it maps 400 and 404 alike) carrying the body.
	r = j.call("unknown order", "order.status", map[string]any{"order_id": "sdk-missing"})
	if e := r.Error; e == nil || e.Name != "InvalidRequestError" || e.Status != "NOT_FOUND" || e.Raw["status_id"] != float64(40) || e.ErrorCode == "" {
		t.Errorf("order.status unknown: %+v", r)
	}

	// order.create: POST /orders, form-encoded, with the extra fields of
	// the SDK README's example.
	body = order("sdk-order-1", 100)
	body["udf1"], body["billing_address_first_name"], body["options.get_client_auth_token"] = "u1", "Juspay", true
	created := ok(t, j.call("new order", "order.create", map[string]any{"body": body}))
	if created["status"] != "NEW" || created["order_id"] != "sdk-order-1" || created["amount"] != float64(100) || created["udf1"] != "u1" {
		t.Errorf("order.create: %v", created)
	}
	if links, _ := created["payment_links"].(map[string]any); !strings.HasPrefix(fmt.Sprint(links["web"]), s.URL+"/orders/ordeh_") {
		t.Errorf("order.create payment_links: %v", created["payment_links"])
	}
	again := ok(t, j.call("same order again", "order.create", map[string]any{"body": body}))
	if again["id"] != created["id"] {
		t.Errorf("order.create replay made another order: %v", again)
	}
	body["amount"] = "100.001"
	r = j.call("bad amount", "order.create", map[string]any{"body": body})
	if e := r.Error; e == nil || e.Name != "InvalidRequestError" || !strings.Contains(fmt.Sprint(e.Raw["error_info"]), "amount") {
		t.Errorf("order.create bad amount: %+v", r)
	}

	// A wrong API key: the SDK's AuthenticationError.
	wrong := &juspaySDK{t: t, env: append(append([]string{}, j.env...), "JUSPAY_API_KEY=pk_wrong"), tw: j.tw}
	r = wrong.call("wrong API key", "order.status", map[string]any{"order_id": "sdk-session-1"})
	if e := r.Error; e == nil || e.Name != "AuthenticationError" || e.ErrorCode != "access_denied" {
		t.Errorf("wrong key: %+v", r)
	}
}

// ok returns the body of a call that must have succeeded with 200.
func ok(t *testing.T, r sdkResult) map[string]any {
	t.Helper()
	if r.Error != nil || r.Result.StatusCode != 200 {
		t.Fatalf("SDK call failed: %s", summary(r))
	}
	return r.Result.Body
}

// tlsFront serves target over HTTPS at https://localhost:PORT, as the SDK
// only speaks HTTPS, with a self-signed certificate made for this test. It
// returns the base URL and a PEM file of the certificate, for
// NODE_EXTRA_CA_CERTS.
func tlsFront(t *testing.T, target string) (baseURL, caFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "paypage test TLS front"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "front.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewUnstartedServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }})
	front.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	front.StartTLS()
	t.Cleanup(front.Close)
	_, port, _ := net.SplitHostPort(front.Listener.Addr().String())
	return "https://localhost:" + port, caFile
}
