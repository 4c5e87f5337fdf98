package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/templates/errorpage"
	tplpay "github.com/paypage/paypage/templates/pay"
)

// showPayPage handles GET /orders/{id}/payment-page.
func (s *Server) showPayPage(c echo.Context) error {
	ctx := c.Request().Context()
	o, m, err := s.svc.PageOrder(ctx, c.Param("id"))
	if errs.Is(err, errs.NotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	now := s.svc.Now()
	if o.Expired(now) && !o.Status.Final() {
		return s.render(c, http.StatusGone, errorpage.Page(errorpage.PageVM{
			Head:      s.head("Payment link expired"),
			Heading:   "This payment link has expired",
			Message:   "No money was taken. Go back to " + m.Name + " to start again.",
			BackURL:   o.ReturnURL,
			BackLabel: "Back to " + m.Name,
		}))
	}
	return s.render(c, http.StatusOK, tplpay.Page(payPageVM(s, o, m, now)))
}

func payPageVM(s *Server, o checkout.Order, m checkout.Merchant, now time.Time) tplpay.PageVM {
	return tplpay.PageVM{
		Head:         s.head("Pay " + m.Name),
		MerchantName: m.Name,
		Amount:       o.Amount.Indian(),
		Description:  o.Description,
		OrderID:      o.OrderID,
		TimeLeft:     timeLeft(o.ExpiresAt.Sub(now)),
		ExpiresAt:    o.ExpiresAt.UTC().Format(time.RFC3339),
	}
}

// timeLeft words a remaining duration for people, rounding down.
func timeLeft(d time.Duration) string {
	switch {
	case d <= 0:
		return "expired"
	case d < time.Minute:
		return "less than a minute"
	case d < 2*time.Minute:
		return "1 minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	default:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		return fmt.Sprintf("%d h %d min", h, m)
	}
}
