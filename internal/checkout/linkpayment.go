package checkout

import "github.com/paypage/paypage/internal/money"

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

// linkURL is method m's consent URL for attempt a, naming the payment to
// merchant mer when m can show it.
func (s *Service) linkURL(m Method, a Attempt, phone string, mer Merchant) string {
	pl, ok := m.(PaymentLinker)
	if !ok {
		return m.LinkURL(a.State, s.opts.ConsentRedirectURL, phone)
	}
	return pl.LinkURLFor(a.State, s.opts.ConsentRedirectURL, phone, LinkPayment{MerchantName: mer.Name, Amount: a.Amount})
}
