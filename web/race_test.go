package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/faultproxy"
	"github.com/paypage/paypage/internal/pgtest"
)

// Routes of the Amazon calls the race tests count.
const (
	routeCharge       = "POST /v1/payments/charge"
	routeChargeStatus = "GET /v1/payments/charge"
	routeToken        = "POST /lwa/auth/o2/token"
)

// countedServer is a sandbox server whose Amazon calls, payments API and
// Login with Amazon alike, pass through a proxy that counts them.
func countedServer(t *testing.T, env map[string]string) (*apptest.Server, *faultproxy.Proxy) {
	t.Helper()
	ln, base := apptest.Listen(t)
	proxy, err := faultproxy.New(base + config.SandboxPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	vars := map[string]string{"AMAZONPAY_BASE_URL": proxy.URL, "AMAZONPAY_LWA_URL": proxy.URL + "/lwa"}
	for k, v := range env {
		vars[k] = v
	}
	return apptest.StartListening(t, pgtest.NewDatabase(t, apptest.Migrate), ln, vars), proxy
}

// toConsentCallback takes a new order of a first-time customer through Pay
// and Amazon's consent page and returns Amazon's redirect back to paypage,
// not yet followed, and the browser that was redirected.
func toConsentCallback(s *apptest.Server, api merchantAPI, orderID, phone string) (string, *apptest.Browser, error) {
	var session struct {
		Links struct {
			Web string `json:"web"`
		} `json:"payment_links"`
	}
	if _, err := api.call("POST", "/session", map[string]any{"order_id": orderID, "amount": "120.00", "currency": "INR",
		"customer_id": "cust-" + orderID, "customer_phone": phone, "return_url": s.URL + "/sandbox/shop/return"}, &session); err != nil {
		return "", nil, err
	}
	b := apptest.NewBrowser()
	loc, err := b.Get(session.Links.Web)
	for step := 0; err == nil && step < 10; step++ {
		switch {
		case strings.Contains(loc, "/amazonpay/consent?"):
			return loc, b, nil
		case loc != "":
			loc, err = b.Get(loc)
		case b.Has("pay-button"):
			loc, err = b.Submit("pay-button", nil)
		case b.Has("consent-allow"):
			loc, err = b.Submit("consent-allow", nil)
		default:
			return "", nil, fmt.Errorf("order %s: unexpected page %d at %s", orderID, b.Status, b.URL)
		}
	}
	return "", nil, fmt.Errorf("order %s: no consent callback (%v)", orderID, err)
}

// Every consent callback arrives four times at the same instant (a webview
// and a system browser tab, a double tap, a retrying proxy): one request
// exchanges the code and charges, and every order ends CHARGED.
func TestConsentCallbackReplayedFourTimesAtOnce(t *testing.T) {
	t.Parallel()
	const orders, copies = 300, 4
	s, proxy := countedServer(t, nil)
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	jobs := make(chan int)
	errc := make(chan error, orders)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				loc, _, err := toConsentCallback(s, api, fmt.Sprintf("replay-%d", i), "9000000001")
				if err != nil {
					errc <- err
					continue
				}
				start := make(chan struct{})
				var inner sync.WaitGroup
				for range copies {
					inner.Add(1)
					go func() {
						defer inner.Done()
						<-start
						b := apptest.NewBrowser()
						if _, err := b.Get(loc); err != nil || b.Status >= 400 {
							errc <- fmt.Errorf("callback: %d %v", b.Status, err)
						}
					}()
				}
				close(start)
				inner.Wait()
			}
		}()
	}
	for i := range orders {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	s.Settle(t)
	var byStatus []struct {
		Status string
		N      int
	}
	if err := s.DB.SQL().Select(&byStatus, `SELECT status, count(*) AS n FROM orders GROUP BY status`); err != nil {
		t.Fatal(err)
	}
	var refunds int
	if err := s.DB.SQL().Get(&refunds, `SELECT count(*) FROM refunds`); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d consent callbacks replayed %d times at once: %v, %d refunds, %d code exchanges, %d charge calls",
		orders, copies, byStatus, refunds, proxy.Calls(routeToken), proxy.Calls(routeCharge))
	if len(byStatus) != 1 || byStatus[0].Status != "CHARGED" || byStatus[0].N != orders || refunds != 0 {
		t.Errorf("orders %v, %d refunds; want all %d CHARGED and none refunded", byStatus, refunds, orders)
	}
	if got := proxy.Calls(routeToken); got != orders {
		t.Errorf("%d code exchanges, want %d", got, orders)
	}
	if got := proxy.Calls(routeCharge); got != orders {
		t.Errorf("%d charge calls, want %d", got, orders)
	}
	if got := len(s.Simulator.Charges("9000000001")); got != orders {
		t.Errorf("Amazon holds %d charges, want %d", got, orders)
	}
}

// The shopper's return from Amazon's 2FA page, four times at once: one
// status read, one outcome.
func TestTwoFactorReturnReplayedAsksAmazonOnce(t *testing.T) {
	t.Parallel()
	s, proxy := countedServer(t, nil)
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	for i := range 10 {
		loc, b, err := toConsentCallback(s, api, fmt.Sprintf("otp-%d", i), "9000000005")
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 10 && !strings.Contains(loc, "/amazonpay/charges/"); step++ {
			switch {
			case loc != "":
				loc, err = b.Get(loc)
			case b.Has("otp-input"):
				loc, err = b.Submit("otp-submit", map[string]string{"otp": "123456"})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(loc, "/amazonpay/charges/") {
			t.Fatalf("no 2FA return: at %s", b.URL)
		}
		before := proxy.Calls(routeChargeStatus)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				other := apptest.NewBrowser()
				if _, err := other.Get(loc); err != nil || other.Status >= 400 {
					t.Errorf("2FA return: %d %v", other.Status, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if got := proxy.Calls(routeChargeStatus) - before; got != 1 {
			t.Errorf("order otp-%d: %d status reads for four returns, want 1", i, got)
		}
		if st := orderStatus(t, s, fmt.Sprintf("otp-%d", i))["status"]; st != "CHARGED" {
			t.Errorf("order otp-%d: %v", i, st)
		}
	}
}

// The reconciler giving up a consent page (abandoned, or its order
// expired) at the same instant as the shopper's callback: one of them wins;
// either the payment goes through, or no code is exchanged and nothing is
// charged.
func TestGivingUpConsentRacesTheCallback(t *testing.T) {
	t.Parallel()
	s, proxy := countedServer(t, nil)
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	ctx := context.Background()
	won := map[string]int{}
	for i := range 30 {
		orderID := fmt.Sprintf("giveup-%d", i)
		loc, _, err := toConsentCallback(s, api, orderID, "9000000001")
		if err != nil {
			t.Fatal(err)
		}
		var a checkout.Attempt
		var id string
		if err := s.DB.SQL().Get(&id, `SELECT a.id FROM attempts a JOIN orders o ON o.id = a.order_id WHERE o.order_id = $1`, orderID); err != nil {
			t.Fatal(err)
		}
		if a, err = s.DB.AttemptByID(ctx, id); err != nil {
			t.Fatal(err)
		}
		tokens, charges := proxy.Calls(routeToken), proxy.Calls(routeCharge)
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			b := apptest.NewBrowser()
			if _, err := b.Get(loc); err != nil || b.Status >= 400 {
				t.Errorf("callback: %d %v", b.Status, err)
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			giveUp := s.Service.AbandonConsent
			if i%2 == 1 {
				giveUp = s.Service.CloseExpired
			}
			if err := giveUp(ctx, a); err != nil {
				t.Error(err)
			}
		}()
		close(start)
		wg.Wait()
		st := orderStatus(t, s, orderID)["status"]
		tokens, charges = proxy.Calls(routeToken)-tokens, proxy.Calls(routeCharge)-charges
		switch {
		case st == "CHARGED" && tokens == 1 && charges == 1:
			won["callback"]++
		case st == "AUTHENTICATION_FAILED" && tokens == 0 && charges == 0:
			won["giving up"]++
		default:
			t.Errorf("order %s: %v after %d code exchanges and %d charges", orderID, st, tokens, charges)
		}
	}
	t.Logf("30 races of giving up against the consent callback: %v", won)
}
