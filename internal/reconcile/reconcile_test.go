package reconcile_test

import (
	"context"
	"sync"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two instances' reconcilers race over the same late capture: Amazon
// refused a charge (its link was revoked between the page and Pay) and then
// turns out to hold it captured after all. Amazon sees one refund, paypage
// records one, and the order ends AUTO_REFUNDED.
func TestLateSuccessRefundedOnceAcrossInstances(t *testing.T) {
	a := apptest.Start(t, nil)
	b := apptest.StartOn(t, a.DSN, map[string]string{"PAYPAGE_BASE_URL": a.URL})
	const phone = "9000000001"

	pay := func(orderID string) *apptest.Shopper {
		body := a.Session(orderID, "300", phone)
		body["customer_id"] = "cust-late"
		link := a.API(t, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)
		return apptest.NewShopper(t, a.URL+"/sandbox/shop/return").Get(link)
	}
	if sh := pay("late-0").Submit("pay-button", nil).Submit("consent-allow", nil); sh.Location() == "" {
		t.Fatalf("first payment did not return:\n%s", sh.Body)
	}
	sh := pay("late-1")
	if !sh.Has("available-credit") {
		t.Fatalf("not offered one tap:\n%s", sh.Body)
	}
	a.Simulator.RevokeLink(phone)
	sh.Submit("pay-button", nil)
	var chargeID, status string
	if err := a.DB.SQL().QueryRow(`SELECT a.charge_id, a.status FROM attempts a JOIN orders o ON o.id = a.order_id
		WHERE o.order_id = 'late-1'`).Scan(&chargeID, &status); err != nil {
		t.Fatal(err)
	}
	if status != "JUSPAY_DECLINED" {
		t.Fatalf("charge with a revoked link: attempt %s", status)
	}
	a.Simulator.ForceCapture(chargeID, phone, 30000)

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

	var refunds int
	if err := a.DB.SQL().Get(&status, `SELECT status FROM orders WHERE order_id = 'late-1'`); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.SQL().Get(&refunds, `SELECT count(*) FROM refunds`); err != nil {
		t.Fatal(err)
	}
	charges := a.Simulator.Charges(phone)
	if status != "AUTO_REFUNDED" || refunds != 1 || len(charges) != 2 || charges[1].Refunded != 30000 {
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
