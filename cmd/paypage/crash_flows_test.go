package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/web"
)

// shopURL is the hooked merchant's site: orders return there, and the test
// shoppers stop when they are sent to it.
const shopURL = "https://shop.example/"

// TestKill9DuringMixedFlows puts every kind of step paypage takes in
// flight at once (consent callbacks of first-time payments, returns from
// Amazon's 2FA page, one-tap payments for the pending and the
// server-error personas, merchant refunds, webhook deliveries), then
// kills paypage with SIGKILL in the middle and restarts it on the same
// data dir. Shoppers come back, time passes until everything has settled,
// and Amazon's records (the simulator's, kept in this process) are
// compared with paypage's, and the webhooks the merchant received with the
// events paypage recorded. Then the same again with a kill -9 of the
// embedded PostgreSQL under a running paypage, which restarts it.
func TestKill9DuringMixedFlows(t *testing.T) {
	began := time.Now()
	bin := buildBinary(t)
	addr := freeAddr(t)
	sim, amazon := amazonInTest(t, addr, 2*time.Second)
	hooks := &hookLog{pause: 150 * time.Millisecond, check: apptest.WebhookValidator(t)}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)
	data := t.TempDir()
	env := append([]string{"PAYPAGE_DATA_DIR=" + data, "DATABASE_URL=", "PAYPAGE_UNSENT_CHARGE_GRACE=3s", "AMAZONPAY_TIMEOUT=5s"}, amazon...)
	s := startReady(t, bin, env, addr)
	creds := newMerchant(t, bin, env, "--id", "hooked", "--name", "Hooked Shop",
		"--return-url-prefix", shopURL, "--webhook-url", hookSrv.URL+"/hook")
	hooks.setSecret(creds["webhook_secret"])
	m := &mixed{t: t, s: s, sim: sim, data: data, hooks: hooks, linked: map[string][]string{},
		api: merchantAPI{base: s.base, merchantID: creds["merchant_id"], apiKey: creds["api_key"], client: checkedClient(t)}}
	m.link(map[string]int{"9000000001": 4, "9000000005": 4, "9000000007": 3, "9000000009": 3})

	// kill -9 of paypage.
	phase := "kill -9 of paypage"
	w := m.prepare("k", wave{consents: 8, abandoned: 1, otps: 6, otpsLeft: 2, pending: 6, serverError: 6, approved: 4, refunds: 8})
	w.fire(func() {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	})
	waitNoPostgres(t, data)
	m.s = startReady(t, bin, env, addr)
	m.logOpen(phase)
	w.resume()
	m.settle(phase)
	m.check(phase, w)

	// kill -9 of the embedded PostgreSQL; paypage keeps running.
	phase = "kill -9 of PostgreSQL"
	w = m.prepare("p", wave{consents: 5, otps: 4, otpsLeft: 2, pending: 4, serverError: 4, approved: 3, refunds: 6})
	restarts := strings.Count(m.s.stderr.String(), "embedded postgres restarted")
	w.fire(func() {
		killPostmaster(t, filepath.Join(data, "pg"))
		m.waitRecovered(restarts+1, 60*time.Second)
	})
	m.logOpen(phase)
	w.resume()
	m.settle(phase)
	m.check(phase, w)

	select {
	case err := <-m.s.done:
		t.Fatalf("paypage exited after PostgreSQL was killed: %v", err)
	default:
	}
	_ = m.s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
	waitNoPostgres(t, data)
	t.Logf("wall time %v", time.Since(began).Round(time.Second))
}

// newMerchant runs `paypage merchant create args...` against the
// environment's database and returns the credentials it prints.
func newMerchant(t *testing.T, bin string, env []string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"merchant", "create"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("merchant create: %v\n%s", err, out)
	}
	var creds map[string]string
	if err := json.Unmarshal(out, &creds); err != nil {
		t.Fatalf("merchant create printed %q: %v", out, err)
	}
	return creds
}

// mixed is the world of TestKill9DuringMixedFlows: one merchant whose
// webhooks this test receives, the customers it has linked, and the
// paypage of the moment.
type mixed struct {
	t      *testing.T
	s      *server
	api    merchantAPI
	sim    *sandbox.Simulator
	data   string
	hooks  *hookLog
	linked map[string][]string // customer ids with an Amazon link, by phone

	mu       sync.Mutex
	problems []string
}

func (m *mixed) problem(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.problems = append(m.problems, fmt.Sprintf(format, args...))
}

// open creates an order and loads its payment page in a new browser; it
// returns the browser and the page's address.
func (m *mixed) open(orderID, phone, customer string, rupees int) (*apptest.Browser, string, error) {
	code, out := m.api.call("POST", "/session", map[string]any{
		"order_id": orderID, "amount": fmt.Sprint(rupees), "currency": "INR", "customer_id": customer,
		"customer_phone": phone, "return_url": shopURL + "return",
	})
	links, _ := out["payment_links"].(map[string]any)
	link, _ := links["web"].(string)
	if code != http.StatusOK || link == "" {
		return nil, "", fmt.Errorf("session %s: %d %v", orderID, code, out)
	}
	b := apptest.NewBrowser()
	if _, err := b.Get(link); err != nil {
		return nil, "", fmt.Errorf("order %s: %w", orderID, err)
	}
	if !b.Has("pay-button") {
		return nil, "", fmt.Errorf("order %s: no pay button (%d):\n%.400s", orderID, b.Status, b.Body)
	}
	return b, link, nil
}

// link pays one order per customer through consent (and 2FA), so that
// their later orders are one-tap; n says how many customers of each
// persona.
func (m *mixed) link(n map[string]int) {
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for phone, count := range n {
		for i := range count {
			customer := fmt.Sprintf("c%s-%d", phone[8:], i)
			m.linked[phone] = append(m.linked[phone], customer)
			wg.Go(func() {
				b, _, err := m.open("link-"+customer, phone, customer, 100)
				if err == nil {
					var loc string
					if loc, err = b.Submit("pay-button", nil); err == nil {
						err = walk(b, loc, sandbox.OTPApprove, false)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("linking %s: %w", customer, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		m.t.Fatal(err)
	}
}

func (m *mixed) customer(phone string, i int) string {
	ids := m.linked[phone]
	return ids[i%len(ids)]
}

// wave is how many of each kind of step one crash catches in flight.
type wave struct {
	consents    int // consent callbacks of first-time payments
	abandoned   int // first-time payments whose shopper never leaves Amazon's consent page
	otps        int // OTPs entered on Amazon's 2FA page, and the return to paypage
	otpsLeft    int // 2FA payments whose shopper stays on Amazon's OTP page until things settle
	pending     int // one-tap payments of 9000000007 (pending, then approved)
	serverError int // one-tap payments of 9000000009 (500 after charging)
	approved    int // one-tap payments approved at once
	refunds     int // merchant refunds of charged orders
}

// flight is one shopper's or the merchant's step caught by a crash.
type flight struct {
	kind    string
	charges bool         // the step makes a charge at Amazon when it gets through
	fire    func() error // the step, taken as the crash happens
	resume  func() error // what they do once paypage answers again; may be nil
}

// crash is a wave of flights, ready to go, and what became of them.
type crash struct {
	m       *mixed
	flights []flight
	caught  apptest.Tally // what the crash did to each flight
	after   apptest.Tally // what the shoppers and the merchant did afterwards
}

// prepare brings a wave of flows to the step before the one the crash
// catches, with order ids starting with tag.
func (m *mixed) prepare(tag string, n wave) *crash {
	var (
		mu      sync.Mutex
		byKind  = map[string][]flight{}
		wg      sync.WaitGroup
		failure error
	)
	add := func(kind string, f flight, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			failure = fmt.Errorf("%s: %w", kind, err)
			return
		case f.fire == nil:
			return // nothing left to do
		}
		f.kind = kind
		byKind[kind] = append(byKind[kind], f)
	}
	for i := range n.consents + n.abandoned {
		wg.Go(func() {
			phone := fmt.Sprintf("98%08d", int(tag[0])*1000+i)
			f, err := m.consentFlow(fmt.Sprintf("%s-c%d", tag, i), phone, i >= n.consents)
			add("consent callback", f, err)
		})
	}
	for i := range n.otps + n.otpsLeft {
		otp := sandbox.OTPApprove
		if i == 1 {
			otp = sandbox.OTPDecline
		}
		wg.Go(func() {
			f, err := m.otpFlow(fmt.Sprintf("%s-o%d", tag, i), m.customer("9000000005", i), otp, i >= n.otps)
			add("2FA", f, err)
		})
	}
	for kind, k := range map[string]struct {
		phone string
		n     int
	}{"one-tap 07": {"9000000007", n.pending}, "one-tap 09": {"9000000009", n.serverError}, "one-tap 01": {"9000000001", n.approved}} {
		for i := range k.n {
			wg.Go(func() {
				f, err := m.tapFlow(fmt.Sprintf("%s-t%s-%d", tag, k.phone[8:], i), k.phone, m.customer(k.phone, i))
				add(kind, f, err)
			})
		}
	}
	wg.Wait()
	if failure != nil {
		m.t.Fatal(failure)
	}
	c := &crash{m: m}
	byKind["refund"] = m.refundFlows(tag, n.refunds, c)
	// Interleave the kinds, so that whenever the crash comes it catches
	// some of each.
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for i := 0; ; i++ {
		more := false
		for _, k := range kinds {
			if i < len(byKind[k]) {
				c.flights, more = append(c.flights, byKind[k][i]), true
			}
		}
		if !more {
			return c
		}
	}
}

// consentFlow is a first-time payment whose shopper has allowed consent
// on Amazon's page: the crash catches Amazon's redirect back to paypage.
// The shopper of an abandoned one stays on the consent page for good, so
// it has no flight.
func (m *mixed) consentFlow(orderID, phone string, abandon bool) (flight, error) {
	b, _, err := m.open(orderID, phone, "n"+phone, 120)
	if err != nil {
		return flight{}, err
	}
	loc, err := b.Submit("pay-button", nil)
	if err == nil {
		_, err = b.Get(loc)
	}
	if err == nil && !b.Has("consent-allow") {
		err = fmt.Errorf("no consent page at %s:\n%.300s", b.URL, b.Body)
	}
	if err != nil || abandon {
		return flight{}, err
	}
	callback, err := b.Submit("consent-allow", nil)
	if err == nil && !strings.HasPrefix(callback, m.api.base+web.ConsentReturnPath) {
		err = fmt.Errorf("consent went to %q", callback)
	}
	again := func() error { return walk(b, callback, sandbox.OTPApprove, false) }
	// After the crash the tab reloads the callback, whatever became of
	// the first try.
	return flight{charges: true, fire: again, resume: again}, err
}

// otpFlow is a 2FA payment whose shopper is on Amazon's OTP page: the
// crash catches the OTP going in and the return to paypage. Once paypage
// answers again the shopper looks at the payment page again. A shopper
// who stays on the OTP page has no flight: they come back once the rest
// has settled.
func (m *mixed) otpFlow(orderID, customer, otp string, stay bool) (flight, error) {
	b, link, err := m.open(orderID, "9000000005", customer, 130)
	if err != nil {
		return flight{}, err
	}
	loc, err := b.Submit("pay-button", nil)
	if err == nil {
		_, err = b.Get(loc)
	}
	if err == nil && !b.Has("otp-input") {
		err = fmt.Errorf("no OTP page at %s:\n%.300s", b.URL, b.Body)
	}
	if err != nil || stay {
		return flight{}, err
	}
	return flight{
		fire: func() error {
			loc, err := b.Submit("otp-submit", map[string]string{"otp": otp})
			if err != nil {
				return err
			}
			return walk(b, loc, otp, false)
		},
		resume: func() error { return comeBack(link) },
	}, err
}

// tapFlow is a one-tap payment of a linked customer: the crash catches
// the tap. Once paypage answers again the shopper looks at the payment
// page and, if nothing was started, taps again.
func (m *mixed) tapFlow(orderID, phone, customer string) (flight, error) {
	b, link, err := m.open(orderID, phone, customer, 140)
	if err != nil {
		return flight{}, err
	}
	return flight{
		charges: true,
		fire: func() error {
			loc, err := b.Submit("pay-button", nil)
			if err != nil {
				return err
			}
			return walk(b, loc, sandbox.OTPApprove, false)
		},
		resume: func() error {
			again := apptest.NewBrowser()
			loc, err := again.Get(link)
			if err == nil && loc == "" && again.Has("pay-button") {
				loc, err = again.Submit("pay-button", nil)
			}
			if err != nil {
				return err
			}
			return walk(again, loc, sandbox.OTPApprove, false)
		},
	}, nil
}

// refundFlows are n merchant refunds of charged orders that have money
// left to refund: whole, part, the same request twice at once, and two
// different whole refunds at once (of which one may pass). A merchant
// that got no answer sends the same request again once paypage answers.
func (m *mixed) refundFlows(tag string, n int, c *crash) []flight {
	var orders []struct {
		OrderID string `db:"order_id"`
		Left    int64  `db:"left"`
	}
	m.query(func(ctx context.Context, db *sqlx.DB) error {
		return db.SelectContext(ctx, &orders, `
			SELECT o.order_id, o.amount - COALESCE(sum(r.amount) FILTER (WHERE r.status <> 'FAILURE'), 0) AS left
			FROM orders o LEFT JOIN refunds r ON r.order_id = o.id
			WHERE o.status = 'CHARGED' GROUP BY o.id
			HAVING o.amount - COALESCE(sum(r.amount) FILTER (WHERE r.status <> 'FAILURE'), 0) > 0
			ORDER BY o.order_id LIMIT $1`, n)
	})
	if len(orders) < n {
		m.t.Fatalf("%d charged orders with money left to refund; want %d", len(orders), n)
	}
	var out []flight
	refund := func(orderID, id string, paise int64) flight {
		var code int
		send := func() (int, map[string]any, error) {
			return m.api.do("POST", "/orders/"+orderID+"/refunds", map[string]any{
				"unique_request_id": id, "amount": fmt.Sprintf("%d.%02d", paise/100, paise%100)})
		}
		return flight{kind: "refund",
			fire: func() error {
				var err error
				if code, _, err = send(); err != nil {
					return err
				}
				return statusError{code, fmt.Sprintf("refund %s: %d", id, code)}
			},
			resume: func() error {
				if code != 0 && code < 500 {
					return nil
				}
				again, out, _ := send()
				errCode, _ := out["error_code"].(string)
				c.after.Add(strings.TrimSpace(fmt.Sprintf("refund sent again: %d %s", again, errCode)))
				if again == 0 || again >= 500 {
					return fmt.Errorf("refund %s sent again: %d %v", id, again, out)
				}
				return nil
			},
		}
	}
	for i, o := range orders {
		id := fmt.Sprintf("%sr%d", tag, i)
		switch i % 4 {
		case 0:
			out = append(out, refund(o.OrderID, id, o.Left))
		case 1:
			out = append(out, refund(o.OrderID, id, o.Left/3))
		case 2:
			out = append(out, refund(o.OrderID, id, o.Left/2), refund(o.OrderID, id, o.Left/2))
		case 3:
			out = append(out, refund(o.OrderID, id+"a", o.Left), refund(o.OrderID, id+"b", o.Left))
		}
	}
	return out
}

// fire takes every flight at once, spread over 300 ms, and crashes
// with kill once Amazon has seen a third of the charges the wave makes;
// it returns when kill has and every flight has come back.
func (c *crash) fire(kill func()) {
	m, charging := c.m, 0
	before := len(m.sim.Charges(""))
	var wg sync.WaitGroup
	for i, f := range c.flights {
		if f.charges {
			charging++
		}
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 300 * time.Millisecond / time.Duration(len(c.flights)))
			c.caught.Add(f.kind + ": " + outcome(f.fire()))
		})
	}
	for began := time.Now(); len(m.sim.Charges(""))-before < max(2, charging/3) && time.Since(began) < 10*time.Second; {
		time.Sleep(10 * time.Millisecond)
	}
	m.t.Logf("crash with %d of the wave's %d charges at Amazon", len(m.sim.Charges(""))-before, charging)
	kill()
	wg.Wait()
}

// resume has every shopper and the merchant do what they do once paypage
// answers again.
func (c *crash) resume() {
	var wg sync.WaitGroup
	for _, f := range c.flights {
		if f.resume == nil {
			continue
		}
		wg.Go(func() {
			err := f.resume()
			c.after.Add(f.kind + ": " + outcome(err))
			if err != nil {
				c.m.problem("%s, once paypage answered again: %v", f.kind, err)
			}
		})
	}
	wg.Wait()
}

// waitRecovered waits until paypage has logged n restarts of its
// PostgreSQL and is ready again.
func (m *mixed) waitRecovered(n int, within time.Duration) {
	for began := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if strings.Count(m.s.stderr.String(), "embedded postgres restarted") >= n {
			if resp, err := apiClient.Get(m.s.base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					m.t.Logf("PostgreSQL back after %v", time.Since(began).Round(time.Millisecond))
					return
				}
			}
		}
		if time.Since(began) > within {
			m.t.Fatalf("paypage not ready with PostgreSQL restarted %d times after %v:\n%s", n, within, tail(m.s.stderr.String(), 30))
		}
	}
}
