// Package paylater is Amazon Pay Later (consumer credit from Amazon's
// lending partner) as a checkout.Method, over the shared Amazon Pay wire
// client: listed for a linked customer by Get Instruments with the amount,
// and for one not yet linked by pre-link eligibility on their phone, paid by
// a direct-debit charge that Amazon may send through its 2FA page. What
// Amazon's error codes mean for it is its OutcomeTable.
package paylater

import (
	"context"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/checkout"
)

// Name and Type are Amazon Pay Later's Juspay names.
const (
	Name = "AMAZONPAYLATER"
	Type = "CONSUMER_FINANCE"
)

// Method is Amazon Pay Later.
type Method struct{ amazonpay.Adapter }

// New returns Amazon Pay Later over client c.
func New(c *amazonpay.Client) Method {
	return Method{amazonpay.Adapter{C: c, Instrument: amazonpay.InstrumentPayLater}}
}

var _ checkout.Method = Method{}

// Kind implements checkout.Method.
func (Method) Kind() checkout.MethodKind {
	return checkout.MethodKind{Name: Name, Type: Type, Provider: amazonpay.Provider, Title: "Amazon Pay Later"}
}

// Offer implements checkout.Method: a linked customer gets Get Instruments
// for the amount (payable when Amazon says enabled, with the available
// credit and the Key Fact Statement; otherwise Amazon's reason); one not
// linked is listed only if pre-link eligibility by phone says yes.
func (m Method) Offer(ctx context.Context, r checkout.OfferRequest) (checkout.Offer, error) {
	amount := r.Order.Amount
	if r.Token != "" {
		in, err := m.C.Instruments(ctx, r.Token, amount)
		if err != nil {
			return checkout.Offer{}, amazonpay.LinkErr(err)
		}
		o := checkout.Offer{Listed: true, Payable: in.Enabled, Linked: true, Note: in.IneligibilityReason}
		if in.Enabled || in.AvailableCredit > 0 {
			// No credit line (not registered, say) has no figure to show.
			o.Figure, o.FigureKind = in.AvailableCredit, checkout.FigureCredit
		}
		if in.Enabled {
			o.Action = "Pay " + amount.Indian()
			o.Consent = "By paying you agree to pay " + amount.Indian() +
				" with Amazon Pay Later, offered by Amazon's lending partner, on the terms of the"
			o.TermsURL, o.TermsLabel = in.KeyFactStatementURL, "Key Fact Statement"
			if o.TermsURL == "" {
				o.Consent += " Key Fact Statement that Amazon shows before you confirm."
			}
		}
		return o, nil
	}
	if r.Phone == "" {
		return checkout.Offer{}, nil
	}
	e, err := m.C.Eligibility(ctx, r.Phone, amount)
	if err != nil {
		return checkout.Offer{}, err
	}
	if !e.Eligible {
		return checkout.Offer{}, nil
	}
	return checkout.Offer{Listed: true, Payable: true, Action: "Link Amazon Pay Later and pay " + amount.Indian(),
		// Before linking, the shopper learns what Pay Later is: credit, from
		// whom, repaid to whom, and where its terms are. Pre-link
		// eligibility carries no Key Fact Statement, so the sentence says
		// where Amazon shows it.
		Consent: "Amazon Pay Later is credit from Amazon's lending partner, repaid to Amazon," +
			" on the terms of the Key Fact Statement that Amazon shows before you confirm." +
			" You'll link your account on Amazon, then pay " + amount.Indian() + ". Next time you pay in one tap."}, nil
}

// Outcomes implements checkout.Method: Amazon's codes mean the same for
// both instruments (amazonpay.Outcomes).
func (Method) Outcomes() checkout.OutcomeTable { return amazonpay.Outcomes }
