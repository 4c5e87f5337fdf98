package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/web"
)

// Settling and checking for TestKill9DuringMixedFlows.

// query runs fn on a fresh connection to the embedded cluster.
func (m *mixed) query(fn func(ctx context.Context, db *sqlx.DB) error) {
	m.t.Helper()
	if err := m.tryQuery(fn); err != nil {
		m.t.Fatal(err)
	}
}

func (m *mixed) tryQuery(fn func(ctx context.Context, db *sqlx.DB) error) error {
	db, err := clusterDB(m.data)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return fn(ctx, db)
}

// settle lets time pass until nothing is left open: shoppers whose
// payment waits on Amazon's 2FA page come back and finish it, the
// running paypage's reconciler and webhook dispatcher do the rest. It
// fails the test if that takes more than 90 seconds.
func (m *mixed) settle(phase string) {
	began := time.Now()
	for {
		var open []string
		var waiting []string
		err := m.tryQuery(func(ctx context.Context, db *sqlx.DB) error {
			var err error
			if open, err = openWork(ctx, db, m.hooks); err != nil {
				return err
			}
			if len(open) == 0 {
				return nil
			}
			if err := db.SelectContext(ctx, &waiting, `SELECT order_id FROM attempts WHERE status = 'PENDING' AND action_url <> ''`); err != nil {
				return err
			}
			return letTimePass(ctx, db)
		})
		if err == nil && len(open) == 0 {
			m.t.Logf("%s: settled in %v", phase, time.Since(began).Round(100*time.Millisecond))
			return
		}
		if time.Since(began) > 90*time.Second {
			m.t.Fatalf("%s: not settled after 90 s (%v): %s\nserver log:\n%s", phase, err, strings.Join(open, "; "), tail(m.s.stderr.String(), 40))
		}
		for _, id := range waiting {
			if err := comeBack(m.api.base + web.PaymentPagePath(id)); err != nil {
				m.problem("coming back to 2FA of %s: %v", id, err)
			}
		}
		time.Sleep(time.Second)
	}
}

// openWork lists what is not finished: attempts in flight or watched,
// refund jobs, webhook deliveries, and events the merchant has not
// received.
func openWork(ctx context.Context, db *sqlx.DB, hooks *hookLog) ([]string, error) {
	var open []string
	if err := db.SelectContext(ctx, &open, `
		SELECT format('attempt %s %s watch=%s sent=%s', txn_id, status, watch, charge_sent_at IS NOT NULL) FROM attempts
			WHERE status IN ('AWAITING_CONSENT', 'PENDING') OR watch
		UNION ALL SELECT format('refund %s %s', unique_request_id, status) FROM refunds WHERE status IN ('PENDING', 'MANUAL_REVIEW')
		UNION ALL SELECT format('webhook %s try %s', event_id, attempts) FROM webhook_deliveries WHERE status <> 'DELIVERED'`); err != nil {
		return nil, err
	}
	var events []string
	if err := db.SelectContext(ctx, &events, `SELECT id FROM events`); err != nil {
		return nil, err
	}
	seen := hooks.deliveries()
	for _, id := range events {
		if seen[id] == 0 {
			open = append(open, "event "+id+" not received")
		}
	}
	return open, nil
}

// logOpen logs what a crash left unfinished, once paypage answers again.
func (m *mixed) logOpen(phase string) {
	var open []struct {
		What string `db:"what"`
		N    int    `db:"n"`
	}
	m.query(func(ctx context.Context, db *sqlx.DB) error {
		return db.SelectContext(ctx, &open, `
			SELECT format('attempts %s%s', status, CASE WHEN charge_sent_at IS NULL THEN ' unsent' ELSE ' sent' END) AS what, count(*) AS n
				FROM attempts WHERE status IN ('AWAITING_CONSENT', 'PENDING') OR watch GROUP BY 1
			UNION ALL SELECT 'refunds ' || status, count(*) FROM refunds WHERE status IN ('PENDING', 'MANUAL_REVIEW') GROUP BY 1
			UNION ALL SELECT 'webhooks undelivered', count(*) FROM webhook_deliveries WHERE status <> 'DELIVERED'
			ORDER BY 1`)
	})
	var parts []string
	for _, o := range open {
		parts = append(parts, fmt.Sprintf("%s: %d", o.What, o.N))
	}
	m.t.Logf("%s: left open, as paypage answers again: %s", phase, strings.Join(parts, ", "))
}

// check compares Amazon's records with paypage's, order by order and
// charge by charge, and the webhooks received with the events recorded.
// What paypage says is what the merchant API answers; its database must
// agree, charge by charge.
func (m *mixed) check(phase string, c *crash) {
	t := m.t
	m.mu.Lock()
	for _, p := range m.problems {
		t.Errorf("%s: %s", phase, p)
	}
	m.problems = nil
	m.mu.Unlock()
	var orders []struct {
		ID      string `db:"id"`
		OrderID string `db:"order_id"`
		Status  string `db:"status"`
		Amount  int64  `db:"amount"`
	}
	var attempts []struct {
		ID       string `db:"id"`
		OrderID  string `db:"order_id"`
		ChargeID string `db:"charge_id"`
		Status   string `db:"status"`
		Watch    bool   `db:"watch"`
	}
	var refunds []struct {
		OrderID   string `db:"order_id"`
		AttemptID string `db:"attempt_id"`
		Status    string `db:"status"`
		Amount    int64  `db:"amount"`
		Automatic bool   `db:"automatic"`
	}
	var events []string
	m.query(func(ctx context.Context, db *sqlx.DB) error {
		if err := db.SelectContext(ctx, &orders, `SELECT id, order_id, status, amount FROM orders`); err != nil {
			return err
		}
		if err := db.SelectContext(ctx, &attempts, `SELECT id, order_id, charge_id, status, watch FROM attempts`); err != nil {
			return err
		}
		if err := db.SelectContext(ctx, &refunds, `SELECT order_id, attempt_id, status, amount, automatic FROM refunds`); err != nil {
			return err
		}
		return db.SelectContext(ctx, &events, `SELECT id FROM events`)
	})

	orderOf, chargeOf := map[string]string{}, map[string]string{} // by charge id; by attempt id
	for _, a := range attempts {
		orderOf[a.ChargeID], chargeOf[a.ID] = a.OrderID, a.ChargeID
		if a.Status == "AWAITING_CONSENT" || a.Status == "PENDING" || a.Watch {
			t.Errorf("%s: attempt of order %s left %s (watch=%t)", phase, a.OrderID, a.Status, a.Watch)
		}
	}
	refundedHere := map[string]int64{} // SUCCESS refunds by charge id
	refundCounts := map[string]int{}
	for _, r := range refunds {
		kind := "merchant"
		if r.Automatic {
			kind = "automatic"
		}
		refundCounts[kind+" "+r.Status]++
		switch {
		case r.Status == "PENDING" || r.Status == "MANUAL_REVIEW":
			t.Errorf("%s: %s refund of order %s left %s", phase, kind, r.OrderID, r.Status)
		case r.Status == "SUCCESS":
			refundedHere[chargeOf[r.AttemptID]] += r.Amount
		case r.Automatic:
			t.Errorf("%s: automatic refund of order %s ended %s", phase, r.OrderID, r.Status)
		}
	}

	held := map[string]int64{}   // captured minus refunded at Amazon, by order
	captures := map[string]int{} // captures not wholly refunded, by order
	chargeCounts := map[string]int{}
	for _, ch := range m.sim.Charges("") {
		chargeCounts[ch.Status]++
		order, ok := orderOf[ch.ChargeID]
		if !ok {
			t.Errorf("%s: Amazon holds charge %s that paypage has no attempt for", phase, ch.ChargeID)
			continue
		}
		if int64(ch.Refunded) != refundedHere[ch.ChargeID] {
			t.Errorf("%s: Amazon refunded %d paise of charge %s (order %s); paypage's successful refunds of it come to %d",
				phase, ch.Refunded, ch.ChargeID, order, refundedHere[ch.ChargeID])
		}
		if ch.Refunded > 0 {
			chargeCounts["refunded"]++
		}
		if ch.Status != "CaptureApproved" {
			continue
		}
		held[order] += int64(ch.Amount - ch.Refunded)
		if ch.Refunded < ch.Amount {
			captures[order]++
		}
	}
	for id, total := range refundedHere {
		if total > 0 && !m.atAmazon(id) {
			t.Errorf("%s: paypage has successful refunds of charge %s that Amazon never made", phase, id)
		}
	}

	statuses := map[string]int{}
	for _, o := range orders {
		code, out := m.api.call("GET", "/orders/"+o.OrderID, nil)
		status, _ := out["status"].(string)
		if code != http.StatusOK || status != o.Status {
			t.Errorf("%s: GET /orders/%s: %d status %q; the database says %s", phase, o.OrderID, code, status, o.Status)
		}
		statuses[status]++
		says := int64(0) // charged and not refunded, as paypage tells the merchant
		if status == "CHARGED" {
			says = paise(out["amount"]) - paise(out["amount_refunded"])
		}
		if held[o.ID] != says {
			t.Errorf("%s: order %s is %s with %d paise not refunded, paypage says; Amazon holds %d", phase, o.OrderID, status, says, held[o.ID])
		}
		if status != "CHARGED" && held[o.ID] > 0 {
			t.Errorf("%s: order %s is %s while Amazon holds %d paise of it", phase, o.OrderID, status, held[o.ID])
		}
		if captures[o.ID] > 1 {
			t.Errorf("%s: order %s has %d unrefunded captures at Amazon", phase, o.OrderID, captures[o.ID])
		}
	}

	seen := m.hooks.deliveries()
	recorded, dups := map[string]bool{}, 0
	for _, id := range events {
		recorded[id] = true
		if seen[id] == 0 {
			t.Errorf("%s: event %s never reached the merchant", phase, id)
		}
		if seen[id] > 1 {
			dups += seen[id] - 1
		}
	}
	strays := 0
	for id := range seen {
		if !recorded[id] {
			strays++
		}
	}
	if strays > 0 {
		t.Errorf("%s: the merchant received %d webhooks for events paypage has no record of", phase, strays)
	}
	if bad, changed := m.hooks.problems(); bad > 0 || changed > 0 {
		t.Errorf("%s: %d webhooks failed signature verification, %d repeats differed from the first delivery", phase, bad, changed)
	}
	t.Logf("%s: in flight at the crash: %s", phase, &c.caught)
	t.Logf("%s: once paypage answered again: %s", phase, &c.after)
	t.Logf("%s: %d orders by status %v", phase, len(orders), statuses)
	t.Logf("%s: %d charges at Amazon %v; refunds %v", phase, len(m.sim.Charges("")), chargeCounts, refundCounts)
	t.Logf("%s: %d events, each delivered at least once; %d repeated deliveries (at least once, as Standard Webhooks allows)", phase, len(events), dups)
}

// paise reads a JSON amount in rupees.
func paise(v any) int64 {
	f, _ := v.(float64)
	return int64(math.Round(f * 100))
}

// atAmazon reports whether the simulator has a charge with paypage's
// charge id.
func (m *mixed) atAmazon(chargeID string) bool { return m.sim.ChargeCount(chargeID) == 1 }

// tail is the last n lines of a log.
func tail(log string, n int) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
