package sandbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/pgtest"
)

// twoAmazons are two simulators on one database, each on its own pool and
// HTTP server, as two processes behind a load balancer are.
func twoAmazons(t *testing.T) (*env, *env, string) {
	t.Helper()
	dsn := pgtest.NewDatabase(t, migrateUp)
	a := newEnvWith(t, sandbox.Options{DB: openDB(t, dsn)})
	b := newEnvWith(t, sandbox.Options{DB: openDB(t, dsn)})
	return a, b, dsn
}

// A consent code issued by one simulator is exchanged at the other, once:
// the second exchange, at either, is invalid_grant. The link works at both.
func TestSharedStateCodeIssuedByOneExchangedAtOther(t *testing.T) {
	a, b, _ := twoAmazons(t)
	loc := a.consent("9000000001", "st", "consent-allow")
	code := loc.Query().Get("code")
	tok, err := b.client.ExchangeCode(context.Background(), code, redirectURI)
	if err != nil {
		t.Fatalf("exchange at the other simulator: %v", err)
	}
	for _, e := range []*env{a, b} {
		if _, err := e.client.ExchangeCode(context.Background(), code, redirectURI); err == nil {
			t.Fatal("a used code was exchanged again")
		}
	}
	if _, err := a.charge(tok, "c-a", rupees("100")); err != nil {
		t.Fatalf("charge at a with b's token: %v", err)
	}
	if _, err := b.charge(tok, "c-b", rupees("100")); err != nil {
		t.Fatalf("charge at b with b's token: %v", err)
	}
	if got, want := b.sim.Credit("9000000001"), rupees("49800"); got != want {
		t.Fatalf("credit seen at b = %s, want %s", got, want)
	}
	if n := len(a.sim.Charges("9000000001")); n != 2 {
		t.Fatalf("a sees %d charges, want 2", n)
	}
}

// The same chargeId sent to both simulators at once makes one charge and
// takes the credit once; many charges at once on both never take more
// credit than there is.
func TestSharedStateChargesAtOnceOnBoth(t *testing.T) {
	a, b, _ := twoAmazons(t)
	tok := a.link("9000000002") // credit 1,000.00
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range results {
		e := []*env{a, b}[i%2]
		wg.Go(func() { _, results[i] = e.charge(tok, "same-id", rupees("100")) })
	}
	wg.Wait()
	// The client resolves DuplicateChargeId with the status API, so every
	// call answers the one charge.
	for _, err := range results {
		if err != nil {
			t.Errorf("same chargeId: %v", err)
		}
	}
	if n, credit := a.sim.ChargeCount("same-id"), b.sim.Credit("9000000002"); n != 1 || credit != rupees("900") {
		t.Fatalf("same chargeId on both: %d charges recorded, credit left %s; want 1 and 900.00", n, credit)
	}

	// 900.00 left: of 20 charges of 100.00 at once, 9 are approved.
	approved := make([]bool, 20)
	for i := range approved {
		e := []*env{a, b}[i%2]
		wg.Go(func() {
			c, err := e.charge(tok, fmt.Sprintf("many-%d", i), rupees("100"))
			approved[i] = err == nil && c.Status == amazonpay.StatusCaptureApproved
		})
	}
	wg.Wait()
	n := 0
	for _, ok := range approved {
		if ok {
			n++
		}
	}
	if n != 9 || b.sim.Credit("9000000002") != 0 {
		t.Fatalf("%d of 20 approved, credit left %s; want 9 and 0.00", n, b.sim.Credit("9000000002"))
	}
}

// A pending charge made at one simulator settles when the other is asked,
// and a refund made at one gives the credit back as seen from the other.
func TestSharedStatePendingAndRefundAcrossSimulators(t *testing.T) {
	a, b, _ := twoAmazons(t)
	tok := a.link("9000000007") // pending, approved PendingDelay later
	c, err := a.charge(tok, "pend-1", rupees("500"))
	if err != nil || c.Status != amazonpay.StatusCapturePending {
		t.Fatalf("charge: %+v %v", c, err)
	}
	b.clock.Advance(21 * time.Second)
	got, err := b.client.ChargeStatus(context.Background(), "pend-1")
	if err != nil || got.Status != amazonpay.StatusCaptureApproved {
		t.Fatalf("status at b after the delay: %+v %v", got, err)
	}
	if _, err := b.client.Refund(context.Background(), amazonpay.RefundRequest{RefundID: "rf-1", ChargeID: "pend-1", Amount: rupees("200")}); err != nil {
		t.Fatalf("refund at b: %v", err)
	}
	a.clock.Advance(21 * time.Second)
	if got, want := a.sim.Credit("9000000007"), rupees("9700"); got != want {
		t.Fatalf("credit at a after the refund = %s, want %s", got, want)
	}
}

// A simulator started again on the database knows the customers linked
// before: their refresh tokens work, and their charges are there.
func TestSharedStateRestartKeepsLinks(t *testing.T) {
	a, _, dsn := twoAmazons(t)
	tok := a.link("9000000001")
	if _, err := a.charge(tok, "before", rupees("100")); err != nil {
		t.Fatal(err)
	}
	a.srv.Close()
	again := newEnvWith(t, sandbox.Options{DB: openDB(t, dsn)})
	fresh, err := again.client.Refresh(context.Background(), tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after the restart: %v", err)
	}
	if _, err := again.charge(fresh, "after", rupees("100")); err != nil {
		t.Fatalf("charge after the restart: %v", err)
	}
	if n := len(again.sim.Charges("9000000001")); n != 2 {
		t.Fatalf("%d charges after the restart, want 2", n)
	}
}
