package checkout

import (
	"context"
	"net/url"
	"testing"

	"github.com/paypage/paypage/internal/errs"
)

// Sessions: created once, replayed with the same money fields, refused
// with others; the payment filter and metadata are kept.
func TestCreateSessionReplayAndConflict(t *testing.T) {
	ctx := context.Background()
	stored := map[string]Order{}
	f := &fakeStore{InsertOrderFn: func(_ context.Context, o Order) (Order, bool, error) {
		if old, ok := stored[o.OrderID]; ok {
			return old, false, nil
		}
		stored[o.OrderID] = o
		return o, true, nil
	}}
	svc := NewService(f, Options{Logger: quiet})
	m := Merchant{ID: "m1", ReturnURLPrefixes: []string{"https://shop.example/"}}
	in := SessionInput{OrderID: "o1", Amount: "499", Currency: "INR", CustomerID: "c1", ReturnURL: "https://shop.example/back",
		PaymentFilter: `{"allowDefaultOptions":false,"options":[{"paymentMethodType":"WALLET","enable":true}]}`,
		Metadata:      map[string]string{"cart": "c-9"}}
	o, replay, err := svc.CreateSession(ctx, m, in)
	if err != nil || replay || o.Amount != 49900 || o.PaymentFilter == nil || o.PaymentFilter.Allows(creditKind) || o.Metadata["cart"] != "c-9" {
		t.Fatalf("create: %+v %v %v", o, replay, err)
	}
	if _, replay, err := svc.CreateSession(ctx, m, in); err != nil || !replay {
		t.Errorf("replay: %v %v", replay, err)
	}
	in.Amount = "500"
	if _, _, err := svc.CreateSession(ctx, m, in); errs.CodeOf(err) != "order.conflict" {
		t.Errorf("conflict: %v", err)
	}
	in.PaymentFilter = `{"options":[{"paymentMethodType":"WALLET"}]}`
	if _, _, err := svc.CreateSession(ctx, m, in); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad filter: %v", err)
	}
}

// Authentication compares the key's hash and never says which part was
// wrong; an unknown order is one NotFound however its id looks.
func TestAuthenticateAndMerchantOrder(t *testing.T) {
	ctx := context.Background()
	c, err := IssueCredentials("m1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildMerchant(NewMerchant{ID: "m1", Name: "M", ReturnURLPrefixes: []string{"https://shop.example/"},
		Methods: []string{"TESTWALLET"}}, c)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeStore{
		MerchantByIDFn: func(_ context.Context, id string) (Merchant, error) {
			if id != "m1" {
				return Merchant{}, errs.E(errs.NotFound, "", "no merchant")
			}
			return m, nil
		},
		OrderByMerchantFn: func(context.Context, string, string) (Order, error) {
			return Order{}, errs.E(errs.NotFound, "", "order not found")
		},
	}
	svc := NewService(f, Options{Logger: quiet})
	if got, err := svc.Authenticate(ctx, "m1", c.APIKey); err != nil || got.ID != "m1" || len(got.Methods) != 1 {
		t.Errorf("good key: %+v %v", got, err)
	}
	for _, tt := range [][2]string{{"m1", "pk_wrong"}, {"m2", c.APIKey}, {"", c.APIKey}, {"../x", c.APIKey}} {
		if _, err := svc.Authenticate(ctx, tt[0], tt[1]); errs.CodeOf(err) != "access_denied" {
			t.Errorf("%v: %v", tt, err)
		}
	}
	for _, id := range []string{"missing", "not valid", ""} {
		if _, err := svc.MerchantOrder(ctx, "m1", id); errs.CodeOf(err) != "order.not_found" {
			t.Errorf("%q: %v", id, err)
		}
	}
	if _, err := BuildMerchant(NewMerchant{ID: "m1", Name: "M", ReturnURLPrefixes: []string{"https://shop.example/"},
		Methods: []string{"A", "A"}}, c); !errs.Is(err, errs.Invalid) {
		t.Errorf("a method named twice: %v", err)
	}
}

// The signed return keeps the merchant's own parameters, ours win a clash,
// and a POST merchant gets the fields.
func TestReturnToMerchant(t *testing.T) {
	ctx := context.Background()
	o := testOrder()
	o.Status, o.ReturnURL = StatusCharged, "https://shop.example/back?cart=a+b&order_id=forged"
	m := Merchant{ID: o.MerchantID, Name: "Shop", ResponseKey: "rk_test", ReturnURLPrefixes: []string{"https://shop.example/"}, ReturnMethod: ReturnGET}
	f := &fakeStore{
		OrderByIDFn:    func(context.Context, string) (Order, error) { return o, nil },
		MerchantByIDFn: func(context.Context, string) (Merchant, error) { return m, nil },
	}
	svc := NewService(f, Options{Logger: quiet})
	r, err := svc.ReturnToMerchant(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(r.URL)
	q := u.Query()
	if q.Get("cart") != "a b" || q.Get("order_id") != o.OrderID || q.Get("status") != "CHARGED" || q.Get("signature") == "" {
		t.Errorf("GET return %s", r.URL)
	}
	m.ReturnMethod = ReturnPOST
	svc = NewService(f, Options{Logger: quiet})
	if r, err := svc.ReturnToMerchant(ctx, o.ID); err != nil || r.Method != ReturnPOST || len(r.Params) != 6 || r.URL != "https://shop.example/back" {
		t.Errorf("POST return %+v %v", r, err)
	}
	m.ReturnURLPrefixes = []string{"https://elsewhere.example/"}
	svc = NewService(f, Options{Logger: quiet})
	if _, err := svc.ReturnToMerchant(ctx, o.ID); errs.CodeOf(err) != "return_url.unregistered" {
		t.Errorf("unregistered: %v", err)
	}
	if _, err := svc.ReturnToMerchant(ctx, "ordeh_nope"); errs.CodeOf(err) != "order.not_found" {
		t.Errorf("bad id: %v", err)
	}
}
