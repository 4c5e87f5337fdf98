package checkout

import (
	"context"
	"errors"
	"time"
)

// errNotLinked means the customer has no usable Amazon link.
var errNotLinked = errors.New("checkout: customer not linked")

// accessTokenMargin keeps a cached access token from expiring mid-call.
const accessTokenMargin = time.Minute

func linkContext(merchantID, customerID string) string { return merchantID + "/" + customerID }

// linkToken returns a usable access token for the customer's link l (nil:
// not linked): the cached one while it is fresh, otherwise a refreshed one
// that is cached in turn. A revoked link is deleted and reported as
// errNotLinked, so that the customer is asked for consent again.
func (s *Service) linkToken(ctx context.Context, l *SealedLink) (string, error) {
	if l == nil {
		return "", errNotLinked
	}
	merchantID, customerID := l.MerchantID, l.CustomerID
	lc := linkContext(merchantID, customerID)
	if len(l.AccessToken) > 0 && s.now().Add(accessTokenMargin).Before(l.AccessExpiry) {
		if tok, err := s.opts.Sealer.Open(l.AccessToken, lc); err == nil {
			return tok, nil
		}
	}
	refresh, err := s.opts.Sealer.Open(l.RefreshToken, lc)
	if err != nil {
		// Sealed under another key: the link is unusable, link again.
		s.log.WarnContext(ctx, "amazon link cannot be opened; asking for consent again", "merchant_id", merchantID)
		_ = s.store.DeleteLink(ctx, merchantID, customerID)
		return "", errNotLinked
	}
	tok, err := s.opts.Gateway.Refresh(ctx, refresh)
	if errors.Is(err, ErrLinkRevoked) {
		s.forgetLink(ctx, merchantID, customerID)
		return "", errNotLinked
	}
	if err != nil {
		return "", err
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refresh
	}
	if err := s.saveLink(ctx, merchantID, customerID, tok); err != nil {
		s.log.WarnContext(ctx, "caching amazon access token failed", "error", err)
	}
	return tok.AccessToken, nil
}

// forgetLink drops a link Amazon no longer honours, so that the customer
// is asked for consent again.
func (s *Service) forgetLink(ctx context.Context, merchantID, customerID string) {
	s.log.InfoContext(ctx, "amazon link revoked; asking for consent again", "merchant_id", merchantID)
	if err := s.store.DeleteLink(ctx, merchantID, customerID); err != nil {
		s.log.WarnContext(ctx, "forgetting a revoked amazon link failed", "error", err)
	}
}

// saveLink seals and stores a token pair for the customer.
func (s *Service) saveLink(ctx context.Context, merchantID, customerID string, tok Token) error {
	lc := linkContext(merchantID, customerID)
	rt, err := s.opts.Sealer.Seal(tok.RefreshToken, lc)
	if err != nil {
		return err
	}
	at, err := s.opts.Sealer.Seal(tok.AccessToken, lc)
	if err != nil {
		return err
	}
	return s.store.SaveLink(ctx, SealedLink{MerchantID: merchantID, CustomerID: customerID,
		RefreshToken: rt, AccessToken: at, AccessExpiry: tok.Expiry})
}
