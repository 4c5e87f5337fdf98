package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/demoshop"
)

var orderSeq atomic.Int64

// newOrder creates an order through the API and returns its page URL.
func newOrder(t *testing.T, s *apptest.Server, phone, amount, customer string) (orderID, link string) {
	t.Helper()
	return newOrderWith(t, s, phone, amount, customer, nil)
}

// payLaterOnly is a payment_filter that leaves only Amazon Pay Later, for
// tests of its listing rule.
var payLaterOnly = map[string]any{"allowDefaultOptions": false,
	"options": []any{map[string]any{"paymentMethodType": "CONSUMER_FINANCE", "enable": true}}}

// newPayLaterOrder is newOrder with only Amazon Pay Later offered.
func newPayLaterOrder(t *testing.T, s *apptest.Server, phone, amount, customer string) (orderID, link string) {
	t.Helper()
	return newOrderWith(t, s, phone, amount, customer, map[string]any{"payment_filter": payLaterOnly})
}

// newOrderWith is newOrder with extra session fields.
func newOrderWith(t *testing.T, s *apptest.Server, phone, amount, customer string, extra map[string]any) (orderID, link string) {
	t.Helper()
	orderID = fmt.Sprintf("e2e-%d-%d", time.Now().UnixNano()%1e9, orderSeq.Add(1))
	body := s.Session(orderID, amount, phone)
	body["return_url"] = s.URL + "/sandbox/shop/return?cart=shoes+1&note=a%2Fb~c%2B%E2%82%B9"
	if customer != "" {
		body["customer_id"] = customer
	}
	for k, v := range extra {
		body[k] = v
	}
	r := s.API(t, "POST", "/session", body)
	if r.Status != 200 {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	return orderID, r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
}

// orderStatus reads the order through the merchant API.
func orderStatus(t *testing.T, s *apptest.Server, orderID string) map[string]any {
	t.Helper()
	r := s.API(t, "GET", "/orders/"+orderID, nil)
	if r.Status != 200 {
		t.Fatalf("order status: %d %s", r.Status, r.Body)
	}
	return r.JSON(t)
}

// signedReturn checks that sh stopped at the merchant's return URL with a
// valid signature (checked by the demo shop's independent implementation)
// and returns the status it carries.
func signedReturn(t *testing.T, s *apptest.Server, sh *apptest.Shopper) string {
	t.Helper()
	loc := sh.Location()
	if !strings.HasPrefix(loc, s.URL+"/sandbox/shop/return?") {
		t.Fatalf("not returned to the merchant; at %s (%d), location %q:\n%s", sh.URL, sh.Status, loc, sh.Body)
	}
	u, _ := url.Parse(loc)
	params := map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[0]
	}
	sig := params["signature"]
	delete(params, "signature")
	if params["signature_algorithm"] != "HMAC-SHA256" {
		t.Errorf("signature_algorithm %q", params["signature_algorithm"])
	}
	delete(params, "signature_algorithm")
	if params["cart"] != "shoes 1" || params["note"] != "a/b~c+₹" {
		t.Errorf("merchant's own parameters not kept: %v", params)
	}
	if !demoshop.VerifyJuspaySignature(params, s.Demo.ResponseKey, sig) {
		t.Errorf("return signature does not verify: %s", loc)
	}
	return params["status"]
}

func shopper(t *testing.T, s *apptest.Server) *apptest.Shopper {
	return apptest.NewShopper(t, s.URL+"/sandbox/shop/return")
}

func TestFirstTimePaymentThroughConsent(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "1499.00", "")
	sh := shopper(t, s).Get(link)
	if !sh.Has("method-AMAZONPAYLATER") || !sh.Has("pay-button") || sh.Has("available-credit") {
		t.Fatalf("first-time listing wrong:\n%s", sh.Body)
	}
	sh.Submit("pay-button", nil)
	if !sh.Has("consent-allow") || !strings.Contains(sh.URL.Path, "/sandbox/amazonpay/") {
		t.Fatalf("not on Amazon's consent page: %s\n%s", sh.URL, sh.Body)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("returned with %s", got)
	}
	o := orderStatus(t, s, orderID)
	if o["status"] != "CHARGED" || o["status_id"] != float64(21) || o["txn_id"] != "demo-"+orderID+"-1" ||
		o["payment_method"] != "AMAZONPAYLATER" || o["payment_method_type"] != "CONSUMER_FINANCE" || o["gateway_id"] != float64(38) {
		t.Errorf("order after payment: %v", o)
	}
	pgr, _ := o["payment_gateway_response"].(map[string]any)
	if pgr == nil || pgr["epg_txn_id"] == "" {
		t.Errorf("no Amazon charge id in payment_gateway_response: %v", o)
	}
	if n := len(s.Simulator.Charges("9000000001")); n != 1 {
		t.Errorf("simulator has %d charges, want 1", n)
	}
	// The whole way through the demo shop, which verifies and re-reads.
	sh2 := apptest.NewShopper(t, "").Get(sh.Location())
	if sh2.Text("shop-result") == "" || !strings.Contains(sh2.Text("shop-result"), "CHARGED") || sh2.Text("shop-signature") != "valid" {
		t.Errorf("demo shop result %q signature %q", sh2.Text("shop-result"), sh2.Text("shop-signature"))
	}
	// Reload and back after success show the result and never pay again.
	sh.Get(link)
	if sh.Text("result-status") != "Payment successful" || sh.Has("pay-button") || sh.Has("retry-button") {
		t.Errorf("reload after success:\n%s", sh.Body)
	}
	if n := len(s.Simulator.Charges("9000000001")); n != 1 {
		t.Errorf("simulator has %d charges after reload, want 1", n)
	}
}

func TestReturningCustomerPaysInOneTap(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrder(t, s, "9000000001", "100", "cust-returning")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first payment %s", got)
	}
	orderID, link := newOrder(t, s, "9000000001", "250.50", "cust-returning")
	sh = shopper(t, s).Get(link)
	if sh.Text("available-credit") != "₹49,900.00" || !sh.Has("kfs-link") || !sh.Has("pay-button") {
		t.Fatalf("linked listing wrong:\n%s", sh.Body)
	}
	sh.Submit("pay-button", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("one-tap payment %s", got)
	}
	if orderStatus(t, s, orderID)["status"] != "CHARGED" {
		t.Error("order not charged")
	}
	if s.Simulator.Credit("9000000001") != 4964950 {
		t.Errorf("credit %d", s.Simulator.Credit("9000000001"))
	}
}

func TestLimitPersona(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newPayLaterOrder(t, s, "9000000002", "1500", "")
	if sh := shopper(t, s).Get(link); sh.Has("method-AMAZONPAYLATER") || !sh.Has("no-methods") || !sh.Has("cancel-link") {
		t.Errorf("above the limit:\n%s", sh.Body)
	}
	_, link = newPayLaterOrder(t, s, "9000000002", "999.99", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Errorf("below the limit: %s", got)
	}
}

func TestNotEligibleSeesNoOption(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, phone := range []string{"9000000003", "9000000004", ""} {
		orderID, link := newPayLaterOrder(t, s, phone, "100", "")
		sh := shopper(t, s).Get(link)
		if sh.Has("method-AMAZONPAYLATER") || !sh.Has("no-methods") {
			t.Errorf("phone %q listed:\n%s", phone, sh.Body)
			continue
		}
		sh.Follow("cancel-link")
		if got := signedReturn(t, s, sh); got != "NEW" {
			t.Errorf("phone %q: cancel returned %s", phone, got)
		}
		// A forged pay request is refused too.
		if orderStatus(t, s, orderID)["status"] != "NEW" {
			t.Errorf("phone %q: order moved", phone)
		}
	}
}

func TestTwoFactor(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for otp, want := range map[string]string{sandbox.OTPApprove: "CHARGED", sandbox.OTPDecline: "AUTHENTICATION_FAILED"} {
		orderID, link := newOrder(t, s, "9000000005", "300", "")
		sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
		if !sh.Has("otp-input") {
			t.Fatalf("no 2FA page: %s\n%s", sh.URL, sh.Body)
		}
		sh.Submit("otp-submit", map[string]string{"otp": otp})
		if want == "CHARGED" {
			if got := signedReturn(t, s, sh); got != want {
				t.Errorf("otp %s: %s", otp, got)
			}
		} else if !sh.Has("retry-button") || !strings.Contains(sh.Text("result-status"), "not completed") {
			t.Errorf("otp %s: page:\n%s", otp, sh.Body)
		}
		if got := orderStatus(t, s, orderID)["status"]; got != want {
			t.Errorf("otp %s: order %s, want %s", otp, got, want)
		}
	}
}

func TestConsentDenied(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "100", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-deny", nil)
	if !sh.Has("retry-button") {
		t.Fatalf("after deny:\n%s", sh.Body)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "AUTHENTICATION_FAILED" {
		t.Errorf("order %s", got)
	}
	// Retrying goes back to consent and can succeed.
	sh.Submit("retry-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Errorf("retry after deny: %s", got)
	}
}

func TestAmazon500AfterChargingEndsChargedOnce(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000009", "100", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("returned %s", got)
	}
	if orderStatus(t, s, orderID)["status"] != "CHARGED" {
		t.Error("not charged")
	}
	if n := len(s.Simulator.Charges("9000000009")); n != 1 {
		t.Errorf("%d charges at Amazon", n)
	}
}

func TestPendingThenApproved(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "1s"})
	for phone, want := range map[string]string{"9000000007": "CHARGED", "9000000008": "AUTHORIZATION_FAILED"} {
		orderID, link := newOrder(t, s, phone, "100", "")
		sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
		// Checking with Amazon updates itself by script, and by a button
		// without JavaScript; never by a meta refresh.
		if !sh.Has("processing") || !sh.Has("check-again") || strings.Contains(sh.Body, `http-equiv="refresh"`) {
			t.Fatalf("%s: no processing page:\n%s", phone, sh.Body)
		}
		deadline := time.Now().Add(10 * time.Second)
		for sh.Has("processing") && time.Now().Before(deadline) {
			time.Sleep(300 * time.Millisecond)
			sh.Follow("check-again")
		}
		if got := orderStatus(t, s, orderID)["status"]; got != want {
			t.Errorf("%s: order %s, want %s", phone, got, want)
		}
		if want == "CHARGED" {
			// Waiting ends back at the merchant, as the instant path does.
			if got := signedReturn(t, s, sh); got != "CHARGED" {
				t.Errorf("%s: returned %s", phone, got)
			}
		} else if sh.Has("retry-button") || !sh.Has("pay-another-way") {
			// A decline is final: no retry, pay another way instead.
			t.Errorf("%s: a retry, or no way on, after a decline:\n%s", phone, sh.Body)
		}
	}
}

func TestParallelPaySubmitsMakeOneCharge(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	// Link the customer first, so that every submit would charge at once.
	_, link := newOrder(t, s, "9000000001", "10", "cust-parallel")
	shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	before := len(s.Simulator.Charges("9000000001"))

	orderID, link := newOrder(t, s, "9000000001", "20", "cust-parallel")
	sh := shopper(t, s).Get(link)
	form := url.Values{"csrf": {sh.Doc.Find(`input[name="csrf"]`).AttrOr("value", "")}}
	action := sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form").AttrOr("action", "")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := sh.Client.PostForm(s.URL+action, form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if n := len(s.Simulator.Charges("9000000001")) - before; n != 1 {
		t.Errorf("10 parallel submits made %d charges", n)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "CHARGED" {
		t.Errorf("order %s", got)
	}
}

func TestCallbacksWithoutCookieAndReplayed(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000005", "100", "")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil)
	// Amazon's consent page opens in another browser (no paypage cookie).
	other := shopper(t, s)
	other.Get(sh.URL.String())
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	consentForm := other.Doc.Find(`[data-testid="consent-allow"]`).Closest("form")
	values := url.Values{}
	consentForm.Find("input").Each(func(_ int, in *goquery.Selection) {
		values.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	if name := other.Doc.Find(`[data-testid="consent-allow"]`).AttrOr("name", ""); name != "" {
		values.Set(name, other.Doc.Find(`[data-testid="consent-allow"]`).AttrOr("value", ""))
	}
	action, _ := other.URL.Parse(consentForm.AttrOr("action", ""))
	resp, err := noFollow.PostForm(action.String(), values)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	if !strings.Contains(callback, "/amazonpay/consent?") {
		t.Fatalf("consent redirect %q", callback)
	}
	// The callback three times, each without a cookie.
	for i := 0; i < 3; i++ {
		apptest.NewShopper(t, s.URL+"/sandbox/shop/return").Get(callback)
	}
	if n := len(s.Simulator.Charges("9000000005")); n != 1 {
		t.Fatalf("%d charges after replayed consent callbacks", n)
	}
	// Complete 2FA in the cookie-less browser, then replay its callback.
	twofa := apptest.NewShopper(t, s.URL+"/sandbox/shop/return").Get(callback)
	if !twofa.Has("otp-input") {
		t.Fatalf("replayed callback did not lead to 2FA:\n%s", twofa.Body)
	}
	twofa.Submit("otp-submit", map[string]string{"otp": sandbox.OTPApprove})
	if got := signedReturn(t, s, twofa); got != "CHARGED" {
		t.Fatalf("2FA return %s", got)
	}
	chargeReturn := twofa.URL.String()
	for i := 0; i < 2; i++ {
		apptest.NewShopper(t, s.URL+"/sandbox/shop/return").Get(chargeReturn)
		apptest.NewShopper(t, s.URL+"/sandbox/shop/return").Get(callback)
	}
	if n := len(s.Simulator.Charges("9000000005")); n != 1 || orderStatus(t, s, orderID)["status"] != "CHARGED" {
		t.Errorf("after replays: %d charges, order %v", n, orderStatus(t, s, orderID)["status"])
	}
	// Forged callbacks are refused without touching anything.
	for _, p := range []string{"/amazonpay/consent?state=forged&code=x", "/amazonpay/consent", "/amazonpay/charges/nope/return"} {
		r := apptest.NewShopper(t, "").Get(s.URL + p)
		if r.Status != 400 && r.Status != 404 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
}

func TestExpiredOrderTakesNoPayment(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "100", "")
	sh := shopper(t, s).Get(link)
	if _, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	sh.Submit("pay-button", nil)
	if sh.Status != http.StatusConflict && sh.Status != http.StatusGone {
		t.Errorf("pay on expired order: %d\n%s", sh.Status, sh.Body)
	}
	if n := len(s.Simulator.Charges("9000000001")); n != 0 {
		t.Errorf("%d charges", n)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "NEW" {
		t.Errorf("order %s", got)
	}
}

func TestPayWithoutCSRFIsRefused(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newOrder(t, s, "9000000001", "100", "")
	sh := shopper(t, s).Get(link)
	action := sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form").AttrOr("action", "")
	for _, form := range []url.Values{{}, {"csrf": {"wrong"}}} {
		resp, err := sh.Client.PostForm(s.URL+action, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("csrf %v: %d", form, resp.StatusCode)
		}
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "NEW" {
		t.Errorf("order %s", got)
	}
}

func settle(t *testing.T, s *apptest.Server) { s.Settle(t) }

func TestLinkedButAboveCreditShowsAmazonsReason(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newPayLaterOrder(t, s, "9000000002", "600", "cust-limit")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first payment: %s", got)
	}
	// ₹400 of credit left: ₹500 is not payable, and Amazon says why.
	_, link = newPayLaterOrder(t, s, "9000000002", "500", "cust-limit")
	sh = shopper(t, s).Get(link)
	if !sh.Has("method-AMAZONPAYLATER") || sh.Text("method-reason") == "" || sh.Has("pay-button") || !sh.Has("no-methods") {
		t.Errorf("linked customer above the credit:\n%s", sh.Body)
	}
}

func TestRevokedLinkAsksForConsentAgain(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrder(t, s, "9000000001", "100", "cust-revoke")
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first payment: %s", got)
	}
	s.Simulator.RevokeLink("9000000001")
	orderID, link := newOrder(t, s, "9000000001", "100", "cust-revoke")
	sh = shopper(t, s).Get(link)
	if sh.Has("available-credit") || !sh.Has("pay-button") {
		t.Fatalf("after revoking, the page still treats the customer as linked:\n%s", sh.Body)
	}
	sh.Submit("pay-button", nil)
	if !sh.Has("consent-allow") {
		t.Fatalf("no consent page after revoking:\n%s", sh.Body)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" || orderStatus(t, s, orderID)["status"] != "CHARGED" {
		t.Errorf("payment after re-linking: %s", got)
	}

	// Revoked between page and pay: the charge is refused, the link is
	// dropped, and paying again goes through consent.
	orderID, link = newOrder(t, s, "9000000001", "100", "cust-revoke")
	sh = shopper(t, s).Get(link)
	if !sh.Has("available-credit") {
		t.Fatalf("re-linked customer not linked:\n%s", sh.Body)
	}
	s.Simulator.RevokeLink("9000000001")
	sh.Submit("pay-button", nil)
	if !sh.Has("retry-button") {
		t.Fatalf("charge with a revoked link:\n%s", sh.Body)
	}
	sh.Submit("retry-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" || orderStatus(t, s, orderID)["status"] != "CHARGED" {
		t.Errorf("retry after a revoked link: %s", got)
	}
}

func TestReturnByPostForm(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	creds, err := s.Service.CreateMerchant(context.Background(), "test", checkout.NewMerchant{
		ID: "poster", Name: "Poster", ReturnURLPrefixes: []string{"https://poster.example/"}, ReturnMethod: "POST",
	})
	if err != nil {
		t.Fatal(err)
	}
	body := s.Session("post-1", "10", "9000000003")
	body["return_url"] = "https://poster.example/back?cart=7"
	link := s.APIAs(t, "poster", creds.APIKey, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)
	sh := shopper(t, s).Get(link).Follow("cancel-link")
	form := sh.Doc.Find("form#return-form")
	if sh.Status != 200 || form.AttrOr("action", "") != "https://poster.example/back" || form.AttrOr("method", "") != "post" {
		t.Fatalf("return form: %d\n%s", sh.Status, sh.Body)
	}
	if !sh.Has("return-submit") {
		t.Error("no visible submit button for browsers without JavaScript")
	}
	params := map[string]string{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) { params[in.AttrOr("name", "")] = in.AttrOr("value", "") })
	sig := params["signature"]
	delete(params, "signature")
	delete(params, "signature_algorithm")
	if params["cart"] != "7" || params["status"] != "NEW" || params["order_id"] != "post-1" {
		t.Errorf("form fields %v", params)
	}
	if !demoshop.VerifyJuspaySignature(params, creds.ResponseKey, sig) {
		t.Error("POST return signature does not verify")
	}
	if script := sh.Doc.Find("script"); script.Length() == 0 || script.Last().AttrOr("nonce", "") == "" {
		t.Error("the auto-submitting script is missing or has no CSP nonce")
	}
}

// TestMalformedCallbacksAndPaths: nothing a client sends to the shopper
// routes and callbacks makes a 500.
func TestMalformedCallbacksAndPaths(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	long := strings.Repeat("x", 5000)
	for _, p := range []string{
		"/amazonpay/consent?state=%00&code=x",
		"/amazonpay/consent?state=" + long,
		"/amazonpay/consent?state=abc&error=access_denied",
		"/amazonpay/consent?state=%FF%FE%FD%FC%FB%FA%F9%F8%F7%F6%F5%F4%F3%F2%F1%F0",
		"/amazonpay/charges/%00/return",
		"/amazonpay/charges/" + long + "/return",
		"/orders/%00/payment-page",
		"/orders/" + long + "/payment-page",
		"/orders/ordeh_zz/return",
		"/static/..%2f..%2fetc%2fpasswd",
		"/static/" + long,
	} {
		resp, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d", p[:min(len(p), 60)], resp.StatusCode)
		}
	}
	resp, err := http.PostForm(s.URL+"/orders/%00/pay", url.Values{"csrf": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Errorf("POST pay with a NUL id: %d", resp.StatusCode)
	}
}
