package checkout

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// NextKind says where the shopper's browser goes after a payment step.
type NextKind int

// Where to go next.
const (
	NextPage     NextKind = iota // the payment page, which shows the current state
	NextRedirect                 // a provider's page (consent, 2FA, top-up) at URL
	NextMerchant                 // back to the merchant with the signed result
)

// Next is the browser's next stop.
type Next struct {
	Kind    NextKind
	URL     string
	OrderID string // paypage's order id
}

// Pay starts an attempt with the method named method for order id, or
// joins the one in flight, and returns where the shopper goes next. A
// second click while an attempt is in flight never starts a second charge.
func (s *Service) Pay(ctx context.Context, id, method string) (Next, error) {
	r, err := s.pageRecords(ctx, id)
	if err != nil {
		return Next{}, err
	}
	o := r.Order
	here := Next{Kind: NextPage, OrderID: o.ID}
	if o.Status.Final() {
		return here, nil
	}
	// Join an attempt in flight without asking the provider anything.
	if r.Latest != nil && r.Latest.Status.InFlight() {
		return s.resume(*r.Latest, o, r.Merchant), nil
	}
	if s.retriesExhausted(o, r.Merchant, r.Latest) {
		return Next{}, errRetriesExhausted
	}
	m, err := s.choose(s.allowed(o, r.Merchant), method)
	if err != nil {
		return Next{}, err
	}
	k := m.Kind()
	l := linkFor(r.Links, k)
	token, err := s.linkToken(ctx, m, l)
	linked := err == nil
	if err != nil && !errors.Is(err, errNotLinked) {
		// The provider's token service did not answer: nothing was
		// started, and the page, which looks again, says so.
		s.log.WarnContext(ctx, "pay: link token unavailable; back to the page", "order_id", o.OrderID, "method", k.Name, "error", err)
		return here, nil
	}
	if !linked {
		answered, err := s.checkOffered(ctx, m, o, r)
		if err != nil {
			return Next{}, err
		}
		if !answered {
			// Nothing was started: the page shows the method as being
			// checked, and the shopper taps again once it is payable.
			return here, nil
		}
	}
	a, o, joined, err := s.store.StartAttempt(ctx, NewAttempt(o, k, linked), s.now())
	if errors.Is(err, ErrStale) || errs.CodeOf(err) == codeOrderFinal {
		// Another tap or tab got there first and the order has moved on
		// (paid, say): show it as it is now.
		return here, nil
	}
	if err != nil {
		return Next{}, err
	}
	if joined {
		return s.resume(a, o, r.Merchant), nil
	}
	s.log.InfoContext(ctx, "attempt started", "order_id", o.OrderID, "txn_id", a.TxnID, "method", k.Name, "linked", linked)
	if !linked {
		return Next{Kind: NextRedirect, OrderID: o.ID, URL: s.consentURL(m, a, o, r.Merchant)}, nil
	}
	return s.charge(ctx, m, a, o, token), nil
}

// choose finds the method a pay form named among those the order may
// use; a form that names none (a page from before methods were named)
// means the first.
func (s *Service) choose(allowed []Method, name string) (Method, error) {
	if len(s.opts.Methods) == 0 {
		return nil, errs.E(errs.Unavailable, "gateway.unavailable", "payments are not configured")
	}
	if len(allowed) == 0 {
		return nil, errs.E(errs.Conflict, "method.unavailable", "no payment method is enabled for this order")
	}
	if name == "" {
		return allowed[0], nil
	}
	for _, m := range allowed {
		if m.Kind().Name == name {
			return m, nil
		}
	}
	return nil, errs.Fields("invalid.request", errs.FieldError{Field: "method", Message: "does not name a payment method of this page"})
}

// methodNamed returns the configured method called name.
func (s *Service) methodNamed(name string) (Method, bool) {
	for _, m := range s.opts.Methods {
		if m.Kind().Name == name {
			return m, true
		}
	}
	return nil, false
}

// methodOf returns the method attempt a pays with.
func (s *Service) methodOf(a Attempt) (Method, error) {
	if m, ok := s.methodNamed(a.Method); ok {
		return m, nil
	}
	return nil, errs.E(errs.Unavailable, "method.unconfigured", "payment method %s is not configured", a.Method)
}

// checkOffered refuses a first-time payment that the page would not have
// offered (the method not listed, or not payable, for this order). It uses
// the answer kept with the order while fresh and made without a link, and
// asks the provider (within twice the listing timeout) only when there is
// none; answered is false when the provider did not answer in time. The
// provider decides again when it charges, so an answer up to
// OfferMaxAge old can never make a charge it would refuse.
func (s *Service) checkOffered(ctx context.Context, m Method, o Order, r PageRecords) (answered bool, err error) {
	var off Offer
	if c, fresh := s.cachedOffer(r.Offers, m, nil); fresh && !c.Linked {
		off = c.Offer
	} else if off, err = s.offerWithin(ctx, m, o, nil, s.opts.ListingTimeout*2); err != nil {
		return false, nil
	}
	if !off.Listed || !off.Payable {
		return true, errs.E(errs.Conflict, "method.unavailable", "%s is not available for this order", m.Kind().Title)
	}
	return true, nil
}

// resume sends a shopper who pays again to where attempt a of order o of
// merchant mer, in flight, waits for them.
func (s *Service) resume(a Attempt, o Order, mer Merchant) Next {
	switch {
	case a.Status == AttemptAwaitingConsent:
		m, err := s.methodOf(a)
		if err != nil {
			break
		}
		return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: s.consentURL(m, a, o, mer)}
	case a.Status == AttemptPending && a.ActionURL != "":
		return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: a.ActionURL}
	}
	return Next{Kind: NextPage, OrderID: a.OrderID}
}

// consentURL is method m's consent URL for attempt a of order o of
// merchant mer.
func (s *Service) consentURL(m Method, a Attempt, o Order, mer Merchant) string {
	phone, _ := NormalizePhone(o.CustomerPhone)
	return s.linkURL(m, a, phone, mer)
}

// statePattern matches the OAuth states NewAttempt makes (base64url).
var statePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)

// ConsentReturn handles the provider's redirect after its consent page. It needs
// nothing from the shopper's cookie: state names the attempt. Only the
// request that moves the attempt out of AWAITING_CONSENT goes on to
// exchange the single-use code and charge; a replay, a second tab or a
// retrying proxy loses that move and just shows the attempt's state.
func (s *Service) ConsentReturn(ctx context.Context, state, code, denied string) (Next, error) {
	if !statePattern.MatchString(state) {
		return Next{}, errs.Fields("invalid.callback", errs.FieldError{Field: "state", Message: "does not name a payment"})
	}
	a, err := s.store.AttemptByState(ctx, state)
	if errs.Is(err, errs.NotFound) {
		return Next{}, errs.Fields("invalid.callback", errs.FieldError{Field: "state", Message: "does not name a payment"})
	}
	if err != nil {
		return Next{}, err
	}
	if a.Status != AttemptAwaitingConsent {
		return s.after(a), nil
	}
	if denied != "" || code == "" {
		reason := "the customer did not give consent"
		if denied == "" {
			reason = "the provider returned no authorization code"
		}
		a, _, err = s.store.MoveAttempt(ctx, a.ID, AttemptAwaitingConsent, AttemptAuthenticationFailed,
			AttemptUpdate{ErrorCode: "CONSENT_DENIED", ErrorMessage: reason})
		if err != nil && !errors.Is(err, ErrStale) {
			return Next{}, err
		}
		s.finished(err, AttemptAuthenticationFailed)
		return s.after(a), nil
	}
	m, err := s.methodOf(a)
	if err != nil {
		return Next{}, err
	}
	a, o, err := s.store.MoveAttempt(ctx, a.ID, AttemptAwaitingConsent, AttemptPending, AttemptUpdate{})
	if errors.Is(err, ErrStale) {
		return s.after(a), nil
	}
	if err != nil {
		return Next{}, err
	}
	tok, err := m.ExchangeCode(ctx, code, s.opts.ConsentRedirectURL)
	if err != nil {
		// No charge was sent, so the attempt can end here: the shopper
		// links again on the next try.
		s.log.WarnContext(ctx, "consent code exchange failed", "order_id", o.OrderID, "method", a.Method, "error", err)
		a, _, merr := s.store.MoveAttempt(ctx, a.ID, AttemptPending, AttemptAuthenticationFailed, AttemptUpdate{
			ErrorCode: "LINK_FAILED", ErrorMessage: "the account could not be linked", OnlyUnsent: true})
		if merr != nil && !errors.Is(merr, ErrStale) {
			return Next{}, merr
		}
		s.finished(merr, AttemptAuthenticationFailed)
		return s.after(a), nil
	}
	if err := s.saveLink(ctx, o, m.Kind(), tok); err != nil {
		return Next{}, err
	}
	return s.charge(ctx, m, a, o, tok.AccessToken), nil
}

// ChargeReturn handles the shopper's return from the provider's page (2FA,
// top-up). The query the provider adds is not trusted: the outcome comes
// from its status API, asked by one request at a time.
func (s *Service) ChargeReturn(ctx context.Context, chargeID string) (Next, error) {
	a, err := s.store.AttemptByChargeID(ctx, chargeID)
	if errs.Is(err, errs.NotFound) {
		return Next{}, errs.E(errs.NotFound, "attempt.not_found", "unknown charge")
	}
	if err != nil {
		return Next{}, err
	}
	if a.Status != AttemptPending {
		return s.after(a), nil
	}
	a, _ = s.check(ctx, a, s.opts.ChargeTimeout)
	next := s.after(a)
	if next.Kind == NextRedirect {
		// Back but still pending: wait on the processing page rather than
		// loop through the provider's page again.
		next = Next{Kind: NextPage, OrderID: a.OrderID}
	}
	return next, nil
}

// charge sends the charge for attempt a, recording the send first so that a
// crash mid-call leaves an attempt the reconciler can look up by charge id.
// Only one caller can record the send, so only one sends.
func (s *Service) charge(ctx context.Context, m Method, a Attempt, o Order, accessToken string) Next {
	sent, err := s.store.MarkChargeSent(ctx, a.ID, s.now().Add(firstCheck))
	if err != nil {
		if !errors.Is(err, ErrStale) {
			s.log.ErrorContext(ctx, "recording charge send failed; not charging", "txn_id", a.TxnID, "error", err)
		}
		return Next{Kind: NextPage, OrderID: a.OrderID}
	}
	a = sent
	call, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	start := time.Now()
	reply := m.Charge(call, ChargeRequest{
		ChargeID: a.ChargeID, AccessToken: accessToken, Amount: a.Amount,
		CallbackURL: s.opts.ChargeCallbackURL(a.ChargeID), Note: "Order " + o.OrderID,
	})
	cancel()
	s.recordCall(ctx, a.OrderID, OpCharge, m, time.Since(start), reply)
	ctx, done := recording(ctx)
	defer done()
	a, _ = s.apply(ctx, a, CallCharge, Interpret(CallCharge, reply, m.Outcomes()))
	return s.after(a)
}

// checkLease bounds how long one status check keeps others from asking.
const checkLease = 30 * time.Second

// check asks the provider about pending attempt a once, if no one else is asking
// right now, within timeout, and records the answer. The attempt and order
// returned are as stored afterwards; the order is zero when unchanged.
func (s *Service) check(ctx context.Context, a Attempt, timeout time.Duration) (Attempt, Order) {
	m, err := s.methodOf(a)
	if err != nil || a.ChargeSentAt == nil {
		return a, Order{}
	}
	a, won, err := s.store.ClaimCheck(ctx, a.ID, checkLease)
	if err != nil || !won {
		return a, Order{}
	}
	call, cancel := context.WithTimeout(ctx, timeout)
	res := Interpret(CallChargeStatus, s.chargeStatus(call, m, a), m.Outcomes())
	cancel()
	ctx, done := recording(ctx)
	defer done()
	a2, o := s.apply(ctx, a, CallChargeStatus, res)
	if o.ID == "" {
		// Nothing moved: end the claim so the next look can ask at once.
		if a3, _, err := s.store.MoveAttempt(ctx, a.ID, a.Status, a.Status, AttemptUpdate{}); err == nil {
			a2 = a3
		}
	}
	return a2, o
}

// checkCharge asks the provider about a pending charge once, for a page load.
// Errors leave things as they were.
func (s *Service) checkCharge(ctx context.Context, a Attempt, o Order) (Attempt, Order) {
	a2, o2 := s.check(ctx, a, s.opts.ListingTimeout)
	if o2.ID == "" {
		return a2, o
	}
	return a2, o2
}

// apply records what a call's answer means for in-flight attempt a. An
// Unknown answer changes nothing: only a definitive, verified answer ends
// an attempt. It returns the attempt as stored and, when it moved, its
// order.
func (s *Service) apply(ctx context.Context, a Attempt, call Call, r ChargeResult) (Attempt, Order) {
	var to AttemptStatus
	// A move decided on an unsent attempt loses if its charge went out
	// meanwhile.
	u := AttemptUpdate{ProviderRef: r.ProviderRef, ErrorCode: r.Code, ErrorMessage: r.Message, Settled: true,
		OnlyUnsent: a.ChargeSentAt == nil}
	switch r.Outcome {
	case OutcomeSucceeded:
		to = AttemptCharged
	case OutcomePending:
		if r.ActionURL == "" || r.ActionURL == a.ActionURL {
			return a, Order{}
		}
		to, u.ActionURL, u.AuthType, u.Settled = AttemptPending, r.ActionURL, "OTP", false
	case OutcomeDeclined:
		to = AttemptAuthorizationFailed
		if r.AuthenticationFailed {
			to = AttemptAuthenticationFailed
		}
	case OutcomeRejected:
		to = AttemptDeclined
		// A refused charge request made no charge, but a status read
		// confirms that before the watch ends.
		u.Settled = call != CallCharge
		if r.LinkRevoked {
			// Paying again with this method goes through consent.
			s.refuseAttemptLink(ctx, a)
			u.ErrorMessage = "the account link no longer works for this payment method; pay again to link it"
		}
	case OutcomeNotFound: // not yet, or not at all: asked again until it cannot happen any more
		s.log.InfoContext(ctx, "the provider has no record of the charge yet; left pending", "txn_id", a.TxnID)
		return a, Order{}
	default: // Unknown: ask again later.
		s.log.WarnContext(ctx, "charge outcome unknown; left pending", "txn_id", a.TxnID, "call", call.String(),
			"code", r.Code, "detail", r.Message)
		return a, Order{}
	}
	a2, o, err := s.store.MoveAttempt(ctx, a.ID, a.Status, to, u)
	if err != nil && !errors.Is(err, ErrStale) {
		s.log.ErrorContext(ctx, "recording charge outcome failed", "txn_id", a.TxnID, "error", err)
		return a, Order{}
	}
	if err == nil && to != a.Status {
		s.opts.Observer.AttemptFinished(string(to))
		s.log.InfoContext(ctx, "attempt moved", "txn_id", a.TxnID, "status", string(a2.Status), "order_status", string(o.Status))
	}
	return a2, o
}

// refuseAttemptLink records that attempt a's method refused the link it
// was charged with.
func (s *Service) refuseAttemptLink(ctx context.Context, a Attempt) {
	m, err := s.methodOf(a)
	if err != nil {
		return
	}
	o, err := s.store.OrderByID(ctx, a.OrderID)
	if err != nil {
		return
	}
	links, err := s.store.Links(ctx, o.MerchantID, o.CustomerID)
	if err != nil {
		return
	}
	if l := linkFor(links, m.Kind()); l != nil {
		s.refuseLink(ctx, *l, m.Kind())
	}
}

// finished counts an attempt that ended through a move that err says was
// won.
func (s *Service) finished(err error, to AttemptStatus) {
	if err == nil {
		s.opts.Observer.AttemptFinished(string(to))
	}
}

// after says where the shopper goes once attempt a is in its current state.
func (s *Service) after(a Attempt) Next {
	switch a.Status {
	case AttemptCharged:
		return Next{Kind: NextMerchant, OrderID: a.OrderID}
	case AttemptPending:
		if a.ActionURL != "" {
			return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: a.ActionURL}
		}
	}
	return Next{Kind: NextPage, OrderID: a.OrderID}
}

// chargeStatus asks m about a's charge and records the call.
func (s *Service) chargeStatus(ctx context.Context, m Method, a Attempt) Reply {
	start := time.Now()
	reply := m.ChargeStatus(ctx, a.ChargeID)
	s.recordCall(ctx, a.OrderID, OpChargeStatus, m, time.Since(start), reply)
	return reply
}

// refund sends refund r of a's charge through m and records the call.
func (s *Service) refund(ctx context.Context, m Method, a Attempt, r Refund) Reply {
	start := time.Now()
	reply := m.Refund(ctx, RefundRequest{RefundID: r.ID, ChargeID: a.ChargeID, Amount: r.Amount})
	s.recordCall(ctx, r.OrderID, OpRefund, m, time.Since(start), reply)
	return reply
}

// refundStatus asks m about refund r and records the call.
func (s *Service) refundStatus(ctx context.Context, m Method, r Refund) Reply {
	start := time.Now()
	reply := m.RefundStatus(ctx, r.ID)
	s.recordCall(ctx, r.OrderID, OpRefundStatus, m, time.Since(start), reply)
	return reply
}
