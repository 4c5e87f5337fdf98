package checkout

import (
	"context"
	"reflect"
	"time"

	"github.com/paypage/paypage/internal/brand"
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
	LinksFn           func(ctx context.Context, merchantID, customerID string) ([]SealedLink, error)
	SaveLinkFn        func(ctx context.Context, l SealedLink) error
	DeleteLinkFn      func(ctx context.Context, l SealedLink) error
	RefuseLinkFn      func(ctx context.Context, l SealedLink, method string) error
	StartAttemptFn    func(ctx context.Context, a Attempt, now time.Time) (Attempt, Order, bool, error)
	PageRecordsFn     func(ctx context.Context, id string) (PageRecords, error)
	LatestAttemptFn   func(ctx context.Context, orderID string) (Attempt, error)
	RefundsFn         func(ctx context.Context, orderID string) ([]Refund, error)
	CreateRefundFn    func(ctx context.Context, orderID string, r Refund, hold time.Duration) (Refund, Attempt, error)
	MerchantByIDFn    func(ctx context.Context, id string) (Merchant, error)
	OrderByMerchantFn func(ctx context.Context, merchantID, orderID string) (Order, error)
	InsertOrderFn     func(ctx context.Context, o Order) (Order, bool, error)
	CreateMerchantFn  func(ctx context.Context, m Merchant, c MerchantChange) error
	UpsertMerchantFn  func(ctx context.Context, m Merchant) error
	RotateSecretFn    func(ctx context.Context, id, secret string, until time.Time, c MerchantChange) error
	MerchantsFn       func(ctx context.Context) ([]Merchant, error)
	UpdateMerchantFn  func(ctx context.Context, id string, apply func(Merchant) (Merchant, MerchantChange, error)) (Merchant, error)
	RotateAPIKeyFn    func(ctx context.Context, id string, hash []byte, until time.Time, c MerchantChange) error
	RotateRespKeyFn   func(ctx context.Context, id, key string, c MerchantChange) error
	SaveOfferFn       func(ctx context.Context, c CachedOffer) error
	MerchantLogoFn    func(ctx context.Context, id string) (brand.Logo, error)
}

func (f *fakeStore) SaveOffer(ctx context.Context, c CachedOffer) error {
	return must(&f.SaveOfferFn, "SaveOffer")(ctx, c)
}

func (f *fakeStore) MerchantLogo(ctx context.Context, id string) (brand.Logo, error) {
	return must(&f.MerchantLogoFn, "MerchantLogo")(ctx, id)
}

func (f *fakeStore) RotateWebhookSecret(ctx context.Context, id, secret string, until time.Time, c MerchantChange) error {
	return must(&f.RotateSecretFn, "RotateWebhookSecret")(ctx, id, secret, until, c)
}
func (f *fakeStore) Merchants(ctx context.Context) ([]Merchant, error) {
	return must(&f.MerchantsFn, "Merchants")(ctx)
}
func (f *fakeStore) UpdateMerchant(ctx context.Context, id string, apply func(Merchant) (Merchant, MerchantChange, error)) (Merchant, error) {
	return must(&f.UpdateMerchantFn, "UpdateMerchant")(ctx, id, apply)
}
func (f *fakeStore) RotateAPIKey(ctx context.Context, id string, hash []byte, until time.Time, c MerchantChange) error {
	return must(&f.RotateAPIKeyFn, "RotateAPIKey")(ctx, id, hash, until, c)
}
func (f *fakeStore) RotateResponseKey(ctx context.Context, id, key string, c MerchantChange) error {
	return must(&f.RotateRespKeyFn, "RotateResponseKey")(ctx, id, key, c)
}

func (f *fakeStore) CreateMerchant(ctx context.Context, m Merchant, c MerchantChange) error {
	return must(&f.CreateMerchantFn, "CreateMerchant")(ctx, m, c)
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
func (f *fakeStore) DeleteLink(ctx context.Context, l SealedLink) error {
	return must(&f.DeleteLinkFn, "DeleteLink")(ctx, l)
}
func (f *fakeStore) RefuseLink(ctx context.Context, l SealedLink, method string) error {
	return must(&f.RefuseLinkFn, "RefuseLink")(ctx, l, method)
}
func (f *fakeStore) Links(ctx context.Context, merchantID, customerID string) ([]SealedLink, error) {
	return must(&f.LinksFn, "Links")(ctx, merchantID, customerID)
}

// must returns fn, or panics naming a method the test did not expect.
func must[F any](fn *F, name string) F {
	if reflect.ValueOf(*fn).IsNil() {
		panic("fake: unexpected call to " + name)
	}
	return *fn
}

// testKind is the fake method's kind.
var testKind = MethodKind{Name: "TESTPAY", Type: "WALLET", Provider: "TESTGATE", Title: "Test Pay"}

// Error codes of the fake provider, with what testTable makes of them.
const (
	codeBadInput  = "BAD_INPUT"   // refused before a decision
	codeNoFunds   = "NO_FUNDS"    // declined on a charge
	codeUnknownID = "UNKNOWN_ID"  // no such charge (on a read), a refused refund
	codeNoRefund  = "NO_REFUND"   // no such refund (on a read)
	codeTooMuch   = "TOO_MUCH"    // a refused refund
	codeBadToken  = "BAD_TOKEN"   // the link no longer works for this method
	codeSkew      = "CLOCK_SKEW"  // the provider did not process the request
	codeThrottled = "TOO_MANY"    // a rate limit, whatever the status
	codeBroken    = "SERVER_FAIL" // the provider's own failure
)

// testTable decides the fake provider's codes like a real method's table.
var testTable = OutcomeTable{
	Codes: map[string][4]Outcome{
		codeBadInput:  {OutcomeRejected, OutcomeUnknown, OutcomeRejected, OutcomeUnknown},
		codeNoFunds:   {OutcomeDeclined, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
		codeUnknownID: {OutcomeRejected, OutcomeNotFound, OutcomeDeclined, OutcomeUnknown},
		codeNoRefund:  {OutcomeUnknown, OutcomeUnknown, OutcomeRejected, OutcomeNotFound},
		codeTooMuch:   {OutcomeUnknown, OutcomeUnknown, OutcomeDeclined, OutcomeUnknown},
		codeBadToken:  {OutcomeRejected, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
		codeSkew:      {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
		codeBroken:    {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	},
	Relink: map[string]bool{codeBadToken: true},
}

// fakeMethod is a Method made of function fields, of kind testKind (or
// KindValue) and table testTable.
type fakeMethod struct {
	KindValue      MethodKind
	LinkURLFn      func(state, redirectURI, loginHint string) string
	ExchangeCodeFn func(ctx context.Context, code, redirectURI string) (Token, error)
	RefreshFn      func(ctx context.Context, refreshToken string) (Token, error)
	OfferFn        func(ctx context.Context, r OfferRequest) (Offer, error)
	ChargeFn       func(ctx context.Context, r ChargeRequest) Reply
	ChargeStatusFn func(ctx context.Context, chargeID string) Reply
	RefundFn       func(ctx context.Context, r RefundRequest) Reply
	RefundStatusFn func(ctx context.Context, refundID string) Reply
}

func (m *fakeMethod) Kind() MethodKind {
	if m.KindValue.Name != "" {
		return m.KindValue
	}
	return testKind
}
func (m *fakeMethod) Outcomes() OutcomeTable { return testTable }
func (m *fakeMethod) LinkURL(state, redirectURI, loginHint string) string {
	return must(&m.LinkURLFn, "LinkURL")(state, redirectURI, loginHint)
}
func (m *fakeMethod) ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error) {
	return must(&m.ExchangeCodeFn, "ExchangeCode")(ctx, code, redirectURI)
}
func (m *fakeMethod) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	return must(&m.RefreshFn, "Refresh")(ctx, refreshToken)
}
func (m *fakeMethod) Offer(ctx context.Context, r OfferRequest) (Offer, error) {
	return must(&m.OfferFn, "Offer")(ctx, r)
}
func (m *fakeMethod) Charge(ctx context.Context, r ChargeRequest) Reply {
	return must(&m.ChargeFn, "Charge")(ctx, r)
}
func (m *fakeMethod) ChargeStatus(ctx context.Context, chargeID string) Reply {
	return must(&m.ChargeStatusFn, "ChargeStatus")(ctx, chargeID)
}
func (m *fakeMethod) Refund(ctx context.Context, r RefundRequest) Reply {
	return must(&m.RefundFn, "Refund")(ctx, r)
}
func (m *fakeMethod) RefundStatus(ctx context.Context, refundID string) Reply {
	return must(&m.RefundStatusFn, "RefundStatus")(ctx, refundID)
}

// methods is Options.Methods with the fakes given.
func methods(ms ...*fakeMethod) []Method {
	out := make([]Method, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// fakeSealer seals by prefixing, which is all the service needs.
type fakeSealer struct{}

func (fakeSealer) Seal(p, _ string) ([]byte, error)        { return []byte("sealed:" + p), nil }
func (fakeSealer) Open(b []byte, _ string) (string, error) { return string(b[len("sealed:"):]), nil }

// fakeTimeline is a Timeline made of function fields.
type fakeTimeline struct {
	RecordFn        func(ctx context.Context, e TimelineEntry) error
	OrderTimelineFn func(ctx context.Context, orderID string) ([]TimelineEntry, error)
}

func (f *fakeTimeline) RecordTimeline(ctx context.Context, e TimelineEntry) error {
	return must(&f.RecordFn, "RecordTimeline")(ctx, e)
}
func (f *fakeTimeline) OrderTimeline(ctx context.Context, orderID string) ([]TimelineEntry, error) {
	return must(&f.OrderTimelineFn, "OrderTimeline")(ctx, orderID)
}
