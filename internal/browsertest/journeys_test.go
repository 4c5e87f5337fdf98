package browsertest

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/money"
)

// scenario is one shopper journey, run on its own server and tab.
type scenario struct {
	name string
	run  func(t *testing.T, s *apptest.Server, b *tab)
	env  map[string]string // the server's configuration, beyond the test defaults
}

var scenarios = []scenario{
	// First, as it waits longest for Amazon.
	{"pending-returns-by-itself", pendingReturns, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "3s"}},
	{"first-time", firstTime, nil},
	{"returning-one-tap", returningOneTap, nil},
	{"not-eligible", notEligible, nil},
	{"both-methods-pay-balance", bothMethodsPayBalance, nil},
	{"balance-rich", balanceRich, nil},
	{"balance-top-up", balanceTopUp, nil},
	{"balance-top-up-cancel", balanceTopUpCancel, nil},
	{"balance-non-kyc", balanceNonKYC, nil},
	{"filter-balance-only", filterBalanceOnly, nil},
	{"2fa-right-otp", twoFactorRight, nil},
	{"2fa-wrong-otp", twoFactorWrong, nil},
	{"2fa-typo-then-right", twoFactorTypo, nil},
	{"decline-then-pay-another-way", declineThenPayAnotherWay, nil},
	{"branded-decline", brandedDecline, nil},
	{"reload-and-back", reloadAndBack, nil},
	{"first-time-no-js", firstTimeNoJS, nil},
	{"reload-and-back-no-js", reloadAndBackNoJS, nil},
}

// TestInBrowser runs every scenario and the weight budget against one
// browser. Scenarios run in parallel (up to -parallel, GOMAXPROCS by
// default), each with its own server, database and incognito tab.
func TestInBrowser(t *testing.T) {
	browser := startBrowser(t)
	axeSource(t) // fetch once, before the scenarios race for it
	t.Run("checks-self-test", func(t *testing.T) { checksCatchProblems(t, browser) })

	var mu sync.Mutex
	took := map[string]time.Duration{}
	byName := map[string]scenario{}
	var names []string
	for _, sc := range scenarios {
		byName[sc.name] = sc
		names = append(names, sc.name)
	}
	// Journeys that start their own server, on a browser path of their own.
	own := map[string]func(t *testing.T, browser context.Context){"cookies-blocked": cookiesBlocked}
	for name := range own {
		names = append(names, name)
	}
	t.Run("journeys", func(t *testing.T) {
		concurrently(t, names, func(t *testing.T, name string) {
			if run, ok := own[name]; ok {
				start := time.Now()
				run(t, browser)
				mu.Lock()
				took[name] = time.Since(start)
				mu.Unlock()
				return
			}
			sc := byName[name]
			start := time.Now()
			s := apptest.Start(t, sc.env)
			sc.run(t, s, newTab(t, browser, s.URL, sc.name))
			mu.Lock()
			took[sc.name] = time.Since(start)
			mu.Unlock()
		})
	})
	names = names[:0]
	for n := range took {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return took[names[i]] > took[names[j]] })
	for _, n := range names {
		t.Logf("scenario %-20s %v", n, took[n].Round(10*time.Millisecond))
	}
	t.Run("payment-page-weight", func(t *testing.T) { paymentPageWeight(t, browser, nil) })
	t.Run("payment-page-weight-64kb-logo", func(t *testing.T) { paymentPageWeight(t, browser, logo64KB(t)) })
}

// cart is what a person fills in on the shop's cart; empty fields keep
// the cart's defaults.
type cart struct {
	phone    string
	customer string
	amount   string // e.g. "250.00"
	methods  string // the shop's methods choice: both, paylater or balance
}

// checkout is the shop's cart as a person uses it: pick the persona, maybe
// type a customer id, tap Checkout; want is an element of the next page.
func checkout(b *tab, phone, customer, want string) {
	b.t.Helper()
	checkoutCart(b, cart{phone: phone, customer: customer}, want)
}

// checkoutCart is checkout with every field of the cart.
func checkoutCart(b *tab, c cart, want string) {
	b.t.Helper()
	b.open("/sandbox/shop/", "shop-checkout")
	b.choose("phone", c.phone)
	if c.customer != "" {
		b.typeInto("customer_id", c.customer)
	}
	if c.amount != "" {
		b.typeInto("amount", c.amount)
	}
	if c.methods != "" {
		b.choose("methods", c.methods)
	}
	b.state("shop-cart")
	b.tap("shop-checkout", want)
}

// shopResult checks that the shopper is on the shop's return page with
// status, and that the shop verified paypage's signature.
func shopResult(b *tab, status string) {
	b.t.Helper()
	if p := b.path(); p != "/sandbox/shop/return" {
		b.t.Fatalf("not back at the shop but at %s", b.location())
	}
	if got := b.text("shop-result"); !strings.Contains(got, status) {
		b.t.Errorf("shop-result %q, want %s", got, status)
	}
	if got := b.text("shop-signature"); got != "valid" {
		b.t.Errorf("shop-signature %q, want valid", got)
	}
}

func charges(t *testing.T, s *apptest.Server, phone string, want int) {
	t.Helper()
	if n := len(s.Simulator.Charges(phone)); n != want {
		t.Errorf("Amazon has %d charges for %s, want %d", n, phone, want)
	}
}

// payFirstTime goes from the shop through Amazon's consent to the shop's
// result page, checking every state on the way.
func payFirstTime(b *tab, phone, customer string) {
	b.t.Helper()
	checkout(b, phone, customer, "pay-button")
	if !b.has("method-AMAZONPAYLATER") || b.has("available-credit") {
		b.t.Errorf("first-time listing: method %v, credit shown %v", b.has("method-AMAZONPAYLATER"), b.has("available-credit"))
	}
	b.state("payment-page")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	if !strings.HasPrefix(b.path(), "/sandbox/amazonpay/") {
		b.t.Errorf("consent is not on Amazon's pages: %s", b.location())
	}
	b.state("amazon-consent")
	b.tap("consent-allow", "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result")
}

func firstTime(t *testing.T, s *apptest.Server, b *tab) {
	// QA starts at the simulator's index to pick a persona.
	b.open("/sandbox/amazonpay/", "sandbox-index")
	if !b.has("persona-9000000001") || !b.has("persona-default") {
		t.Error("the simulator's index lacks a persona")
	}
	b.state("sandbox-index")
	payFirstTime(b, "9000000001", "")
	charges(t, s, "9000000001", 1)
}

func firstTimeNoJS(t *testing.T, s *apptest.Server, b *tab) {
	b.disableJS()
	payFirstTime(b, "9000000001", "")
	charges(t, s, "9000000001", 1)
}

func returningOneTap(t *testing.T, s *apptest.Server, b *tab) {
	payFirstTime(b, "9000000001", "cust-returning")
	checkout(b, "9000000001", "cust-returning", "pay-button")
	if b.text("available-credit") == "" || !b.has("kfs-link") {
		t.Errorf("linked listing: credit %q, KFS link %v", b.text("available-credit"), b.has("kfs-link"))
	}
	b.state("payment-page-linked")
	// One tap: straight back to the shop, no consent page in between.
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result-one-tap")
	charges(t, s, "9000000001", 2)
}

// notEligible offers Amazon Pay Later alone to a shopper not registered
// for it (the balance would pay otherwise): nothing is payable, the page
// says why and leads back to the shop.
func notEligible(t *testing.T, s *apptest.Server, b *tab) {
	checkoutCart(b, cart{phone: "9000000003", methods: "paylater"}, "no-methods")
	if b.has("method-AMAZONPAYLATER") || b.has("method-AMAZONPAY") || b.has("pay-button") {
		t.Error("a method offered to a shopper who is not eligible for the only one allowed")
	}
	if b.text("no-methods-why") == "" {
		t.Error("the no-methods state does not say why")
	}
	// The way back is the section's own button, not a small link.
	if !b.hasIn("no-methods", "pay-another-way") || !strings.Contains(" "+b.eval(`document.querySelector('[data-testid="no-methods"] [data-testid="pay-another-way"]').className`)+" ", " btn ") {
		t.Fatal("no button back to the shop in the no-methods state")
	}
	b.state("no-methods")
	b.tapIn("no-methods", "pay-another-way", "shop-result")
	shopResult(b, "NEW")
	b.state("shop-cancelled")
	charges(t, s, "9000000003", 0)
}

// toOTP pays as the 2FA persona up to Amazon's OTP page.
func toOTP(b *tab) {
	b.t.Helper()
	checkout(b, "9000000005", "", "pay-button")
	b.state("payment-page")
	b.tap("pay-button", "consent-allow")
	b.state("amazon-consent")
	b.tap("consent-allow", "otp-input")
	b.state("amazon-otp")
}

func twoFactorRight(t *testing.T, s *apptest.Server, b *tab) {
	toOTP(b)
	b.typeInto("otp", sandbox.OTPApprove)
	b.tap("otp-submit", "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result")
	charges(t, s, "9000000005", 1)
}

func twoFactorWrong(t *testing.T, s *apptest.Server, b *tab) {
	toOTP(b)
	b.typeInto("otp", sandbox.OTPDecline)
	b.tap("otp-submit", "retry-button")
	if got := b.text("result-status"); !strings.Contains(got, "not completed") {
		t.Errorf("result-status %q after a wrong OTP", got)
	}
	b.state("payment-retry")
}

// twoFactorTypo mistypes the OTP once: Amazon's page says how many tries
// are left and takes the right code, which pays.
func twoFactorTypo(t *testing.T, s *apptest.Server, b *tab) {
	toOTP(b)
	b.typeInto("otp", "111111")
	b.tap("otp-submit", "otp-error")
	b.expectStatus(http.StatusUnprocessableEntity) // the page's answer to a wrong code
	if got := b.text("otp-error"); !strings.Contains(got, "2 tries left") {
		t.Errorf("otp-error %q after one typo, want 2 tries left", got)
	}
	b.state("amazon-otp-typo")
	b.typeInto("otp", sandbox.OTPApprove)
	b.tap("otp-submit", "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result")
	charges(t, s, "9000000005", 1)
}

// cookiesBlocked pays first-time in a webview that keeps no cookie from
// the start (behind a cookieDropper): the payment page, Amazon's consent
// and the return all work without one, and the order is charged once.
func cookiesBlocked(t *testing.T, browser context.Context) {
	s, d := startCookieless(t)
	b := newTab(t, browser, d.URL, "cookies-blocked")
	b.noDocumentCookie()
	payFirstTime(b, "9000000001", "")
	charges(t, s, "9000000001", 1)
	if got := b.cookies(); len(got) != 0 {
		t.Errorf("the browser kept cookies %v", got)
	}
	if d.Cut.Load() == 0 {
		t.Error("no answer set a cookie to take away: the block was never tried")
	}
}

// pendingReturns pays as the persona whose charges stay pending, here for
// 3 s: the payment page says it is checking, and the shopper lands on the
// shop's result without a tap once Amazon approves.
func pendingReturns(t *testing.T, s *apptest.Server, b *tab) {
	checkout(b, "9000000007", "", "pay-button")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	b.tap("consent-allow", "processing")
	ctx, cancel := context.WithTimeout(b.ctx, 40*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, waitFor("shop-result")); err != nil {
		t.Fatalf("not back at the shop 40 s after paying: %v\npage %s shows:\n%s", err, b.location(), b.shows())
	}
	shopResult(b, "CHARGED")
	b.state("shop-result")
	charges(t, s, "9000000007", 1)
}

// declineThenPayAnotherWay: a hard decline offers no retry, only "Pay
// another way" back to the shop, with the failed status.
func declineThenPayAnotherWay(t *testing.T, s *apptest.Server, b *tab) {
	checkout(b, "9000000006", "", "pay-button")
	b.state("payment-page")
	b.tap("pay-button", "consent-allow")
	b.state("amazon-consent")
	b.tap("consent-allow", "pay-another-way")
	if got := b.text("result-status"); got != "Payment declined" {
		t.Errorf("result-status %q after a decline", got)
	}
	if b.has("retry-button") || b.has("pay-button") {
		t.Error("a retry is offered after a decline")
	}
	b.state("payment-declined")
	b.tap("pay-another-way", "shop-result")
	shopResult(b, "AUTHORIZATION_FAILED")
	b.state("shop-result-declined")
	charges(t, s, "9000000006", 1)
}

// reloadAndBackNoJS is reloadAndBack in a webview with JavaScript off,
// where no script can reload a page restored from the back-forward cache.
func reloadAndBackNoJS(t *testing.T, s *apptest.Server, b *tab) {
	b.disableJS()
	reloadAndBack(t, s, b)
}

// reloadAndBack pays, then reloads the result and walks back through the
// history to the payment page: nothing pays again, and the payment page
// shows the result instead of a pay button.
func reloadAndBack(t *testing.T, s *apptest.Server, b *tab) {
	payFirstTime(b, "9000000001", "")
	b.reload("shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result-reloaded")
	charges(t, s, "9000000001", 1)

	// Back lands on Amazon's consent page first (the redirect target
	// before the shop); back again is the payment page.
	b.back("consent-allow")
	b.state("back-to-consent")
	if b.back("result-status") {
		t.Log("the payment page came back from the back-forward cache")
	}
	if got := b.text("result-status"); got != "Payment successful" {
		t.Errorf("payment page after back: result-status %q", got)
	}
	if b.has("pay-button") || b.has("retry-button") {
		t.Error("payment page after back offers to pay again")
	}
	b.state("back-to-payment-page")
	b.reload("result-status")
	b.state("payment-page-reloaded")
	charges(t, s, "9000000001", 1)

	// Forward to Amazon's consent page, as it was left, and Allow again:
	// a replayed consent must neither charge nor hide the result.
	b.forward("consent-allow")
	b.tap("consent-allow", "")
	b.state("allow-again")
	if !strings.Contains(b.text("shop-result"), "CHARGED") && b.text("result-status") != "Payment successful" {
		t.Errorf("after allowing again the shopper sees neither the shop's result nor the paid order")
	}
	charges(t, s, "9000000001", 1)
}

// balanceCards checks which method cards the page shows, and that each
// shown one has its own pay button.
func balanceCards(b *tab, payLater, balance bool) {
	b.t.Helper()
	for card, want := range map[string]bool{"method-AMAZONPAYLATER": payLater, "method-AMAZONPAY": balance} {
		if got := b.has(card); got != want {
			b.t.Errorf("%s shown %v, want %v", card, got, want)
		} else if want && !b.hasIn(card, "pay-button") {
			b.t.Errorf("%s has no pay button of its own", card)
		}
	}
}

// balanceMoved checks that phone's balance went down by paid (rupees) and
// that its Pay Later credit is credit still.
func balanceMoved(t *testing.T, s *apptest.Server, phone string, before, credit money.Paise, paid string) {
	t.Helper()
	p, err := money.Parse(paid)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Simulator.Balance(phone); got != before-p {
		t.Errorf("balance of %s is %s, want %s", phone, got.Indian(), (before - p).Indian())
	}
	if got := s.Simulator.Credit(phone); got != credit {
		t.Errorf("Pay Later credit of %s moved to %s from %s", phone, got.Indian(), credit.Indian())
	}
}

// payWithBalance goes from the balance card through Amazon's consent,
// Allow, to the element want.
func payWithBalance(b *tab, want string) {
	b.t.Helper()
	b.tapIn("method-AMAZONPAY", "pay-button", "consent-allow")
	b.tap("consent-allow", want)
}

func bothMethodsPayBalance(t *testing.T, s *apptest.Server, b *tab) {
	const phone = "9000000001"
	balance, credit := s.Simulator.Balance(phone), s.Simulator.Credit(phone)
	checkoutCart(b, cart{phone: phone, amount: "250.00"}, "method-AMAZONPAY")
	balanceCards(b, true, true)
	b.state("payment-page-both")
	b.tapIn("method-AMAZONPAY", "pay-button", "consent-allow")
	b.state("amazon-consent")
	b.tap("consent-allow", "shop-result")
	shopResult(b, "CHARGED")
	balanceMoved(t, s, phone, balance, credit, "250")
	charges(t, s, phone, 1)
}

func balanceRich(t *testing.T, s *apptest.Server, b *tab) {
	const phone = "9000000010" // ₹1,00,000.00 balance, no Pay Later
	balance, credit := s.Simulator.Balance(phone), s.Simulator.Credit(phone)
	checkoutCart(b, cart{phone: phone, amount: "5000.00"}, "method-AMAZONPAY")
	balanceCards(b, false, true)
	b.state("payment-page-balance")
	payWithBalance(b, "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result")
	balanceMoved(t, s, phone, balance, credit, "5000")
}

// toTopUp pays ₹250 from the ₹100 balance of 9000000011 up to Amazon's
// top-up page.
func toTopUp(b *tab) {
	b.t.Helper()
	checkoutCart(b, cart{phone: "9000000011", amount: "250.00"}, "method-AMAZONPAY")
	balanceCards(b, true, true)
	payWithBalance(b, "topup-pay")
	if !strings.HasPrefix(b.path(), "/sandbox/amazonpay/") {
		b.t.Errorf("the top-up page is not on Amazon's pages: %s", b.location())
	}
	if got := b.text("topup-shortfall"); got != "₹150.00" {
		b.t.Errorf("top-up asks for %q, want ₹150.00", got)
	}
	b.state("amazon-topup")
}

func balanceTopUp(t *testing.T, s *apptest.Server, b *tab) {
	toTopUp(b)
	b.tap("topup-pay", "shop-result")
	shopResult(b, "CHARGED")
	b.state("shop-result")
	if got := s.Simulator.Balance("9000000011"); got != 0 {
		t.Errorf("balance %s after paying ₹250 from ₹100 and a top-up", got.Indian())
	}
}

func balanceTopUpCancel(t *testing.T, s *apptest.Server, b *tab) {
	toTopUp(b)
	b.tap("topup-cancel", "retry-button")
	if got := b.text("result-status"); got != "Payment declined" {
		t.Errorf("result-status %q after cancelling the top-up", got)
	}
	if !b.hasIn("method-AMAZONPAY", "retry-button") {
		t.Error("no retry with the balance after cancelling the top-up")
	}
	b.state("payment-top-up-cancelled")
	if got := s.Simulator.Balance("9000000011"); got != 100_00 {
		t.Errorf("balance %s after a cancelled top-up, want ₹100.00", got.Indian())
	}
}

func balanceNonKYC(t *testing.T, s *apptest.Server, b *tab) {
	checkoutCart(b, cart{phone: "9000000012", amount: "100.00"}, "method-AMAZONPAY")
	balanceCards(b, false, true)
	payWithBalance(b, "result-status")
	if got := b.text("result-status"); got != "Payment declined" {
		t.Errorf("result-status %q after the refused charge", got)
	}
	if got := b.textIn("method-AMAZONPAY", "method-reason"); !strings.Contains(got, "KYC") {
		t.Errorf("the balance card says %q, nothing about KYC", got)
	}
	if !b.has("cancel-link") {
		t.Fatal("no way back to the shop to pay another way")
	}
	b.state("payment-non-kyc")
	b.tap("cancel-link", "shop-result")
	shopResult(b, "AUTHORIZATION_FAILED")
	b.state("shop-result-declined")
}

func filterBalanceOnly(t *testing.T, s *apptest.Server, b *tab) {
	checkoutCart(b, cart{phone: "9000000001", methods: "balance"}, "method-AMAZONPAY")
	balanceCards(b, false, true)
	b.state("payment-page-balance-only")
	charges(t, s, "9000000001", 0)
}
