package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/templates/redirect"
)

// returnToMerchant handles GET /orders/{id}/return: the signed way back to
// the merchant with the order's current status, as a 303 or, for merchants
// that asked for POST, an auto-submitting form.
func (s *Server) returnToMerchant(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.svc.ReturnToMerchant(ctx, c.Param("id"))
	if errs.Is(err, errs.NotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	s.renewSessionID(c)
	if r.Method != checkout.ReturnPOST {
		// The signed URL is this order's alone and changes with its status.
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Redirect(http.StatusSeeOther, r.URL)
	}
	ctx = s.useLanguage(c, r.Language)
	vm := redirect.PageVM{Head: s.head(i18n.T(ctx, "redirect.heading", i18n.Args{"Merchant": r.MerchantName})),
		Action: r.URL, MerchantName: r.MerchantName}
	for _, p := range r.Params {
		vm.Fields = append(vm.Fields, redirect.Field{Name: p.Key, Value: p.Value})
	}
	return s.render(c, http.StatusOK, redirect.Page(vm))
}
