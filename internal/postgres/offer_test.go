package postgres_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// The answers kept with an order come back with the page's records, whole,
// one per method, a newer answer replacing an older one and never the
// other way round; the same holds behind a transaction pooler, where no
// statement is prepared by name and JSON goes out as text.
func TestOfferCache(t *testing.T) {
	inEachPooler(t, func(t *testing.T, db *postgres.DB, o checkout.Order) {
		ctx := context.Background()
		r, err := db.PageRecords(ctx, o.ID)
		if err != nil || r.Offers != nil {
			t.Fatalf("before any answer: %+v %v", r.Offers, err)
		}
		at := time.Now().Add(-10 * time.Second).Truncate(time.Microsecond)
		linked := checkout.CachedOffer{OrderID: o.ID, Method: "AMAZONPAY", Linked: true, LinkKey: "k1", AnsweredAt: at,
			Offer: checkout.Offer{Listed: true, Payable: true, Linked: true, Figure: 123456, FigureKind: checkout.FigureBalance,
				Note: "pays at once ₹", Consent: "I agree", TermsURL: "https://amazon.example/kfs", TermsLabel: "KFS", Action: "Pay"}}
		unlinked := checkout.CachedOffer{OrderID: o.ID, Method: "AMAZONPAYLATER", AnsweredAt: at,
			Offer: checkout.Offer{Listed: true, Payable: true, Action: "Link and pay"}}
		for _, c := range []checkout.CachedOffer{linked, unlinked} {
			if err := db.SaveOffer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		r, err = db.PageRecords(ctx, o.ID)
		if err != nil || len(r.Offers) != 2 {
			t.Fatalf("records: %+v %v", r.Offers, err)
		}
		if got := r.Offers[0]; !got.AnsweredAt.Equal(at) || got.OrderID != o.ID || got.Method != "AMAZONPAY" ||
			got.Offer != linked.Offer || !got.Linked || got.LinkKey != "k1" {
			t.Errorf("linked answer back as %+v", got)
		}
		if got := r.Offers[1]; got.Offer != unlinked.Offer || got.Linked || got.LinkKey != "" {
			t.Errorf("unlinked answer back as %+v", got)
		}

		// A newer answer replaces the kept one; an older one does not.
		newer := unlinked
		newer.AnsweredAt, newer.Offer = at.Add(5*time.Second), checkout.Offer{Listed: true, Note: "not now"}
		older := unlinked
		older.AnsweredAt, older.Offer = at.Add(-5*time.Second), checkout.Offer{}
		for _, c := range []checkout.CachedOffer{newer, older} {
			if err := db.SaveOffer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		r, err = db.PageRecords(ctx, o.ID)
		if err != nil || len(r.Offers) != 2 || r.Offers[1].Offer != newer.Offer || !r.Offers[1].AnsweredAt.Equal(newer.AnsweredAt) {
			t.Errorf("after newer and older answers: %+v %v", r.Offers, err)
		}

		// An answer for an order that does not exist is refused.
		bad := unlinked
		bad.OrderID = checkout.NewOrderID()
		if err := db.SaveOffer(ctx, bad); err == nil {
			t.Error("an answer for no order was kept")
		}
	})
}

// inEachPooler runs test in parallel subtests, once for each pooler, on a
// fixture opened for it (pooledFixture).
func inEachPooler(t *testing.T, test func(t *testing.T, db *postgres.DB, o checkout.Order)) {
	t.Parallel()
	for _, pooler := range []postgres.Pooler{postgres.PoolerSession, postgres.PoolerTransaction} {
		t.Run(string(pooler), func(t *testing.T) {
			t.Parallel()
			db, o := pooledFixture(t, pooler)
			test(t, db, o)
		})
	}
}

// pooledFixture is storeFixture opened for pooler.
func pooledFixture(t *testing.T, pooler postgres.Pooler) (*postgres.DB, checkout.Order) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.OpenPooled(ctx, pgtest.NewDatabase(t, migrated), pooler)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := checkout.Merchant{ID: "m1", Name: "M", APIKeyHash: []byte{1}, ResponseKey: "rk", WebhookUsername: "u",
		WebhookPassword: "p", WebhookSecret: "whsec_k", ReturnURLPrefixes: []string{"https://shop.example/"}, ReturnMethod: checkout.ReturnGET}
	if err := db.CreateMerchant(ctx, m, checkout.MerchantChange{MerchantID: m.ID, Action: checkout.ActionCreate, Actor: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	o, created, err := db.InsertOrder(ctx, checkout.Order{ID: checkout.NewOrderID(), MerchantID: "m1", OrderID: "o1", Amount: 50000,
		Currency: "INR", CustomerID: "c1", ReturnURL: "https://shop.example/r", Status: checkout.StatusNew,
		ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Second)})
	if err != nil || !created {
		t.Fatalf("insert order: %v %v", created, err)
	}
	return db, o
}

// Answers and timeline entries written at the same time all land, though
// they share statements: of the answers for one order and method the
// newest is kept whatever order they came in, and one for an order that
// does not exist fails alone.
func TestAnswersWrittenTogether(t *testing.T) {
	inEachPooler(t, func(t *testing.T, db *postgres.DB, o checkout.Order) {
		ctx := context.Background()
		const n = 60
		base := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
		methods := []string{"AMAZONPAY", "AMAZONPAYLATER"}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for _, i := range rand.Perm(n) {
			wg.Add(2)
			go func() {
				defer wg.Done()
				c := checkout.CachedOffer{OrderID: o.ID, Method: methods[i%2], AnsweredAt: base.Add(time.Duration(i) * time.Millisecond),
					Offer: checkout.Offer{Listed: true, Figure: money.Paise(i)}}
				if i == 7 {
					c.OrderID = checkout.NewOrderID()
				}
				errs[i] = db.SaveOffer(ctx, c)
			}()
			go func() {
				defer wg.Done()
				if err := db.RecordTimeline(ctx, checkout.TimelineEntry{OrderID: o.ID, At: base.Add(time.Duration(i) * time.Millisecond),
					Kind: checkout.TimelineProviderCall, Fields: map[string]any{"n": i}}); err != nil {
					t.Errorf("timeline entry %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i == 7) != (err != nil) {
				t.Errorf("answer %d: %v", i, err)
			}
		}
		r, err := db.PageRecords(ctx, o.ID)
		if err != nil || len(r.Offers) != 2 {
			t.Fatalf("records: %+v %v", r.Offers, err)
		}
		for _, c := range r.Offers {
			want := map[string]money.Paise{"AMAZONPAY": n - 2, "AMAZONPAYLATER": n - 1}[c.Method]
			if c.Offer.Figure != want || !c.AnsweredAt.Equal(base.Add(time.Duration(want)*time.Millisecond)) {
				t.Errorf("%s kept answer %d from %s, want the newest, %d", c.Method, c.Offer.Figure, c.AnsweredAt, want)
			}
		}
		entries, err := db.OrderTimeline(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[float64]bool{}
		for _, e := range entries {
			if v, ok := e.Fields["n"].(float64); ok && e.Kind == checkout.TimelineProviderCall {
				seen[v] = true
				if !e.At.Equal(base.Add(time.Duration(v) * time.Millisecond)) {
					t.Errorf("entry %v at %s", v, e.At)
				}
			}
		}
		if len(seen) != n {
			t.Errorf("%d of %d timeline entries landed", len(seen), n)
		}
	})
}
