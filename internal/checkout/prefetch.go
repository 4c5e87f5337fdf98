package checkout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults of the offer cache and the prefetch.
const (
	// DefaultOfferMaxAge is how long a provider's answer kept with the
	// order stands in for asking again.
	DefaultOfferMaxAge = 60 * time.Second
	// DefaultPrefetchMaxInFlight bounds the prefetches one instance runs at
	// once.
	DefaultPrefetchMaxInFlight = 16
	// DefaultPrefetchTimeout bounds one background ask of a provider.
	DefaultPrefetchTimeout = 5 * time.Second
	// prefetchTokenMargin is how soon before it expires the prefetch
	// renews a linked customer's access token, so that neither the page
	// nor Pay has to renew it before asking or charging.
	prefetchTokenMargin = 5 * time.Minute
)

// CachedOffer is a method's answer for an order, kept with the order so
// that the page and Pay, on any instance, can use it while it is fresh
// instead of asking the provider again. Only answers are kept, never
// failures.
type CachedOffer struct {
	OrderID string
	Method  string // the method's Name
	Offer   Offer
	// Linked says the answer was made with the customer's link, and
	// LinkKey which link (LinkKeyOf); "" when made as for a first payment.
	// An answer whose key differs from that of the link the method would
	// use now (linked, relinked or refused since) is not used.
	Linked     bool
	LinkKey    string
	AnsweredAt time.Time
}

// LinkKeyOf names the stored state of link l (nil: no link) that an
// answer was made with. It changes whenever the link is stored again
// (consent, a renewed token) or another link takes its place; refusals for
// other methods leave it alone, and a refusal for the method itself makes
// the method use another link or none.
func LinkKeyOf(l *SealedLink) string {
	if l == nil {
		return ""
	}
	h := sha256.New()
	for _, s := range []string{l.Provider, l.Method} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(l.RefreshToken)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// background runs and tracks the service's work that outlives requests:
// prefetches and the writes of answers that came after the page went out.
type background struct {
	mu      sync.Mutex
	closed  bool
	wg      sync.WaitGroup
	stop    context.Context
	cancel  context.CancelFunc
	slots   chan struct{} // prefetches in flight
	late    chan struct{} // questions still waited for after their page went out
	started atomic.Int64
	skipped atomic.Int64
	// asking holds the offer questions in flight on this instance, so that
	// a page arriving while its prefetch still waits for the provider
	// joins that question instead of asking again.
	asking singleflight.Group
}

func newBackground(maxInFlight int) *background {
	b := &background{slots: make(chan struct{}, max(maxInFlight, 0)),
		late: make(chan struct{}, max(maxInFlight, DefaultPrefetchMaxInFlight))}
	b.stop, b.cancel = context.WithCancel(context.Background())
	return b
}

// goTracked runs fn in a goroutine that Close waits for; false when the
// service is closed and fn did not run.
func (b *background) goTracked(fn func()) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
	return true
}

// detached returns a context for work begun by a request that must not end
// with it: it keeps ctx's values, ends after timeout or when the service
// closes.
func (b *background) detached(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	stop := context.AfterFunc(b.stop, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// Wait blocks until the service's background work (prefetches, late
// answers being kept) is done.
func (s *Service) Wait() { s.bg.wg.Wait() }

// Close stops the service's background work: nothing new starts, work in
// flight is cancelled, and Close returns once it has ended. The service
// still answers requests, without prefetching.
func (s *Service) Close() {
	s.bg.mu.Lock()
	s.bg.closed = true
	s.bg.mu.Unlock()
	s.bg.cancel()
	s.bg.wg.Wait()
}

// PrefetchStats reports how many prefetches this service started and how
// many it skipped because PrefetchMaxInFlight were already running.
func (s *Service) PrefetchStats() (started, skipped int64) {
	return s.bg.started.Load(), s.bg.skipped.Load()
}

// prefetch asks, in the background, every method order o may show for the
// offer the page will need, and keeps the answers with the order. It never
// waits: beyond PrefetchMaxInFlight it skips, and the page asks itself.
// A replayed session's order is read again first: nothing is asked once
// it is final or has an attempt in flight, nor for a method whose answer
// kept with the order is still fresh.
func (s *Service) prefetch(ctx context.Context, o Order, m Merchant, replay bool) {
	if len(s.opts.Methods) == 0 || cap(s.bg.slots) == 0 {
		return
	}
	allowed := s.allowed(o, m)
	if len(allowed) == 0 {
		return
	}
	select {
	case s.bg.slots <- struct{}{}:
	default:
		s.bg.skipped.Add(1)
		s.log.DebugContext(ctx, "prefetch skipped: too many in flight", "order_id", o.OrderID)
		return
	}
	ok := s.bg.goTracked(func() {
		defer func() { <-s.bg.slots }()
		o := o
		ctx, cancel := s.bg.detached(ctx, s.opts.PrefetchTimeout)
		defer cancel()
		var links []SealedLink
		var cached []CachedOffer
		if replay {
			r, err := s.store.PageRecords(ctx, o.ID)
			if err != nil {
				s.log.DebugContext(ctx, "prefetch: reading the order failed", "order_id", o.OrderID, "error", err)
				return
			}
			if r.Order.Status.Final() || r.Order.Expired(s.now()) || (r.Latest != nil && r.Latest.Status.InFlight()) {
				return
			}
			o, links, cached = r.Order, r.Links, r.Offers
		} else {
			var err error
			if links, err = s.store.Links(ctx, o.MerchantID, o.CustomerID); err != nil {
				s.log.DebugContext(ctx, "prefetch: reading links failed", "order_id", o.OrderID, "error", err)
				return
			}
		}
		var ask []Method
		for _, meth := range allowed {
			if _, fresh := s.cachedOffer(cached, meth, links); !fresh {
				ask = append(ask, meth)
			}
		}
		links = s.renewLinks(ctx, ask, links, prefetchTokenMargin)
		var wg sync.WaitGroup
		for _, meth := range ask {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.askShared(ctx, meth, o, links, prefetchTokenMargin)
			}()
		}
		wg.Wait()
	})
	if !ok {
		<-s.bg.slots
		return
	}
	s.bg.started.Add(1)
}

// renewLinks renews, once per link, the access tokens that methods ms
// would use and that expire within margin, before the methods are asked
// at once: methods sharing a link would otherwise each renew it, each
// storing it anew, and all but the last answer kept would name a link no
// longer stored. It returns links as stored afterwards, without those the
// provider revoked.
func (s *Service) renewLinks(ctx context.Context, ms []Method, links []SealedLink, margin time.Duration) []SealedLink {
	out := slices.Clone(links)
	type linkID struct{ provider, method string }
	gone := map[linkID]bool{}
	seen := map[*SealedLink]bool{}
	for _, m := range ms {
		l := linkFor(out, m.Kind())
		if l == nil || seen[l] {
			continue
		}
		seen[l] = true
		_, stored, err := s.linkTokenWithin(ctx, m, l, margin)
		switch {
		case err == nil:
			*l = *stored
		case errors.Is(err, errNotLinked):
			gone[linkID{l.Provider, l.Method}] = true
		}
	}
	return slices.DeleteFunc(out, func(l SealedLink) bool { return gone[linkID{l.Provider, l.Method}] })
}

// cachedOffer returns the answer kept for method m that is fresh and was
// made with the link m would use now.
func (s *Service) cachedOffer(cached []CachedOffer, m Method, links []SealedLink) (CachedOffer, bool) {
	k := m.Kind()
	key := LinkKeyOf(linkFor(links, k))
	now := s.now()
	for _, c := range cached {
		if c.Method == k.Name && c.LinkKey == key && now.Sub(c.AnsweredAt) <= s.opts.OfferMaxAge {
			return c, true
		}
	}
	return CachedOffer{}, false
}

// askShared asks m for its offer for o, or joins the same question already
// in flight on this instance (the order's prefetch, say), and keeps the
// answer with the order once, beside the callers. The question runs under
// the context of whoever asked first.
func (s *Service) askShared(ctx context.Context, m Method, o Order, links []SealedLink, margin time.Duration) (Offer, error) {
	k := m.Kind()
	flight := o.ID + "\x00" + k.Name + "\x00" + LinkKeyOf(linkFor(links, k))
	v, err, _ := s.bg.asking.Do(flight, func() (any, error) {
		off, key, err := s.offerWith(ctx, m, o, links, margin)
		if err != nil {
			return Offer{}, err
		}
		c := CachedOffer{OrderID: o.ID, Method: k.Name, Offer: off, Linked: key != "", LinkKey: key, AnsweredAt: s.now()}
		if !s.bg.goTracked(func() { s.keepOffer(ctx, c) }) {
			s.keepOffer(ctx, c)
		}
		return off, nil
	})
	off, _ := v.(Offer)
	return off, err
}

// keepOffer stores answer c, best effort: without it the next look asks
// the provider again.
func (s *Service) keepOffer(ctx context.Context, c CachedOffer) {
	ctx, cancel := recording(ctx)
	defer cancel()
	if err := s.store.SaveOffer(ctx, c); err != nil {
		s.log.WarnContext(ctx, "keeping a provider's answer failed", "method", c.Method, "error", err)
	}
}

// errNoAnswer means the provider did not answer within the caller's
// budget; its answer, if it comes, is still kept with the order.
var errNoAnswer = errors.New("checkout: provider did not answer in time")

// lateQuestion is what a page's question and the page agree on once the
// page stops waiting: whether the question goes on holding a late slot.
type lateQuestion struct {
	mu       sync.Mutex
	finished bool // the question has ended
	holding  bool // it holds one of background.late
}

// offerWithin asks m for its offer for o, keeps the answer with the order,
// and returns it if it comes within budget; else errNoAnswer, while the
// question goes on in the background (for up to PrefetchTimeout) so that
// the next look finds the answer kept. At most as many questions go on
// after their page as prefetches run at once (and at least
// DefaultPrefetchMaxInFlight); beyond that a late question is given up,
// and the next look asks again.
func (s *Service) offerWithin(ctx context.Context, m Method, o Order, links []SealedLink, budget time.Duration) (Offer, error) {
	type answer struct {
		off Offer
		err error
	}
	ch := make(chan answer, 1)
	var q lateQuestion
	qctx, qcancel := s.bg.detached(ctx, max(s.opts.PrefetchTimeout, budget))
	started := s.bg.goTracked(func() {
		defer func() {
			qcancel()
			q.mu.Lock()
			q.finished = true
			if q.holding {
				<-s.bg.late
			}
			q.mu.Unlock()
		}()
		off, err := s.askShared(qctx, m, o, links, accessTokenMargin)
		ch <- answer{off, err}
	})
	if !started {
		qcancel()
		ctx, cancel := context.WithTimeout(ctx, budget)
		defer cancel()
		return s.askShared(ctx, m, o, links, accessTokenMargin)
	}
	t := time.NewTimer(budget)
	defer t.Stop()
	select {
	case a := <-ch:
		return a.off, a.err
	case <-t.C:
	case <-ctx.Done():
	}
	q.mu.Lock()
	if !q.finished {
		select {
		case s.bg.late <- struct{}{}:
			q.holding = true
		default:
			qcancel() // too many answers awaited already
		}
	}
	q.mu.Unlock()
	return Offer{}, errNoAnswer
}
