package checkout

import (
	"context"
	"errors"

	"github.com/paypage/paypage/internal/money"
)

// PageState says which screen the payment page shows.
type PageState int

// Payment page screens.
const (
	PagePayable    PageState = iota // Amazon Pay Later offered (maybe after a failure: see Retry)
	PageNoMethods                   // nothing payable for this order
	PageProcessing                  // a charge is pending; the page refreshes itself
	PageCharged                     // paid
	PageExpired                     // too late to pay
	PageClosed                      // final without payment (attempts exhausted, auto-refunded)
)

// Method is the Amazon Pay Later option as the page shows it.
type Method struct {
	Linked          bool        // the customer's account is linked: one tap
	Enabled         bool        // payable now
	AvailableCredit money.Paise // when linked
	KFSURL          string      // Key Fact Statement
	Reason          string      // Amazon's words when linked but not enabled
}

// Page is everything the payment page needs.
type Page struct {
	Order    Order
	Merchant Merchant
	State    PageState
	Method   Method
	Latest   *Attempt // newest attempt, if any
	Retry    bool     // the latest attempt failed and another may be made
}

// PageRecords are the rows the payment page reads, fetched in one round
// trip because every page view needs all of them.
type PageRecords struct {
	Order    Order
	Merchant Merchant
	Latest   *Attempt    // newest attempt; nil when none was made
	Link     *SealedLink // the customer's Amazon link; nil when not linked
}

// PaymentPage loads the order for the hosted page, settles a pending charge
// if Amazon now has an answer, and decides what to offer. Amazon being slow
// or down never fails the page: the option is left out instead.
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
	p.Method = s.listing(ctx, p.Order, r.Link)
	if p.Method.Enabled {
		p.State = PagePayable
	} else {
		p.State = PageNoMethods
	}
	return p, nil
}

// listing applies DESIGN.md's rule: a linked customer gets Get Instruments
// for the amount; otherwise pre-link eligibility by phone and amount. Any
// failure or timeout means "not listed".
func (s *Service) listing(ctx context.Context, o Order, link *SealedLink) Method {
	if s.opts.Gateway == nil {
		return Method{}
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ListingTimeout)
	defer cancel()
	token, err := s.linkToken(ctx, link)
	if err == nil {
		pl, perr := s.opts.Gateway.PayLater(ctx, token, o.Amount)
		if perr == nil {
			return Method{Linked: true, Enabled: pl.Enabled, AvailableCredit: pl.AvailableCredit, KFSURL: pl.KFSURL, Reason: pl.Reason}
		}
		if !errors.Is(perr, ErrLinkRevoked) {
			s.log.WarnContext(ctx, "amazon pay later lookup failed", "order_id", o.OrderID, "error", perr)
			return Method{}
		}
		// The customer unlinked at Amazon: forget the link and offer
		// linking again, as for a first payment.
		s.forgetLink(ctx, o.MerchantID, o.CustomerID)
		err = errNotLinked
	}
	if !errors.Is(err, errNotLinked) {
		s.log.WarnContext(ctx, "amazon link unusable", "order_id", o.OrderID, "error", err)
		return Method{}
	}
	phone, ok := NormalizePhone(o.CustomerPhone)
	if !ok {
		return Method{}
	}
	eligible, err := s.opts.Gateway.Eligible(ctx, phone, o.Amount)
	if err != nil {
		s.log.WarnContext(ctx, "amazon eligibility failed", "order_id", o.OrderID, "error", err)
		return Method{}
	}
	return Method{Enabled: eligible}
}
