package reconcile_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two instances' reconcilers race over the same late success: Amazon sees
// one refund, paypage records one, and the order ends AUTO_REFUNDED.
func TestLateSuccessRefundedOnceAcrossInstances(t *testing.T) {
	a := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "1s"})
	b := apptest.StartOn(t, a.DSN, map[string]string{"PAYPAGE_BASE_URL": a.URL})

	body := a.Session("late-1", "300", "9000000007")
	link := a.API(t, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)
	sh := apptest.NewShopper(t, a.URL+"/sandbox/shop/return").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if !sh.Has("processing") {
		t.Fatalf("not pending:\n%s", sh.Body)
	}
	if _, err := a.DB.SQL().Exec(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = 'late-1'`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // Amazon approves the charge meanwhile

	ctx := context.Background()
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		if _, err := a.DB.SQL().Exec(`UPDATE attempts SET next_check_at = now() WHERE watch;
			UPDATE refunds SET next_check_at = now() WHERE status = 'PENDING'`); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*apptest.Server{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Reconciler.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}

	var status string
	var refunds int
	if err := a.DB.SQL().Get(&status, `SELECT status FROM orders WHERE order_id = 'late-1'`); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.SQL().Get(&refunds, `SELECT count(*) FROM refunds`); err != nil {
		t.Fatal(err)
	}
	charges := a.Simulator.Charges("9000000007")
	if status != "AUTO_REFUNDED" || refunds != 1 || len(charges) != 1 || charges[0].Refunded != 30000 {
		t.Errorf("order %s, %d refunds recorded, Amazon: %+v", status, refunds, charges)
	}
	var events int
	if err := a.DB.SQL().Get(&events, `SELECT count(*) FROM events WHERE event_name = 'AUTO_REFUND_SUCCEEDED'`); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("%d AUTO_REFUND_SUCCEEDED events", events)
	}
}
