package amazonpay

import (
	"context"
	"errors"
	"strings"

	"github.com/paypage/paypage/internal/checkout"
)

// Provider is Amazon Pay as checkout.MethodKind names it (Juspay's gateway
// name). Both Amazon methods share one link per customer where Amazon
// allows it.
const Provider = "AMAZONPAY"

// Adapter is the part of checkout.Method that both Amazon Pay methods share:
// linking with Login with Amazon, and charges and refunds with one
// instrument. It reports Amazon's answers in checkout's words and decides
// nothing; the methods (internal/amazonpay/paylater, .../balance) embed it
// and add their offer and their outcome table.
type Adapter struct {
	C *Client
	// Instrument is the selectedPaymentInstrumentType of its charges.
	Instrument string
}

// forShopper passes the request's shopper, if any, to Amazon's
// x-amz-user-ip and x-amz-user-agent headers.
func forShopper(ctx context.Context) context.Context {
	if sh, ok := checkout.ShopperFrom(ctx); ok {
		return WithShopper(ctx, sh.IP, sh.UserAgent)
	}
	return ctx
}

// LinkURL implements checkout.Method.
func (a Adapter) LinkURL(state, redirectURI, loginHint string) string {
	return a.C.ConsentURL(state, redirectURI, loginHint)
}

// LinkURLFor implements checkout.PaymentLinker: the consent URL with the
// merchant's name and the amount, for the consent page to show.
func (a Adapter) LinkURLFor(state, redirectURI, loginHint string, p checkout.LinkPayment) string {
	return a.C.ConsentURLFor(state, redirectURI, loginHint, p.MerchantName, p.Amount)
}

// ExchangeCode implements checkout.Method.
func (a Adapter) ExchangeCode(ctx context.Context, code, redirectURI string) (checkout.Token, error) {
	t, err := a.C.ExchangeCode(forShopper(ctx), code, redirectURI)
	return token(t), LinkErr(err)
}

// Refresh implements checkout.Method.
func (a Adapter) Refresh(ctx context.Context, refreshToken string) (checkout.Token, error) {
	t, err := a.C.Refresh(forShopper(ctx), refreshToken)
	return token(t), LinkErr(err)
}

func token(t Token) checkout.Token {
	return checkout.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

// LinkErr marks errors that mean the customer must link again (a revoked
// grant, or a token refused for the instrument) as checkout.ErrLinkRevoked.
func LinkErr(err error) error {
	if errors.Is(err, ErrLinkRevoked) || IsInvalidAccessToken(err) {
		return errors.Join(checkout.ErrLinkRevoked, err)
	}
	return err
}

// Charge implements checkout.Method.
func (a Adapter) Charge(ctx context.Context, r checkout.ChargeRequest) checkout.Reply {
	c, err := a.C.Charge(forShopper(ctx), ChargeRequest{
		ChargeID: r.ChargeID, AccessToken: r.AccessToken, Amount: r.Amount,
		CallbackURL: r.CallbackURL, NoteToCustomer: r.Note, Instrument: a.Instrument,
	})
	return ChargeReply(c, err)
}

// ChargeStatus implements checkout.Method.
func (a Adapter) ChargeStatus(ctx context.Context, chargeID string) checkout.Reply {
	c, err := a.C.ChargeStatus(forShopper(ctx), chargeID)
	return ChargeStatusReply(c, err)
}

// shopperReasons are the reason codes of a charge that failed at Amazon's
// page (2FA, top-up) because of the shopper rather than Amazon's decision.
var shopperReasons = map[string]bool{ReasonOTPValidationFailed: true, ReasonChargeTimedOut: true}

// ChargeReply reports a charge call's result (c, or err) in checkout's
// words; ChargeStatusReply a status read's.
func ChargeReply(c Charge, err error) checkout.Reply {
	if err != nil {
		return errorReply(err, "")
	}
	return chargeReply(c)
}

// ChargeStatusReply is ChargeReply for a status read, where Amazon's
// not-found wording without a code means InvalidChargeId.
func ChargeStatusReply(c Charge, err error) checkout.Reply {
	if err != nil {
		return errorReply(err, CodeInvalidChargeID)
	}
	return chargeReply(c)
}

func chargeReply(c Charge) checkout.Reply {
	return checkout.Reply{
		Verified: true, HTTPStatus: 200, State: chargeState(c.Status), Reason: c.ReasonCode, Message: c.ReasonMessage,
		ShopperFailed: shopperReasons[c.ReasonCode], ProviderRef: c.AmazonChargeID, ActionURL: c.AmazonPayURL,
	}
}

func chargeState(s Status) checkout.ReplyState {
	switch s {
	case StatusCaptureApproved:
		return checkout.StateApproved
	case StatusCapturePending, StatusAuthPending:
		return checkout.StatePending
	case StatusDeclined, StatusFailed:
		return checkout.StateDeclined
	}
	return checkout.StateNone
}

// Refund implements checkout.Method.
func (a Adapter) Refund(ctx context.Context, r checkout.RefundRequest) checkout.Reply {
	rf, err := a.C.Refund(forShopper(ctx), RefundRequest{RefundID: r.RefundID, ChargeID: r.ChargeID, Amount: r.Amount})
	return RefundReply(rf, err, "")
}

// RefundStatus implements checkout.Method.
func (a Adapter) RefundStatus(ctx context.Context, refundID string) checkout.Reply {
	rf, err := a.C.RefundStatus(forShopper(ctx), refundID)
	return RefundReply(rf, err, CodeInvalidRefundID)
}

// RefundReply reports a refund call's or status read's result (rf, or
// err) in checkout's words; notFoundCode names Amazon's not-found wording
// without a code (InvalidRefundId on a read, "" on a call).
func RefundReply(rf Refund, err error, notFoundCode string) checkout.Reply {
	if err != nil {
		return errorReply(err, notFoundCode)
	}
	return checkout.Reply{
		Verified: true, HTTPStatus: 200, State: refundState(rf.Status), Reason: rf.ReasonCode, Message: rf.ReasonMessage,
		ProviderRef: rf.AmazonRefundID,
	}
}

func refundState(s Status) checkout.ReplyState {
	switch s {
	case StatusApproved:
		return checkout.StateApproved
	case StatusPending:
		return checkout.StatePending
	case StatusDeclined, StatusFailed:
		return checkout.StateDeclined
	}
	return checkout.StateNone
}

// errorReply reports a failed call as it came: a verified error answer
// with its code, or no trustworthy answer at all (a transport error, a
// timeout, an unsigned or wrongly signed body). Amazon sometimes says "no
// such id" in words only; notFoundCode names it then.
func errorReply(err error, notFoundCode string) checkout.Reply {
	var ae *APIError
	if errors.As(err, &ae) {
		code := ae.Code
		if code == "" && notFoundMessage(ae.Message) {
			code = notFoundCode
		}
		return checkout.Reply{Verified: ae.Verified, HTTPStatus: ae.HTTPStatus, Code: code, Message: ae.Message, Detail: err.Error()}
	}
	return checkout.Reply{Detail: err.Error()}
}

// notFoundMessage reports how Amazon words an unknown id when the code is
// missing (Juspay matches the same texts).
func notFoundMessage(m string) bool {
	return m == "Specified charge id does not exist." || strings.HasPrefix(m, "No charge found for") ||
		m == "Specified refund id does not exist."
}
