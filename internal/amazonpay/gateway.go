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
func (g Gateway) Charge(ctx context.Context, r checkout.ChargeRequest) checkout.Reply {
	ctx = forShopper(ctx)
	c, err := g.C.Charge(ctx, ChargeRequest{
		ChargeID: r.ChargeID, AccessToken: r.AccessToken, Amount: r.Amount,
		CallbackURL: r.CallbackURL, NoteToCustomer: r.Note,
	})
	return chargeReply(c, err)
}

// ChargeStatus implements checkout.Gateway.
func (g Gateway) ChargeStatus(ctx context.Context, chargeID string) checkout.Reply {
	ctx = forShopper(ctx)
	c, err := g.C.ChargeStatus(ctx, chargeID)
	return chargeReply(c, err)
}

func chargeReply(c Charge, err error) checkout.Reply {
	if err != nil {
		return errorReply(err)
	}
	return checkout.Reply{
		Verified: true, HTTPStatus: 200, Status: string(c.Status), Reason: c.ReasonCode, Message: c.ReasonMessage,
		ProviderID: c.AmazonChargeID, RedirectURL: c.AmazonPayURL,
	}
}

// Refund implements checkout.Gateway.
func (g Gateway) Refund(ctx context.Context, r checkout.RefundRequest) checkout.Reply {
	ctx = forShopper(ctx)
	rf, err := g.C.Refund(ctx, RefundRequest{RefundID: r.RefundID, ChargeID: r.ChargeID, Amount: r.Amount})
	return refundReply(rf, err)
}

// RefundStatus implements checkout.Gateway.
func (g Gateway) RefundStatus(ctx context.Context, refundID string) checkout.Reply {
	ctx = forShopper(ctx)
	rf, err := g.C.RefundStatus(ctx, refundID)
	return refundReply(rf, err)
}

func refundReply(rf Refund, err error) checkout.Reply {
	if err != nil {
		return errorReply(err)
	}
	return checkout.Reply{
		Verified: true, HTTPStatus: 200, Status: string(rf.Status), Reason: rf.ReasonCode, Message: rf.ReasonMessage,
		ProviderID: rf.AmazonRefundID,
	}
}

// errorReply reports a failed call as it came: a verified error answer
// with its code, or no trustworthy answer at all (a transport error, a
// timeout, an unsigned or wrongly signed body).
func errorReply(err error) checkout.Reply {
	var ae *APIError
	if errors.As(err, &ae) {
		return checkout.Reply{Verified: ae.Verified, HTTPStatus: ae.HTTPStatus, Code: ae.Code, Message: ae.Message, Detail: err.Error()}
	}
	return checkout.Reply{Detail: err.Error()}
}
