package checkout

import "context"

// PageStatus is where an order's payment page stands, for a page script
// that polls it.
type PageStatus struct {
	OrderID string
	State   PageState // PagePayable, PageProcessing, PageCharged, PageExpired or PageClosed
	// Failed: the newest attempt failed; Exhausted: and no retry is
	// offered (RetriesExhausted).
	Failed    bool
	Exhausted bool
}

// Settled reports whether the payment page has nothing left to do but
// return the shopper to the merchant.
func (p PageStatus) Settled() bool { return p.State == PageCharged || p.State == PageClosed }

// PaymentStatus is PaymentPage without the listing: it settles a pending
// charge the same way (one provider check at a time, within the listing
// timeout, through checkCharge's claim, so polls from many tabs never
// stampede the provider) and says which screen the page would show. It
// asks no provider for offers.
func (s *Service) PaymentStatus(ctx context.Context, id string) (PageStatus, error) {
	r, err := s.pageRecords(ctx, id)
	if err != nil {
		return PageStatus{}, err
	}
	o, latest := s.settlePending(ctx, r)
	state, done := s.fixedState(o, latest)
	st := PageStatus{OrderID: o.ID, State: state}
	if !done {
		st.Failed = o.Status.Failed()
		st.Exhausted = s.retriesExhausted(o, r.Merchant, latest)
	}
	return st, nil
}
