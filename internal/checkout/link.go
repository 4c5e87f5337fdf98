package checkout

import (
	"context"
	"errors"
	"slices"
	"time"
)

// errNotLinked means the customer has no usable link for a method.
var errNotLinked = errors.New("checkout: customer not linked")

// accessTokenMargin keeps a cached access token from expiring mid-call.
const accessTokenMargin = time.Minute

func linkContext(merchantID, customerID string) string { return merchantID + "/" + customerID }

// linkFor picks, of a customer's links, the one method k uses: its own
// link if it has one, else the link its provider's methods share, unless
// that one was refused for k (then k must link again, for itself only).
func linkFor(links []SealedLink, k MethodKind) *SealedLink {
	var shared *SealedLink
	for i := range links {
		l := &links[i]
		switch {
		case l.Provider != k.Provider:
		case l.Method == k.Name:
			return l
		case l.Method == "" && !slices.Contains(l.RefusedFor, k.Name):
			shared = l
		}
	}
	return shared
}

// linkToken returns a usable access token for method m from the customer's
// link l (nil: not linked): the cached one while it is fresh, otherwise a
// refreshed one that is cached in turn. A link the provider revoked is
// deleted and reported as errNotLinked, so that the customer is asked for
// consent again.
func (s *Service) linkToken(ctx context.Context, m Method, l *SealedLink) (string, error) {
	tok, _, err := s.linkTokenWithin(ctx, m, l, accessTokenMargin)
	return tok, err
}

// linkTokenWithin is linkToken renewing a token that expires within
// margin. It also returns the link as stored afterwards (renewing a token
// stores the link again), for LinkKeyOf.
func (s *Service) linkTokenWithin(ctx context.Context, m Method, l *SealedLink, margin time.Duration) (string, *SealedLink, error) {
	if l == nil {
		return "", nil, errNotLinked
	}
	lc := linkContext(l.MerchantID, l.CustomerID)
	if len(l.AccessToken) > 0 && s.now().Add(margin).Before(l.AccessExpiry) {
		if tok, err := s.opts.Sealer.Open(l.AccessToken, lc); err == nil {
			return tok, l, nil
		}
	}
	refresh, err := s.opts.Sealer.Open(l.RefreshToken, lc)
	if err != nil {
		// Sealed under another key: the link is unusable, link again.
		s.log.WarnContext(ctx, "link cannot be opened; asking for consent again", "merchant_id", l.MerchantID, "provider", l.Provider)
		_ = s.store.DeleteLink(ctx, *l)
		return "", nil, errNotLinked
	}
	tok, err := m.Refresh(ctx, refresh)
	if errors.Is(err, ErrLinkRevoked) {
		s.log.InfoContext(ctx, "link revoked; asking for consent again", "merchant_id", l.MerchantID, "provider", l.Provider)
		if err := s.store.DeleteLink(ctx, *l); err != nil {
			s.log.WarnContext(ctx, "forgetting a revoked link failed", "error", err)
		}
		return "", nil, errNotLinked
	}
	if err != nil {
		return "", nil, err
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refresh
	}
	stored, err := s.storeLink(ctx, *l, tok)
	if err != nil {
		s.log.WarnContext(ctx, "caching an access token failed", "error", err)
		stored = *l
	}
	return tok.AccessToken, &stored, nil
}

// refuseLink records that method k's provider refused link l's token for
// k: a link of k's own is forgotten; the shared link is kept for the
// provider's other methods, and forgotten once every one refused it. The
// customer then links again for k.
func (s *Service) refuseLink(ctx context.Context, l SealedLink, k MethodKind) {
	s.log.InfoContext(ctx, "link refused for a method; asking for consent again", "merchant_id", l.MerchantID,
		"provider", l.Provider, "method", k.Name)
	var err error
	refused := append(slices.Clone(l.RefusedFor), k.Name)
	if l.Method != "" || s.allRefuse(k.Provider, refused) {
		err = s.store.DeleteLink(ctx, l)
	} else {
		err = s.store.RefuseLink(ctx, l, k.Name)
	}
	if err != nil {
		s.log.WarnContext(ctx, "recording a refused link failed", "error", err)
	}
}

// allRefuse reports whether every configured method of provider is in
// refused.
func (s *Service) allRefuse(provider string, refused []string) bool {
	for _, m := range s.opts.Methods {
		if k := m.Kind(); k.Provider == provider && !slices.Contains(refused, k.Name) {
			return false
		}
	}
	return true
}

// saveLink stores the tokens of a fresh consent for method k: as the link
// its provider's methods share, unless the customer already has a shared
// link that k refused, in which case the new one is k's own.
func (s *Service) saveLink(ctx context.Context, o Order, k MethodKind, tok Token) error {
	links, err := s.store.Links(ctx, o.MerchantID, o.CustomerID)
	if err != nil {
		return err
	}
	l := SealedLink{MerchantID: o.MerchantID, CustomerID: o.CustomerID, Provider: k.Provider}
	for _, old := range links {
		if old.Provider == k.Provider && old.Method == "" && slices.Contains(old.RefusedFor, k.Name) {
			l.Method = k.Name
		}
	}
	_, err = s.storeLink(ctx, l, tok)
	return err
}

// storeLink seals tok and stores it as link l, and returns the link as
// stored.
func (s *Service) storeLink(ctx context.Context, l SealedLink, tok Token) (SealedLink, error) {
	lc := linkContext(l.MerchantID, l.CustomerID)
	rt, err := s.opts.Sealer.Seal(tok.RefreshToken, lc)
	if err != nil {
		return SealedLink{}, err
	}
	at, err := s.opts.Sealer.Seal(tok.AccessToken, lc)
	if err != nil {
		return SealedLink{}, err
	}
	l.RefreshToken, l.AccessToken, l.AccessExpiry = rt, at, tok.Expiry
	return l, s.store.SaveLink(ctx, l)
}
