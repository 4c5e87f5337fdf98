package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/faultproxy"
)

// A pending charge (persona 07) whose status read is answered once with an
// unsigned 429 stays pending and watched, and ends CHARGED when Amazon
// approves it.
func TestRateLimitedStatusReadKeepsAPendingCharge(t *testing.T) {
	t.Parallel()
	s, proxy := countedServer(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "1s"})
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	loc, b, err := toConsentCallback(s, api, "rl-07", "9000000007")
	if err != nil {
		t.Fatal(err)
	}
	if loc, err = b.Get(loc); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(loc); err != nil || !b.Has("processing") {
		t.Fatalf("not checking with Amazon (%v):\n%s", err, b.Body)
	}
	for _, f := range []faultproxy.Fault{faultproxy.Status429, faultproxy.Status401, faultproxy.Status403, faultproxy.Unsigned} {
		proxy.Next(routeChargeStatus, f)
		s.Settle(t)
		var status string
		var watch bool
		if err := s.DB.SQL().QueryRow(`SELECT a.status, a.watch FROM attempts a JOIN orders o ON o.id = a.order_id
			WHERE o.order_id = 'rl-07'`).Scan(&status, &watch); err != nil {
			t.Fatal(err)
		}
		if status != "PENDING" || !watch {
			t.Fatalf("after a %s status read: attempt %s, watched %v", f, status, watch)
		}
	}
	deadline := 0
	for orderStatus(t, s, "rl-07")["status"] != "CHARGED" && deadline < 30 {
		deadline++
		time.Sleep(200 * time.Millisecond) // Amazon approves after a second
		s.Settle(t)
		if _, err := b.Get(b.Href("check-again")); err != nil {
			t.Fatal(err)
		}
	}
	if got := orderStatus(t, s, "rl-07")["status"]; got != "CHARGED" {
		var row string
		_ = s.DB.SQL().Get(&row, `SELECT format('%s watch=%s next=%s checking=%s now=%s', status, watch, next_check_at, checking_until, now()) FROM attempts`)
		t.Fatalf("order %v, want CHARGED; attempt %s; Amazon %+v", got, row, s.Simulator.Charges("9000000007"))
	}
	if c := s.Simulator.Charges("9000000007"); len(c) != 1 || c[0].Status != "CaptureApproved" {
		t.Errorf("Amazon: %+v", c)
	}
}

// Persona 09 answers the first charge call with a 500 after charging; the
// client's retry learns the charge exists, but its status read is answered
// with an unsigned 429. The shopper is told paypage is checking with
// Amazon, is never offered a retry, and the order ends CHARGED with one
// capture at Amazon.
func TestServerErrorThenRateLimitNeverChargesTwice(t *testing.T) {
	t.Parallel()
	s, proxy := countedServer(t, nil)
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	loc, b, err := toConsentCallback(s, api, "rl-09", "9000000009")
	if err != nil {
		t.Fatal(err)
	}
	proxy.Next(routeChargeStatus, faultproxy.Status429, faultproxy.Status429, faultproxy.Status429)
	for step := 0; loc != "" && step < 5; step++ {
		if loc, err = b.Get(loc); err != nil {
			t.Fatal(err)
		}
	}
	if !b.Has("processing") || b.Has("retry-button") || b.Has("pay-button") || strings.Contains(b.Body, "No money") {
		t.Fatalf("shopper after an unknown charge outcome:\n%s", b.Body)
	}
	for i := 0; i < 5 && orderStatus(t, s, "rl-09")["status"] != "CHARGED"; i++ {
		s.Settle(t)
	}
	if got := orderStatus(t, s, "rl-09")["status"]; got != "CHARGED" {
		t.Fatalf("order %v, want CHARGED", got)
	}
	if c := s.Simulator.Charges("9000000009"); len(c) != 1 {
		t.Errorf("Amazon holds %d charges: %+v", len(c), c)
	}
	// The shopper's next look goes on to the merchant.
	if loc, err := b.Get(b.Href("check-again")); err != nil || !strings.Contains(loc, "/return") {
		t.Errorf("after settling: %q %v", loc, err)
	}
}

// Amazon's answer to a charge lost in every way a network loses it: each
// time the attempt stays pending until a status read settles it, and
// Amazon holds exactly one charge per order.
func TestLostChargeAnswersAreSettledByStatus(t *testing.T) {
	t.Parallel()
	s, proxy := countedServer(t, map[string]string{"AMAZONPAY_TIMEOUT": "2s"})
	proxy.SlowFor = 2500 * time.Millisecond
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	for _, f := range []faultproxy.Fault{faultproxy.Unsigned, faultproxy.BadSignature, faultproxy.Slow,
		faultproxy.DropAfter, faultproxy.Status500After} {
		orderID := "lost-" + f.String()
		loc, b, err := toConsentCallback(s, api, orderID, "9000000001")
		if err != nil {
			t.Fatal(err)
		}
		// The client retries a 500 or a dropped connection on its own, so
		// break every try of this charge.
		proxy.Next(routeCharge, f)
		if f == faultproxy.DropAfter || f == faultproxy.Status500After {
			proxy.Next(routeCharge, f, f)
		}
		if _, err := b.Get(loc); err != nil {
			t.Fatal(err)
		}
		if got := orderStatus(t, s, orderID)["status"]; got != "PENDING_VBV" {
			t.Errorf("%s: order %v right after the charge, want PENDING_VBV", f, got)
		}
		// A status read can itself time out on a busy machine; the
		// reconciler then asks again.
		for i := 0; i < 10 && orderStatus(t, s, orderID)["status"] != "CHARGED"; i++ {
			s.Settle(t)
		}
		if got := orderStatus(t, s, orderID)["status"]; got != "CHARGED" {
			t.Errorf("%s: order %v after settling, want CHARGED", f, got)
		}
	}
	if got := len(s.Simulator.Charges("9000000001")); got != 5 {
		t.Errorf("Amazon holds %d charges for 5 orders", got)
	}
	t.Logf("faults injected: %s", proxy.Summary())
}

// With the simulator failing every request (PAYPAGE_SANDBOX_FAULTS=1), the
// page still renders; with only Pay Later offered (its eligibility needs
// Amazon) it shows the method as still being checked, with a way to try
// again and the way back, never "no payment option": Amazon refused
// nothing.
func TestPageWhenTheSandboxFailsEverything(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_FAULTS": "1"})
	_, link := newPayLaterOrder(t, s, "9000000001", "10", "")
	sh := shopper(t, s).Get(link)
	if sh.Status != 200 || !sh.Has("checking") || !sh.Has("checking-retry") || sh.Has("no-methods") || !sh.Has("cancel-link") ||
		strings.Contains(sh.Body, "No payment option") {
		t.Errorf("page with Amazon failing: %d\n%s", sh.Status, sh.Body)
	}
	if n := len(s.Simulator.Charges("")); n != 0 {
		t.Errorf("%d charges with every request failing", n)
	}
}
