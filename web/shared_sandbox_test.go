package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
)

// roundRobin is a load balancer: each request goes to the next backend,
// with the Host header kept, as a shared QA environment's proxy does.
type roundRobin struct {
	*httptest.Server
	mu       sync.Mutex
	backends []*url.URL
	next     int
	served   map[string]int // requests per backend
}

func newRoundRobin(t *testing.T) *roundRobin {
	t.Helper()
	lb := &roundRobin{served: map[string]int{}}
	lb.Server = httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(lb.pick())
		pr.Out.Host = pr.In.Host
	}})
	t.Cleanup(lb.Close)
	return lb
}

func (lb *roundRobin) set(bases ...string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.backends = nil
	for _, b := range bases {
		u, _ := url.Parse(b)
		lb.backends = append(lb.backends, u)
	}
}

func (lb *roundRobin) pick() *url.URL {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	u := lb.backends[lb.next%len(lb.backends)]
	lb.next++
	lb.served[u.Host]++
	return u
}

// TestTwoSandboxInstancesShareOneAmazon runs two sandbox instances on one
// database behind a round-robin proxy, so that every step of a payment
// (the payment page, Pay, Amazon's consent page, the consent callback, and
// each of paypage's own calls to its Amazon at the proxy's address) may
// land on either. Their built-in simulators are one Amazon: 100 payments,
// 20 customers linking once and then paying in one tap, none fail. Then
// both instances stop and one starts again: linked customers still pay in
// one tap.
func TestTwoSandboxInstancesShareOneAmazon(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, apptest.Migrate)
	lb := newRoundRobin(t)
	env := map[string]string{"PAYPAGE_BASE_URL": lb.URL}
	a := apptest.StartOn(t, dsn, env)
	b := apptest.StartOn(t, dsn, env)
	lb.set(a.URL, b.URL)

	const customers, rounds = 20, 5
	phone := func(c int) string { return fmt.Sprintf("98%08d", 4200+c) }
	var failures []string
	pay := func(s *apptest.Server, orderID string, c int, returning bool) {
		t.Helper()
		body := s.Session(orderID, "100.00", phone(c))
		body["customer_id"] = fmt.Sprintf("cust-shared-%d", c)
		body["return_url"] = lb.URL + "/sandbox/shop/return"
		r := s.API(t, "POST", "/session", body)
		if r.Status != http.StatusOK {
			failures = append(failures, fmt.Sprintf("%s: session %d %s", orderID, r.Status, r.Body))
			return
		}
		link := r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
		sh := apptest.NewShopper(t, lb.URL+"/sandbox/shop/return").Get(link)
		switch {
		case returning && !sh.Has("available-credit"):
			failures = append(failures, fmt.Sprintf("%s: a linked customer is not offered one tap (%d at %s)", orderID, sh.Status, sh.URL))
			return
		case returning:
			sh.Submit("pay-button", nil)
		case !sh.Has("pay-button"):
			failures = append(failures, fmt.Sprintf("%s: no Pay button (%d at %s)", orderID, sh.Status, sh.URL))
			return
		default:
			if sh.Submit("pay-button", nil); !sh.Has("consent-allow") {
				failures = append(failures, fmt.Sprintf("%s: no consent page (%d at %s)", orderID, sh.Status, sh.URL))
				return
			}
			sh.Submit("consent-allow", nil)
		}
		if !strings.HasPrefix(sh.Location(), lb.URL+"/sandbox/shop/return?") {
			failures = append(failures, fmt.Sprintf("%s: not returned to the shop (%d at %s)", orderID, sh.Status, sh.URL))
			return
		}
		// Ask the other instance how the order ended.
		other := map[*apptest.Server]*apptest.Server{a: b, b: a}[s]
		if other == nil {
			other = s
		}
		if st := other.API(t, "GET", "/orders/"+orderID, nil).JSON(t)["status"]; st != "CHARGED" {
			failures = append(failures, fmt.Sprintf("%s: order %v, want CHARGED", orderID, st))
		}
	}

	n := 0
	for round := range rounds {
		for c := range customers {
			pay([]*apptest.Server{a, b}[n%2], fmt.Sprintf("shared-%d-%d", round, c), c, round > 0)
			n++
		}
	}
	t.Logf("%d payments across two instances, %d failed; requests per instance: %v", n, len(failures), lb.served)
	for _, f := range failures {
		t.Error(f)
	}
	if charges := len(a.Simulator.Charges("")); charges != n {
		t.Errorf("Amazon holds %d charges, want %d", charges, n)
	}
	for c := range customers {
		if got, want := b.Simulator.Credit(phone(c)), rupees(t, "9500"); got != want {
			t.Errorf("customer %d: credit %s, want %s", c, got, want)
		}
	}

	// Restart: both stop, one starts again on the database. Nothing
	// paypage or Amazon knew was in memory only.
	a.Stop()
	b.Stop()
	again := apptest.StartOn(t, dsn, env)
	lb.set(again.URL)
	failures = nil
	for c := range 3 {
		pay(again, fmt.Sprintf("shared-restart-%d", c), c, true)
	}
	for _, f := range failures {
		t.Error("after the restart: " + f)
	}
	if got, want := again.Simulator.Credit(phone(0)), rupees(t, "9400"); got != want {
		t.Errorf("after the restart: credit %s, want %s", got, want)
	}
}
