// Package balance is Amazon Pay Balance (the customer's Amazon Pay wallet)
// as a checkout.Method, over the shared Amazon Pay wire client with the
// balance seller's own credentials: listed for a linked customer with the
// redeemable balance from Get Instruments, and to one not yet linked as
// "link and pay"; paid by a direct-debit charge, which Amazon sends through
// its top-up page (CapturePending with amazonPayUrl) when the balance is
// short. Refunds go back to the balance.
package balance

import (
	"context"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/checkout"
)

// Name and Type are Amazon Pay Balance's Juspay names.
const (
	Name = "AMAZONPAY"
	Type = "WALLET"
)

// Method is Amazon Pay Balance.
type Method struct{ amazonpay.Adapter }

// New returns Amazon Pay Balance over client c, which must carry the
// balance seller's credentials.
func New(c *amazonpay.Client) Method {
	return Method{amazonpay.Adapter{C: c, Instrument: amazonpay.InstrumentBalance}}
}

var _ checkout.Method = Method{}

// Kind implements checkout.Method.
func (Method) Kind() checkout.MethodKind {
	return checkout.MethodKind{Name: Name, Type: Type, Provider: amazonpay.Provider, Title: "Amazon Pay Balance"}
}

// Outcomes implements checkout.Method.
func (Method) Outcomes() checkout.OutcomeTable { return amazonpay.Outcomes }

// Offer implements checkout.Method. A linked customer sees the redeemable
// balance; a balance short of the amount is still payable, since Amazon's
// top-up page collects the rest. A customer not linked yet links once, for
// both Amazon methods where Amazon allows it.
func (m Method) Offer(ctx context.Context, r checkout.OfferRequest) (checkout.Offer, error) {
	amount := r.Order.Amount
	if r.Token == "" {
		return checkout.Offer{Listed: true, Payable: true, Action: "Link Amazon Pay and pay " + amount.Indian(),
			Consent: "You'll link your Amazon Pay account on Amazon, then pay " + amount.Indian() +
				" from your Amazon Pay balance. Next time you pay in one tap."}, nil
	}
	b, err := m.C.Balance(ctx, r.Token, amount)
	if err != nil {
		return checkout.Offer{}, amazonpay.LinkErr(err)
	}
	o := checkout.Offer{Listed: true, Payable: b.Enabled, Linked: true, Figure: b.Redeemable, FigureKind: checkout.FigureBalance}
	switch {
	case !b.Enabled:
		o.Note = "Your Amazon Pay balance cannot be used for payments yet. Complete your KYC in the Amazon app."
	case b.Redeemable < amount:
		o.Note = "Your balance is " + (amount - b.Redeemable).Indian() + " short: Amazon will ask you to add the rest when you pay."
	}
	if b.Enabled {
		o.Action = "Pay " + amount.Indian()
		o.Consent = "By paying you agree to pay " + amount.Indian() + " from your Amazon Pay balance."
	}
	return o, nil
}
