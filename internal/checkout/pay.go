package checkout

import (
	"context"
	"errors"
	"regexp"

	"github.com/paypage/paypage/internal/errs"
)

// NextKind says where the shopper's browser goes after a payment step.
type NextKind int

// Where to go next.
const (
	NextPage     NextKind = iota // the payment page, which shows the current state
	NextRedirect                 // an Amazon page (consent or 2FA) at URL
	NextMerchant                 // back to the merchant with the signed result
)

// Next is the browser's next stop.
type Next struct {
	Kind    NextKind
	URL     string
	OrderID string // paypage's order id
}

// Pay starts an attempt for order id, or joins the one in flight, and
// returns where the shopper goes next. A second click while an attempt is
// in flight never starts a second charge.
func (s *Service) Pay(ctx context.Context, id string) (Next, error) {
	r, err := s.pageRecords(ctx, id)
	if err != nil {
		return Next{}, err
	}
	o := r.Order
	here := Next{Kind: NextPage, OrderID: o.ID}
	if o.Status.Final() {
		return here, nil
	}
	if s.opts.Gateway == nil {
		return Next{}, errs.E(errs.Unavailable, "gateway.unavailable", "payments are not configured")
	}
	// Join an attempt in flight without asking Amazon anything.
	if r.Latest != nil && r.Latest.Status.InFlight() {
		return s.resume(ctx, *r.Latest), nil
	}
	token, err := s.linkToken(ctx, r.Link)
	linked := err == nil
	if err != nil && !errors.Is(err, errNotLinked) {
		return Next{}, errs.Wrap(err, "amazon access token")
	}
	if !linked {
		if err := s.checkEligible(ctx, o); err != nil {
			return Next{}, err
		}
	}
	a, o, joined, err := s.store.StartAttempt(ctx, NewAttempt(o, linked), s.now())
	if err != nil {
		return Next{}, err
	}
	if joined {
		return s.resume(ctx, a), nil
	}
	s.log.InfoContext(ctx, "attempt started", "order_id", o.OrderID, "txn_id", a.TxnID, "linked", linked)
	if !linked {
		return Next{Kind: NextRedirect, OrderID: o.ID, URL: s.consentURL(a, o)}, nil
	}
	return s.charge(ctx, a, o, token), nil
}

// checkEligible refuses a first-time payment that the page would not have
// offered (no phone, or Amazon says not eligible).
func (s *Service) checkEligible(ctx context.Context, o Order) error {
	phone, ok := NormalizePhone(o.CustomerPhone)
	if !ok {
		return errs.E(errs.Conflict, "method.unavailable", "Amazon Pay Later needs the customer's phone number")
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ListingTimeout*2)
	defer cancel()
	eligible, err := s.opts.Gateway.Eligible(ctx, phone, o.Amount)
	if err != nil {
		return &errs.Error{Kind: errs.Unavailable, Code: "gateway.unavailable", Message: "Amazon Pay did not answer; try again", Err: err}
	}
	if !eligible {
		return errs.E(errs.Conflict, "method.unavailable", "Amazon Pay Later is not available for this order")
	}
	return nil
}

// resume sends a shopper who pays again to where the attempt in flight
// waits for them.
func (s *Service) resume(ctx context.Context, a Attempt) Next {
	switch {
	case a.Status == AttemptAwaitingConsent:
		o, err := s.store.OrderByID(ctx, a.OrderID)
		if err == nil {
			return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: s.consentURL(a, o)}
		}
	case a.Status == AttemptPending && a.AmazonPayURL != "":
		return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: a.AmazonPayURL}
	}
	return Next{Kind: NextPage, OrderID: a.OrderID}
}

func (s *Service) consentURL(a Attempt, o Order) string {
	phone, _ := NormalizePhone(o.CustomerPhone)
	return s.opts.Gateway.ConsentURL(a.State, s.opts.ConsentRedirectURL, phone)
}

// statePattern matches the OAuth states NewAttempt makes (base64url).
var statePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)

// ConsentReturn handles Amazon's redirect after the consent page. It needs
// nothing from the shopper's cookie: state names the attempt. Only the
// request that moves the attempt out of AWAITING_CONSENT goes on to link and
// charge; a replay sees the attempt already moved and just shows its state.
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
			reason = "Amazon returned no authorization code"
		}
		a, _, err = s.store.MoveAttempt(ctx, a.ID, AttemptAuthenticationFailed, AttemptUpdate{ErrorCode: "CONSENT_DENIED", ErrorMessage: reason})
		if err != nil && !errors.Is(err, ErrStale) {
			return Next{}, err
		}
		return s.after(a), nil
	}
	a, o, err := s.store.MoveAttempt(ctx, a.ID, AttemptPending, AttemptUpdate{})
	if errors.Is(err, ErrStale) {
		return s.after(a), nil
	}
	if err != nil {
		return Next{}, err
	}
	tok, err := s.opts.Gateway.ExchangeCode(ctx, code, s.opts.ConsentRedirectURL)
	if err != nil {
		s.log.WarnContext(ctx, "amazon code exchange failed", "order_id", o.OrderID, "error", err)
		a, _, merr := s.store.MoveAttempt(ctx, a.ID, AttemptAuthenticationFailed, AttemptUpdate{
			ErrorCode: "LINK_FAILED", ErrorMessage: "the Amazon account could not be linked"})
		if merr != nil && !errors.Is(merr, ErrStale) {
			return Next{}, merr
		}
		return s.after(a), nil
	}
	if err := s.saveLink(ctx, o.MerchantID, o.CustomerID, tok); err != nil {
		return Next{}, err
	}
	return s.charge(ctx, a, o, tok.AccessToken), nil
}

// ChargeReturn handles the shopper's return from Amazon's 2FA page. The
// query Amazon adds is not trusted: the outcome comes from the status API.
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
	ctx, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	defer cancel()
	a, _ = s.apply(ctx, a, s.opts.Gateway.ChargeStatus(ctx, a.ChargeID))
	next := s.after(a)
	if next.Kind == NextRedirect {
		// Back from 2FA but still pending: wait on the processing page
		// rather than loop through Amazon's page again.
		next = Next{Kind: NextPage, OrderID: a.OrderID}
	}
	return next, nil
}

// charge sends the charge for attempt a, recording the send first so that a
// crash mid-call leaves an attempt the reconciler can look up by charge id.
func (s *Service) charge(ctx context.Context, a Attempt, o Order, accessToken string) Next {
	sent, err := s.store.MarkChargeSent(ctx, a.ID, s.now().Add(firstCheck))
	if err != nil {
		s.log.ErrorContext(ctx, "recording charge send failed; not charging", "txn_id", a.TxnID, "error", err)
		return Next{Kind: NextPage, OrderID: a.OrderID}
	}
	a = sent
	ctx, cancel := context.WithTimeout(ctx, s.opts.ChargeTimeout)
	defer cancel()
	res := s.opts.Gateway.Charge(ctx, ChargeRequest{
		ChargeID: a.ChargeID, AccessToken: accessToken, Amount: a.Amount,
		CallbackURL: s.opts.ChargeCallbackURL(a.ChargeID), Note: "Order " + o.OrderID,
	})
	a, _ = s.apply(ctx, a, res)
	return s.after(a)
}

// checkCharge asks Amazon about a pending charge once, for a page load.
// Errors leave things as they were.
func (s *Service) checkCharge(ctx context.Context, a Attempt, o Order) (Attempt, Order) {
	if s.opts.Gateway == nil || a.ChargeSentAt == nil {
		return a, o
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ListingTimeout)
	defer cancel()
	a2, o2 := s.apply(ctx, a, s.opts.Gateway.ChargeStatus(ctx, a.ChargeID))
	if o2.ID == "" {
		return a2, o
	}
	return a2, o2
}

// apply records what Amazon said about a pending attempt. This is where an
// Amazon answer gets its meaning.
func (s *Service) apply(ctx context.Context, a Attempt, r ChargeResult) (Attempt, Order) {
	var to AttemptStatus
	u := AttemptUpdate{AmazonChargeID: r.AmazonChargeID, ErrorCode: r.Code, ErrorMessage: r.Message, Settled: true}
	switch r.Outcome {
	case OutcomeSucceeded:
		to = AttemptCharged
	case OutcomePending:
		if r.RedirectURL == "" {
			return a, Order{}
		}
		to, u.AmazonPayURL, u.AuthType, u.Settled = AttemptPending, r.RedirectURL, "OTP", false
	case OutcomeDeclined:
		to = AttemptAuthorizationFailed
		if r.AuthenticationFailed {
			to = AttemptAuthenticationFailed
		}
	case OutcomeRejected:
		to = AttemptDeclined
		if r.LinkRevoked {
			// Paying again goes through consent.
			if o, err := s.store.OrderByID(ctx, a.OrderID); err == nil {
				s.forgetLink(ctx, o.MerchantID, o.CustomerID)
			}
			u.ErrorMessage = "the Amazon Pay Later link is no longer active; pay again to link it"
		}
	default: // Unknown, or NotFound right after sending: ask again later.
		s.log.WarnContext(ctx, "charge outcome unknown; left pending", "txn_id", a.TxnID, "code", r.Code)
		return a, Order{}
	}
	a2, o, err := s.store.MoveAttempt(ctx, a.ID, to, u)
	if err == nil && to != AttemptPending {
		s.opts.Observer.AttemptFinished(string(to))
	}
	if err != nil && !errors.Is(err, ErrStale) {
		s.log.ErrorContext(ctx, "recording charge outcome failed", "txn_id", a.TxnID, "error", err)
		return a, Order{}
	}
	if err == nil {
		s.log.InfoContext(ctx, "attempt moved", "txn_id", a.TxnID, "status", string(a2.Status), "order_status", string(o.Status))
	}
	return a2, o
}

// after says where the shopper goes once attempt a is in its current state.
func (s *Service) after(a Attempt) Next {
	switch a.Status {
	case AttemptCharged:
		return Next{Kind: NextMerchant, OrderID: a.OrderID}
	case AttemptPending:
		if a.AmazonPayURL != "" {
			return Next{Kind: NextRedirect, OrderID: a.OrderID, URL: a.AmazonPayURL}
		}
	}
	return Next{Kind: NextPage, OrderID: a.OrderID}
}
