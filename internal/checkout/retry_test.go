package checkout

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// failedAttempt is attempt number seq of o, ended in status st.
func failedAttempt(o Order, seq int, st AttemptStatus) Attempt {
	a := NewAttempt(o, creditKind, true)
	a.Seq, a.TxnID, a.Status = seq, TxnID(o, seq), st
	return a
}

func TestRetriesExhausted(t *testing.T) {
	t.Parallel()
	o := newOrderStatus(testOrder())
	failed := func(st Status) Order { o := o; o.Status = st; return o }
	at := func(seq int, st AttemptStatus) *Attempt {
		a := failedAttempt(o, seq, st)
		a.ErrorCode = "Declined"
		return &a
	}
	soft := func(a *Attempt) *Attempt { a.ErrorCode = codeNoFunds; return a }
	tests := []struct {
		name   string
		o      Order
		m      Merchant
		latest *Attempt
		want   bool
	}{
		{"no attempt", o, Merchant{}, nil, false},
		{"hard decline, first try", failed(StatusAuthorizationFailed), Merchant{}, at(1, AttemptAuthorizationFailed), true},
		{"consent denied once", failed(StatusAuthenticationFailed), Merchant{}, at(1, AttemptAuthenticationFailed), false},
		{"second soft failure of 3", failed(StatusAuthenticationFailed), Merchant{}, at(2, AttemptAuthenticationFailed), false},
		{"third soft failure of 3 (default)", failed(StatusAuthenticationFailed), Merchant{}, at(3, AttemptAuthenticationFailed), true},
		{"refused before the provider, third", failed(StatusJuspayDeclined), Merchant{MaxFailedAttempts: 3}, at(3, AttemptDeclined), true},
		{"merchant allows 5, fourth", failed(StatusAuthenticationFailed), Merchant{MaxFailedAttempts: 5}, at(4, AttemptAuthenticationFailed), false},
		{"merchant allows 1", failed(StatusAuthenticationFailed), Merchant{MaxFailedAttempts: 1}, at(1, AttemptAuthenticationFailed), true},
		{"in flight after failures", o, Merchant{MaxFailedAttempts: 1}, at(4, AttemptPending), false},
		{"charged", failed(StatusCharged), Merchant{MaxFailedAttempts: 1}, at(2, AttemptCharged), false},
		{"soft decline, first try", failed(StatusAuthorizationFailed), Merchant{}, soft(at(1, AttemptAuthorizationFailed)), false},
		{"soft decline, third try", failed(StatusAuthorizationFailed), Merchant{}, soft(at(3, AttemptAuthorizationFailed)), true},
	}
	table := OutcomeTable{SoftDeclines: map[string]bool{codeNoFunds: true}}
	for _, tt := range tests {
		if got := RetriesExhausted(tt.o, tt.m, tt.latest, table); got != tt.want {
			t.Errorf("%s: exhausted %v, want %v", tt.name, got, tt.want)
		}
	}
}

// After a hard decline the page offers no retry and Pay starts nothing
// (an old form posted again included); a soft failure may be retried.
func TestPayStopsAfterAHardDecline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var offers, charges atomic.Int32
	m := &fakeMethod{KindValue: creditKind,
		OfferFn: func(context.Context, OfferRequest) (Offer, error) {
			offers.Add(1)
			return Offer{Listed: true, Payable: true, Linked: true}, nil
		},
		ChargeFn: func(context.Context, ChargeRequest) Reply { charges.Add(1); return captured() },
	}
	opts := Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet,
		ChargeCallbackURL: func(string) string { return "https://pay.example/cb" }}

	o := newOrderStatus(testOrder())
	o.Status = StatusAuthorizationFailed
	rs, f := pageFixture(o, Merchant{}, &linkStore{links: []SealedLink{sealed(o, "")}}, failedAttempt(o, 1, AttemptAuthorizationFailed))
	svc := NewService(f, opts)
	p, err := svc.PaymentPage(ctx, o.ID)
	if err != nil || !p.Exhausted || !p.Retry || p.State != PagePayable {
		t.Fatalf("page after a hard decline: %+v %v", p, err)
	}
	if _, err := svc.Pay(ctx, o.ID, creditKind.Name); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != "order.retries_exhausted" {
		t.Errorf("pay after a hard decline: %v", err)
	}
	if len(rs.attempts) != 1 || charges.Load() != 0 {
		t.Errorf("%d attempts, %d charges after a refused pay", len(rs.attempts), charges.Load())
	}
	if st, err := svc.PaymentStatus(ctx, o.ID); err != nil || !st.Exhausted || !st.Failed || st.Settled() {
		t.Errorf("status: %+v %v", st, err)
	}

	// A soft failure (consent denied) on the first try: retry offered.
	o2 := newOrderStatus(testOrder())
	o2.Status = StatusAuthenticationFailed
	rs, f = pageFixture(o2, Merchant{}, &linkStore{links: []SealedLink{sealed(o2, "")}}, failedAttempt(o2, 1, AttemptAuthenticationFailed))
	svc = NewService(f, opts)
	if p, err := svc.PaymentPage(ctx, o2.ID); err != nil || p.Exhausted || !p.Retry {
		t.Fatalf("page after a soft failure: %+v %v", p, err)
	}
	if next, err := svc.Pay(ctx, o2.ID, creditKind.Name); err != nil || next.Kind != NextMerchant || len(rs.attempts) != 2 || charges.Load() != 1 {
		t.Errorf("retry: %+v %v, %d attempts, %d charges", next, err, len(rs.attempts), charges.Load())
	}
}

// The merchant's max_failed_attempts ends soft retries too.
func TestPayStopsAtTheMerchantsFailureLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := &fakeMethod{KindValue: creditKind,
		OfferFn: func(context.Context, OfferRequest) (Offer, error) { return Offer{Listed: true, Payable: true}, nil },
	}
	opts := Options{Methods: methods(m), Sealer: fakeSealer{}, Logger: quiet}
	o := newOrderStatus(testOrder())
	o.Status = StatusAuthenticationFailed
	as := []Attempt{failedAttempt(o, 1, AttemptAuthenticationFailed), failedAttempt(o, 2, AttemptAuthenticationFailed)}
	_, f := pageFixture(o, Merchant{MaxFailedAttempts: 2}, &linkStore{}, as...)
	svc := NewService(f, opts)
	if p, err := svc.PaymentPage(ctx, o.ID); err != nil || !p.Exhausted {
		t.Fatalf("page at the limit: %+v %v", p, err)
	}
	if _, err := svc.Pay(ctx, o.ID, ""); errs.CodeOf(err) != "order.retries_exhausted" {
		t.Errorf("pay at the limit: %v", err)
	}
	_, f = pageFixture(o, Merchant{MaxFailedAttempts: 3}, &linkStore{}, as...)
	if p, err := NewService(f, opts).PaymentPage(ctx, o.ID); err != nil || p.Exhausted || !p.Retry {
		t.Errorf("page under a limit of 3: %+v %v", p, err)
	}
}

// PaymentStatus settles a pending charge through the same claim as the
// page: a poll that loses the claim asks the provider nothing, and one
// that wins asks once and reports the settled state.
func TestPaymentStatusSharesThePagesCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var asked atomic.Int32
	m := &fakeMethod{KindValue: creditKind,
		ChargeStatusFn: func(context.Context, string) Reply { asked.Add(1); return captured() },
	}
	o := newOrderStatus(testOrder())
	o.Status = StatusPendingVBV
	a := failedAttempt(o, 1, AttemptPending)
	sent := time.Now()
	a.ChargeSentAt = &sent
	rs, f := pageFixture(o, Merchant{}, &linkStore{}, a)
	won := false
	f.ClaimCheckFn = func(_ context.Context, id string, _ time.Duration) (Attempt, bool, error) {
		return rs.attempt(id), won, nil
	}
	svc := NewService(f, Options{Methods: methods(m), Logger: quiet})
	st, err := svc.PaymentStatus(ctx, o.ID)
	if err != nil || st.State != PageProcessing || st.Settled() || asked.Load() != 0 {
		t.Fatalf("poll without the claim: %+v %v, provider asked %d times", st, err, asked.Load())
	}
	won = true
	st, err = svc.PaymentStatus(ctx, o.ID)
	if err != nil || st.State != PageCharged || !st.Settled() || asked.Load() != 1 {
		t.Fatalf("poll with the claim: %+v %v, provider asked %d times", st, err, asked.Load())
	}
	if _, err := svc.PaymentStatus(ctx, "ordeh_nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown order: %v", err)
	}
}

func TestMaxFailedAttemptsSetting(t *testing.T) {
	t.Parallel()
	nm := NewMerchant{ID: "m1", Name: "Shop", ReturnURLPrefixes: []string{"https://shop.example/"}}
	c := Credentials{APIKey: "k"}
	m, err := BuildMerchant(nm, c)
	if err != nil || m.MaxFailedAttempts != DefaultMaxFailedAttempts || m.Settings().MaxFailedAttempts != 3 {
		t.Fatalf("default: %d %v", m.MaxFailedAttempts, err)
	}
	for _, n := range []int{-1, 26, 100} {
		nm.MaxFailedAttempts = n
		if _, err := BuildMerchant(nm, c); !errs.Is(err, errs.Invalid) {
			t.Errorf("max failed attempts %d accepted", n)
		}
	}
	for _, n := range []int{1, 25} {
		nm.MaxFailedAttempts = n
		if got, err := BuildMerchant(nm, c); err != nil || got.MaxFailedAttempts != n {
			t.Errorf("max failed attempts %d: %d %v", n, got.MaxFailedAttempts, err)
		}
	}
	five, zero := 5, 0
	up, changes, err := ApplyUpdate(m, MerchantUpdate{MaxFailedAttempts: &five})
	if err != nil || up.MaxFailedAttempts != 5 || len(changes) != 1 || changes["max_failed_attempts"] != 5 {
		t.Errorf("update to 5: %d %v %v", up.MaxFailedAttempts, changes, err)
	}
	if _, _, err := ApplyUpdate(m, MerchantUpdate{MaxFailedAttempts: &zero}); !errs.Is(err, errs.Invalid) {
		t.Errorf("update to 0: %v", err)
	}
	// An update of something else keeps the setting.
	name := "Shop 2"
	if up, _, err := ApplyUpdate(up, MerchantUpdate{Name: &name}); err != nil || up.MaxFailedAttempts != 5 {
		t.Errorf("name update: %d %v", up.MaxFailedAttempts, err)
	}
}
