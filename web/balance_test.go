package web_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/money"
)

// Amazon Pay Balance end to end: the payment page, Amazon's consent and
// top-up pages in the simulator, the signed return and the merchant API,
// all over real HTTP.

// filterOf is a payment_filter that shows only the methods of the given
// Juspay payment_method_types.
func filterOf(types ...string) map[string]any {
	opts := []any{}
	for _, ty := range types {
		opts = append(opts, map[string]any{"paymentMethodType": ty, "enable": true})
	}
	return map[string]any{"allowDefaultOptions": false, "options": opts}
}

// newBalanceOrder is newOrder with only Amazon Pay Balance offered.
func newBalanceOrder(t *testing.T, s *apptest.Server, phone, amount, customer string) (orderID, link string) {
	t.Helper()
	return newOrderWith(t, s, phone, amount, customer, map[string]any{"payment_filter": filterOf("WALLET")})
}

// payWith submits the form of button (pay-button or retry-button) in the
// card of method, after checking that the card has its own button and that
// its form names the method. Shopper.Submit sends the form of the first
// such button on the page, so the card's own fields go with it, and the
// two forms must post to the same place.
func payWith(t *testing.T, sh *apptest.Shopper, method, button string) *apptest.Shopper {
	t.Helper()
	card := sh.Doc.Find(`[data-testid="method-` + method + `"]`)
	own := card.Find(`[data-testid="` + button + `"]`)
	if own.Length() != 1 {
		t.Fatalf("card %s has %d %s; page:\n%s", method, own.Length(), button, sh.Body)
	}
	form := own.Closest("form")
	fields := formFields(form)
	if fields["method"] != method {
		t.Fatalf("card %s's form names method %q", method, fields["method"])
	}
	first := sh.Doc.Find(`[data-testid="` + button + `"]`).First().Closest("form")
	if first.AttrOr("action", "") != form.AttrOr("action", "") || !sameKeys(formFields(first), fields) {
		t.Fatalf("card %s's form differs from the first %s's beyond its values", method, button)
	}
	return sh.Submit(button, fields)
}

func formFields(form *goquery.Selection) map[string]string {
	fields := map[string]string{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if name := in.AttrOr("name", ""); name != "" {
			fields[name] = in.AttrOr("value", "")
		}
	})
	return fields
}

func sameKeys(a, b map[string]string) bool {
	keys := func(m map[string]string) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	return keys(a) == keys(b)
}

// cardText is the text of the element with testid inside method's card.
func cardText(sh *apptest.Shopper, method, testid string) string {
	return strings.TrimSpace(sh.Doc.Find(`[data-testid="method-` + method + `"] [data-testid="` + testid + `"]`).Text())
}

func rupees(t *testing.T, s string) money.Paise {
	t.Helper()
	p, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkWalletOrder checks that the order was paid with Amazon Pay Balance
// as Juspay reports a wallet payment, with flow as txn_flow_type.
func checkWalletOrder(t *testing.T, s *apptest.Server, orderID, flow string) {
	t.Helper()
	o := orderStatus(t, s, orderID)
	if o["status"] != "CHARGED" || o["payment_method"] != "AMAZONPAY" || o["payment_method_type"] != "WALLET" {
		t.Errorf("order %s: status %v, payment_method %v, payment_method_type %v", orderID, o["status"], o["payment_method"], o["payment_method_type"])
	}
	td, _ := o["txn_detail"].(map[string]any)
	if td == nil || td["txn_flow_type"] != flow {
		t.Errorf("order %s: txn_detail %v, want txn_flow_type %s", orderID, td, flow)
	}
}

func TestBalancePaysInOneTapOnceLinked(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001"
	credit, balance := s.Simulator.Credit(phone), s.Simulator.Balance(phone)

	orderID, link := newOrder(t, s, phone, "100", "cust-wallet")
	sh := shopper(t, s).Get(link)
	if !sh.Has("method-AMAZONPAYLATER") || !sh.Has("method-AMAZONPAY") || sh.Has("available-balance") {
		t.Fatalf("first-time listing wrong:\n%s", sh.Body)
	}
	payWith(t, sh, "AMAZONPAY", "pay-button")
	if !sh.Has("consent-allow") {
		t.Fatalf("an unlinked balance payment did not go to Amazon's consent page: %s\n%s", sh.URL, sh.Body)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first balance payment: %s", got)
	}
	checkWalletOrder(t, s, orderID, "DIRECT_DEBIT")

	// Linked: the balance shows, and one tap pays without Amazon's pages.
	orderID, link = newOrder(t, s, phone, "250.50", "cust-wallet")
	sh = shopper(t, s).Get(link)
	if got := cardText(sh, "AMAZONPAY", "available-balance"); got != (balance - rupees(t, "100")).Indian() {
		t.Fatalf("linked balance shows %q:\n%s", got, sh.Body)
	}
	payWith(t, sh, "AMAZONPAY", "pay-button")
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("one-tap balance payment: %s", got)
	}
	checkWalletOrder(t, s, orderID, "DIRECT_DEBIT")
	if got, want := s.Simulator.Balance(phone), balance-rupees(t, "350.50"); got != want {
		t.Errorf("balance %s, want %s", got.Indian(), want.Indian())
	}
	if got := s.Simulator.Credit(phone); got != credit {
		t.Errorf("Pay Later credit moved: %s, was %s", got.Indian(), credit.Indian())
	}
	charges := s.Simulator.Charges(phone)
	if len(charges) != 2 {
		t.Fatalf("%d charges at Amazon, want 2", len(charges))
	}
	for _, c := range charges {
		if c.Instrument != "AmazonPayBalance" {
			t.Errorf("charge %s was made with %s", c.ChargeID, c.Instrument)
		}
	}
}

func TestBalanceTopUp(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000011" // balance ₹100.00
	orderID, link := newBalanceOrder(t, s, phone, "250", "cust-topup")
	sh := shopper(t, s).Get(link)
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-allow", nil)

	// Short by ₹150: Amazon's top-up page, while the order waits.
	if !sh.Has("topup-pay") || !sh.Has("topup-cancel") || !strings.HasPrefix(sh.URL.Path, "/sandbox/amazonpay/") {
		t.Fatalf("not on Amazon's top-up page: %s\n%s", sh.URL, sh.Body)
	}
	if sh.Text("topup-shortfall") != "₹150.00" {
		t.Errorf("top-up asks for %q", sh.Text("topup-shortfall"))
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "PENDING_VBV" {
		t.Errorf("order while topping up: %v", got)
	}

	// Cancelled: declined, nothing taken, a retry offered.
	sh.Submit("topup-cancel", nil)
	if !sh.Has("retry-button") || sh.Text("result-status") != "Payment declined" {
		t.Fatalf("after cancelling the top-up:\n%s", sh.Body)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "AUTHORIZATION_FAILED" {
		t.Errorf("order after a cancelled top-up: %v", got)
	}
	if got := s.Simulator.Balance(phone); got != rupees(t, "100") {
		t.Errorf("balance after a cancelled top-up: %s", got.Indian())
	}

	// The retry is linked: straight to the top-up page, then paid.
	payWith(t, sh, "AMAZONPAY", "retry-button")
	if !sh.Has("topup-pay") {
		t.Fatalf("retry did not reach the top-up page: %s\n%s", sh.URL, sh.Body)
	}
	sh.Submit("topup-pay", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("after topping up: %s", got)
	}
	checkWalletOrder(t, s, orderID, "REDIRECT_DEBIT")
	if o := orderStatus(t, s, orderID); o["txn_id"] != "demo-"+orderID+"-2" {
		t.Errorf("txn_id %v, want the second attempt", o["txn_id"])
	}
	if got := s.Simulator.Balance(phone); got != 0 {
		t.Errorf("balance after paying ₹250 from ₹100 and a top-up: %s", got.Indian())
	}
}

func TestBalanceNonKYCIsDeclined(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000012" // balance ₹0, no KYC, no Pay Later
	orderID, link := newOrder(t, s, phone, "100", "")
	sh := shopper(t, s).Get(link)
	if sh.Has("method-AMAZONPAYLATER") || !sh.Has("method-AMAZONPAY") {
		t.Fatalf("listing for the non-KYC persona:\n%s", sh.Body)
	}
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-allow", nil)
	if sh.Text("result-status") != "Payment declined" {
		t.Fatalf("after the refused charge:\n%s", sh.Body)
	}
	o := orderStatus(t, s, orderID)
	if o["status"] != "AUTHORIZATION_FAILED" || o["status_id"] != float64(27) || o["bank_error_code"] != "NonKYCAccount" {
		t.Errorf("order: status %v, status_id %v, bank_error_code %v", o["status"], o["status_id"], o["bank_error_code"])
	}
	// Linked now, the card says why the balance cannot pay, and the
	// shopper can go back to pay another way.
	if !strings.Contains(cardText(sh, "AMAZONPAY", "method-reason"), "KYC") || sh.Has("pay-button") {
		t.Errorf("balance card after the refusal:\n%s", sh.Body)
	}
	sh.Follow("cancel-link")
	if got := signedReturn(t, s, sh); got != "AUTHORIZATION_FAILED" {
		t.Errorf("back to the merchant with %s", got)
	}
	charges := s.Simulator.Charges(phone)
	if len(charges) != 1 || charges[0].ReasonCode != "NonKYCAccount" || charges[0].Status == "CaptureApproved" {
		t.Errorf("Amazon's charges: %+v", charges)
	}
}

func TestBalanceRefund(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9876543210" // any other number: balance ₹1,000.00
	credit := s.Simulator.Credit(phone)
	orderID, link := newBalanceOrder(t, s, phone, "400", "")
	sh := shopper(t, s).Get(link)
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("payment: %s", got)
	}
	if got := s.Simulator.Balance(phone); got != rupees(t, "600") {
		t.Fatalf("balance after paying: %s", got.Indian())
	}

	r := refund(t, s, orderID, "bal-rf-1", "150.25")
	if r.Status != 200 {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	refunds, _ := r.JSON(t)["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["refund_source"] != "AMAZONPAY" {
		t.Fatalf("refunds: %v", refunds)
	}
	s.Settle(t)
	o := orderStatus(t, s, orderID)
	refunds, _ = o["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["status"] != "SUCCESS" || o["amount_refunded"] != 150.25 {
		t.Errorf("after settling: refunds %v, amount_refunded %v", refunds, o["amount_refunded"])
	}
	if got := s.Simulator.Balance(phone); got != rupees(t, "750.25") {
		t.Errorf("balance after the refund: %s, want ₹750.25", got.Indian())
	}

	// The rest: the whole payment is back in the balance.
	if r := refund(t, s, orderID, "bal-rf-2", "249.75"); r.Status != 200 {
		t.Fatalf("second refund: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	if o := orderStatus(t, s, orderID); o["refunded"] != true {
		t.Errorf("fully refunded order: refunded %v", o["refunded"])
	}
	if got := s.Simulator.Balance(phone); got != rupees(t, "1000") {
		t.Errorf("balance after refunding everything: %s", got.Indian())
	}
	if got := s.Simulator.Credit(phone); got != credit {
		t.Errorf("a balance refund moved the Pay Later credit: %s", got.Indian())
	}
}

func TestBalancePaymentFilterNarrowsThePage(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone = "9000000001" // can pay with either
	cases := []struct {
		name     string
		filter   any
		paylater bool
		balance  bool
	}{
		{"WALLET only", filterOf("WALLET"), false, true},
		{"CONSUMER_FINANCE only", filterOf("CONSUMER_FINANCE"), true, false},
		{"both types", filterOf("CONSUMER_FINANCE", "WALLET"), true, true},
		{"WALLET off, defaults on", map[string]any{"allowDefaultOptions": true,
			"options": []any{map[string]any{"paymentMethodType": "WALLET", "enable": false}}}, true, false},
		{"by method name", map[string]any{"allowDefaultOptions": false, "options": []any{map[string]any{
			"paymentMethodType": "WALLET", "paymentMethods": []string{"AMAZONPAY"}, "enable": true}}}, false, true},
		{"as JSON text", `{"allowDefaultOptions":false,"options":[{"paymentMethodType":"WALLET","enable":true}]}`, false, true},
	}
	for _, c := range cases {
		_, link := newOrderWith(t, s, phone, "100", "", map[string]any{"payment_filter": c.filter})
		sh := shopper(t, s).Get(link)
		if sh.Has("method-AMAZONPAYLATER") != c.paylater || sh.Has("method-AMAZONPAY") != c.balance || sh.Has("no-methods") {
			t.Errorf("%s: Pay Later card %v, balance card %v, no-methods %v; want %v, %v, false",
				c.name, sh.Has("method-AMAZONPAYLATER"), sh.Has("method-AMAZONPAY"), sh.Has("no-methods"), c.paylater, c.balance)
		}
	}

	// A filter that enables nothing: nothing to pay with, said plainly.
	for name, filter := range map[string]any{
		"no options":    map[string]any{"allowDefaultOptions": false, "options": []any{}},
		"an other type": filterOf("UPI"),
	} {
		orderID, link := newOrderWith(t, s, phone, "100", "", map[string]any{"payment_filter": filter})
		sh := shopper(t, s).Get(link)
		if !sh.Has("no-methods") || sh.Has("method-AMAZONPAYLATER") || sh.Has("method-AMAZONPAY") || sh.Has("pay-button") {
			t.Errorf("%s: page:\n%s", name, sh.Body)
			continue
		}
		if got := sh.Text("no-methods-why"); got != "No payment method is enabled for this order." {
			t.Errorf("%s: no-methods-why %q", name, got)
		}
		sh.Follow("cancel-link")
		if got := signedReturn(t, s, sh); got != "NEW" {
			t.Errorf("%s: cancel returned %s", name, got)
		}
		if got := orderStatus(t, s, orderID)["status"]; got != "NEW" {
			t.Errorf("%s: order %v", name, got)
		}
	}

	// A pay form naming a method the filter leaves out charges nothing.
	orderID, link := newBalanceOrder(t, s, phone, "100", "")
	sh := shopper(t, s).Get(link)
	sh.Submit("pay-button", map[string]string{"method": "AMAZONPAYLATER"})
	if sh.Status != 400 && sh.Status != 409 {
		t.Errorf("forged Pay Later payment on a WALLET-only order: %d\n%s", sh.Status, sh.Body)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "NEW" || len(s.Simulator.Charges(phone)) != 0 {
		t.Errorf("forged Pay Later payment: order %v, %d charges", got, len(s.Simulator.Charges(phone)))
	}
}

// The demo shop's methods choice reaches the page through the public API.
func TestBalanceDemoShopMethodsChoice(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for methods, want := range map[string][2]bool{"both": {true, true}, "paylater": {true, false}, "balance": {false, true}} {
		sh := shopper(t, s).Get(s.URL + "/sandbox/shop/")
		sh.Submit("shop-checkout", map[string]string{"phone": "9000000001", "methods": methods})
		if !strings.HasSuffix(sh.URL.Path, "/payment-page") {
			t.Fatalf("%s: checkout ended at %s (%d):\n%s", methods, sh.URL, sh.Status, sh.Body)
		}
		if sh.Has("method-AMAZONPAYLATER") != want[0] || sh.Has("method-AMAZONPAY") != want[1] {
			t.Errorf("%s: Pay Later card %v, balance card %v", methods, sh.Has("method-AMAZONPAYLATER"), sh.Has("method-AMAZONPAY"))
		}
	}
}

// A link Amazon made for the balance only: Pay Later refuses its token, so
// the shopper links again for Pay Later alone, and the balance keeps the
// first link.
func TestBalanceOnlyLinkThenPayLater(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	const phone, customer = "9000000001", "cust-balance-only"
	credit, balance := s.Simulator.Credit(phone), s.Simulator.Balance(phone)

	_, link := newOrder(t, s, phone, "100", customer)
	sh := shopper(t, s).Get(link)
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-allow-balance-only", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("balance payment with a balance-only link: %s", got)
	}

	// Pay Later cannot use that link: it offers linking again.
	orderID, link := newOrder(t, s, phone, "200", customer)
	sh = shopper(t, s).Get(link)
	if sh.Has("available-credit") || cardText(sh, "AMAZONPAY", "available-balance") != (balance-rupees(t, "100")).Indian() {
		t.Fatalf("after a balance-only link:\n%s", sh.Body)
	}
	payWith(t, sh, "AMAZONPAYLATER", "pay-button")
	if !sh.Has("consent-allow") {
		t.Fatalf("Pay Later with a balance-only link did not ask to link again: %s\n%s", sh.URL, sh.Body)
	}
	sh.Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("Pay Later after linking again: %s", got)
	}
	if o := orderStatus(t, s, orderID); o["payment_method"] != "AMAZONPAYLATER" {
		t.Errorf("second order paid with %v", o["payment_method"])
	}

	// Both linked now, each with its own link: both figures show, and the
	// balance still pays in one tap.
	orderID, link = newOrder(t, s, phone, "50", customer)
	sh = shopper(t, s).Get(link)
	if got, want := cardText(sh, "AMAZONPAY", "available-balance"), (balance - rupees(t, "100")).Indian(); got != want {
		t.Errorf("third order: available-balance %q, want %q", got, want)
	}
	if got, want := cardText(sh, "AMAZONPAYLATER", "available-credit"), (credit - rupees(t, "200")).Indian(); got != want {
		t.Errorf("third order: available-credit %q, want %q", got, want)
	}
	payWith(t, sh, "AMAZONPAY", "pay-button")
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("third order, balance in one tap: %s", got)
	}
	// As stored: the first link, refused for Pay Later only, and Pay
	// Later's own.
	var links []string
	if err := s.DB.SQL().Select(&links, `SELECT method || ':' || array_to_string(refused_for, ',') FROM links
		WHERE customer_id = $1 ORDER BY method`, customer); err != nil {
		t.Fatal(err)
	}
	if strings.Join(links, " ") != ":AMAZONPAYLATER AMAZONPAYLATER:" {
		t.Errorf("links stored: %q, want the shared one refused for AMAZONPAYLATER and AMAZONPAYLATER's own", links)
	}
	checkWalletOrder(t, s, orderID, "DIRECT_DEBIT")
	if got, want := s.Simulator.Balance(phone), balance-rupees(t, "150"); got != want {
		t.Errorf("balance %s, want %s", got.Indian(), want.Indian())
	}
}

func TestBalancePaymentFilterMalformed(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	tooMany := []any{}
	for range 51 {
		tooMany = append(tooMany, map[string]any{"paymentMethodType": "WALLET", "enable": true})
	}
	for i, filter := range []any{
		"not json",
		`{"allowDefaultOptions":false,"options":[]} trailing`,
		42,
		true,
		[]any{map[string]any{"paymentMethodType": "WALLET", "enable": true}},
		map[string]any{"allowDefaultOptions": "no", "options": []any{}},
		map[string]any{"options": map[string]any{"paymentMethodType": "WALLET"}},
		map[string]any{"options": []any{"WALLET"}},
		map[string]any{"options": []any{map[string]any{"enable": true}}},
		map[string]any{"options": []any{map[string]any{"paymentMethodType": "", "enable": true}}},
		map[string]any{"options": []any{map[string]any{"paymentMethodType": "WALLET"}}},
		map[string]any{"options": []any{map[string]any{"paymentMethodType": "WALLET", "enable": "yes"}}},
		map[string]any{"options": tooMany},
	} {
		orderID := fmt.Sprintf("bad-filter-%d", i)
		body := s.Session(orderID, "100", "9000000001")
		body["payment_filter"] = filter
		r := s.API(t, "POST", "/session", body)
		if r.Status != 400 {
			t.Errorf("payment_filter %v: %d %s", filter, r.Status, r.Body)
			continue
		}
		info, _ := r.JSON(t)["error_info"].(map[string]any)
		fields, _ := info["fields"].([]any)
		var first map[string]any
		if len(fields) > 0 {
			first, _ = fields[0].(map[string]any)
		}
		if name, _ := first["field_name"].(string); !strings.HasPrefix(name, "payment_filter") || first["reason"] == "" {
			t.Errorf("payment_filter %v: error_info.fields = %v", filter, fields)
		}
		if got := s.API(t, "GET", "/orders/"+url.PathEscape(orderID), nil); got.Status != 404 {
			t.Errorf("payment_filter %v: the refused session made an order (%d)", filter, got.Status)
		}
	}
}

// noticeMessage is the sentence under the latest attempt's result-status.
func noticeMessage(sh *apptest.Shopper) string {
	return strings.TrimSpace(sh.Doc.Find(`[role="status"] p:not([data-testid])`).Text())
}

// Denying consent when linking for the balance must not be worded as if
// the shopper had been linking Amazon Pay Later.
func TestBalanceConsentDeniedNamesTheBalance(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID, link := newBalanceOrder(t, s, "9000000001", "100", "")
	sh := shopper(t, s).Get(link)
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-deny", nil)
	if got := orderStatus(t, s, orderID)["status"]; got != "AUTHENTICATION_FAILED" || !sh.Has("retry-button") {
		t.Fatalf("after denying consent: order %v, retry %v", got, sh.Has("retry-button"))
	}
	if msg := noticeMessage(sh); strings.Contains(msg, "Pay Later") {
		t.Errorf("the only method on the page is Amazon Pay Balance, but the notice says %q", msg)
	}
}

// A refusal that leaves nothing payable (no KYC, so the balance cannot
// pay and Pay Later is not registered) must not promise a retry the page
// does not offer, and must offer the way to pay another way that
// DESIGN.md section 3 names (data-testid pay-another-way).
func TestBalanceRefusalWithNothingPayableOffersAnotherWay(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrder(t, s, "9000000012", "100", "")
	sh := shopper(t, s).Get(link)
	payWith(t, sh, "AMAZONPAY", "pay-button").Submit("consent-allow", nil)
	if sh.Text("result-status") != "Payment declined" || sh.Has("retry-button") || sh.Has("pay-button") {
		t.Fatalf("after the refusal: status %q, retry %v, pay %v", sh.Text("result-status"), sh.Has("retry-button"), sh.Has("pay-button"))
	}
	if msg := noticeMessage(sh); strings.Contains(msg, "try again") {
		t.Errorf("nothing on the page can be retried, but the notice says %q", msg)
	}
	if !sh.Has("pay-another-way") {
		t.Errorf("no pay-another-way on a failed payment with nothing left to pay with; the page offers only %q",
			sh.Text("cancel-link"))
	}
}
