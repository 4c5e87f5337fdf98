package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

// payStatus is the answer of GET /orders/{id}/payment-page/status.
type payStatus struct {
	// State is "payable", "failed" (a retry is offered), "exhausted" (no
	// retry: pay another way), "processing", "charged", "expired",
	// "closed", or "not_found" or "unknown" on an error.
	State string `json:"state"`
	// Next is where the page goes: the signed return to the merchant once
	// the payment settled, else the payment page.
	Next string `json:"next,omitempty"`
}

// showPayStatus handles GET /orders/{id}/payment-page/status: the payment
// page's state as JSON for a page script to poll. It needs no cookie,
// and it settles a pending charge only as a page load would.
func (s *Server) showPayStatus(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	id := c.Param("id")
	st, err := s.svc.PaymentStatus(c.Request().Context(), id)
	switch {
	case errs.Is(err, errs.NotFound):
		return c.JSON(http.StatusNotFound, payStatus{State: "not_found"})
	case err != nil:
		s.log.WarnContext(c.Request().Context(), "payment status failed", "error", err, "request_id", requestID(c))
		c.Response().Header().Set("Retry-After", "2")
		return c.JSON(http.StatusServiceUnavailable, payStatus{State: "unknown", Next: s.url(routePayShow, id)})
	}
	out := payStatus{State: pageStateNames[st.State], Next: s.url(routePayShow, st.OrderID)}
	switch {
	case st.Settled():
		out.Next = s.url(routeOrderReturn, st.OrderID)
	case st.Exhausted:
		out.State = "exhausted"
	case st.Failed:
		out.State = "failed"
	}
	return c.JSON(http.StatusOK, out)
}

// pageStateNames name the page's states in the status answer.
var pageStateNames = map[checkout.PageState]string{
	checkout.PagePayable: "payable", checkout.PageNoMethods: "payable", checkout.PageProcessing: "processing",
	checkout.PageCharged: "charged", checkout.PageExpired: "expired", checkout.PageClosed: "closed",
}
