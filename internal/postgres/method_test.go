package postgres_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

var (
	creditKind = checkout.MethodKind{Name: "AMAZONPAYLATER", Type: "CONSUMER_FINANCE", Provider: "AMAZONPAY"}
	walletKind = checkout.MethodKind{Name: "AMAZONPAY", Type: "WALLET", Provider: "AMAZONPAY"}
)

// storeFixture is a migrated store with a merchant that offers the wallet
// only and one order with a payment filter.
func storeFixture(t *testing.T) (*postgres.DB, checkout.Order) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t, migrated))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := checkout.Merchant{ID: "m1", Name: "M", APIKeyHash: []byte{1}, ResponseKey: "rk", WebhookUsername: "u",
		WebhookPassword: "p", WebhookSecret: "whsec_k", ReturnURLPrefixes: []string{"https://shop.example/"},
		ReturnMethod: checkout.ReturnGET, Methods: []string{"AMAZONPAY"}}
	if err := db.CreateMerchant(ctx, m, checkout.MerchantChange{MerchantID: m.ID, Action: checkout.ActionCreate, Actor: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	o := checkout.Order{ID: checkout.NewOrderID(), MerchantID: "m1", OrderID: "o1", Amount: 50000, Currency: "INR",
		CustomerID: "c1", ReturnURL: "https://shop.example/r", Status: checkout.StatusNew,
		ExpiresAt:     time.Now().Add(time.Hour).Truncate(time.Second),
		PaymentFilter: &checkout.PaymentFilter{Options: []checkout.FilterOption{{Type: "WALLET", Methods: []string{"AMAZONPAY"}, Enable: true}}}}
	o, created, err := db.InsertOrder(ctx, o)
	if err != nil || !created {
		t.Fatalf("insert order: %v %v", created, err)
	}
	return db, o
}

// The merchant's methods and the order's payment filter come back as
// stored, on every read path.
func TestMethodChoiceIsStored(t *testing.T) {
	t.Parallel()
	db, o := storeFixture(t)
	ctx := context.Background()
	m, err := db.MerchantByID(ctx, "m1")
	if err != nil || !slices.Equal(m.Methods, []string{"AMAZONPAY"}) {
		t.Errorf("merchant methods %v, %v", m.Methods, err)
	}
	p, err := db.PageRecords(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Order.PaymentFilter
	if !slices.Equal(p.Merchant.Methods, []string{"AMAZONPAY"}) || f == nil || f.AllowDefault || len(f.Options) != 1 ||
		!f.Allows(walletKind) || f.Allows(creditKind) {
		t.Errorf("page records: merchant methods %v, filter %+v", p.Merchant.Methods, f)
	}
	got, err := db.OrderByID(ctx, o.ID)
	if err != nil || got.PaymentFilter == nil || !got.PaymentFilter.Allows(walletKind) {
		t.Errorf("order by id: %+v %v", got.PaymentFilter, err)
	}
	// An order without a filter reads back without one.
	o2 := o
	o2.ID, o2.OrderID, o2.PaymentFilter = checkout.NewOrderID(), "o2", nil
	if _, _, err := db.InsertOrder(ctx, o2); err != nil {
		t.Fatal(err)
	}
	if got, err := db.OrderByID(ctx, o2.ID); err != nil || got.PaymentFilter != nil {
		t.Errorf("no filter: %+v %v", got.PaymentFilter, err)
	}
}

// An attempt keeps its method, type and provider, and the provider's
// reference and page as its moves record them; its refund keeps the
// provider's reference.
func TestAttemptsAndRefundsPerMethod(t *testing.T) {
	t.Parallel()
	db, o := storeFixture(t)
	ctx := context.Background()
	for _, k := range []checkout.MethodKind{walletKind, creditKind} {
		a, _, joined, err := db.StartAttempt(ctx, checkout.NewAttempt(o, k, true), time.Now())
		if err != nil || joined {
			t.Fatalf("%s: start: %v %v", k.Name, joined, err)
		}
		if a.Method != k.Name || a.MethodType != k.Type || a.Provider != k.Provider {
			t.Errorf("%s: started %+v", k.Name, a)
		}
		if _, err := db.MarkChargeSent(ctx, a.ID, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		a, _, err = db.MoveAttempt(ctx, a.ID, checkout.AttemptPending, checkout.AttemptPending,
			checkout.AttemptUpdate{ProviderRef: "S04-" + k.Name, ActionURL: "https://amazon.example/page/" + k.Name})
		if err != nil || a.ProviderRef != "S04-"+k.Name || a.ActionURL != "https://amazon.example/page/"+k.Name {
			t.Fatalf("%s: pending with a page: %+v %v", k.Name, a, err)
		}
		to := checkout.AttemptAuthorizationFailed
		if k == creditKind {
			to = checkout.AttemptCharged
		}
		if a, _, err = db.MoveAttempt(ctx, a.ID, checkout.AttemptPending, to, checkout.AttemptUpdate{Settled: true}); err != nil {
			t.Fatal(err)
		}
		read, err := db.AttemptByChargeID(ctx, a.ChargeID)
		if err != nil || read.Method != k.Name || read.ProviderRef != "S04-"+k.Name || read.Status != to {
			t.Errorf("%s: read back %+v %v", k.Name, read, err)
		}
	}
	p, err := db.PageRecords(ctx, o.ID)
	if err != nil || p.Latest == nil || p.Latest.Method != creditKind.Name || p.Latest.MethodType != creditKind.Type || p.Latest.Provider != "AMAZONPAY" {
		t.Fatalf("newest attempt on the page: %+v %v", p.Latest, err)
	}
	r, charged, err := db.CreateRefund(ctx, o.ID, checkout.Refund{ID: checkout.NewRefundID(), OrderID: o.ID,
		UniqueRequestID: "r1", Amount: 100, Status: checkout.RefundPending}, 0)
	if err != nil || charged.Method != creditKind.Name {
		t.Fatalf("refund of the charged attempt: %+v %v", charged, err)
	}
	if r, err = db.MoveRefund(ctx, r.ID, checkout.RefundPending, checkout.RefundSuccess, checkout.RefundUpdate{ProviderRef: "S04-R1"}); err != nil {
		t.Fatal(err)
	}
	refunds, err := db.Refunds(ctx, o.ID)
	if err != nil || len(refunds) != 1 || refunds[0].ProviderRef != "S04-R1" {
		t.Errorf("refunds %+v %v", refunds, err)
	}
}

// Links are kept per provider and method: the shared link and a method's
// own, refusals recorded once and kept through a refresh, a fresh consent
// clearing them, and each forgotten alone.
func TestLinksPerProviderAndMethod(t *testing.T) {
	t.Parallel()
	db, o := storeFixture(t)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	shared := checkout.SealedLink{MerchantID: "m1", CustomerID: o.CustomerID, Provider: "AMAZONPAY",
		RefreshToken: []byte("rt"), AccessToken: []byte("at"), AccessExpiry: exp}
	own := shared
	own.Method, own.RefreshToken, own.AccessToken = "AMAZONPAYLATER", []byte("rt2"), nil
	other := shared
	other.Provider = "OTHERPAY"
	for _, l := range []checkout.SealedLink{shared, own, other} {
		if err := db.SaveLink(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // recorded once however often
		if err := db.RefuseLink(ctx, shared, "AMAZONPAYLATER"); err != nil {
			t.Fatal(err)
		}
	}
	links, err := db.Links(ctx, "m1", o.CustomerID)
	if err != nil || len(links) != 3 {
		t.Fatalf("links %+v %v", links, err)
	}
	p, err := db.PageRecords(ctx, o.ID)
	if err != nil || len(p.Links) != 3 {
		t.Fatalf("page links %+v %v", p.Links, err)
	}
	for i, l := range p.Links {
		want := links[i]
		if l.Provider != want.Provider || l.Method != want.Method || string(l.RefreshToken) != string(want.RefreshToken) ||
			string(l.AccessToken) != string(want.AccessToken) || !slices.Equal(l.RefusedFor, want.RefusedFor) ||
			!l.AccessExpiry.Equal(want.AccessExpiry) && !(want.AccessExpiry.IsZero() && l.AccessExpiry.IsZero()) {
			t.Errorf("page link %d %+v, stored %+v", i, l, want)
		}
	}
	byKey := func(provider, method string) checkout.SealedLink {
		for _, l := range links {
			if l.Provider == provider && l.Method == method {
				return l
			}
		}
		t.Fatalf("no link %s/%s", provider, method)
		return checkout.SealedLink{}
	}
	if l := byKey("AMAZONPAY", ""); !slices.Equal(l.RefusedFor, []string{"AMAZONPAYLATER"}) || !l.AccessExpiry.Equal(exp) {
		t.Errorf("shared link %+v", l)
	}
	// A refresh keeps the refusals it was read with; a fresh consent
	// (no refusals) clears them.
	refreshed := byKey("AMAZONPAY", "")
	refreshed.AccessToken = []byte("at-new")
	if err := db.SaveLink(ctx, refreshed); err != nil {
		t.Fatal(err)
	}
	if links, _ = db.Links(ctx, "m1", o.CustomerID); !slices.Equal(byKey("AMAZONPAY", "").RefusedFor, []string{"AMAZONPAYLATER"}) {
		t.Errorf("refresh lost the refusal: %+v", byKey("AMAZONPAY", ""))
	}
	if err := db.SaveLink(ctx, shared); err != nil {
		t.Fatal(err)
	}
	if links, _ = db.Links(ctx, "m1", o.CustomerID); len(byKey("AMAZONPAY", "").RefusedFor) != 0 {
		t.Errorf("fresh consent kept the refusal: %+v", byKey("AMAZONPAY", ""))
	}
	if err := db.DeleteLink(ctx, own); err != nil {
		t.Fatal(err)
	}
	if links, _ = db.Links(ctx, "m1", o.CustomerID); len(links) != 2 {
		t.Errorf("after forgetting the method's own link: %+v", links)
	}
}

// Migration 8 moves the Amazon-named columns and links table to the
// neutral ones without losing a value: existing attempts are Amazon Pay
// Later's, and the existing link is the shared one.
func TestPaymentMethodSeamMigration(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, nil)
	migrateTo(t, dsn, 7)
	sqlDB, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	for _, q := range []string{
		`INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password, webhook_secret)
		 VALUES ('m1', 'M', '\x01', 'rk', 'u', 'p', 'whsec_a2V5')`,
		`INSERT INTO orders (id, merchant_id, order_id, amount, currency, customer_id, return_url, status, expires_at)
		 VALUES ('ordeh_1', 'm1', 'o1', 100, 'INR', 'c1', 'https://shop/r', 'CHARGED', now() + interval '1 hour')`,
		`INSERT INTO attempts (id, order_id, seq, txn_id, charge_id, status, linked, amount, amazon_charge_id, amazon_pay_url)
		 VALUES ('a1', 'ordeh_1', 1, 'm1-o1-1', 'pp1', 'CHARGED', true, 100, 'S04-1', 'https://amazon/2fa')`,
		`INSERT INTO refunds (id, order_id, attempt_id, unique_request_id, amount, status, amazon_refund_id)
		 VALUES ('rf1', 'ordeh_1', 'a1', 'r1', 50, 'SUCCESS', 'S04-1-R')`,
		`INSERT INTO amazon_links (merchant_id, customer_id, refresh_token_sealed, access_token_sealed, access_expires_at)
		 VALUES ('m1', 'c1', '\x0102', '\x03', now() + interval '1 hour')`,
	} {
		if _, err := sqlDB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	migrateTo(t, dsn, 9)
	var method, methodType, provider, ref, page, refundRef, linkProvider, linkMethod string
	var refresh []byte
	if err := sqlDB.QueryRow(`SELECT method, method_type, provider, provider_ref, action_url FROM attempts WHERE id = 'a1'`).
		Scan(&method, &methodType, &provider, &ref, &page); err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRow(`SELECT provider_ref FROM refunds WHERE id = 'rf1'`).Scan(&refundRef); err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRow(`SELECT provider, method, refresh_token_sealed FROM links WHERE customer_id = 'c1'`).
		Scan(&linkProvider, &linkMethod, &refresh); err != nil {
		t.Fatal(err)
	}
	if method != "AMAZONPAYLATER" || methodType != "CONSUMER_FINANCE" || provider != "AMAZONPAY" || ref != "S04-1" ||
		page != "https://amazon/2fa" || refundRef != "S04-1-R" || linkProvider != "AMAZONPAY" || linkMethod != "" ||
		string(refresh) != "\x01\x02" {
		t.Errorf("after migrating: %s %s %s %s %s %s %s %q %x", method, methodType, provider, ref, page, refundRef,
			linkProvider, linkMethod, refresh)
	}
	// And back, with the shared link kept.
	migrateTo(t, dsn, 7)
	if err := sqlDB.QueryRow(`SELECT amazon_charge_id FROM attempts WHERE id = 'a1'`).Scan(&ref); err != nil || ref != "S04-1" {
		t.Errorf("down: attempt %q %v", ref, err)
	}
	var n int
	if err := sqlDB.QueryRow(`SELECT count(*) FROM amazon_links`).Scan(&n); err != nil || n != 1 {
		t.Errorf("down: %d links %v", n, err)
	}
}
