package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestTwoServersShareOneDatabase runs two paypage serve processes on one
// PostgreSQL, with one Amazon simulator, as two instances behind a load
// balancer: 50 payments, each paid on the instance that did not create it.
// Every webhook arrives once, and no payment is charged twice.
func TestTwoServersShareOneDatabase(t *testing.T) {
	bin := buildBinary(t)
	dsn := pgtest.NewDatabase(t, apptest.Migrate)
	addrs := []string{freeAddr(t), freeAddr(t)}
	for addrs[1] == addrs[0] {
		addrs[1] = freeAddr(t)
	}
	sim := sandbox.New(sandbox.Options{DB: sqlDB(t, dsn), Prefix: config.SandboxPath, RedirectURIs: []string{
		"http://" + addrs[0] + web.ConsentReturnPath, "http://" + addrs[1] + web.ConsentReturnPath,
	}})
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	rcv := &apptest.Receiver{T: t}
	hook := httptest.NewServer(rcv)
	defer hook.Close()
	env := []string{
		"DATABASE_URL=" + dsn, "PAYPAGE_DATA_DIR=" + t.TempDir(), "PAYPAGE_SECRET_KEY=shared-secret-key-0123456789abcdef0123",
		"AMAZONPAY_BASE_URL=" + simSrv.URL + config.SandboxPath, "AMAZONPAY_LWA_URL=" + simSrv.URL + config.SandboxPath + "/lwa",
	}
	creds := newMerchant(t, bin, env, "--id", "multi", "--name", "Multi",
		"--return-url-prefix", "https://multi.example/", "--webhook-url", hook.URL+"/hooks")
	rcv.Secret = creds["webhook_secret"]

	servers := []*server{startServerAt(t, bin, env, addrs[0]), startServerAt(t, bin, env, addrs[1])}
	for _, s := range servers {
		s.waitReady(t)
	}
	client := checkedClient(t)
	session := func(s *server, id, phone, customer string) (string, error) {
		body := fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR","customer_id":%q,"customer_phone":%q,"return_url":"https://multi.example/return"}`, id, customer, phone)
		req, _ := http.NewRequest("POST", s.base+"/session", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-merchantid", "multi")
		req.SetBasicAuth(creds["api_key"], "")
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
			return "", fmt.Errorf("session %s: %d %v", id, resp.StatusCode, m)
		}
		return m["payment_links"].(map[string]any)["web"].(string), nil
	}
	pay := func(i int, first bool) {
		on, other := servers[i%2], servers[(i+1)%2]
		link, err := session(on, fmt.Sprintf("m-%d-%t", i, first), fmt.Sprintf("98765%05d", i%10), fmt.Sprintf("mc-%d", i%10))
		if err != nil {
			t.Error(err)
			return
		}
		sh := apptest.NewShopper(t, "https://multi.example/").Get(link)
		form := sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form")
		form.SetAttr("action", other.base+form.AttrOr("action", ""))
		sh.Submit("pay-button", nil)
		if first {
			sh.Submit("consent-allow", nil)
		}
		if !strings.HasPrefix(sh.Location(), "https://multi.example/return?") || !strings.Contains(sh.Location(), "status=CHARGED") {
			t.Errorf("payment %d: ended at %s, location %q", i, sh.URL, sh.Location())
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ { // ten customers link through consent
		wg.Add(1)
		go func() { defer wg.Done(); pay(i, true) }()
	}
	wg.Wait()
	for i := 0; i < 40; i++ { // then forty one-tap payments
		wg.Add(1)
		go func() { defer wg.Done(); pay(i, false) }()
	}
	wg.Wait()

	charges := 0
	for i := 0; i < 10; i++ {
		charges += len(sim.Charges(fmt.Sprintf("98765%05d", i)))
	}
	if charges != 50 {
		t.Errorf("Amazon has %d charges for 50 payments", charges)
	}
	// Two events per payment: TXN_CREATED and ORDER_SUCCEEDED.
	rcv.WaitFor(100, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive about now
	distinct, dup, bad := rcv.Counts()
	t.Logf("%d charges at Amazon; webhooks: %d distinct, %d repeated, %d unverified", charges, distinct, dup, bad)
	if distinct != 100 || dup != 0 || bad != 0 {
		t.Errorf("webhooks: %d distinct (want 100), %d duplicates, %d bad signatures", distinct, dup, bad)
	}
}
