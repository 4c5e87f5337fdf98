package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
	"github.com/paypage/paypage/internal/webhook"
)

// TestMain lets pgtest stop its shared cluster; other test files in this
// package rely on it too.
func TestMain(m *testing.M) { pgtest.Main(m) }

func migrated(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// webhookFixture makes a merchant, an order and three due deliveries.
func webhookFixture(t *testing.T) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t, migrated))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password, webhook_secret)
		 VALUES ('m1', 'M', '\x01', 'rk', 'user', 'pass', 'whsec_k')`,
		`INSERT INTO orders (id, merchant_id, order_id, amount, currency, customer_id, return_url, expires_at)
		 VALUES ('ordeh_1', 'm1', 'o1', 100, 'INR', 'c1', 'https://shop/r', now() + interval '1 hour')`,
		`INSERT INTO events (id, merchant_id, order_id, event_name, payload)
		 SELECT 'evt_' || i, 'm1', 'ordeh_1', 'ORDER_SUCCEEDED', jsonb_build_object('id', 'evt_' || i, 'b', 1)
		 FROM generate_series(1, 3) i`,
		`INSERT INTO webhook_deliveries (event_id, url, next_attempt_at)
		 SELECT id, 'https://shop/hook', now() - interval '1 minute' FROM events`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestClaimWebhookDeliveriesSkipsLockedAndLeased(t *testing.T) {
	t.Parallel()
	db := webhookFixture(t)
	ctx := context.Background()
	now := time.Now()

	// Another instance holds evt_1 in an open claim transaction.
	tx, err := db.SQL().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM webhook_deliveries WHERE event_id = 'evt_1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	got, err := db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("claimed %d, want the 2 unlocked rows", len(got))
	}
	for _, d := range got {
		if d.EventID == "evt_1" || d.Attempt != 1 || d.Username != "user" || d.Password != "pass" ||
			d.Secret != "whsec_k" || d.URL != "https://shop/hook" || len(d.Payload) == 0 {
			t.Errorf("claimed %+v", d)
		}
	}
	tx.Rollback()

	// The two leased rows stay away until the lease ends.
	if again, err := db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 10); err != nil || len(again) != 1 {
		t.Fatalf("second claim = %d rows, %v; want only evt_1", len(again), err)
	}
	expired, err := db.ClaimWebhookDeliveries(ctx, now.Add(2*time.Minute), now.Add(3*time.Minute), 10)
	if err != nil || len(expired) != 3 {
		t.Fatalf("claim after the lease = %d rows, %v; want 3", len(expired), err)
	}
	if n, err := db.PendingWebhookCount(ctx); err != nil || n != 3 {
		t.Errorf("PendingWebhookCount = %d, %v; want 3", n, err)
	}
}

func TestRecordWebhookAttempt(t *testing.T) {
	t.Parallel()
	db := webhookFixture(t)
	ctx := context.Background()
	now := time.Now()
	claimed, err := db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	d := claimed[0]
	retry := webhook.Result{EventID: d.EventID, Attempt: d.Attempt, Status: webhook.StatusPending,
		NextAttempt: now.Add(-time.Second), AttemptedAt: now, Latency: 15 * time.Millisecond,
		StatusCode: 503, Error: "HTTP 503"}
	if err := db.RecordWebhookAttempt(ctx, retry); err != nil {
		t.Fatal(err)
	}
	again, err := db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 3)
	if err != nil || len(again) != 3 {
		t.Fatalf("reclaim = %d, %v", len(again), err)
	}
	// A result for attempt 1 arriving now (its lease lost) is refused.
	if err := db.RecordWebhookAttempt(ctx, retry); !errs.Is(err, errs.Conflict) {
		t.Errorf("stale record = %v, want Conflict", err)
	}
	var second webhook.Delivery
	for _, a := range again {
		if a.EventID == d.EventID {
			second = a
		}
	}
	if second.Attempt != 2 || string(second.Payload) != string(d.Payload) {
		t.Errorf("retry claim = attempt %d payload %q; want attempt 2 and the same bytes %q", second.Attempt, second.Payload, d.Payload)
	}
	done := webhook.Result{EventID: d.EventID, Attempt: 2, Status: webhook.StatusDelivered, AttemptedAt: now, StatusCode: 204}
	if err := db.RecordWebhookAttempt(ctx, done); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Status    string     `db:"status"`
		Code      int        `db:"last_status_code"`
		Delivered *time.Time `db:"delivered_at"`
		Tries     int        `db:"tries"`
	}
	err = db.SQL().GetContext(ctx, &row, `SELECT status, last_status_code, delivered_at,
		(SELECT count(*) FROM webhook_attempts WHERE event_id = $1) AS tries
		FROM webhook_deliveries WHERE event_id = $1`, d.EventID)
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != "DELIVERED" || row.Code != 204 || row.Delivered == nil || row.Tries != 3 {
		t.Errorf("row = %+v, want DELIVERED 204 with 3 attempt rows (one refused update still logs its try)", row)
	}
}

// rotation is the audit entry of a webhook secret rotation in a test.
func rotation(id string) checkout.MerchantChange {
	return checkout.MerchantChange{MerchantID: id, Action: checkout.ActionRotateWebhookSecret, Actor: "test",
		Changes: map[string]any{"webhook_secret": "rotated"}, At: time.Now()}
}

// A rotation shows in the next claim, also of a delivery queued before it:
// signatures are made per try from the secrets of the moment.
func TestRotatedWebhookSecretReachesTheClaim(t *testing.T) {
	t.Parallel()
	db := webhookFixture(t)
	ctx := context.Background()
	now := time.Now()
	until := now.Add(24 * time.Hour).Truncate(time.Second)
	if err := db.RotateWebhookSecret(ctx, "m1", "whsec_bmV3", until, rotation("m1")); err != nil {
		t.Fatal(err)
	}
	got, err := db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	if d := got[0]; d.Secret != "whsec_bmV3" || d.PreviousSecret != "whsec_k" || !d.PreviousUntil.Equal(until) {
		t.Errorf("claimed secrets %q, previous %q until %s; want the new one and whsec_k until %s", d.Secret, d.PreviousSecret, d.PreviousUntil, until)
	}

	// Rotating again within the overlap drops the oldest secret.
	if err := db.RotateWebhookSecret(ctx, "m1", "whsec_bmV3ZXI=", until, rotation("m1")); err != nil {
		t.Fatal(err)
	}
	if m, err := db.MerchantByID(ctx, "m1"); err != nil || m.WebhookSecret != "whsec_bmV3ZXI=" {
		t.Errorf("merchant after the second rotation: %q, %v", m.WebhookSecret, err)
	}
	got, err = db.ClaimWebhookDeliveries(ctx, now, now.Add(time.Minute), 1)
	if err != nil || len(got) != 1 || got[0].PreviousSecret != "whsec_bmV3" {
		t.Errorf("claim after the second rotation = %+v, %v; want previous whsec_bmV3", got, err)
	}

	if err := db.RotateWebhookSecret(ctx, "nobody", "whsec_bmV3", until, rotation("nobody")); !errs.Is(err, errs.NotFound) {
		t.Errorf("rotating an unknown merchant: %v, want NotFound", err)
	}
}
