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
)

// NoMethodsReason says why nothing is payable.
type NoMethodsReason int

// Reasons for PageNoMethods.
const (
	NoneEnabled  NoMethodsReason = iota + 1 // the merchant or the session's payment_filter leaves no method
	NoneOffered                             // every method answered, and none can pay this order for this customer
	NoneAnswered                            // a provider did not answer in time, and no other method can pay
)

// MethodOffer is one method as the page lists it.
type MethodOffer struct {
	Kind MethodKind
	Offer
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
}

// PageRecords are the rows the payment page reads, fetched in one round
// trip because every page view needs all of them.
type PageRecords struct {
	Order    Order
	Merchant Merchant
	Latest   *Attempt     // newest attempt; nil when none was made
	Links    []SealedLink // the customer's links with providers
}

// PaymentPage loads the order for the hosted page, settles a pending charge
// if the provider now has an answer, and decides what to offer. A provider
// being slow or down never fails the page: its methods are left out
// instead.
func (s *Service) PaymentPage(ctx context.Context, id string) (Page, error) {
	r, err := s.pageRecords(ctx, id)
	if err != nil {
		return Page{}, err
	}
	p := Page{Order: r.Order, Merchant: r.Merchant}
	if r.Latest != nil {
		latest := *r.Latest
		if latest.Status == AttemptPending {
			latest, p.Order = s.checkCharge(ctx, latest, p.Order)
		}
		p.Latest = &latest
		p.LatestTitle = latest.Method
		if m, err := s.methodOf(latest); err == nil {
			p.LatestTitle = m.Kind().Title
		}
	}

	switch {
	case p.Order.Status == StatusCharged:
		p.State = PageCharged
		return p, nil
	case p.Order.Status == StatusAutoRefunded:
		p.State = PageClosed
		return p, nil
	case p.Latest != nil && p.Latest.Status == AttemptPending:
		p.State = PageProcessing
		return p, nil
	case p.Order.Expired(s.now()):
		p.State = PageExpired
		return p, nil
	case p.Latest != nil && p.Latest.Seq >= MaxAttempts && !p.Latest.Status.InFlight():
		p.State = PageClosed
		return p, nil
	}
	p.Retry = p.Order.Status.Failed()
	p.Exhausted = s.retriesExhausted(p.Order, p.Merchant, p.Latest)
	allowed := s.allowed(p.Order, p.Merchant)
	var answered bool
	p.Offers, answered = s.listing(ctx, p.Order, allowed, r.Links)
	p.State = PageNoMethods
	for _, o := range p.Offers {
		if o.Payable {
			p.State = PagePayable
		}
	}
	switch {
	case p.State == PagePayable:
	case len(allowed) == 0:
		p.NoMethods = NoneEnabled
	case !answered:
		p.NoMethods = NoneAnswered
	default:
		p.NoMethods = NoneOffered
	}
	return p, nil
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

// listing asks every method in ms for its offer, at once and within the
// listing timeout, and keeps the listed ones in order; answered is false
// when a method gave no answer.
func (s *Service) listing(ctx context.Context, o Order, ms []Method, links []SealedLink) (listed []MethodOffer, answered bool) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ListingTimeout)
	defer cancel()
	offers := make([]MethodOffer, len(ms))
	ok := make([]bool, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			off, err := s.offer(ctx, m, o, links)
			offers[i], ok[i] = MethodOffer{Kind: m.Kind(), Offer: off}, err == nil
		}()
	}
	wg.Wait()
	answered = true
	for i, mo := range offers {
		answered = answered && ok[i]
		if mo.Listed {
			listed = append(listed, mo)
		}
	}
	return listed, answered
}

// offer is method m's offer for order o: with the customer's link if it
// has a usable one, else as for a first payment. A link the method refuses
// is recorded and the method asked again as for a first payment. Any
// failure or timeout means "not listed", and is returned.
func (s *Service) offer(ctx context.Context, m Method, o Order, links []SealedLink) (Offer, error) {
	k := m.Kind()
	phone, _ := NormalizePhone(o.CustomerPhone)
	req := OfferRequest{Order: o, Phone: phone}
	l := linkFor(links, k)
	token, err := s.linkToken(ctx, m, l)
	switch {
	case err == nil:
		req.Token = token
	case !errors.Is(err, errNotLinked):
		s.log.WarnContext(ctx, "link unusable", "order_id", o.OrderID, "method", k.Name, "error", err)
		return Offer{}, err
	}
	off, err := s.askOffer(ctx, m, req)
	if errors.Is(err, ErrLinkRevoked) && req.Token != "" {
		// The token no longer works for this method: forget it for this
		// method and offer linking again, as for a first payment.
		s.refuseLink(ctx, *l, k)
		req.Token = ""
		off, err = s.askOffer(ctx, m, req)
	}
	if err != nil {
		s.log.WarnContext(ctx, "method offer failed", "order_id", o.OrderID, "method", k.Name, "error", err)
		return Offer{}, err
	}
	return off, nil
}

// askOffer asks m for its offer and records the call.
func (s *Service) askOffer(ctx context.Context, m Method, req OfferRequest) (Offer, error) {
	start := time.Now()
	off, err := m.Offer(ctx, req)
	s.recordOffer(ctx, req.Order.ID, m, time.Since(start), off, err)
	return off, err
}
