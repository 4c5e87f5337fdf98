package checkout

import (
	"context"

	"github.com/paypage/paypage/internal/money"
)

// LinkPayment is the payment a consent is asked for, as a provider's
// consent page may show it to the customer: the merchant's name and the
// amount about to be charged. Nothing in it is secret.
type LinkPayment struct {
	MerchantName string
	Amount       money.Paise
}

// PaymentLinker is a Method whose consent page can show the payment it is
// asked for; LinkURLFor is LinkURL with that payment.
type PaymentLinker interface {
	LinkURLFor(state, redirectURI, loginHint string, p LinkPayment) string
}

// linkURL is method m's consent URL for attempt a of order o, naming the
// payment when m can show it.
func (s *Service) linkURL(ctx context.Context, m Method, a Attempt, o Order, phone string) string {
	pl, ok := m.(PaymentLinker)
	if !ok {
		return m.LinkURL(a.State, s.opts.ConsentRedirectURL, phone)
	}
	p := LinkPayment{Amount: a.Amount}
	if mer, err := s.merchant(ctx, o.MerchantID); err == nil {
		p.MerchantName = mer.Name
	}
	return pl.LinkURLFor(a.State, s.opts.ConsentRedirectURL, phone, p)
}
