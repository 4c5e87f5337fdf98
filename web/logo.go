package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/templates/layout"
)

// logoFile is the last segment of a logo URL: its fingerprint and type.
func logoFile(l *brand.Logo) string { return "logo-" + l.SHA256 + "." + l.Ext() }

// serveLogo handles GET /brand/{merchant_id}/logo-{sha256}.{ext}. The URL
// names the bytes, so they are cached for good; a changed logo has a new
// URL, and an old or wrong one is a 404.
func (s *Server) serveLogo(c echo.Context) error {
	sha, ext, ok := strings.Cut(strings.TrimPrefix(c.Param("file"), "logo-"), ".")
	if !ok || len(sha) != 64 {
		return echo.ErrNotFound
	}
	l, err := s.svc.MerchantLogo(c.Request().Context(), c.Param("merchant_id"), sha)
	if errs.Is(err, errs.NotFound) || err == nil && (l.Ext() != ext || c.Param("file") != logoFile(&l)) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Length", strconv.Itoa(len(l.Data)))
	return c.Blob(http.StatusOK, l.ContentType, l.Data)
}

// brandVM is how merchant id's pages show its brand; a merchant that
// cannot be read now is shown unbranded rather than failing the page.
func (s *Server) brandVM(c echo.Context, merchantID string) layout.Brand {
	name, b, err := s.svc.MerchantBrand(c.Request().Context(), merchantID)
	if err != nil {
		s.log.WarnContext(c.Request().Context(), "merchant brand not read", "merchant_id", merchantID, "error", err)
		return layout.Brand{}
	}
	return brandOf(s, merchantID, name, b)
}

func brandOf(s *Server, merchantID, name string, b checkout.Brand) layout.Brand {
	vm := layout.Brand{Name: name, Color: b.Color, SupportEmail: b.SupportEmail, SupportPhone: b.SupportPhone}
	if b.SupportEmail != "" {
		vm.SupportEmailURL = "mailto:" + b.SupportEmail
	}
	if b.SupportPhone != "" {
		vm.SupportPhoneURL = brand.TelURI(b.SupportPhone)
	}
	if b.Logo != nil {
		vm.LogoURL = s.url(routeBrandLogo, merchantID, logoFile(b.Logo))
		vm.LogoWidth, vm.LogoHeight = logoBox(b.Logo.Width, b.Logo.Height)
	}
	return vm
}

// logoBox scales a logo to be shown at most 160x48 CSS pixels, keeping its
// shape, so the img's width and height attributes reserve its space.
func logoBox(w, h int) (int, int) {
	const maxW, maxH = 160, 48
	sw, sh := w, h
	if sh > maxH {
		sw, sh = sw*maxH/sh, maxH
	}
	if sw > maxW {
		sw, sh = maxW, sh*maxW/sw
	}
	return max(sw, 1), max(sh, 1)
}
