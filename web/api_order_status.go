package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/juspay"
)

// showOrder handles GET /orders/{order_id}.
func (s *Server) showOrder(c echo.Context) error {
	d, err := s.svc.MerchantOrderDetails(c.Request().Context(), merchantFrom(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.orderJSON(d))
}

func (s *Server) orderJSON(d checkout.OrderDetails) juspay.Order {
	return juspay.NewOrder(d.Order, d.Latest, d.Refunds, s.absURL(routePayShow, d.Order.ID))
}
