package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// replayWebhook handles POST /orders/{order_id}/webhooks/{event_id}/replay:
// the event is sent again with the same webhook-id.
func (s *Server) replayWebhook(c echo.Context) error {
	m := merchantFrom(c)
	r, err := s.svc.ReplayMerchantWebhook(c.Request().Context(), m.ID, c.Param("id"), c.Param("event_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{
		"event_id": r.EventID, "event_name": r.EventName, "order_id": r.OrderID, "status": "QUEUED",
	})
}
