package postgres_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// auditRow is one row of merchant_audit as read back.
type auditRow struct {
	MerchantID string          `db:"merchant_id"`
	Action     string          `db:"action"`
	Actor      string          `db:"actor"`
	Changes    json.RawMessage `db:"changes"`
	At         time.Time       `db:"at"`
}

func auditRows(t *testing.T, db *postgres.DB, id string) []auditRow {
	t.Helper()
	var rows []auditRow
	if err := db.SQL().Select(&rows, `SELECT merchant_id, action, actor, changes, at FROM merchant_audit WHERE merchant_id = $1 ORDER BY id`, id); err != nil {
		t.Fatal(err)
	}
	return rows
}

// lifecycleStore is a migrated store with merchant acme made through the
// service, on the clock *now.
func lifecycleStore(t *testing.T, now *time.Time) (*postgres.DB, *checkout.Service, checkout.Credentials) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t, migrated))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := checkout.NewService(db, checkout.Options{Now: func() time.Time { return *now }})
	creds, err := svc.CreateMerchant(ctx, "alice", checkout.NewMerchant{ID: "acme", Name: "Acme",
		ReturnURLPrefixes: []string{"https://acme.example/"}, DefaultReturnURL: "https://acme.example/done"})
	if err != nil {
		t.Fatal(err)
	}
	return db, svc, creds
}

func TestMerchantUpdateIsAudited(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	db, svc, creds := lifecycleStore(t, &now)
	ctx := context.Background()

	rows := auditRows(t, db, "acme")
	if len(rows) != 1 || rows[0].Action != "create" || rows[0].Actor != "alice" || !rows[0].At.Equal(now) {
		t.Fatalf("audit after create = %+v", rows)
	}
	var created map[string]any
	if err := json.Unmarshal(rows[0].Changes, &created); err != nil || created["name"] != "Acme" || created["api_key"] != "issued" {
		t.Errorf("create changes = %s, %v", rows[0].Changes, err)
	}
	if b := string(rows[0].Changes); slices.ContainsFunc([]string{creds.APIKey, creds.ResponseKey, creds.WebhookPassword, creds.WebhookSecret[6:]},
		func(s string) bool { return contains(b, s) }) {
		t.Errorf("create changes %s carry a secret", b)
	}

	prefixes := []string{"https://shop.acme.example/", "https://acme.example/"}
	m, err := svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{ReturnURLPrefixes: &prefixes, Methods: &[]string{"TESTWALLET"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.MerchantByID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.ReturnURLPrefixes, prefixes) || !slices.Equal(got.Methods, []string{"TESTWALLET"}) || got.Name != "Acme" ||
		got.DefaultReturnURL != "https://acme.example/done" || !slices.Equal(m.ReturnURLPrefixes, prefixes) {
		t.Errorf("stored after update: %+v", got)
	}
	rows = auditRows(t, db, "acme")
	if len(rows) != 2 || rows[1].Action != "update" || rows[1].Actor != "bob" {
		t.Fatalf("audit after update = %+v", rows)
	}
	var changes map[string]any
	if err := json.Unmarshal(rows[1].Changes, &changes); err != nil || len(changes) != 2 || changes["methods"] == nil || changes["return_url_prefixes"] == nil {
		t.Errorf("update changes = %s, %v", rows[1].Changes, err)
	}

	// A refused update changes nothing and records nothing.
	if _, err := svc.UpdateMerchant(ctx, "bob", "acme", checkout.MerchantUpdate{DefaultReturnURL: ptr("https://evil.example/")}); !errs.Is(err, errs.Invalid) {
		t.Errorf("default outside the prefixes: %v", err)
	}
	if _, err := svc.UpdateMerchant(ctx, "bob", "nobody", checkout.MerchantUpdate{Name: ptr("X")}); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
	if rows := auditRows(t, db, "acme"); len(rows) != 2 {
		t.Errorf("refused updates were audited: %+v", rows)
	}
	if rows := auditRows(t, db, "nobody"); len(rows) != 0 {
		t.Errorf("an unknown merchant was audited: %+v", rows)
	}

	all, err := db.Merchants(ctx)
	if err != nil || len(all) != 1 || all[0].ID != "acme" {
		t.Errorf("merchants = %+v, %v", all, err)
	}
}

// The replaced API key works until the grace ends and never after; a second
// rotation retires the first key at once.
func TestRotatedAPIKeyWorksForItsGrace(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	db, svc, creds := lifecycleStore(t, &now)
	ctx := context.Background()

	r, err := svc.RotateAPIKey(ctx, "alice", "acme", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.MerchantByID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if string(m.APIKeyHash) != string(checkout.HashAPIKey(r.APIKey)) || string(m.APIKeyHashPrevious) != string(checkout.HashAPIKey(creds.APIKey)) ||
		!m.APIKeyPreviousUntil.Equal(now.Add(time.Hour)) {
		t.Errorf("stored hash, previous hash until %s; want the new key's, the created key's until %s", m.APIKeyPreviousUntil, now.Add(time.Hour))
	}
	for _, key := range []string{r.APIKey, creds.APIKey} {
		if _, err := svc.Authenticate(ctx, "acme", key); err != nil {
			t.Errorf("within the grace: %v", err)
		}
	}
	now = now.Add(time.Hour + time.Second)
	if _, err := svc.Authenticate(ctx, "acme", creds.APIKey); errs.CodeOf(err) != "access_denied" {
		t.Errorf("old key after the grace: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "acme", r.APIKey); err != nil {
		t.Errorf("new key after the grace: %v", err)
	}

	second, err := svc.RotateAPIKey(ctx, "alice", "acme", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh service, as another server would be, reads the store.
	other := checkout.NewService(db, checkout.Options{Now: func() time.Time { return now }})
	for key, ok := range map[string]bool{second.APIKey: true, r.APIKey: true, creds.APIKey: false} {
		if _, err := other.Authenticate(ctx, "acme", key); (err == nil) != ok {
			t.Errorf("after the second rotation, key accepted = %v, want %v (%v)", err == nil, ok, err)
		}
	}

	rows := auditRows(t, db, "acme")
	if len(rows) != 3 || rows[1].Action != "rotate-api-key" || rows[2].Action != "rotate-api-key" || contains(string(rows[1].Changes), r.APIKey) {
		t.Errorf("audit = %+v", rows)
	}
	if _, err := svc.RotateAPIKey(ctx, "alice", "nobody", time.Hour); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
	if rows := auditRows(t, db, "nobody"); len(rows) != 0 {
		t.Errorf("an unknown merchant was audited: %+v", rows)
	}
}

func TestResponseKeyAndWebhookSecretRotationsAreAudited(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	db, svc, creds := lifecycleStore(t, &now)
	ctx := context.Background()

	rk, err := svc.RotateResponseKey(ctx, "carol", "acme")
	if err != nil {
		t.Fatal(err)
	}
	wh, err := svc.RotateWebhookSecret(ctx, "dave", "acme", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.MerchantByID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if m.ResponseKey != rk.ResponseKey || m.ResponseKey == creds.ResponseKey || m.WebhookSecret != wh.WebhookSecret || !m.WebhookPreviousUntil.Equal(now.Add(time.Hour)) {
		t.Errorf("stored response key %q, webhook secret %q until %s", m.ResponseKey, m.WebhookSecret, m.WebhookPreviousUntil)
	}
	rows := auditRows(t, db, "acme")
	if len(rows) != 3 || rows[1].Action != "rotate-response-key" || rows[1].Actor != "carol" || string(rows[1].Changes) != `{"response_key": "rotated"}` ||
		rows[2].Action != "rotate-webhook-secret" || rows[2].Actor != "dave" {
		t.Fatalf("audit = %+v", rows)
	}
	for _, r := range rows[1:] {
		if contains(string(r.Changes), rk.ResponseKey) || contains(string(r.Changes), wh.WebhookSecret[6:]) {
			t.Errorf("audit changes %s carry a secret", r.Changes)
		}
	}
	if _, err := svc.RotateResponseKey(ctx, "carol", "nobody"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
}

// The audit row is part of the change: a change whose audit row cannot be
// written does not happen.
func TestMerchantChangeRollsBackWithoutItsAuditRow(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	db, _, creds := lifecycleStore(t, &now)
	ctx := context.Background()
	bad := checkout.MerchantChange{MerchantID: "acme", Action: "not-an-action", Actor: "x", At: now}
	if err := db.RotateResponseKey(ctx, "acme", "rk_new", bad); err == nil {
		t.Fatal("an audit row refused by the table did not fail the change")
	}
	if m, err := db.MerchantByID(ctx, "acme"); err != nil || m.ResponseKey != creds.ResponseKey {
		t.Errorf("response key after the failed change: %q, %v; want it unchanged", m.ResponseKey, err)
	}
}

// Migration 11 goes down and up again with merchants in place.
func TestMerchantLifecycleMigration(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, nil)
	migrateTo(t, dsn, 11)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password, webhook_secret,
		api_key_hash_previous, api_key_hash_previous_until) VALUES ('m1', 'M', '\x01', 'rk', 'u', 'p', 'whsec_k', '\x02', now())`); err != nil {
		t.Fatal(err)
	}
	migrateTo(t, dsn, 9)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM merchants`).Scan(&n); err != nil || n != 1 {
		t.Errorf("merchants after down: %d, %v", n, err)
	}
	migrateTo(t, dsn, 11)
	var prev []byte
	if err := db.QueryRow(`SELECT api_key_hash_previous FROM merchants WHERE id = 'm1'`).Scan(&prev); err != nil || prev != nil {
		t.Errorf("previous hash after down and up: %x, %v; want NULL", prev, err)
	}
	if _, err := db.Exec(`INSERT INTO merchant_audit (merchant_id, action, actor, changes) VALUES ('m1', 'update', '', '{}')`); err == nil {
		t.Error("an audit row without an actor was stored")
	}
}

// contains reports whether s holds the non-empty secret sub.
func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }

func ptr[T any](v T) *T { return &v }
