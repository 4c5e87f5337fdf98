package web_test

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
)

// BenchmarkReconcilerDelay measures, for pending charges that Amazon
// approves later (persona 9000000007, approved 20 s after the charge), the
// delay from Amazon's approval to the order being CHARGED with no browser
// involved. Run it once: go test -run XXX -bench ReconcilerDelay -benchtime 1x ./web/
func BenchmarkReconcilerDelay(b *testing.B) {
	const n, pendingDelay = 10, 20 * time.Second
	for i := 0; i < b.N; i++ {
		s := apptest.Start(b, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": pendingDelay.String()})
		var mu sync.Mutex
		var delays []time.Duration
		var wg sync.WaitGroup
		for j := 0; j < n; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := s.Session(orderName(j), "100", "9000000007")
				link := s.API(b, "POST", "/session", body).JSON(b)["payment_links"].(map[string]any)["web"].(string)
				sh := apptest.NewShopper(b, s.URL+"/sandbox/shop/return").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
				if !sh.Has("processing") {
					b.Errorf("not pending:\n%s", sh.Body)
					return
				}
				var chargeID string
				_ = s.DB.SQL().Get(&chargeID, `SELECT a.charge_id FROM attempts a JOIN orders o ON o.id = a.order_id WHERE o.order_id = $1`, body["order_id"])
				var created time.Time
				for _, c := range s.Simulator.Charges("9000000007") {
					if c.ChargeID == chargeID {
						created = c.Created
					}
				}
				approved := created.Add(pendingDelay)
				for k := 0; k < 600; k++ {
					var status string
					_ = s.DB.SQL().Get(&status, `SELECT status FROM orders WHERE order_id = $1`, body["order_id"])
					if status == "CHARGED" {
						mu.Lock()
						delays = append(delays, time.Since(approved))
						mu.Unlock()
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
				b.Errorf("order %s never CHARGED", body["order_id"])
			}()
		}
		wg.Wait()
		sort.Slice(delays, func(a, c int) bool { return delays[a] < delays[c] })
		if len(delays) > 0 {
			b.ReportMetric(delays[len(delays)/2].Seconds(), "median-delay-s")
			b.ReportMetric(delays[len(delays)-1].Seconds(), "max-delay-s")
		}
	}
}

func orderName(j int) string { return "rdelay-" + string(rune('a'+j)) }
