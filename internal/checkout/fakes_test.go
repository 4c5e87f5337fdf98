package checkout

import (
	"context"
	"reflect"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// fakeStore is a Store made of function fields; a test sets the ones its
// code path calls, and any other call panics, naming the method.
type fakeStore struct {
	OrderByIDFn       func(ctx context.Context, id string) (Order, error)
	MoveAttemptFn     func(ctx context.Context, id string, from, to AttemptStatus, u AttemptUpdate) (Attempt, Order, error)
	MarkChargeSentFn  func(ctx context.Context, id string, next time.Time) (Attempt, error)
	ClaimCheckFn      func(ctx context.Context, id string, lease time.Duration) (Attempt, bool, error)
	AttemptByStateFn  func(ctx context.Context, state string) (Attempt, error)
	AttemptByChargeFn func(ctx context.Context, chargeID string) (Attempt, error)
	AttemptByIDFn     func(ctx context.Context, id string) (Attempt, error)
	MoveRefundFn      func(ctx context.Context, id string, from, to RefundStatus, u RefundUpdate) (Refund, error)
	SaveLinkFn        func(ctx context.Context, l SealedLink) error
	DeleteLinkFn      func(ctx context.Context, merchantID, customerID string) error
	StartAttemptFn    func(ctx context.Context, a Attempt, now time.Time) (Attempt, Order, bool, error)
	PageRecordsFn     func(ctx context.Context, id string) (PageRecords, error)
	LatestAttemptFn   func(ctx context.Context, orderID string) (Attempt, error)
	RefundsFn         func(ctx context.Context, orderID string) ([]Refund, error)
	CreateRefundFn    func(ctx context.Context, orderID string, r Refund, hold time.Duration) (Refund, Attempt, error)
	MerchantByIDFn    func(ctx context.Context, id string) (Merchant, error)
	OrderByMerchantFn func(ctx context.Context, merchantID, orderID string) (Order, error)
	InsertOrderFn     func(ctx context.Context, o Order) (Order, bool, error)
	CreateMerchantFn  func(ctx context.Context, m Merchant) error
	UpsertMerchantFn  func(ctx context.Context, m Merchant) error
	RotateSecretFn    func(ctx context.Context, id, secret string, until time.Time) error
}

func (f *fakeStore) RotateWebhookSecret(ctx context.Context, id, secret string, until time.Time) error {
	return must(&f.RotateSecretFn, "RotateWebhookSecret")(ctx, id, secret, until)
}

func (f *fakeStore) CreateMerchant(ctx context.Context, m Merchant) error {
	return must(&f.CreateMerchantFn, "CreateMerchant")(ctx, m)
}
func (f *fakeStore) UpsertMerchant(ctx context.Context, m Merchant) error {
	return must(&f.UpsertMerchantFn, "UpsertMerchant")(ctx, m)
}
func (f *fakeStore) MerchantByID(ctx context.Context, id string) (Merchant, error) {
	return must(&f.MerchantByIDFn, "MerchantByID")(ctx, id)
}
func (f *fakeStore) InsertOrder(ctx context.Context, o Order) (Order, bool, error) {
	return must(&f.InsertOrderFn, "InsertOrder")(ctx, o)
}
func (f *fakeStore) OrderByMerchantOrderID(ctx context.Context, merchantID, orderID string) (Order, error) {
	return must(&f.OrderByMerchantFn, "OrderByMerchantOrderID")(ctx, merchantID, orderID)
}
func (f *fakeStore) OrderByID(ctx context.Context, id string) (Order, error) {
	return must(&f.OrderByIDFn, "OrderByID")(ctx, id)
}
func (f *fakeStore) PageRecords(ctx context.Context, id string) (PageRecords, error) {
	return must(&f.PageRecordsFn, "PageRecords")(ctx, id)
}
func (f *fakeStore) StartAttempt(ctx context.Context, a Attempt, now time.Time) (Attempt, Order, bool, error) {
	return must(&f.StartAttemptFn, "StartAttempt")(ctx, a, now)
}
func (f *fakeStore) MoveAttempt(ctx context.Context, id string, from, to AttemptStatus, u AttemptUpdate) (Attempt, Order, error) {
	return must(&f.MoveAttemptFn, "MoveAttempt")(ctx, id, from, to, u)
}
func (f *fakeStore) MarkChargeSent(ctx context.Context, id string, next time.Time) (Attempt, error) {
	return must(&f.MarkChargeSentFn, "MarkChargeSent")(ctx, id, next)
}
func (f *fakeStore) ClaimCheck(ctx context.Context, id string, lease time.Duration) (Attempt, bool, error) {
	return must(&f.ClaimCheckFn, "ClaimCheck")(ctx, id, lease)
}
func (f *fakeStore) AttemptByState(ctx context.Context, state string) (Attempt, error) {
	return must(&f.AttemptByStateFn, "AttemptByState")(ctx, state)
}
func (f *fakeStore) AttemptByChargeID(ctx context.Context, chargeID string) (Attempt, error) {
	return must(&f.AttemptByChargeFn, "AttemptByChargeID")(ctx, chargeID)
}
func (f *fakeStore) LatestAttempt(ctx context.Context, orderID string) (Attempt, error) {
	return must(&f.LatestAttemptFn, "LatestAttempt")(ctx, orderID)
}
func (f *fakeStore) CreateRefund(ctx context.Context, orderID string, r Refund, hold time.Duration) (Refund, Attempt, error) {
	return must(&f.CreateRefundFn, "CreateRefund")(ctx, orderID, r, hold)
}
func (f *fakeStore) MoveRefund(ctx context.Context, id string, from, to RefundStatus, u RefundUpdate) (Refund, error) {
	return must(&f.MoveRefundFn, "MoveRefund")(ctx, id, from, to, u)
}
func (f *fakeStore) Refunds(ctx context.Context, orderID string) ([]Refund, error) {
	return must(&f.RefundsFn, "Refunds")(ctx, orderID)
}
func (f *fakeStore) AttemptByID(ctx context.Context, id string) (Attempt, error) {
	return must(&f.AttemptByIDFn, "AttemptByID")(ctx, id)
}
func (f *fakeStore) SaveLink(ctx context.Context, l SealedLink) error {
	return must(&f.SaveLinkFn, "SaveLink")(ctx, l)
}
func (f *fakeStore) DeleteLink(ctx context.Context, merchantID, customerID string) error {
	return must(&f.DeleteLinkFn, "DeleteLink")(ctx, merchantID, customerID)
}

// must returns fn, or panics naming a method the test did not expect.
func must[F any](fn *F, name string) F {
	if reflect.ValueOf(*fn).IsNil() {
		panic("fake: unexpected call to " + name)
	}
	return *fn
}

// fakeGateway is a Gateway made of function fields.
type fakeGateway struct {
	ConsentURLFn   func(state, redirectURI, loginHint string) string
	ExchangeCodeFn func(ctx context.Context, code, redirectURI string) (Token, error)
	RefreshFn      func(ctx context.Context, refreshToken string) (Token, error)
	PayLaterFn     func(ctx context.Context, accessToken string, amount money.Paise) (PayLater, error)
	EligibleFn     func(ctx context.Context, phone string, amount money.Paise) (bool, error)
	ChargeFn       func(ctx context.Context, r ChargeRequest) Reply
	ChargeStatusFn func(ctx context.Context, chargeID string) Reply
	RefundFn       func(ctx context.Context, r RefundRequest) Reply
	RefundStatusFn func(ctx context.Context, refundID string) Reply
}

func (g *fakeGateway) ConsentURL(state, redirectURI, loginHint string) string {
	return must(&g.ConsentURLFn, "ConsentURL")(state, redirectURI, loginHint)
}
func (g *fakeGateway) ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error) {
	return must(&g.ExchangeCodeFn, "ExchangeCode")(ctx, code, redirectURI)
}
func (g *fakeGateway) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	return must(&g.RefreshFn, "Refresh")(ctx, refreshToken)
}
func (g *fakeGateway) PayLater(ctx context.Context, accessToken string, amount money.Paise) (PayLater, error) {
	return must(&g.PayLaterFn, "PayLater")(ctx, accessToken, amount)
}
func (g *fakeGateway) Eligible(ctx context.Context, phone string, amount money.Paise) (bool, error) {
	return must(&g.EligibleFn, "Eligible")(ctx, phone, amount)
}
func (g *fakeGateway) Charge(ctx context.Context, r ChargeRequest) Reply {
	return must(&g.ChargeFn, "Charge")(ctx, r)
}
func (g *fakeGateway) ChargeStatus(ctx context.Context, chargeID string) Reply {
	return must(&g.ChargeStatusFn, "ChargeStatus")(ctx, chargeID)
}
func (g *fakeGateway) Refund(ctx context.Context, r RefundRequest) Reply {
	return must(&g.RefundFn, "Refund")(ctx, r)
}
func (g *fakeGateway) RefundStatus(ctx context.Context, refundID string) Reply {
	return must(&g.RefundStatusFn, "RefundStatus")(ctx, refundID)
}

// fakeSealer seals by prefixing, which is all the service needs.
type fakeSealer struct{}

func (fakeSealer) Seal(p, _ string) ([]byte, error)        { return []byte("sealed:" + p), nil }
func (fakeSealer) Open(b []byte, _ string) (string, error) { return string(b[len("sealed:"):]), nil }
