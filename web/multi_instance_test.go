package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/webhook"
)

// receiver counts webhooks by id and checks their signatures.
type receiver struct {
	secret string
	mu     sync.Mutex
	seen   map[string]int
	bad    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.seen[req.Header.Get("webhook-id")]++
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) counts() (distinct, dup, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		if n > 1 {
			dup += n - 1
		}
	}
	return len(r.seen), dup, r.bad
}

// TestTwoInstancesShareOneDatabase runs 50 payments across two servers on
// one PostgreSQL (as behind a load balancer) with both dispatchers and
// reconcilers running: every webhook arrives, none twice, no charge twice.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil)
	// B is reached through the same public URL and uses A's simulator.
	b := apptest.StartOn(t, a.DSN, map[string]string{"PAYPAGE_BASE_URL": a.URL})
	instances := []*apptest.Server{a, b}

	rcv := &receiver{seen: map[string]int{}}
	hook := httptest.NewServer(rcv)
	defer hook.Close()
	creds, err := a.Service.CreateMerchant(context.Background(), checkout.NewMerchant{
		ID: "multi", Name: "Multi", ReturnURLPrefixes: []string{"https://multi.example/"}, WebhookURL: hook.URL + "/hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = creds.WebhookSecret

	pay := func(i int, first bool) {
		on, other := instances[i%2], instances[(i+1)%2]
		body := on.Session(fmt.Sprintf("multi-%d-%t", i, first), "10", fmt.Sprintf("98765%05d", i%10))
		body["customer_id"] = fmt.Sprintf("multi-cust-%d", i%10)
		body["return_url"] = "https://multi.example/return"
		r := on.APIAs(t, "multi", creds.APIKey, "POST", "/session", body)
		if r.Status != 200 {
			t.Errorf("session: %d %s", r.Status, r.Body)
			return
		}
		link := r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
		sh := apptest.NewShopper(t, "https://multi.example/").Get(link)
		// The pay form goes to the other instance.
		action := sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form").AttrOr("action", "")
		sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form").SetAttr("action", other.URL+action)
		sh.Submit("pay-button", nil)
		if first {
			sh.Submit("consent-allow", nil)
		}
		if sh.Location() == "" {
			t.Errorf("payment %d did not return to the merchant: %s\n%s", i, sh.URL, sh.Body)
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ { // link ten customers
		wg.Add(1)
		go func() { defer wg.Done(); pay(i, true) }()
	}
	wg.Wait()
	for i := 0; i < 40; i++ { // then forty one-tap payments
		wg.Add(1)
		go func() { defer wg.Done(); pay(i, false) }()
	}
	wg.Wait()

	var charged int
	if err := a.DB.SQL().Get(&charged, `SELECT count(*) FROM orders WHERE merchant_id = 'multi' AND status = 'CHARGED'`); err != nil {
		t.Fatal(err)
	}
	if charged != 50 {
		t.Errorf("%d of 50 orders CHARGED", charged)
	}
	simCharges := 0
	for i := 0; i < 10; i++ {
		simCharges += len(a.Simulator.Charges(fmt.Sprintf("98765%05d", i)))
	}
	if simCharges != 50 {
		t.Errorf("Amazon has %d charges for 50 payments", simCharges)
	}
	// Two events per payment: TXN_CREATED and ORDER_SUCCEEDED.
	deadline := time.Now().Add(20 * time.Second)
	for {
		distinct, _, _ := rcv.counts()
		if distinct >= 100 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	distinct, dup, bad := rcv.counts()
	if distinct != 100 || dup != 0 || bad != 0 {
		t.Errorf("webhooks: %d distinct (want 100), %d duplicates, %d bad signatures", distinct, dup, bad)
	}
}
