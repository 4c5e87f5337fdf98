package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

// createRefund handles POST /orders/{order_id}/refunds. Juspay documents a
// form body; JSON is accepted as well.
func (s *Server) createRefund(c echo.Context) error {
	var in checkout.RefundInput
	ct := strings.ToLower(c.Request().Header.Get(echo.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, echo.MIMEApplicationJSON):
		raw, err := decodeJSONObject(c)
		if err != nil {
			return err
		}
		var fields []errs.FieldError
		for key, dst := range map[string]*string{"unique_request_id": &in.UniqueRequestID, "amount": &in.Amount} {
			if v, ok := raw[key]; ok && !isNull(v) {
				str, err := scalarString(v)
				if err != nil {
					fields = append(fields, errs.FieldError{Field: key, Message: err.Error()})
				}
				*dst = str
			}
		}
		if len(fields) > 0 {
			return errs.Fields("invalid.request", fields...)
		}
	case strings.HasPrefix(ct, echo.MIMEApplicationForm), strings.HasPrefix(ct, echo.MIMEMultipartForm), ct == "":
		form, err := c.FormParams()
		if err != nil {
			return bodyError(err)
		}
		in.UniqueRequestID, in.Amount = strings.TrimSpace(form.Get("unique_request_id")), strings.TrimSpace(form.Get("amount"))
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "refunds take a form (application/x-www-form-urlencoded) or JSON body")
	}
	d, err := s.svc.Refund(c.Request().Context(), merchantFrom(c).ID, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.orderJSON(d))
}
