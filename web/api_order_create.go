package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

// createOrder handles POST /orders, Juspay's Order Create for merchants on
// the older Express Checkout integration. It takes the fields of POST
// /session, as a form (as Juspay documents it) or as JSON, under the same
// validation, replay and conflict rules, and answers the order object as
// GET /orders/{order_id} shows it, with payment_links.web.
func (s *Server) createOrder(c echo.Context) error {
	var in checkout.SessionInput
	var err error
	ct := strings.ToLower(c.Request().Header.Get(echo.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, echo.MIMEApplicationForm), strings.HasPrefix(ct, echo.MIMEMultipartForm):
		in, err = decodeSessionForm(c)
	case strings.HasPrefix(ct, echo.MIMEApplicationJSON):
		in, err = decodeSessionJSON(c)
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"POST /orders takes a form (application/x-www-form-urlencoded) or JSON (application/json) body")
	}
	if err != nil {
		return err
	}
	m := merchantFrom(c)
	o, _, err := s.svc.CreateSession(c.Request().Context(), m, in)
	if err != nil {
		return err
	}
	// A replay may find the order paid or refunded since: read it whole.
	d, err := s.svc.MerchantOrderDetails(c.Request().Context(), m.ID, o.OrderID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.orderJSON(d))
}

// decodeSessionForm reads session fields from a form body. Only the body
// counts: query parameters (such as version) are not order fields.
func decodeSessionForm(c echo.Context) (checkout.SessionInput, error) {
	if _, err := c.FormParams(); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return checkout.SessionInput{}, he
		}
		return checkout.SessionInput{}, errs.Fields("invalid.request",
			errs.FieldError{Field: "body", Message: "must be a form (application/x-www-form-urlencoded)"})
	}
	form := c.Request().PostForm
	return sessionInput(slices.Collect(maps.Keys(form)), func(key string) (string, error) {
		return strings.TrimSpace(form.Get(key)), nil
	})
}
