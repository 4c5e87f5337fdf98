package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/postgres"
)

// `paypage webhook replay` makes a delivered event's webhook due again
// under the same id, and names what it queued.
func TestWebhookReplayCommand(t *testing.T) {
	run, env := merchantRunner(t)
	if out, err := run("webhook", "replay", "--help"); err != nil || !strings.HasPrefix(out, "usage: paypage webhook replay") || !strings.Contains(out, "-event") {
		t.Errorf("--help = %v:\n%s", err, out)
	}
	if _, err := run("webhook", "replay"); err == nil || !strings.Contains(err.Error(), "--event") {
		t.Errorf("no --event: %v", err)
	}
	if _, err := run("webhook", "replay", "--event", "evt_000000000000000000000000"); err == nil || !strings.Contains(err.Error(), "event not found") {
		t.Errorf("unknown event: %v", err)
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const ev = "evt_0123456789abcdef01234567"
	for _, q := range []string{
		`INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password, webhook_secret, webhook_url)
		 VALUES ('m1', 'M', '\x01', 'rk', 'user', 'pass', 'whsec_k', 'https://shop.example/hook')`,
		`INSERT INTO orders (id, merchant_id, order_id, amount, currency, customer_id, return_url, expires_at)
		 VALUES ('ordeh_1', 'm1', 'o1', 100, 'INR', 'c1', 'https://shop.example/r', now() + interval '1 hour')`,
		`INSERT INTO events (id, merchant_id, order_id, event_name, payload) VALUES ('` + ev + `', 'm1', 'ordeh_1', 'ORDER_SUCCEEDED', '{}')`,
		`INSERT INTO webhook_deliveries (event_id, url, status, attempts, delivered_at) VALUES ('` + ev + `', 'https://shop.example/hook', 'DELIVERED', 3, now())`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	out, err := run("webhook", "replay", "--event", ev, "--actor", "qa")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]string
	if err := json.Unmarshal([]byte(out), &r); err != nil || r["event_id"] != ev || r["order_id"] != "o1" || r["event_name"] != "ORDER_SUCCEEDED" {
		t.Errorf("printed %q (%v)", out, err)
	}
	var status string
	var attempts int
	if err := db.SQL().QueryRowContext(ctx, `SELECT status, attempts FROM webhook_deliveries WHERE event_id = $1`, ev).Scan(&status, &attempts); err != nil || status != "PENDING" || attempts != 0 {
		t.Errorf("delivery %s after %d attempts (%v)", status, attempts, err)
	}
}
