package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
)

// timelineJSON is the answer of GET /orders/{order_id}/timeline.
type timelineJSON struct {
	OrderID string           `json:"order_id"`
	Entries []map[string]any `json:"entries"`
}

// showOrderTimeline handles GET /orders/{order_id}/timeline.
func (s *Server) showOrderTimeline(c echo.Context) error {
	tl, err := s.svc.MerchantOrderTimeline(c.Request().Context(), merchantFrom(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newTimelineJSON(tl))
}

// newTimelineJSON flattens each entry's fields next to its time and kind.
func newTimelineJSON(tl checkout.OrderTimeline) timelineJSON {
	out := timelineJSON{OrderID: tl.Order.OrderID, Entries: make([]map[string]any, 0, len(tl.Entries))}
	for _, e := range tl.Entries {
		m := make(map[string]any, len(e.Fields)+2)
		for k, v := range e.Fields {
			m[k] = v
		}
		m["at"] = e.At.UTC().Format(time.RFC3339Nano)
		m["kind"] = string(e.Kind)
		out.Entries = append(out.Entries, m)
	}
	return out
}
