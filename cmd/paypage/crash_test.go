package main

import (
	"fmt"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
)

// TestKill9DuringPayments kills the server while one-tap payments are in
// flight, restarts it, and checks that every order settles to the state
// Amazon (the simulator, which lives in this test process and so survives
// the crash) has on record, with no order charged twice.
func TestKill9DuringPayments(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	sim, amazon := amazonInTest(t, addr, 2*time.Second)
	data := t.TempDir()
	env := append([]string{"PAYPAGE_DATA_DIR=" + data, "DATABASE_URL=", "PAYPAGE_UNSENT_CHARGE_GRACE=3s"}, amazon...)
	s := startReady(t, bin, env, addr)
	api := demoAPI(t, s)
	newOrder := func(id, phone, customer string) string {
		code, m := api.call("POST", "/session", map[string]any{"order_id": id, "amount": "10", "currency": "INR",
			"customer_id": customer, "customer_phone": phone, "return_url": s.base + "/sandbox/shop/return"})
		if code != 200 {
			t.Fatalf("session %s: %d %v", id, code, m)
		}
		return m["payment_links"].(map[string]any)["web"].(string)
	}
	stop := s.base + "/sandbox/shop/return"

	// Link six customers through consent.
	phones := []string{"9000000001", "9000000001", "9000000001", "9000000001", "9000000007", "9000000007"}
	for i, phone := range phones {
		sh := apptest.NewShopper(t, stop).Get(newOrder(fmt.Sprintf("link-%d", i), phone, fmt.Sprintf("kc-%d", i)))
		sh.Submit("pay-button", nil).Submit("consent-allow", nil)
	}

	// Thirty one-tap payments, all at once, and a kill -9 in the middle.
	type pay struct {
		id, action string
		sh         *apptest.Shopper
	}
	var pays []pay
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("crash-%d", i)
		sh := apptest.NewShopper(t, stop).Get(newOrder(id, phones[i%6], fmt.Sprintf("kc-%d", i%6)))
		action, _ := sh.URL.Parse(sh.Doc.Find(`[data-testid="pay-button"]`).Closest("form").AttrOr("action", ""))
		pays = append(pays, pay{id, action.String(), sh})
	}
	var wg sync.WaitGroup
	for _, p := range pays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			csrf := p.sh.Doc.Find(`input[name="csrf"]`).AttrOr("value", "")
			resp, err := p.sh.Client.PostForm(p.action, url.Values{"csrf": {csrf}})
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	// Kill once Amazon has seen some of the charges, while others are on
	// their way.
	linked := len(sim.Charges(""))
	for wait := time.Now(); len(sim.Charges(""))-linked < 8 && time.Since(wait) < 10*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	wg.Wait()
	waitNoPostgres(t, data)

	s = startReady(t, bin, env, addr)
	deadline := time.Now().Add(60 * time.Second)
	statuses := map[string]map[string]any{}
	for {
		pending := 0
		for _, p := range pays {
			_, m := api.call("GET", "/orders/"+p.id, nil)
			statuses[p.id] = m
			if m["status"] == "PENDING_VBV" {
				pending++
			}
		}
		if pending == 0 || time.Now().After(deadline) {
			if pending > 0 {
				t.Fatalf("%d orders still pending a minute after the restart", pending)
			}
			break
		}
		// A charge sent just before the kill that never reached Amazon
		// stays pending until Amazon could no longer accept it: let that
		// time pass.
		if db, err := clusterDB(data); err == nil {
			if err := letTimePass(t.Context(), db); err != nil {
				t.Log(err)
			}
			db.Close()
		}
		time.Sleep(500 * time.Millisecond)
	}

	approved := map[string]bool{}
	for _, c := range sim.Charges("") {
		if c.Status == "CaptureApproved" && c.Refunded == 0 {
			approved[c.AmazonChargeID] = true
		}
	}
	charged, counts := 0, map[string]int{}
	for id, m := range statuses {
		counts[fmt.Sprint(m["status"], " ", m["bank_error_code"])]++
		if m["status"] != "CHARGED" {
			continue
		}
		charged++
		epg := m["payment_gateway_response"].(map[string]any)["epg_txn_id"].(string)
		if !approved[epg] {
			t.Errorf("order %s is CHARGED but Amazon has no approved charge %q", id, epg)
		}
	}
	// Every approved, unrefunded charge belongs to a CHARGED order: the six
	// linking payments plus the crash orders that went through.
	if len(approved) != charged+len(phones) {
		t.Errorf("Amazon approved %d charges; paypage has %d CHARGED orders (+%d linking payments)", len(approved), charged, len(phones))
	}
	t.Logf("after the crash: %v", counts)
}
