package checkout

import (
	"context"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/errs"
)

// MerchantBrand returns how merchant id's pages look: its display name and
// Brand, from the merchant cache, so a change shows within its window.
func (s *Service) MerchantBrand(ctx context.Context, id string) (name string, b Brand, err error) {
	m, err := s.merchant(ctx, id)
	if err != nil {
		return "", Brand{}, err
	}
	return m.Name, m.Brand, nil
}

// MerchantLogo returns merchant id's logo with its bytes if its fingerprint
// is sha256; any other fingerprint, or a merchant without a logo, is
// NotFound, so that a logo URL never serves other bytes than it names.
func (s *Service) MerchantLogo(ctx context.Context, id, sha256 string) (brand.Logo, error) {
	notFound := errs.E(errs.NotFound, "logo_not_found", "no such logo")
	m, err := s.merchant(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return brand.Logo{}, notFound
	}
	if err != nil {
		return brand.Logo{}, err
	}
	if m.Brand.Logo == nil || m.Brand.Logo.SHA256 != sha256 {
		return brand.Logo{}, notFound
	}
	l, err := s.store.MerchantLogo(ctx, id)
	if errs.Is(err, errs.NotFound) || err == nil && l.SHA256 != sha256 {
		// Replaced or removed since the merchant was cached.
		return brand.Logo{}, notFound
	}
	return l, err
}
