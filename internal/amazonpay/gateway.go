package amazonpay

import (
	"context"
	"errors"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
)

// Gateway adapts Client to checkout.Gateway. It translates Amazon's answers
// into checkout's outcomes and decides nothing else.
type Gateway struct{ C *Client }

// forShopper passes the request's shopper, if any, to Amazon's
// x-amz-user-ip and x-amz-user-agent headers.
func forShopper(ctx context.Context) context.Context {
	if sh, ok := checkout.ShopperFrom(ctx); ok {
		return WithShopper(ctx, sh.IP, sh.UserAgent)
	}
	return ctx
}

var _ checkout.Gateway = Gateway{}

// ConsentURL implements checkout.Gateway.
func (g Gateway) ConsentURL(state, redirectURI, loginHint string) string {
	return g.C.ConsentURL(state, redirectURI, loginHint)
}

// ExchangeCode implements checkout.Gateway.
func (g Gateway) ExchangeCode(ctx context.Context, code, redirectURI string) (checkout.Token, error) {
	ctx = forShopper(ctx)
	t, err := g.C.ExchangeCode(ctx, code, redirectURI)
	return token(t), linkErr(err)
}

// Refresh implements checkout.Gateway.
func (g Gateway) Refresh(ctx context.Context, refreshToken string) (checkout.Token, error) {
	ctx = forShopper(ctx)
	t, err := g.C.Refresh(ctx, refreshToken)
	return token(t), linkErr(err)
}

func token(t Token) checkout.Token {
	return checkout.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

func linkErr(err error) error {
	if errors.Is(err, ErrLinkRevoked) {
		return errors.Join(checkout.ErrLinkRevoked, err)
	}
	return err
}

// PayLater implements checkout.Gateway.
func (g Gateway) PayLater(ctx context.Context, accessToken string, amount money.Paise) (checkout.PayLater, error) {
	ctx = forShopper(ctx)
	in, err := g.C.Instruments(ctx, accessToken, amount)
	if IsInvalidAccessToken(err) {
		return checkout.PayLater{}, errors.Join(checkout.ErrLinkRevoked, err)
	}
	if err != nil {
		return checkout.PayLater{}, err
	}
	return checkout.PayLater{Enabled: in.Enabled, AvailableCredit: in.AvailableCredit, Reason: in.IneligibilityReason, KFSURL: in.KeyFactStatementURL}, nil
}

// Eligible implements checkout.Gateway.
func (g Gateway) Eligible(ctx context.Context, phone string, amount money.Paise) (bool, error) {
	ctx = forShopper(ctx)
	e, err := g.C.Eligibility(ctx, phone, amount)
	return e.Eligible, err
}

// Charge implements checkout.Gateway.
func (g Gateway) Charge(ctx context.Context, r checkout.ChargeRequest) checkout.ChargeResult {
	ctx = forShopper(ctx)
	c, err := g.C.Charge(ctx, ChargeRequest{
		ChargeID: r.ChargeID, AccessToken: r.AccessToken, Amount: r.Amount,
		CallbackURL: r.CallbackURL, NoteToCustomer: r.Note,
	})
	return result(c, err)
}

// ChargeStatus implements checkout.Gateway.
func (g Gateway) ChargeStatus(ctx context.Context, chargeID string) checkout.ChargeResult {
	ctx = forShopper(ctx)
	c, err := g.C.ChargeStatus(ctx, chargeID)
	return result(c, err)
}

func result(c Charge, err error) checkout.ChargeResult {
	if err != nil {
		out, code, msg := errOutcome(err)
		return checkout.ChargeResult{Outcome: out, Code: code, Message: msg, LinkRevoked: code == CodeInvalidAccessToken}
	}
	r := checkout.ChargeResult{AmazonChargeID: c.AmazonChargeID, Code: c.ReasonCode, Message: c.ReasonMessage}
	switch c.Status {
	case StatusCaptureApproved:
		r.Outcome = checkout.OutcomeSucceeded
	case StatusCapturePending, StatusAuthPending:
		r.Outcome, r.RedirectURL = checkout.OutcomePending, c.AmazonPayURL
	case StatusDeclined, StatusFailed:
		r.Outcome = checkout.OutcomeDeclined
		r.AuthenticationFailed = c.ReasonCode == ReasonOTPValidationFailed || c.ReasonCode == ReasonChargeTimedOut
	default:
		r.Outcome = checkout.OutcomeUnknown
	}
	return r
}

// Refund implements checkout.Gateway.
func (g Gateway) Refund(ctx context.Context, r checkout.RefundRequest) checkout.RefundResult {
	ctx = forShopper(ctx)
	rf, err := g.C.Refund(ctx, RefundRequest{RefundID: r.RefundID, ChargeID: r.ChargeID, Amount: r.Amount})
	return refundResult(rf, err)
}

// RefundStatus implements checkout.Gateway.
func (g Gateway) RefundStatus(ctx context.Context, refundID string) checkout.RefundResult {
	ctx = forShopper(ctx)
	rf, err := g.C.RefundStatus(ctx, refundID)
	return refundResult(rf, err)
}

func refundResult(rf Refund, err error) checkout.RefundResult {
	if err != nil {
		out, code, msg := errOutcome(err)
		return checkout.RefundResult{Outcome: out, Code: code, Message: msg}
	}
	r := checkout.RefundResult{AmazonRefundID: rf.AmazonRefundID, Code: rf.ReasonCode, Message: rf.ReasonMessage}
	switch rf.Status {
	case StatusApproved:
		r.Outcome = checkout.OutcomeSucceeded
	case StatusPending:
		r.Outcome = checkout.OutcomePending
	case StatusDeclined, StatusFailed:
		r.Outcome = checkout.OutcomeDeclined
	default:
		r.Outcome = checkout.OutcomeUnknown
	}
	return r
}

// errOutcome says what a failed call means for checkout: no trustworthy
// answer (a timeout, a 5xx, a bad signature), an unknown id, Amazon's
// decision against this customer and amount, or a refused request.
func errOutcome(err error) (out checkout.Outcome, code, message string) {
	switch {
	case IsIndeterminate(err):
		return checkout.OutcomeUnknown, "", err.Error()
	case IsNotFound(err):
		return checkout.OutcomeNotFound, Code(err), ""
	case Code(err) == CodeInsufficientFunds || Code(err) == CodeNonKYCAccount:
		return checkout.OutcomeDeclined, Code(err), err.Error()
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return checkout.OutcomeRejected, ae.Code, ae.Message
	}
	return checkout.OutcomeUnknown, "", err.Error()
}
