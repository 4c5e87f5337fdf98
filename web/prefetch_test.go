package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
)

// offerCalls counts the Amazon offer calls (eligibility, instruments) on
// order orderID's timeline, once the count has stopped moving: timeline
// entries are written just after the call.
func offerCalls(t *testing.T, s *apptest.Server, orderID string) int {
	t.Helper()
	count := func() int {
		r := s.API(t, "GET", "/orders/"+orderID+"/timeline", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("timeline: %d %s", r.Status, r.Body)
		}
		n := 0
		for _, e := range r.JSON(t)["entries"].([]any) {
			if e := e.(map[string]any); e["kind"] == "provider_call" && e["operation"] == "offer" {
				n++
			}
		}
		return n
	}
	last := count()
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		n := count()
		if n == last {
			return n
		}
		last = n
	}
	return last
}

// With Amazon 300 ms away, a session's offers are fetched while the
// merchant redirects the shopper, and kept with the order: the page,
// opened on the instance that made the session or on another one on the
// same database, and Pay sending a first-time shopper to consent, make no
// Amazon offer call at all. With prefetch off the page asks Amazon, so
// the count is what proves it.
func TestPrefetchedPageAsksAmazonNothing(t *testing.T) {
	t.Parallel()
	const latency = 300 * time.Millisecond
	dsn := pgtest.NewDatabase(t, apptest.Migrate)
	lb := newRoundRobin(t)
	env := map[string]string{"PAYPAGE_BASE_URL": lb.URL, "PAYPAGE_SANDBOX_LATENCY": latency.String()}
	a := apptest.StartOn(t, dsn, env)
	b := apptest.StartOn(t, dsn, env)
	lb.set(a.URL)

	session := func(s *apptest.Server, orderID string) string {
		t.Helper()
		body := s.Session(orderID, "100.00", "9000000001")
		body["return_url"] = lb.URL + "/sandbox/shop/return"
		start := time.Now()
		r := s.API(t, "POST", "/session", body)
		if r.Status != http.StatusOK {
			t.Fatalf("session: %d %s", r.Status, r.Body)
		}
		if took := time.Since(start); took >= latency {
			t.Errorf("session answer took %v, as long as Amazon's latency: the prefetch delayed it", took)
		}
		return r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
	}

	for _, tc := range []struct {
		name     string
		pageOn   *apptest.Server
		pageName string
	}{{"same instance", a, "a"}, {"other instance", b, "b"}} {
		orderID := fmt.Sprintf("pf-%s-%d", tc.pageName, time.Now().UnixNano()%1e9)
		link := session(a, orderID)
		a.Service.Wait() // the prefetch is done: the shopper arrives after the merchant's redirect
		prefetched := offerCalls(t, a, orderID)
		if prefetched == 0 {
			t.Fatalf("%s: no offer call was prefetched", tc.name)
		}
		lb.set(tc.pageOn.URL)
		start := time.Now()
		sh := apptest.NewShopper(t, lb.URL+"/sandbox/shop/return").Get(link)
		took := time.Since(start)
		if sh.Status != http.StatusOK || !sh.Has("method-AMAZONPAYLATER") || !sh.Has("pay-button") {
			t.Fatalf("%s: page %d without Pay Later:\n%.600s", tc.name, sh.Status, sh.Body)
		}
		tc.pageOn.Service.Wait()
		if n := offerCalls(t, a, orderID); n != prefetched {
			t.Errorf("%s: the page made %d Amazon offer calls after the prefetch's %d", tc.name, n-prefetched, prefetched)
		}
		t.Logf("%s: page in %v with Amazon %v away, %d prefetched offer calls", tc.name, took, latency, prefetched)

		// Pay for this first-time shopper goes to consent on the kept
		// answer, without asking Amazon about eligibility again.
		sh.Submit("pay-button", nil)
		if !sh.Has("consent-allow") || !strings.Contains(sh.URL.Path, "/sandbox/amazonpay/") {
			t.Fatalf("%s: not on Amazon's consent page: %s\n%.600s", tc.name, sh.URL, sh.Body)
		}
		tc.pageOn.Service.Wait()
		if n := offerCalls(t, a, orderID); n != prefetched {
			t.Errorf("%s: Pay made %d Amazon offer calls", tc.name, n-prefetched)
		}
		lb.set(a.URL)
	}

	// A linked customer whose access token expires in two minutes: the
	// prefetch renews it and reads the instruments, and the page on the
	// other instance uses that answer, made with the link as stored after
	// the renewal, without renewing or asking anything.
	const customer = "cust-pf-linked"
	first := fmt.Sprintf("pf-l1-%d", time.Now().UnixNano()%1e9)
	body := a.Session(first, "100.00", "9000000001")
	body["customer_id"], body["return_url"] = customer, lb.URL+"/sandbox/shop/return"
	r := a.API(t, "POST", "/session", body)
	if r.Status != http.StatusOK {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	lb.set(a.URL)
	sh := apptest.NewShopper(t, lb.URL+"/sandbox/shop/return").Get(r.JSON(t)["payment_links"].(map[string]any)["web"].(string))
	sh.Submit("pay-button", nil)
	sh.Submit("consent-allow", nil)
	if !strings.HasPrefix(sh.Location(), lb.URL+"/sandbox/shop/return?") {
		t.Fatalf("first payment not returned to the shop: %d at %s", sh.Status, sh.URL)
	}
	aging := `UPDATE links SET access_expires_at = now() + interval '2 minutes' WHERE customer_id = $1`
	if _, err := a.DB.SQL().Exec(aging, customer); err != nil {
		t.Fatal(err)
	}
	second := fmt.Sprintf("pf-l2-%d", time.Now().UnixNano()%1e9)
	body = a.Session(second, "100.00", "9000000001")
	body["customer_id"], body["return_url"] = customer, lb.URL+"/sandbox/shop/return"
	if r = a.API(t, "POST", "/session", body); r.Status != http.StatusOK {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	a.Service.Wait()
	var renewed bool
	if err := a.DB.SQL().QueryRow(`SELECT bool_and(access_expires_at > now() + interval '10 minutes') FROM links WHERE customer_id = $1`,
		customer).Scan(&renewed); err != nil || !renewed {
		t.Errorf("the prefetch did not renew the expiring token: %v %v", renewed, err)
	}
	prefetched := offerCalls(t, a, second)
	if prefetched == 0 {
		t.Fatal("linked: no offer call was prefetched")
	}
	lb.set(b.URL)
	sh = apptest.NewShopper(t, lb.URL+"/sandbox/shop/return").Get(r.JSON(t)["payment_links"].(map[string]any)["web"].(string))
	if !sh.Has("available-credit") || !sh.Has("pay-button") {
		t.Fatalf("linked page %d without the credit:\n%.600s", sh.Status, sh.Body)
	}
	b.Service.Wait()
	if n := offerCalls(t, a, second); n != prefetched {
		t.Errorf("linked: the page made %d Amazon offer calls after the prefetch's %d", n-prefetched, prefetched)
	}

	// The control: with prefetch off, the page asks Amazon itself.
	off := apptest.StartOn(t, dsn, map[string]string{"PAYPAGE_BASE_URL": lb.URL, "PAYPAGE_SANDBOX_LATENCY": latency.String(),
		"PAYPAGE_PREFETCH_MAX_IN_FLIGHT": "0"})
	lb.set(off.URL)
	orderID := fmt.Sprintf("pf-off-%d", time.Now().UnixNano()%1e9)
	link := session(off, orderID)
	off.Service.Wait()
	if n := offerCalls(t, off, orderID); n != 0 {
		t.Fatalf("prefetch off, yet %d offer calls before the page", n)
	}
	start := time.Now()
	sh = apptest.NewShopper(t, lb.URL+"/sandbox/shop/return").Get(link)
	took := time.Since(start)
	if !sh.Has("pay-button") {
		t.Fatalf("prefetch off: page %d without a Pay button:\n%.600s", sh.Status, sh.Body)
	}
	if n := offerCalls(t, off, orderID); n == 0 {
		t.Error("prefetch off, yet the page made no offer call")
	}
	if took < latency {
		t.Errorf("prefetch off, yet the page took %v with Amazon %v away", took, latency)
	}
}
