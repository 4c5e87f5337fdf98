package checkout

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// Two methods of one provider, as the seam's tests use them.
var (
	creditKind = MethodKind{Name: "TESTCREDIT", Type: "CONSUMER_FINANCE", Provider: "TESTGATE", Title: "Test Credit"}
	walletKind = MethodKind{Name: "TESTWALLET", Type: "WALLET", Provider: "TESTGATE", Title: "Test Wallet"}
)

// linkStore keeps a customer's links, standing in for the links table.
type linkStore struct {
	mu    sync.Mutex
	links []SealedLink
}

func (ls *linkStore) install(f *fakeStore) {
	same := func(a, b SealedLink) bool {
		return a.MerchantID == b.MerchantID && a.CustomerID == b.CustomerID && a.Provider == b.Provider && a.Method == b.Method
	}
	f.LinksFn = func(context.Context, string, string) ([]SealedLink, error) {
		ls.mu.Lock()
		defer ls.mu.Unlock()
		return slices.Clone(ls.links), nil
	}
	f.SaveLinkFn = func(_ context.Context, l SealedLink) error {
		ls.mu.Lock()
		defer ls.mu.Unlock()
		ls.links = slices.DeleteFunc(ls.links, func(x SealedLink) bool { return same(x, l) })
		ls.links = append(ls.links, l)
		return nil
	}
	f.DeleteLinkFn = func(_ context.Context, l SealedLink) error {
		ls.mu.Lock()
		defer ls.mu.Unlock()
		ls.links = slices.DeleteFunc(ls.links, func(x SealedLink) bool { return same(x, l) })
		return nil
	}
	f.RefuseLinkFn = func(_ context.Context, l SealedLink, method string) error {
		ls.mu.Lock()
		defer ls.mu.Unlock()
		for i := range ls.links {
			if same(ls.links[i], l) && !slices.Contains(ls.links[i].RefusedFor, method) {
				ls.links[i].RefusedFor = append(ls.links[i].RefusedFor, method)
			}
		}
		return nil
	}
}

func (ls *linkStore) get() []SealedLink {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return slices.Clone(ls.links)
}

// sealed is a stored link whose access token "at-<method or shared>" is
// fresh for an hour.
func sealed(o Order, method string, refused ...string) SealedLink {
	name := method
	if name == "" {
		name = "shared"
	}
	return SealedLink{MerchantID: o.MerchantID, CustomerID: o.CustomerID, Provider: "TESTGATE", Method: method,
		RefreshToken: []byte("sealed:rt-" + name), AccessToken: []byte("sealed:at-" + name),
		AccessExpiry: time.Now().Add(time.Hour), RefusedFor: refused}
}

// offerCache keeps the providers' answers, standing in for the
// order_offers table.
type offerCache struct {
	mu     sync.Mutex
	offers []CachedOffer
	saves  int
}

func (oc *offerCache) install(f *fakeStore) {
	f.SaveOfferFn = func(_ context.Context, c CachedOffer) error {
		oc.mu.Lock()
		defer oc.mu.Unlock()
		oc.saves++
		for i, old := range oc.offers {
			if old.OrderID == c.OrderID && old.Method == c.Method {
				if !old.AnsweredAt.After(c.AnsweredAt) {
					oc.offers[i] = c
				}
				return nil
			}
		}
		oc.offers = append(oc.offers, c)
		return nil
	}
}

func (oc *offerCache) get() []CachedOffer {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	return slices.Clone(oc.offers)
}

// pageFixture serves PageRecords for one order from a rowStore, links and
// an offer cache.
func pageFixture(o Order, m Merchant, ls *linkStore, as ...Attempt) (*rowStore, *fakeStore) {
	rs, f, _ := pageFixtureCache(o, m, ls, as...)
	return rs, f
}

// pageFixtureCache is pageFixture returning its offer cache too.
func pageFixtureCache(o Order, m Merchant, ls *linkStore, as ...Attempt) (*rowStore, *fakeStore, *offerCache) {
	rs := newRowStore(o, as...)
	f := rs.fake()
	ls.install(f)
	oc := &offerCache{}
	oc.install(f)
	f.PageRecordsFn = func(context.Context, string) (PageRecords, error) {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		p := PageRecords{Order: rs.order, Merchant: m, Links: ls.get(), Offers: oc.get()}
		for _, a := range rs.attempts {
			a := *a
			if p.Latest == nil || a.Seq > p.Latest.Seq {
				p.Latest = &a
			}
		}
		return p, nil
	}
	f.StartAttemptFn = func(_ context.Context, a Attempt, now time.Time) (Attempt, Order, bool, error) {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		for _, x := range rs.attempts {
			if x.Status.InFlight() {
				return *x, rs.order, true, nil
			}
		}
		st, err := StartTransition(rs.order, len(rs.attempts), now)
		if err != nil {
			return Attempt{}, rs.order, false, err
		}
		a.Seq, a.TxnID = len(rs.attempts)+1, TxnID(rs.order, len(rs.attempts)+1)
		rs.attempts[a.ID] = &a
		rs.order.Status = st
		return a, rs.order, false, nil
	}
	return rs, f, oc
}

func newOrderStatus(o Order) Order {
	o.Status = StatusNew
	o.CustomerPhone = "9876543210"
	return o
}

// offerMu guards the token lists offerFixed writes: the page asks its
// methods at once.
var offerMu sync.Mutex

// offerFixed answers one offer whatever it is asked, and records the
// tokens it was given.
func offerFixed(off Offer, tokens *[]string) func(context.Context, OfferRequest) (Offer, error) {
	return func(_ context.Context, r OfferRequest) (Offer, error) {
		offerMu.Lock()
		defer offerMu.Unlock()
		*tokens = append(*tokens, r.Token)
		return off, nil
	}
}

// The page lists each allowed method's offer in configured order, and says
// why when none can pay.
func TestPageListsMethodsAndSaysWhyNone(t *testing.T) {
	o := newOrderStatus(testOrder())
	var tokens []string
	credit := &fakeMethod{KindValue: creditKind, OfferFn: offerFixed(Offer{Listed: true, Payable: true, Action: "Pay"}, &tokens)}
	wallet := &fakeMethod{KindValue: walletKind, OfferFn: offerFixed(Offer{Listed: true, Payable: false, Note: "short"}, &tokens)}
	hidden := &fakeMethod{KindValue: MethodKind{Name: "TESTHIDDEN", Type: "CARD", Provider: "OTHER"},
		OfferFn: offerFixed(Offer{}, &tokens)}
	failing := &fakeMethod{KindValue: MethodKind{Name: "TESTDOWN", Type: "UPI", Provider: "OTHER"},
		OfferFn: func(context.Context, OfferRequest) (Offer, error) { return Offer{}, errors.New("timeout") }}

	tests := []struct {
		name    string
		methods []*fakeMethod
		m       Merchant
		filter  *PaymentFilter
		state   PageState
		listed  []string
		why     NoMethodsReason
	}{
		{"all", []*fakeMethod{credit, wallet, hidden}, Merchant{}, nil, PagePayable, []string{"TESTCREDIT", "TESTWALLET"}, 0},
		{"merchant offers the wallet only", []*fakeMethod{credit, wallet}, Merchant{Methods: []string{"TESTWALLET"}}, nil,
			PageNoMethods, []string{"TESTWALLET"}, NoneOffered},
		{"filter leaves credit", []*fakeMethod{credit, wallet}, Merchant{},
			&PaymentFilter{Options: []FilterOption{{Type: "CONSUMER_FINANCE", Enable: true}}}, PagePayable, []string{"TESTCREDIT"}, 0},
		{"filter leaves nothing", []*fakeMethod{credit, wallet}, Merchant{},
			&PaymentFilter{Options: []FilterOption{{Type: "CARD", Enable: true}}}, PageNoMethods, nil, NoneEnabled},
		{"a provider down", []*fakeMethod{failing, hidden}, Merchant{}, nil, PageChecking, []string{"TESTDOWN"}, NoneAnswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := o
			o.PaymentFilter = tt.filter
			_, f := pageFixture(o, tt.m, &linkStore{})
			svc := NewService(f, Options{Methods: methods(tt.methods...), Sealer: fakeSealer{}, Logger: quiet})
			p, err := svc.PaymentPage(context.Background(), o.ID)
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, mo := range p.Offers {
				listed = append(listed, mo.Kind.Name)
			}
			if p.State != tt.state || !slices.Equal(listed, tt.listed) || p.NoMethods != tt.why {
				t.Errorf("state %v, listed %v, why %v; want %v, %v, %v", p.State, listed, p.NoMethods, tt.state, tt.listed, tt.why)
			}
		})
	}
}

// A link serves every method of its provider until one refuses it; that
// method then links again for itself only, and the shared link is dropped
// once all refuse it.
func TestLinkRefusedForOneMethodOnly(t *testing.T) {
	o := newOrderStatus(testOrder())
	ls := &linkStore{links: []SealedLink{sealed(o, "")}}
	var creditTokens, walletTokens []string
	credit := &fakeMethod{KindValue: creditKind, OfferFn: func(_ context.Context, r OfferRequest) (Offer, error) {
		offerMu.Lock()
		defer offerMu.Unlock()
		creditTokens = append(creditTokens, r.Token)
		if r.Token == "at-shared" {
			return Offer{}, ErrLinkRevoked // a token linked for the wallet only
		}
		return Offer{Listed: true, Payable: true, Linked: r.Token != ""}, nil
	}}
	wallet := &fakeMethod{KindValue: walletKind, OfferFn: func(_ context.Context, r OfferRequest) (Offer, error) {
		offerMu.Lock()
		defer offerMu.Unlock()
		walletTokens = append(walletTokens, r.Token)
		return Offer{Listed: true, Payable: true, Linked: r.Token != ""}, nil
	}}
	_, f := pageFixture(o, Merchant{}, ls)
	svc := NewService(f, Options{Methods: methods(credit, wallet), Sealer: fakeSealer{}, Logger: quiet})
	p, err := svc.PaymentPage(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(creditTokens, []string{"at-shared", ""}) || !slices.Equal(walletTokens, []string{"at-shared"}) {
		t.Errorf("tokens offered: credit %q, wallet %q", creditTokens, walletTokens)
	}
	if len(p.Offers) != 2 || p.Offers[0].Linked || !p.Offers[1].Linked {
		t.Errorf("offers %+v: credit should link again, the wallet stay linked", p.Offers)
	}
	if got := ls.get(); len(got) != 1 || !slices.Equal(got[0].RefusedFor, []string{"TESTCREDIT"}) {
		t.Fatalf("links %+v", got)
	}
	if l := linkFor(ls.get(), creditKind); l != nil {
		t.Errorf("credit still uses %+v", l)
	}

	// Consent for the credit method stores a link of its own.
	if err := svc.saveLink(context.Background(), o, creditKind, Token{AccessToken: "at-own", RefreshToken: "rt-own", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if l := linkFor(ls.get(), creditKind); l == nil || l.Method != "TESTCREDIT" {
		t.Errorf("credit's link %+v", l)
	}
	if l := linkFor(ls.get(), walletKind); l == nil || l.Method != "" {
		t.Errorf("wallet's link %+v", l)
	}

	// Refused by the wallet too, the shared link is gone; the credit's own
	// link stays.
	shared := *linkFor(ls.get(), walletKind)
	svc.refuseLink(context.Background(), shared, walletKind)
	if got := ls.get(); len(got) != 1 || got[0].Method != "TESTCREDIT" {
		t.Errorf("links after both refused: %+v", got)
	}
	// A refused own link is simply forgotten.
	svc.refuseLink(context.Background(), ls.get()[0], creditKind)
	if got := ls.get(); len(got) != 0 {
		t.Errorf("links after the own link was refused: %+v", got)
	}
}

// Tokens: a fresh cached one is used as is, an old one is refreshed and
// cached with the link's refusals kept, a revoked grant or an unopenable
// seal forgets the link.
func TestLinkToken(t *testing.T) {
	o := testOrder()
	ctx := context.Background()
	stale := sealed(o, "", "TESTCREDIT")
	stale.AccessExpiry = time.Now().Add(-time.Minute)
	tests := []struct {
		name    string
		link    SealedLink
		refresh func(context.Context, string) (Token, error)
		token   string
		err     error
		links   int
	}{
		{"fresh", sealed(o, ""), nil, "at-shared", nil, 1},
		{"refreshed", stale, func(_ context.Context, rt string) (Token, error) {
			return Token{AccessToken: "at-new", Expiry: time.Now().Add(time.Hour)}, nil
		}, "at-new", nil, 1},
		{"revoked", stale, func(context.Context, string) (Token, error) { return Token{}, ErrLinkRevoked }, "", errNotLinked, 0},
		{"provider down", stale, func(context.Context, string) (Token, error) { return Token{}, errors.New("timeout") }, "", nil, 1},
		{"sealed under another key", SealedLink{MerchantID: o.MerchantID, CustomerID: o.CustomerID, Provider: "TESTGATE",
			RefreshToken: []byte("garbage")}, nil, "", errNotLinked, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := &linkStore{links: []SealedLink{tt.link}}
			f := &fakeStore{}
			ls.install(f)
			m := &fakeMethod{RefreshFn: tt.refresh}
			svc := NewService(f, Options{Methods: methods(m), Sealer: openOnly{}, Logger: quiet})
			l := tt.link
			tok, err := svc.linkToken(ctx, m, &l)
			if tok != tt.token || (tt.err != nil && !errors.Is(err, tt.err)) || (tt.err == nil && tt.token != "" && err != nil) {
				t.Errorf("token %q, err %v; want %q, %v", tok, err, tt.token, tt.err)
			}
			if got := ls.get(); len(got) != tt.links {
				t.Errorf("links %+v", got)
			}
			if tt.name == "refreshed" && !slices.Equal(ls.get()[0].RefusedFor, []string{"TESTCREDIT"}) {
				t.Errorf("refusals lost on refresh: %+v", ls.get()[0])
			}
		})
	}
	if _, err := NewService(&fakeStore{}, Options{}).linkToken(ctx, &fakeMethod{}, nil); !errors.Is(err, errNotLinked) {
		t.Errorf("no link: %v", err)
	}
}

// openOnly opens what fakeSealer seals and refuses anything else.
type openOnly struct{ fakeSealer }

func (openOnly) Open(b []byte, _ string) (string, error) {
	if len(b) < len("sealed:") || string(b[:len("sealed:")]) != "sealed:" {
		return "", errors.New("not sealed here")
	}
	return string(b[len("sealed:"):]), nil
}

// Pay picks the named method among those allowed, sends a shopper who is
// not linked to consent, charges a linked one at once, and joins an
// attempt in flight.
func TestPayWithAChosenMethod(t *testing.T) {
	ctx := context.Background()
	o := newOrderStatus(testOrder())
	var charged []string
	mk := func(k MethodKind) *fakeMethod {
		return &fakeMethod{KindValue: k,
			OfferFn: func(context.Context, OfferRequest) (Offer, error) { return Offer{Listed: true, Payable: true}, nil },
			LinkURLFn: func(state, _, hint string) string {
				return "https://provider.example/consent?m=" + k.Name + "&hint=" + hint
			},
			ChargeFn: func(_ context.Context, r ChargeRequest) Reply {
				charged = append(charged, k.Name)
				return captured()
			},
		}
	}
	credit, wallet := mk(creditKind), mk(walletKind)
	opts := Options{Methods: methods(credit, wallet), Sealer: fakeSealer{}, Logger: quiet,
		ChargeCallbackURL: func(string) string { return "https://pay.example/cb" }}

	// Not linked: consent for the wallet, with the phone as a hint.
	rs, f := pageFixture(o, Merchant{}, &linkStore{})
	svc := NewService(f, opts)
	next, err := svc.Pay(ctx, o.ID, "TESTWALLET")
	if err != nil || next.Kind != NextRedirect || next.URL != "https://provider.example/consent?m=TESTWALLET&hint=9876543210" {
		t.Fatalf("first pay: %+v %v", next, err)
	}
	var a Attempt
	for _, x := range rs.attempts {
		a = *x
	}
	if a.Method != "TESTWALLET" || a.MethodType != "WALLET" || a.Provider != "TESTGATE" || a.Status != AttemptAwaitingConsent {
		t.Errorf("attempt %+v", a)
	}
	// A second tap joins it.
	if next, err := svc.Pay(ctx, o.ID, "TESTCREDIT"); err != nil || next.Kind != NextRedirect || len(rs.attempts) != 1 {
		t.Errorf("second tap: %+v %v, %d attempts", next, err, len(rs.attempts))
	}

	// Linked: the credit method charges at once.
	o2 := newOrderStatus(testOrder())
	_, f = pageFixture(o2, Merchant{}, &linkStore{links: []SealedLink{sealed(o2, "")}})
	svc = NewService(f, opts)
	if next, err := svc.Pay(ctx, o2.ID, "TESTCREDIT"); err != nil || next.Kind != NextMerchant {
		t.Errorf("linked pay: %+v %v", next, err)
	}
	if !slices.Equal(charged, []string{"TESTCREDIT"}) {
		t.Errorf("charged %v", charged)
	}

	// A method the merchant does not offer, or no such method, is refused.
	o3 := newOrderStatus(testOrder())
	_, f = pageFixture(o3, Merchant{Methods: []string{"TESTCREDIT"}}, &linkStore{})
	svc = NewService(f, opts)
	if _, err := svc.Pay(ctx, o3.ID, "TESTWALLET"); !errs.Is(err, errs.Invalid) {
		t.Errorf("a method the merchant leaves out: %v", err)
	}
	// A form without a method (a page from before methods were named) pays
	// with the first allowed one.
	if next, err := svc.Pay(ctx, o3.ID, ""); err != nil || next.Kind != NextRedirect || next.URL[len(next.URL)-len("hint=9876543210")-len("TESTCREDIT&"):] != "TESTCREDIT&hint=9876543210" {
		t.Errorf("no method named: %+v %v", next, err)
	}
	// A method that will not offer itself is refused before anything starts.
	o4 := newOrderStatus(testOrder())
	_, f = pageFixture(o4, Merchant{}, &linkStore{})
	wallet.OfferFn = func(context.Context, OfferRequest) (Offer, error) { return Offer{}, nil }
	svc = NewService(f, opts)
	if _, err := svc.Pay(ctx, o4.ID, "TESTWALLET"); errs.CodeOf(err) != "method.unavailable" {
		t.Errorf("not offered: %v", err)
	}
	// A provider that does not answer starts nothing, and sends the
	// shopper back to the page, which says it is checking.
	o5 := newOrderStatus(testOrder())
	rs5, f5 := pageFixture(o5, Merchant{}, &linkStore{})
	wallet.OfferFn = func(context.Context, OfferRequest) (Offer, error) { return Offer{}, errors.New("timeout") }
	if next, err := NewService(f5, opts).Pay(ctx, o5.ID, "TESTWALLET"); err != nil || next.Kind != NextPage || len(rs5.attempts) != 0 {
		t.Errorf("provider down: %+v %v, %d attempts", next, err, len(rs5.attempts))
	}
	// Without methods nothing can be paid.
	if _, err := NewService(f, Options{Logger: quiet}).Pay(ctx, o4.ID, ""); !errs.Is(err, errs.Unavailable) {
		t.Errorf("no methods: %v", err)
	}
}

// A charge refused because the token no longer works for the method
// refuses the link for that method alone.
func TestChargeRefusalRelinksThatMethod(t *testing.T) {
	ctx := context.Background()
	o := newOrderStatus(testOrder())
	ls := &linkStore{links: []SealedLink{sealed(o, "")}}
	credit := &fakeMethod{KindValue: creditKind, OfferFn: func(context.Context, OfferRequest) (Offer, error) { return Offer{Listed: true, Payable: true}, nil },
		ChargeFn: func(context.Context, ChargeRequest) Reply {
			return Reply{Verified: true, HTTPStatus: 403, Code: codeBadToken}
		}}
	wallet := &fakeMethod{KindValue: walletKind}
	_, f := pageFixture(o, Merchant{}, ls)
	svc := NewService(f, Options{Methods: methods(credit, wallet), Sealer: fakeSealer{}, Logger: quiet,
		ChargeCallbackURL: func(string) string { return "https://pay.example/cb" }})
	if _, err := svc.Pay(ctx, o.ID, "TESTCREDIT"); err != nil {
		t.Fatal(err)
	}
	got := ls.get()
	if len(got) != 1 || !slices.Equal(got[0].RefusedFor, []string{"TESTCREDIT"}) {
		t.Errorf("links %+v", got)
	}
}

// The shopper coming back from the provider's page is told the outcome
// the status read gives, never the query.
func TestChargeReturnReadsTheStatus(t *testing.T) {
	ctx := context.Background()
	o := testOrder()
	a := NewAttempt(o, testKind, true)
	sent := time.Now().Add(-time.Minute)
	a.ChargeSentAt, a.ActionURL = &sent, "https://provider.example/topup"
	rs := newRowStore(o, a)
	f := rs.fake()
	f.AttemptByChargeFn = func(_ context.Context, id string) (Attempt, error) {
		if id != a.ChargeID {
			return Attempt{}, errs.E(errs.NotFound, "", "no attempt")
		}
		return rs.attempt(a.ID), nil
	}
	f.ClaimCheckFn = func(context.Context, string, time.Duration) (Attempt, bool, error) {
		return rs.attempt(a.ID), true, nil
	}
	reply := Reply{Verified: true, HTTPStatus: 200, State: StatePending, ActionURL: a.ActionURL}
	m := &fakeMethod{ChargeStatusFn: func(context.Context, string) Reply { return reply }}
	svc := NewService(f, Options{Methods: methods(m), Logger: quiet})
	// Still pending: wait on the page, not the provider's page again.
	if next, err := svc.ChargeReturn(ctx, a.ChargeID); err != nil || next.Kind != NextPage {
		t.Errorf("pending: %+v %v", next, err)
	}
	reply = captured()
	if next, err := svc.ChargeReturn(ctx, a.ChargeID); err != nil || next.Kind != NextMerchant {
		t.Errorf("approved: %+v %v", next, err)
	}
	if _, err := svc.ChargeReturn(ctx, "nope"); errs.CodeOf(err) != "attempt.not_found" {
		t.Errorf("unknown charge: %v", err)
	}
}

func TestPaymentFilter(t *testing.T) {
	credit, wallet := creditKind, walletKind
	tests := []struct {
		raw            string
		credit, wallet bool
	}{
		{`{"allowDefaultOptions":false,"options":[{"paymentMethodType":"WALLET","enable":true}]}`, false, true},
		{`{"allowDefaultOptions":true,"options":[{"paymentMethodType":"WALLET","enable":false}]}`, true, false},
		{`{"options":[{"paymentMethodType":"CONSUMER_FINANCE","enable":false}]}`, false, true},
		{`{"allowDefaultOptions":false,"options":[{"paymentMethodType":"WALLET","paymentMethods":["TESTWALLET"],"enable":true},{"paymentMethodType":"WALLET","enable":false}]}`, false, true},
		{`{"allowDefaultOptions":false,"options":[],"emiOptions":{}}`, false, false},
	}
	for _, tt := range tests {
		f, problems := parsePaymentFilter(tt.raw)
		if problems != nil || f.Allows(credit) != tt.credit || f.Allows(wallet) != tt.wallet {
			t.Errorf("%s: credit %v wallet %v (%v)", tt.raw, f.Allows(credit), f.Allows(wallet), problems)
		}
	}
	if f, problems := parsePaymentFilter(""); f != nil || problems != nil || !f.Allows(credit) {
		t.Error("no filter must allow everything")
	}
	for raw, field := range map[string]string{
		`[1]`: "payment_filter", `{"options":{}}`: "payment_filter", `{} {}`: "payment_filter",
		`{"options":[1]}`:                              "payment_filter.options[0]",
		`{"options":[{"enable":true}]}`:                "payment_filter.options[0].paymentMethodType",
		`{"options":[{"paymentMethodType":"WALLET"}]}`: "payment_filter.options[0].enable",
	} {
		if _, problems := parsePaymentFilter(raw); len(problems) != 1 || problems[0].Field != field {
			t.Errorf("%s: %+v, want a problem with %s", raw, problems, field)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, tt := range []struct {
		from, to Status
		started  bool
		want     []string
	}{
		{StatusNew, StatusPendingVBV, true, []string{EventTxnCreated}},
		{StatusPendingVBV, StatusCharged, false, []string{EventOrderSucceeded}},
		{StatusPendingVBV, StatusAuthorizationFailed, false, []string{EventOrderFailed}},
		{StatusCharged, StatusCharged, false, nil},
	} {
		if got := OrderEvents(tt.from, tt.to, tt.started); !slices.Equal(got, tt.want) {
			t.Errorf("%s→%s: %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
	r := Refund{Status: RefundPending}
	if got := RefundEvents(r, RefundSuccess); !slices.Equal(got, []string{EventOrderRefunded}) {
		t.Errorf("refund success: %v", got)
	}
	if got := RefundEvents(r, RefundFailure); !slices.Equal(got, []string{EventOrderRefundFailed}) {
		t.Errorf("refund failure: %v", got)
	}
	if got := RefundEvents(Refund{Status: RefundPending, Automatic: true}, RefundSuccess); got != nil {
		t.Errorf("automatic refund: %v", got)
	}
}
