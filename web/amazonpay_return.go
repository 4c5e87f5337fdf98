package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/errs"
)

// Callback paths Amazon sends the shopper to. They need no cookie: the
// state or the charge id finds the attempt, and they are exempt from CSRF
// because nothing the shopper submits is trusted (the outcome is read from
// Amazon's API).
const ConsentReturnPath = "/amazonpay/consent"

// PaymentPagePath is the hosted payment page of order id.
func PaymentPagePath(id string) string { return "/orders/" + id + "/payment-page" }

// ChargeReturnPath is the 2FA callback for charge id.
func ChargeReturnPath(chargeID string) string { return "/amazonpay/charges/" + chargeID + "/return" }

// consentReturn handles Amazon's redirect after the consent page.
func (s *Server) consentReturn(c echo.Context) error {
	withShopper(c)
	denied := c.QueryParam("error")
	next, err := s.svc.ConsentReturn(c.Request().Context(), c.QueryParam("state"), c.QueryParam("code"), denied)
	if errs.Is(err, errs.Invalid) {
		return echo.NewHTTPError(http.StatusBadRequest, "this Amazon Pay link is not valid")
	}
	if err != nil {
		return err
	}
	return s.goNext(c, next)
}

// chargeReturn handles the shopper's return from Amazon's 2FA page.
func (s *Server) chargeReturn(c echo.Context) error {
	id := c.Param("charge_id")
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return echo.ErrNotFound
	}
	withShopper(c)
	next, err := s.svc.ChargeReturn(c.Request().Context(), id)
	if errs.Is(err, errs.NotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.goNext(c, next)
}
