package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/templates/errorpage"
)

// submitPay handles POST /orders/{id}/pay (CSRF-checked by withSession).
func (s *Server) submitPay(c echo.Context) error {
	next, err := s.svc.Pay(c.Request().Context(), c.Param("id"), c.FormValue("method"))
	switch {
	case errs.Is(err, errs.NotFound):
		return echo.ErrNotFound
	case errs.Is(err, errs.Invalid):
		return s.cannotPay(c, http.StatusBadRequest, err)
	case errs.Is(err, errs.Conflict) || errs.Is(err, errs.Unavailable):
		// Expired, exhausted, not eligible, Amazon slow or down: nothing
		// was started, and the payment page shows the current state
		// (checking, exhausted, not available and why), never an error
		// page asking to try again.
		s.log.InfoContext(c.Request().Context(), "pay refused; back to the page", "reason", err.Error(), "request_id", requestID(c))
		return c.Redirect(http.StatusSeeOther, withLang(c, s.url(routePayShow, c.Param("id"))))
	case err != nil:
		return err
	}
	return s.goNext(c, next)
}

// cannotPay is the error page of a pay form that is wrong in itself (it
// names no method of this page, say).
func (s *Server) cannotPay(c echo.Context, status int, err error) error {
	return s.backToPage(c, status, "error.cannot_pay.heading", "error.cannot_pay.heading", "error.cannot_pay.message")
}

// backToPage renders the error page of a refused form whose way on is
// the order's payment page: its title, heading and message are the
// catalogue's messages of those ids.
func (s *Server) backToPage(c echo.Context, status int, title, heading, message string) error {
	words := s.reqCtx(c)
	return s.render(c, status, errorpage.Page(errorpage.PageVM{
		Head: s.head(i18n.T(words, title)), Heading: i18n.T(words, heading), Message: i18n.T(words, message),
		BackURL: s.url(routePayShow, c.Param("id")), BackLabel: i18n.T(words, "error.back_to_page"), RequestID: requestID(c),
	}))
}

// goNext sends the browser where the checkout says, with a 303 so that a
// reload never re-posts.
func (s *Server) goNext(c echo.Context, next checkout.Next) error {
	switch next.Kind {
	case checkout.NextRedirect:
		return c.Redirect(http.StatusSeeOther, next.URL)
	case checkout.NextMerchant:
		return c.Redirect(http.StatusSeeOther, s.url(routeOrderReturn, next.OrderID))
	}
	return c.Redirect(http.StatusSeeOther, s.url(routePayShow, next.OrderID))
}
