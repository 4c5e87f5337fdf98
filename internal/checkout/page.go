package checkout

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// PageState says which screen the payment page shows.
type PageState int

// Payment page screens.
const (
	PagePayable    PageState = iota // a method can pay (maybe after a failure: see Retry)
	PageNoMethods                   // nothing payable for this order
	PageProcessing                  // a charge is pending; the page checks again
	PageCharged                     // paid
	PageExpired                     // too late to pay
	PageClosed                      // final without payment (attempts exhausted, auto-refunded)
	// PageListing is PaymentPageHead's answer when the methods are still
	// to be asked: PageOffers fills them in.
	PageListing
	// PageChecking: nothing is payable yet, but a provider has not
	// answered (its methods are listed with Checking set): the page asks
	// again, it never says that nothing can pay.
	PageChecking
)

// NoMethodsReason says why nothing is payable.
type NoMethodsReason int

// Reasons for PageNoMethods.
const (
	NoneEnabled  NoMethodsReason = iota + 1 // the merchant or the session's payment_filter leaves no method
	NoneOffered                             // every method answered, and none can pay this order for this customer
	NoneAnswered                            // a provider did not answer in time, and no other method can pay (PageChecking)
)

// MethodOffer is one method as the page lists it.
type MethodOffer struct {
	Kind MethodKind
	Offer
	// Checking says the provider has not answered within the page's
	// budget: the method is Listed but not Payable, and the page offers
	// to look again.
	Checking bool
}

// Page is everything the payment page needs.
type Page struct {
	Order    Order
	Merchant Merchant
	State    PageState
	Offers   []MethodOffer // listed methods, in the order they are configured
	// NoMethods says why, on PageNoMethods.
	NoMethods NoMethodsReason
	Latest    *Attempt // newest attempt, if any
	// LatestTitle names the newest attempt's method.
	LatestTitle string
	Retry       bool // the latest attempt failed and another may be made
	Exhausted   bool // the latest attempt failed and retries have stopped (RetriesExhausted)

	// What PageOffers needs, kept by PaymentPageHead on PageListing.
	allowed []Method
	links   []SealedLink
	cached  []CachedOffer
}

// PageRecords are the rows the payment page reads, fetched in one round
// trip because every page view needs all of them.
type PageRecords struct {
	Order    Order
	Merchant Merchant
	Latest   *Attempt      // newest attempt; nil when none was made
	Links    []SealedLink  // the customer's links with providers
	Offers   []CachedOffer // the providers' answers kept with the order
}

// PaymentPage loads the order for the hosted page, settles a pending charge
// if the provider now has an answer, and decides what to offer: it is
// PaymentPageHead followed by PageOffers. A provider being slow or down
// never fails the page: its methods are listed as checking instead.
func (s *Service) PaymentPage(ctx context.Context, id string) (Page, error) {
	p, err := s.PaymentPageHead(ctx, id)
	if err != nil {
		return Page{}, err
	}
	s.PageOffers(ctx, &p)
	return p, nil
}

// PaymentPageHead is PaymentPage without asking providers for offers, so
// that the page can be sent before their answers: the order, merchant and
// latest attempt, with any screen that needs no offer (charged,
// processing, expired, closed, no method enabled). When offers are needed
// the State is PageListing, unless every one is kept with the order and
// fresh, when the page comes back complete.
func (s *Service) PaymentPageHead(ctx context.Context, id string) (Page, error) {
	r, err := s.pageRecords(ctx, id)
	if err != nil {
		return Page{}, err
	}
	p := Page{Order: r.Order, Merchant: r.Merchant}
	p.Order, p.Latest = s.settlePending(ctx, r)
	if p.Latest != nil {
		p.LatestTitle = p.Latest.Method
		if m, err := s.methodOf(*p.Latest); err == nil {
			p.LatestTitle = m.Kind().Title
		}
	}
	if st, done := s.fixedState(p.Order, p.Latest); done {
		p.State = st
		return p, nil
	}
	p.Retry = p.Order.Status.Failed()
	p.Exhausted = s.retriesExhausted(p.Order, p.Merchant, p.Latest)
	p.allowed = s.allowed(p.Order, p.Merchant)
	if len(p.allowed) == 0 {
		p.State, p.NoMethods = PageNoMethods, NoneEnabled
		return p, nil
	}
	p.links, p.cached = r.Links, r.Offers
	p.State = PageListing
	offers := make([]MethodOffer, 0, len(p.allowed))
	for _, m := range p.allowed {
		c, fresh := s.cachedOffer(p.cached, m, p.links)
		if !fresh {
			return p, nil
		}
		offers = append(offers, MethodOffer{Kind: m.Kind(), Offer: c.Offer})
	}
	p.decide(offers)
	return p, nil
}

// settlePending returns r's order and a copy of its newest attempt,
// settling a pending charge first (checkCharge) if the provider now has an
// answer.
func (s *Service) settlePending(ctx context.Context, r PageRecords) (Order, *Attempt) {
	if r.Latest == nil {
		return r.Order, nil
	}
	latest, o := *r.Latest, r.Order
	if latest.Status == AttemptPending {
		latest, o = s.checkCharge(ctx, latest, o)
	}
	return o, &latest
}

// fixedState is the screen for order o whose newest attempt is latest
// when it needs no offer (charged, closed, processing, expired); done is
// false when a method may still pay.
func (s *Service) fixedState(o Order, latest *Attempt) (st PageState, done bool) {
	switch {
	case o.Status == StatusCharged:
		return PageCharged, true
	case o.Status == StatusAutoRefunded:
		return PageClosed, true
	case latest != nil && latest.Status == AttemptPending:
		return PageProcessing, true
	case o.Expired(s.now()):
		return PageExpired, true
	case latest != nil && latest.Seq >= MaxAttempts && !latest.Status.InFlight():
		return PageClosed, true
	}
	return PagePayable, false
}

// PageOffers fills in the offers of a page PaymentPageHead left in
// PageListing, and its State: each method's answer kept with the order
// while fresh, else the provider's within the listing budget (kept in
// turn). A provider that does not answer in time has its methods listed as
// checking. Any other page is left as it is.
func (s *Service) PageOffers(ctx context.Context, p *Page) {
	if p.State != PageListing {
		return
	}
	p.decide(s.listing(ctx, p.Order, p.allowed, p.links, p.cached))
}

// decide sets the page's offers (every answer, in configured order) and
// the screen they make.
func (p *Page) decide(offers []MethodOffer) {
	p.Offers = p.Offers[:0]
	var payable, checking bool
	for _, mo := range offers {
		if mo.Listed {
			p.Offers = append(p.Offers, mo)
		}
		payable = payable || mo.Payable
		checking = checking || mo.Checking
	}
	switch {
	case payable:
		p.State = PagePayable
	case checking:
		p.State, p.NoMethods = PageChecking, NoneAnswered
	default:
		p.State, p.NoMethods = PageNoMethods, NoneOffered
	}
}

// allowed lists the configured methods that order o of merchant m may
// show: those the merchant offers (all when it names none) that the
// session's payment_filter lets through.
func (s *Service) allowed(o Order, m Merchant) []Method {
	var out []Method
	for _, meth := range s.opts.Methods {
		k := meth.Kind()
		if (len(m.Methods) == 0 || slices.Contains(m.Methods, k.Name)) && o.PaymentFilter.Allows(k) {
			out = append(out, meth)
		}
	}
	return out
}

// listing returns every method in ms with its offer for order o: the
// fresh answer kept with the order, else the provider's, asked at once for
// all and waited for within the listing timeout. A method whose provider
// did not answer is Listed and Checking.
func (s *Service) listing(ctx context.Context, o Order, ms []Method, links []SealedLink, cached []CachedOffer) []MethodOffer {
	offers := make([]MethodOffer, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		if c, fresh := s.cachedOffer(cached, m, links); fresh {
			offers[i] = MethodOffer{Kind: m.Kind(), Offer: c.Offer}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			off, err := s.offerWithin(ctx, m, o, links, s.opts.ListingTimeout)
			offers[i] = MethodOffer{Kind: m.Kind(), Offer: off}
			if err != nil {
				offers[i] = MethodOffer{Kind: m.Kind(), Offer: Offer{Listed: true}, Checking: true}
			}
		}()
	}
	wg.Wait()
	return offers
}

// offerWith is method m's offer for order o: with the customer's link if
// it has a usable one (renewing a token that expires within margin), else
// as for a first payment. A link the method refuses is recorded and the
// method asked again as for a first payment. key is LinkKeyOf the link
// the answer was made with. Any failure or timeout means "not listed",
// and is returned.
func (s *Service) offerWith(ctx context.Context, m Method, o Order, links []SealedLink, margin time.Duration) (off Offer, key string, err error) {
	k := m.Kind()
	phone, _ := NormalizePhone(o.CustomerPhone)
	req := OfferRequest{Order: o, Phone: phone}
	l := linkFor(links, k)
	token, stored, err := s.linkTokenWithin(ctx, m, l, margin)
	switch {
	case err == nil:
		req.Token, key = token, LinkKeyOf(stored)
	case !errors.Is(err, errNotLinked):
		s.log.WarnContext(ctx, "link unusable", "order_id", o.OrderID, "method", k.Name, "error", err)
		return Offer{}, "", err
	}
	off, err = s.askOffer(ctx, m, req)
	if errors.Is(err, ErrLinkRevoked) && req.Token != "" {
		// The token no longer works for this method: forget it for this
		// method and offer linking again, as for a first payment.
		s.refuseLink(ctx, *l, k)
		req.Token, key = "", ""
		off, err = s.askOffer(ctx, m, req)
	}
	if err != nil {
		s.log.WarnContext(ctx, "method offer failed", "order_id", o.OrderID, "method", k.Name, "error", err)
		return Offer{}, "", err
	}
	return off, key, nil
}

// askOffer asks m for its offer and records the call.
func (s *Service) askOffer(ctx context.Context, m Method, req OfferRequest) (Offer, error) {
	start := time.Now()
	off, err := m.Offer(ctx, req)
	s.recordOffer(ctx, req.Order.ID, m, time.Since(start), off, err)
	return off, err
}
