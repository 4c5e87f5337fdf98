package web

import (
	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

const ctxMerchant = "merchant"

// merchantAuth checks HTTP Basic (API key as user, empty password) and the
// x-merchantid header, which must name the key's merchant.
func (s *Server) merchantAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, _, ok := c.Request().BasicAuth()
		if !ok {
			return errs.E(errs.Unauthorized, "access_denied", "missing HTTP Basic authorization with the API key as user name")
		}
		mid := c.Request().Header.Get("x-merchantid")
		if mid == "" {
			return errs.E(errs.Unauthorized, "access_denied", "missing x-merchantid header")
		}
		m, err := s.svc.Authenticate(c.Request().Context(), mid, key)
		if err != nil {
			return err
		}
		c.Set(ctxMerchant, m)
		return next(c)
	}
}

func merchantFrom(c echo.Context) checkout.Merchant {
	m, _ := c.Get(ctxMerchant).(checkout.Merchant)
	return m
}
