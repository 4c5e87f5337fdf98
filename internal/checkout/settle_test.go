package checkout

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rowStore keeps one order and its attempts behind a mutex, standing in for
// the locked rows: MoveAttempt goes through Transition exactly as the
// PostgreSQL store does.
type rowStore struct {
	mu       sync.Mutex
	order    Order
	attempts map[string]*Attempt
	refunds  map[string]*Refund
	moves    []AttemptUpdate
}

func newRowStore(o Order, as ...Attempt) *rowStore {
	rs := &rowStore{order: o, attempts: map[string]*Attempt{}, refunds: map[string]*Refund{}}
	for i := range as {
		a := as[i]
		rs.attempts[a.ID] = &a
	}
	return rs
}

func (rs *rowStore) fake() *fakeStore {
	return &fakeStore{
		OrderByIDFn: func(context.Context, string) (Order, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			return rs.order, nil
		},
		AttemptByStateFn: func(_ context.Context, state string) (Attempt, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			for _, a := range rs.attempts {
				if a.State == state {
					return *a, nil
				}
			}
			return Attempt{}, errs.E(errs.NotFound, "", "attempt not found")
		},
		AttemptByIDFn: func(_ context.Context, id string) (Attempt, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			return *rs.attempts[id], nil
		},
		MoveAttemptFn: func(_ context.Context, id string, from, to AttemptStatus, u AttemptUpdate) (Attempt, Order, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			a := rs.attempts[id]
			next, err := Transition(rs.order, *a, from, to, u)
			if err != nil {
				return *a, rs.order, err
			}
			rs.moves = append(rs.moves, u)
			a.Status, rs.order.Status = to, next
			if u.ProviderRef != "" {
				a.ProviderRef = u.ProviderRef
			}
			if u.AutoRefund != nil && rs.refunds[u.AutoRefund.ID] == nil {
				r := *u.AutoRefund
				rs.refunds[r.ID] = &r
			}
			return *a, rs.order, nil
		},
		MarkChargeSentFn: func(_ context.Context, id string, _ time.Time) (Attempt, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			a := rs.attempts[id]
			if a.Status != AttemptPending || a.ChargeSentAt != nil {
				return Attempt{}, ErrStale
			}
			now := time.Now()
			a.ChargeSentAt = &now
			return *a, nil
		},
		SaveLinkFn: func(context.Context, SealedLink) error { return nil },
		LinksFn:    func(context.Context, string, string) ([]SealedLink, error) { return nil, nil },
		MoveRefundFn: func(_ context.Context, id string, from, to RefundStatus, u RefundUpdate) (Refund, error) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			r := rs.refunds[id]
			if r.Status != from || (to != from && !CanMoveRefund(from, to)) {
				return *r, errs.E(errs.Conflict, "refund.stale", "moved")
			}
			r.Status = to
			return *r, nil
		},
	}
}

func (rs *rowStore) attempt(id string) Attempt {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return *rs.attempts[id]
}

func testOrder() Order {
	return Order{ID: "ordeh_" + randomHex(16), MerchantID: "m1", OrderID: "o1", CustomerID: "c1",
		Amount: 50000, Status: StatusPendingVBV, ExpiresAt: time.Now().Add(time.Hour)}
}

func captured() Reply {
	return Reply{Verified: true, HTTPStatus: 200, State: StateApproved, ProviderRef: "ref-1"}
}

// Four copies of the provider's consent redirect at once: one exchanges the
// single-use code and charges; the others show the attempt's state.
func TestConsentReplaysExchangeTheCodeOnce(t *testing.T) {
	o := testOrder()
	a := NewAttempt(o, testKind, false)
	rs := newRowStore(o, a)
	var exchanges, charges atomic.Int32
	g := &fakeMethod{
		ExchangeCodeFn: func(context.Context, string, string) (Token, error) {
			exchanges.Add(1)
			time.Sleep(10 * time.Millisecond) // let the replays arrive meanwhile
			return Token{AccessToken: "at-x", RefreshToken: "rt-x", Expiry: time.Now().Add(time.Hour)}, nil
		},
		ChargeFn: func(context.Context, ChargeRequest) Reply { charges.Add(1); return captured() },
	}
	svc := NewService(rs.fake(), Options{Methods: methods(g), Sealer: fakeSealer{}, Logger: quiet,
		ChargeCallbackURL: func(string) string { return "https://pay.example/cb" }})
	var wg sync.WaitGroup
	nexts := make([]Next, 4)
	for i := range nexts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if nexts[i], err = svc.ConsentReturn(context.Background(), a.State, "code-1", ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if exchanges.Load() != 1 || charges.Load() != 1 {
		t.Errorf("%d code exchanges and %d charges, want 1 and 1", exchanges.Load(), charges.Load())
	}
	if got := rs.attempt(a.ID).Status; got != AttemptCharged {
		t.Errorf("attempt %s, want CHARGED", got)
	}
	for i, n := range nexts {
		if n.Kind == NextRedirect {
			t.Errorf("request %d sent to %s", i, n.URL)
		}
	}
}

// No status read fails a pending charge: whatever the answer short of a
// verified decline, the attempt stays pending and is asked about again.
func TestStatusReadsNeverFailAPendingCharge(t *testing.T) {
	replies := map[string]Reply{
		"unsigned 429":                {HTTPStatus: 429},
		"signed 429":                  {Verified: true, HTTPStatus: 429, Code: codeThrottled},
		"clock skew":                  {Verified: true, HTTPStatus: 401, Code: codeSkew},
		"bad signature":               {Verified: true, HTTPStatus: 401, Code: codeSkew},
		"forbidden":                   {Verified: true, HTTPStatus: 403, Code: codeBadToken},
		"400 on a read":               {Verified: true, HTTPStatus: 400, Code: codeBadInput},
		"unsigned decline code":       {HTTPStatus: 400, Code: codeNoFunds},
		"unsigned not found":          {HTTPStatus: 400, Code: codeUnknownID},
		"5xx":                         {Verified: true, HTTPStatus: 500, Code: codeBroken},
		"timeout":                     {Detail: "context deadline exceeded"},
		"malformed body":              {Detail: "decoding response"},
		"signed not found, just sent": {Verified: true, HTTPStatus: 400, Code: codeUnknownID},
		"pending":                     {Verified: true, HTTPStatus: 200, State: StatePending},
	}
	for name, reply := range replies {
		t.Run(name, func(t *testing.T) {
			o := testOrder()
			a := NewAttempt(o, testKind, true)
			sent := time.Now().Add(-time.Minute)
			a.ChargeSentAt = &sent
			rs := newRowStore(o, a)
			g := &fakeMethod{ChargeStatusFn: func(context.Context, string) Reply { return reply }}
			svc := NewService(rs.fake(), Options{Methods: methods(g), Logger: quiet})
			final, err := svc.SettleAttempt(context.Background(), a)
			if err != nil || final {
				t.Fatalf("final %v, err %v", final, err)
			}
			got := rs.attempt(a.ID)
			if got.Status != AttemptPending || rs.order.Status != StatusPendingVBV {
				t.Errorf("attempt %s, order %s", got.Status, rs.order.Status)
			}
			if n := len(rs.moves); n != 1 || rs.moves[0].Settled || rs.moves[0].NextCheck.IsZero() {
				t.Errorf("moves %+v: want one that schedules the next look", rs.moves)
			}
		})
	}
}

// The provider's "no such charge" ends a sent charge only once its request can
// no longer be accepted; an unsent one after the grace.
func TestNotFoundEndsAChargeOnlyWhenItCanNoLongerHappen(t *testing.T) {
	notFound := Reply{Verified: true, HTTPStatus: 400, Code: codeUnknownID}
	for _, tt := range []struct {
		name  string
		sent  *time.Duration
		age   time.Duration
		final bool
	}{
		{"sent 5 minutes ago", ptr(5 * time.Minute), 5 * time.Minute, false},
		{"sent 17 minutes ago", ptr(17 * time.Minute), 17 * time.Minute, true},
		{"unsent, 1 minute old", nil, time.Minute, false},
		{"unsent, 3 minutes old", nil, 3 * time.Minute, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrder()
			a := NewAttempt(o, testKind, true)
			a.CreatedAt = time.Now().Add(-tt.age)
			if tt.sent != nil {
				at := time.Now().Add(-*tt.sent)
				a.ChargeSentAt = &at
			}
			rs := newRowStore(o, a)
			g := &fakeMethod{ChargeStatusFn: func(context.Context, string) Reply { return notFound }}
			svc := NewService(rs.fake(), Options{Methods: methods(g), Logger: quiet})
			final, err := svc.SettleAttempt(context.Background(), a)
			if err != nil || final != tt.final {
				t.Fatalf("final %v, want %v (err %v)", final, tt.final, err)
			}
			want := AttemptPending
			if tt.final {
				want = AttemptDeclined
			}
			if got := rs.attempt(a.ID).Status; got != want {
				t.Errorf("attempt %s, want %s", got, want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// A capture the provider reports on a closed attempt creates its refund job in
// the same move, once however often it is seen; nothing is refunded
// inline, and the attempt stays watched.
func TestLateCaptureCreatesOneRefundJob(t *testing.T) {
	o := testOrder()
	o.Status = StatusJuspayDeclined
	a := NewAttempt(o, testKind, true)
	a.Status = AttemptDeclined
	rs := newRowStore(o, a)
	g := &fakeMethod{ChargeStatusFn: func(context.Context, string) Reply { return captured() }}
	svc := NewService(rs.fake(), Options{Methods: methods(g), Logger: quiet})
	for i := 0; i < 3; i++ {
		if final, err := svc.SettleAttempt(context.Background(), a); err != nil || final {
			t.Fatalf("final %v err %v", final, err)
		}
	}
	if len(rs.refunds) != 1 {
		t.Fatalf("%d refund jobs", len(rs.refunds))
	}
	for _, r := range rs.refunds {
		if !r.Automatic || r.Amount != a.Amount || r.AttemptID != a.ID || r.Status != RefundPending {
			t.Errorf("job %+v", r)
		}
	}
	for _, m := range rs.moves {
		if m.Settled {
			t.Error("the attempt stopped being watched before its refund finished")
		}
	}
}

type countingObserver struct{ review atomic.Int32 }

func (*countingObserver) AttemptFinished(string)    {}
func (c *countingObserver) RefundManualReview(bool) { c.review.Add(1) }

// An automatic refund the provider refuses is not a FAILURE (the money is still
// captured): it goes to MANUAL_REVIEW and is counted. One with no answer
// is sent again, and after a day goes to MANUAL_REVIEW too.
func TestAutomaticRefundsFinishOrGoToReview(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply Reply
		age   time.Duration
		want  RefundStatus
	}{
		{"refused", Reply{Verified: true, HTTPStatus: 400, Code: codeTooMuch}, time.Minute, RefundManualReview},
		{"no answer", Reply{HTTPStatus: 429}, time.Minute, RefundPending},
		{"no answer for a day", Reply{HTTPStatus: 503}, 25 * time.Hour, RefundManualReview},
		{"accepted", Reply{Verified: true, HTTPStatus: 200, State: StatePending, ProviderRef: "ref-1-r1"}, time.Minute, RefundPending},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrder()
			a := NewAttempt(o, testKind, true)
			a.Status = AttemptDeclined
			rs := newRowStore(o, a)
			r := Refund{ID: AutoRefundID(a), AttemptID: a.ID, Amount: a.Amount, Status: RefundPending, Automatic: true,
				CreatedAt: time.Now().Add(-tt.age)}
			rs.refunds[r.ID] = &r
			var sends atomic.Int32
			g := &fakeMethod{RefundFn: func(_ context.Context, req RefundRequest) Reply {
				sends.Add(1)
				if req.RefundID != r.ID || req.ChargeID != a.ChargeID || req.Amount != a.Amount {
					t.Errorf("refund request %+v", req)
				}
				return tt.reply
			}}
			obs := &countingObserver{}
			svc := NewService(rs.fake(), Options{Methods: methods(g), Logger: quiet, Observer: obs})
			if err := svc.SettleRefund(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if got := rs.refunds[r.ID].Status; got != tt.want || sends.Load() != 1 {
				t.Errorf("refund %s after %d sends, want %s", got, sends.Load(), tt.want)
			}
			want := int32(0)
			if tt.want == RefundManualReview {
				want = 1
			}
			if got := obs.review.Load(); got != want {
				t.Errorf("%d manual reviews counted, want %d", got, want)
			}
		})
	}
}

func TestRefundsAreAccountedPerCharge(t *testing.T) {
	o := testOrder()
	o.Status = StatusCharged
	charged := Attempt{ID: "a2", Status: AttemptCharged, Amount: 50000}
	existing := []Refund{
		{ID: "ar1", AttemptID: "a1", UniqueRequestID: "auto-a1", Amount: 50000, Status: RefundSuccess, Automatic: true},
		{ID: "rf1", AttemptID: "a2", UniqueRequestID: "r1", Amount: 20000, Status: RefundSuccess},
		{ID: "rf2", AttemptID: "a2", UniqueRequestID: "r2", Amount: 10000, Status: RefundFailure},
	}
	if err := RefundTransition(o, charged, existing, "r3", 30000); err != nil {
		t.Errorf("refund of what is left: %v", err)
	}
	if err := RefundTransition(o, charged, existing, "r3", 30001); !errs.Is(err, errs.Invalid) {
		t.Errorf("refund of more than is left: %v", err)
	}
	if err := RefundTransition(o, charged, existing, "r1", 100); !errs.Is(err, errs.Invalid) {
		t.Errorf("reused unique_request_id: %v", err)
	}
	o.Status = StatusAutoRefunded
	if err := RefundTransition(o, Attempt{}, existing, "r4", 100); !errs.Is(err, errs.Invalid) {
		t.Errorf("refund of an AUTO_REFUNDED order: %v", err)
	}
}

func TestTransitionNeedsTheStateItsMoverSaw(t *testing.T) {
	o := testOrder()
	a := NewAttempt(o, testKind, false) // AWAITING_CONSENT
	if _, err := Transition(o, a, AttemptPending, AttemptPending, AttemptUpdate{}); !errors.Is(err, ErrStale) {
		t.Errorf("PENDING to PENDING on an attempt awaiting consent: %v", err)
	}
	if _, err := Transition(o, a, AttemptAwaitingConsent, AttemptPending, AttemptUpdate{}); err != nil {
		t.Errorf("the move its mover saw: %v", err)
	}
	a.Status = AttemptPending
	sent := time.Now()
	a.ChargeSentAt = &sent
	if _, err := Transition(o, a, AttemptPending, AttemptDeclined, AttemptUpdate{OnlyUnsent: true}); !errors.Is(err, ErrStale) {
		t.Errorf("giving up a charge on its way: %v", err)
	}
	a.Status = AttemptCharged
	o.Status = StatusCharged
	if _, err := Transition(o, a, AttemptCharged, AttemptAutoRefunded, AttemptUpdate{}); !errors.Is(err, ErrStale) {
		t.Errorf("auto-refunding the order's charge: %v", err)
	}
}

// Expiry racing a charge: whichever records first wins. If the reconciler
// closes the expired order's attempt first, the charge is never sent; if
// the charge is on its way first, the attempt is never closed.
func TestExpiryRacingAChargeHasOneOutcome(t *testing.T) {
	for _, expiryFirst := range []bool{true, false} {
		o := testOrder()
		a := NewAttempt(o, testKind, true) // PENDING, charge not sent yet
		rs := newRowStore(o, a)
		store := rs.fake()
		var charges atomic.Int32
		svc := NewService(store, Options{Logger: quiet, ChargeCallbackURL: func(string) string { return "https://pay.example/cb" },
			Methods: methods(&fakeMethod{ChargeFn: func(context.Context, ChargeRequest) Reply { charges.Add(1); return captured() }})})
		markSent := store.MarkChargeSentFn
		store.MarkChargeSentFn = func(ctx context.Context, id string, next time.Time) (Attempt, error) {
			if expiryFirst {
				if err := svc.CloseExpired(ctx, a); err != nil {
					t.Fatal(err)
				}
				return markSent(ctx, id, next)
			}
			sent, err := markSent(ctx, id, next)
			if err := svc.CloseExpired(ctx, a); err != nil {
				t.Fatal(err)
			}
			return sent, err
		}
		svc.charge(context.Background(), svc.opts.Methods[0], a, o, "at-x")
		got := rs.attempt(a.ID).Status
		switch {
		case expiryFirst && (got != AttemptDeclined || charges.Load() != 0):
			t.Errorf("expiry first: attempt %s after %d charges, want JUSPAY_DECLINED and none", got, charges.Load())
		case !expiryFirst && (got != AttemptCharged || charges.Load() != 1):
			t.Errorf("charge first: attempt %s after %d charges, want CHARGED and one", got, charges.Load())
		}
	}
}
