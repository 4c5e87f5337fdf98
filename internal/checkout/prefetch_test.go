package checkout

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingOffer answers off and counts the calls.
func countingOffer(off Offer, calls *atomic.Int32) func(context.Context, OfferRequest) (Offer, error) {
	return func(context.Context, OfferRequest) (Offer, error) {
		calls.Add(1)
		return off, nil
	}
}

var payableOffer = Offer{Listed: true, Payable: true, Action: "Pay"}

// sessionInput is a valid session for order_id id.
func sessionInput(id string) SessionInput {
	return SessionInput{OrderID: id, Amount: "500", Currency: "INR", CustomerID: "c1", CustomerPhone: "9876543210",
		ReturnURL: "https://shop.example/back"}
}

var shop = Merchant{ID: "m1", ReturnURLPrefixes: []string{"https://shop.example/"}}

// Prefetch runs in the background, never delaying the session's answer,
// and at most PrefetchMaxInFlight at once: sessions beyond that are
// skipped, and their pages ask for themselves. Each prefetch keeps one
// answer per allowed method with the order.
func TestPrefetchIsBounded(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	slow := func(k MethodKind) *fakeMethod {
		return &fakeMethod{KindValue: k, OfferFn: func(context.Context, OfferRequest) (Offer, error) {
			calls.Add(1)
			<-release
			return payableOffer, nil
		}}
	}
	oc := &offerCache{}
	f := &fakeStore{
		InsertOrderFn: func(_ context.Context, o Order) (Order, bool, error) { return o, true, nil },
		LinksFn:       func(context.Context, string, string) ([]SealedLink, error) { return nil, nil },
	}
	oc.install(f)
	svc := NewService(f, Options{Methods: methods(slow(creditKind), slow(walletKind)), Sealer: fakeSealer{}, Logger: quiet,
		PrefetchMaxInFlight: 2})
	t.Cleanup(svc.Close)

	start := time.Now()
	for _, id := range []string{"o1", "o2", "o3", "o4", "o5"} {
		if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput(id)); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("five sessions took %v while their prefetches waited", took)
	}
	if started, skipped := svc.PrefetchStats(); started != 2 || skipped != 3 {
		t.Errorf("started %d, skipped %d; want 2 and 3", started, skipped)
	}
	close(release)
	svc.Wait()
	if n := calls.Load(); n != 4 {
		t.Errorf("%d offer calls, want 2 sessions × 2 methods", n)
	}
	if got := oc.get(); len(got) != 4 {
		t.Errorf("kept %d answers, want 4: %+v", len(got), got)
	}
	// With the slots free again, the next session is prefetched.
	if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput("o6")); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	if started, skipped := svc.PrefetchStats(); started != 3 || skipped != 3 {
		t.Errorf("after the slots freed: started %d, skipped %d", started, skipped)
	}
}

// A session replayed while its order is open has its answers refreshed
// only when they are stale; a final order is not prefetched again.
func TestPrefetchOnReplay(t *testing.T) {
	clk := newClock()
	var calls atomic.Int32
	m := &fakeMethod{KindValue: walletKind, OfferFn: countingOffer(payableOffer, &calls)}
	o, err := sessionInput("o1").validate(shop, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	rs, f, oc := pageFixtureCache(o, shop, &linkStore{})
	first := true
	f.InsertOrderFn = func(_ context.Context, n Order) (Order, bool, error) {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		created := first
		first = false
		return rs.order, created, nil
	}
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet, Now: clk.now})
	t.Cleanup(svc.Close)
	create := func() {
		t.Helper()
		if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput("o1")); err != nil {
			t.Fatal(err)
		}
		svc.Wait()
	}
	create()
	if calls.Load() != 1 || len(oc.get()) != 1 {
		t.Fatalf("created: %d calls, %d kept", calls.Load(), len(oc.get()))
	}
	create() // replayed at once: the answer is fresh
	if calls.Load() != 1 {
		t.Errorf("a fresh answer was asked again: %d calls", calls.Load())
	}
	clk.advance(DefaultOfferMaxAge + time.Second)
	create() // replayed later: stale, asked again
	if calls.Load() != 2 {
		t.Errorf("a stale answer was not refreshed: %d calls", calls.Load())
	}
	clk.advance(DefaultOfferMaxAge + time.Second)
	rs.mu.Lock()
	rs.order.Status = StatusCharged
	rs.mu.Unlock()
	create()
	if calls.Load() != 2 {
		t.Errorf("a paid order was prefetched: %d calls", calls.Load())
	}
}

// The page uses the answer kept with the order while it is at most
// OfferMaxAge old and made with the link the method would use now; an
// older answer, or one made before the customer linked, is asked again,
// and the fresh answer kept.
func TestPageUsesTheKeptAnswerWhileFresh(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	o := newOrderStatus(testOrder())
	var calls atomic.Int32
	var tokens []string
	m := &fakeMethod{KindValue: walletKind, OfferFn: func(_ context.Context, r OfferRequest) (Offer, error) {
		calls.Add(1)
		offerMu.Lock()
		tokens = append(tokens, r.Token)
		offerMu.Unlock()
		return Offer{Listed: true, Payable: true, Linked: r.Token != ""}, nil
	}}
	ls := &linkStore{}
	_, f, oc := pageFixtureCache(o, Merchant{}, ls)
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet, Now: clk.now})
	t.Cleanup(svc.Close)
	if err := svc.store.SaveOffer(ctx, CachedOffer{OrderID: o.ID, Method: walletKind.Name, Offer: payableOffer, AnsweredAt: clk.now()}); err != nil {
		t.Fatal(err)
	}

	// Fresh: the head comes back complete, with no provider call.
	clk.advance(DefaultOfferMaxAge)
	p, err := svc.PaymentPageHead(ctx, o.ID)
	if err != nil || p.State != PagePayable || len(p.Offers) != 1 || p.Offers[0].Action != "Pay" || calls.Load() != 0 {
		t.Fatalf("fresh: %v %+v %v, %d calls", p.State, p.Offers, err, calls.Load())
	}
	// Older than OfferMaxAge: asked again, and kept.
	clk.advance(time.Second)
	p, err = svc.PaymentPageHead(ctx, o.ID)
	if err != nil || p.State != PageListing || p.Offers != nil {
		t.Fatalf("stale head: %v %+v %v", p.State, p.Offers, err)
	}
	svc.PageOffers(ctx, &p)
	svc.Wait()
	if p.State != PagePayable || calls.Load() != 1 {
		t.Fatalf("stale: %v, %d calls", p.State, calls.Load())
	}
	if got := oc.get(); len(got) != 1 || !got[0].AnsweredAt.Equal(clk.now()) || got[0].Linked {
		t.Fatalf("kept %+v", got)
	}
	if p, err := svc.PaymentPage(ctx, o.ID); err != nil || p.State != PagePayable || calls.Load() != 1 {
		t.Errorf("right after: %v %v, %d calls", p.State, err, calls.Load())
	}

	// The customer links (on another order, say): the answer made without
	// a link is not used, the method is asked with the token.
	l := sealed(o, "")
	ls.links = []SealedLink{l}
	p, err = svc.PaymentPage(ctx, o.ID)
	svc.Wait()
	if err != nil || p.State != PagePayable || !p.Offers[0].Linked || calls.Load() != 2 || tokens[1] != "at-shared" {
		t.Fatalf("after linking: %v %+v %v, %d calls, tokens %q", p.State, p.Offers, err, calls.Load(), tokens)
	}
	if got := oc.get(); len(got) != 1 || !got[0].Linked || got[0].LinkKey != LinkKeyOf(&l) {
		t.Fatalf("kept %+v", got)
	}
	if _, err := svc.PaymentPage(ctx, o.ID); err != nil || calls.Load() != 2 {
		t.Errorf("linked answer not used: %v, %d calls", err, calls.Load())
	}
	// The link is stored again (a new consent): the answer is not used.
	l2 := l
	l2.RefreshToken = []byte("sealed:rt-other")
	ls.links = []SealedLink{l2}
	if _, err := svc.PaymentPage(ctx, o.ID); err != nil || calls.Load() != 3 {
		t.Errorf("answer for a replaced link used: %v, %d calls", err, calls.Load())
	}
	svc.Wait()
	// Refused for this method: asked again as for a first payment.
	ls.links = []SealedLink{sealed(o, "", walletKind.Name)}
	if _, err := svc.PaymentPage(ctx, o.ID); err != nil || calls.Load() != 4 || tokens[3] != "" {
		t.Errorf("answer for a refused link used: %v, %d calls, tokens %q", err, calls.Load(), tokens)
	}
}

// The prefetch renews an access token that expires soon before asking, so
// that neither the page nor Pay renews it and then asks, one after the
// other; it renews a link its methods share once, and the answers kept
// name the link as stored after the renewal, which the page uses.
func TestPrefetchRenewsAnExpiringToken(t *testing.T) {
	ctx := context.Background()
	o := newOrderStatus(testOrder())
	o.Status = StatusNew
	l := sealed(o, "")
	l.AccessExpiry = time.Now().Add(3 * time.Minute) // fresh for the page, not for the prefetch
	ls := &linkStore{links: []SealedLink{l}}
	var offers, refreshes atomic.Int32
	var gotToken atomic.Value
	mk := func(k MethodKind) *fakeMethod {
		return &fakeMethod{KindValue: k,
			RefreshFn: func(_ context.Context, rt string) (Token, error) {
				n := refreshes.Add(1)
				return Token{AccessToken: "at-renewed", RefreshToken: fmt.Sprintf("rt-renewed-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
			},
			OfferFn: func(_ context.Context, r OfferRequest) (Offer, error) {
				offers.Add(1)
				gotToken.Store(r.Token)
				return Offer{Listed: true, Payable: true, Linked: true, Figure: 100, FigureKind: FigureBalance}, nil
			}}
	}
	_, f, oc := pageFixtureCache(o, Merchant{}, ls)
	f.InsertOrderFn = func(_ context.Context, n Order) (Order, bool, error) { return o, true, nil }
	svc := NewService(f, Options{Methods: methods(mk(creditKind), mk(walletKind)), Sealer: fakeSealer{}, Logger: quiet})
	t.Cleanup(svc.Close)
	if _, _, err := svc.CreateSession(ctx, shop, sessionInput("o1")); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	if refreshes.Load() != 1 || offers.Load() != 2 || gotToken.Load() != "at-renewed" {
		t.Fatalf("prefetch: %d refreshes, %d offers, token %v", refreshes.Load(), offers.Load(), gotToken.Load())
	}
	kept := oc.get()
	stored := LinkKeyOf(linkFor(ls.get(), walletKind))
	if len(kept) != 2 || kept[0].LinkKey != stored || kept[1].LinkKey != stored || stored == LinkKeyOf(&l) {
		t.Fatalf("kept %+v", kept)
	}
	p, err := svc.PaymentPage(ctx, o.ID)
	if err != nil || p.State != PagePayable || len(p.Offers) != 2 || p.Offers[0].Figure != 100 || offers.Load() != 2 || refreshes.Load() != 1 {
		t.Errorf("page: %v %+v %v; %d offers, %d refreshes", p.State, p.Offers, err, offers.Load(), refreshes.Load())
	}
}

// Pay for a first-time shopper uses the page's fresh answer made without
// a link and asks the provider nothing before consent; with no usable
// answer it asks.
func TestPayUsesTheKeptAnswer(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	var calls atomic.Int32
	m := &fakeMethod{KindValue: walletKind, OfferFn: countingOffer(payableOffer, &calls),
		LinkURLFn: func(state, _, _ string) string { return "https://provider.example/consent?state=" + state }}
	opts := Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet, Now: clk.now}
	keep := func(f *fakeStore, c CachedOffer) {
		t.Helper()
		if err := f.SaveOffer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	o := newOrderStatus(testOrder())
	rs, f := pageFixture(o, Merchant{}, &linkStore{})
	keep(f, CachedOffer{OrderID: o.ID, Method: walletKind.Name, Offer: payableOffer, AnsweredAt: clk.now()})
	svc := NewService(f, opts)
	t.Cleanup(svc.Close)
	next, err := svc.Pay(ctx, o.ID, walletKind.Name)
	if err != nil || next.Kind != NextRedirect || len(rs.attempts) != 1 || calls.Load() != 0 {
		t.Fatalf("fresh answer: %+v %v, %d attempts, %d offer calls", next, err, len(rs.attempts), calls.Load())
	}

	// A kept "not payable" refuses at once, without asking.
	o2 := newOrderStatus(testOrder())
	rs2, f2 := pageFixture(o2, Merchant{}, &linkStore{})
	keep(f2, CachedOffer{OrderID: o2.ID, Method: walletKind.Name, Offer: Offer{Listed: true, Note: "no"}, AnsweredAt: clk.now()})
	if _, err := NewService(f2, opts).Pay(ctx, o2.ID, walletKind.Name); err == nil || len(rs2.attempts) != 0 || calls.Load() != 0 {
		t.Errorf("kept refusal: %v, %d attempts, %d calls", err, len(rs2.attempts), calls.Load())
	}

	// Stale, or made with a link the shopper no longer has: asked.
	for name, c := range map[string]CachedOffer{
		"stale":  {Method: walletKind.Name, Offer: payableOffer, AnsweredAt: clk.now().Add(-DefaultOfferMaxAge - time.Second)},
		"linked": {Method: walletKind.Name, Offer: payableOffer, Linked: true, LinkKey: "gone", AnsweredAt: clk.now()},
	} {
		calls.Store(0)
		o := newOrderStatus(testOrder())
		rs, f := pageFixture(o, Merchant{}, &linkStore{})
		c.OrderID = o.ID
		keep(f, c)
		svc := NewService(f, opts)
		next, err := svc.Pay(ctx, o.ID, walletKind.Name)
		svc.Close()
		if err != nil || next.Kind != NextRedirect || len(rs.attempts) != 1 || calls.Load() != 1 {
			t.Errorf("%s: %+v %v, %d attempts, %d calls", name, next, err, len(rs.attempts), calls.Load())
		}
	}
}

// A provider slower than the page's budget: the page lists its method as
// checking (never "no payment option"), Pay sends the shopper back to the
// page without starting anything, and the answer, once it comes, is kept
// so that the next look shows it without asking again.
func TestSlowProviderMeansChecking(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var calls atomic.Int32
	m := &fakeMethod{KindValue: walletKind,
		OfferFn: func(ctx context.Context, _ OfferRequest) (Offer, error) {
			calls.Add(1)
			select {
			case <-release:
				return payableOffer, nil
			case <-ctx.Done():
				return Offer{}, ctx.Err()
			}
		},
		LinkURLFn: func(state, _, _ string) string { return "https://provider.example/consent" }}
	o := newOrderStatus(testOrder())
	rs, f := pageFixture(o, Merchant{}, &linkStore{})
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet,
		ListingTimeout: 30 * time.Millisecond, PrefetchTimeout: 10 * time.Second})
	t.Cleanup(svc.Close)

	head, err := svc.PaymentPageHead(ctx, o.ID)
	if err != nil || head.State != PageListing || calls.Load() != 0 {
		t.Fatalf("head: %v %v, %d calls", head.State, err, calls.Load())
	}
	start := time.Now()
	svc.PageOffers(ctx, &head)
	if took := time.Since(start); took > time.Second {
		t.Errorf("offers took %v with a 30 ms budget", took)
	}
	if head.State != PageChecking || head.NoMethods != NoneAnswered || len(head.Offers) != 1 ||
		!head.Offers[0].Checking || !head.Offers[0].Listed || head.Offers[0].Payable {
		t.Fatalf("slow provider: %v %v %+v", head.State, head.NoMethods, head.Offers)
	}

	next, err := svc.Pay(ctx, o.ID, walletKind.Name)
	if err != nil || next.Kind != NextPage || len(rs.attempts) != 0 {
		t.Fatalf("pay with a slow provider: %+v %v, %d attempts", next, err, len(rs.attempts))
	}

	close(release) // the late answers come in and are kept
	svc.Wait()
	before := calls.Load()
	p, err := svc.PaymentPage(ctx, o.ID)
	if err != nil || p.State != PagePayable || p.Offers[0].Checking || calls.Load() != before {
		t.Errorf("after the late answer: %v %+v %v, %d new calls", p.State, p.Offers, err, calls.Load()-before)
	}
	if next, err := svc.Pay(ctx, o.ID, walletKind.Name); err != nil || next.Kind != NextRedirect || calls.Load() != before {
		t.Errorf("pay after the late answer: %+v %v, %d new calls", next, err, calls.Load()-before)
	}
}

// Close cancels background work in flight and waits for it; afterwards
// sessions are created without prefetch.
func TestCloseStopsBackgroundWork(t *testing.T) {
	var calls atomic.Int32
	m := &fakeMethod{KindValue: walletKind, OfferFn: func(ctx context.Context, _ OfferRequest) (Offer, error) {
		calls.Add(1)
		<-ctx.Done()
		return Offer{}, ctx.Err()
	}}
	f := &fakeStore{
		InsertOrderFn: func(_ context.Context, o Order) (Order, bool, error) { return o, true, nil },
		LinksFn:       func(context.Context, string, string) ([]SealedLink, error) { return nil, nil },
	}
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet, PrefetchTimeout: time.Hour})
	if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput("o1")); err != nil {
		t.Fatal(err)
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		svc.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the prefetch in flight")
	}
	if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput("o2")); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	if started, _ := svc.PrefetchStats(); started != 1 || calls.Load() != 1 {
		t.Errorf("after Close: %d started, %d calls", started, calls.Load())
	}
}

// A negative PrefetchMaxInFlight turns prefetch off.
func TestPrefetchOff(t *testing.T) {
	f := &fakeStore{InsertOrderFn: func(_ context.Context, o Order) (Order, bool, error) { return o, true, nil }}
	m := &fakeMethod{KindValue: walletKind}
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet, PrefetchMaxInFlight: -1})
	defer svc.Close()
	if _, _, err := svc.CreateSession(context.Background(), shop, sessionInput("o1")); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	if started, skipped := svc.PrefetchStats(); started != 0 || skipped != 0 {
		t.Errorf("started %d, skipped %d", started, skipped)
	}
}

// A linked shopper whose token cannot be renewed because the provider
// does not answer is sent back to the page: nothing starts, and no error
// page asks them to try again.
func TestPayWhenTheTokenServiceIsSlow(t *testing.T) {
	o := newOrderStatus(testOrder())
	l := sealed(o, "")
	l.AccessExpiry = time.Now().Add(-time.Minute)
	rs, f := pageFixture(o, Merchant{}, &linkStore{links: []SealedLink{l}})
	m := &fakeMethod{KindValue: walletKind, RefreshFn: func(context.Context, string) (Token, error) {
		return Token{}, context.DeadlineExceeded
	}}
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet})
	t.Cleanup(svc.Close)
	if next, err := svc.Pay(context.Background(), o.ID, walletKind.Name); err != nil || next.Kind != NextPage || len(rs.attempts) != 0 {
		t.Errorf("pay: %+v %v, %d attempts", next, err, len(rs.attempts))
	}
}

// A page opened while its order's prefetch still waits for the provider
// (the merchant redirected at once) joins that question: the provider is
// asked once, and the page shows its answer.
func TestPageJoinsThePrefetchInFlight(t *testing.T) {
	ctx := context.Background()
	o := newOrderStatus(testOrder())
	asked := make(chan struct{}, 4)
	release := make(chan struct{})
	var calls atomic.Int32
	m := &fakeMethod{KindValue: walletKind, OfferFn: func(context.Context, OfferRequest) (Offer, error) {
		calls.Add(1)
		asked <- struct{}{}
		<-release
		return payableOffer, nil
	}}
	_, f, oc := pageFixtureCache(o, Merchant{}, &linkStore{})
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet})
	t.Cleanup(svc.Close)
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // runs before Close, so a failing test does not hang

	svc.prefetch(ctx, o, Merchant{}, false)
	<-asked // the prefetch is waiting for the provider
	done := make(chan Page, 1)
	go func() {
		p, err := svc.PaymentPage(ctx, o.ID)
		if err != nil {
			t.Error(err)
		}
		done <- p
	}()
	select {
	case <-asked:
		t.Fatal("the page asked the provider again while the prefetch was waiting")
	case <-time.After(100 * time.Millisecond):
	}
	free()
	p := <-done
	svc.Wait()
	if p.State != PagePayable || calls.Load() != 1 {
		t.Errorf("page %v after %d provider calls, want payable after 1", p.State, calls.Load())
	}
	if got := oc.get(); len(got) != 1 {
		t.Errorf("kept %d answers, want one: %+v", len(got), got)
	}
}

// Questions a page stopped waiting for go on in the background only up to
// a bound: beyond it they are given up, so a slow provider under heavy
// traffic cannot pile up goroutines without limit.
func TestLateAnswersAreBounded(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var calls, gaveUp atomic.Int32
	m := &fakeMethod{KindValue: walletKind,
		OfferFn: func(ctx context.Context, _ OfferRequest) (Offer, error) {
			calls.Add(1)
			select {
			case <-release:
				return payableOffer, nil
			case <-ctx.Done():
				gaveUp.Add(1)
				return Offer{}, ctx.Err()
			}
		},
		LinkURLFn: func(state, _, _ string) string { return "https://provider.example/consent" }}
	o := newOrderStatus(testOrder())
	_, f := pageFixture(o, Merchant{}, &linkStore{})
	// Each page is another order's: one order's questions are shared.
	records := f.PageRecordsFn
	f.PageRecordsFn = func(ctx context.Context, id string) (PageRecords, error) {
		r, err := records(ctx, id)
		r.Order.ID = id
		return r, err
	}
	svc := NewService(f, Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet,
		ListingTimeout: 5 * time.Millisecond, PrefetchTimeout: 10 * time.Second, PrefetchMaxInFlight: 1})
	t.Cleanup(svc.Close)

	const pages = DefaultPrefetchMaxInFlight + 4
	for i := range pages {
		head, err := svc.PaymentPageHead(ctx, fmt.Sprintf("ordeh_%032d", i))
		if err != nil {
			t.Fatal(err)
		}
		svc.PageOffers(ctx, &head)
		if head.State != PageChecking {
			t.Fatalf("slow provider: %v", head.State)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for gaveUp.Load() < pages-DefaultPrefetchMaxInFlight && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if calls.Load() != pages || gaveUp.Load() != pages-DefaultPrefetchMaxInFlight {
		t.Fatalf("%d questions, %d given up; want %d given up", calls.Load(), gaveUp.Load(), pages-DefaultPrefetchMaxInFlight)
	}
	close(release) // the ones still awaited are answered and kept
	svc.Wait()
	if p, err := svc.PaymentPage(ctx, fmt.Sprintf("ordeh_%032d", 0)); err != nil || p.State != PagePayable || calls.Load() != pages {
		t.Errorf("after the late answers: %v %v, %d calls", p.State, err, calls.Load())
	}
}
