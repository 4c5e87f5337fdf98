package web

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	tpltimeline "github.com/paypage/paypage/templates/timeline"
)

// showSandboxTimeline handles GET /sandbox/orders/{id} in sandbox mode: the
// order's timeline as a page for QA, by paypage's id or the demo merchant's
// order_id.
func (s *Server) showSandboxTimeline(c echo.Context) error {
	tl, err := s.svc.OrderTimelineByID(c.Request().Context(), s.opts.DemoMerchantID, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, tpltimeline.Page(s.timelineVM(tl)))
}

func (s *Server) timelineVM(tl checkout.OrderTimeline) tpltimeline.PageVM {
	o := tl.Order
	vm := tpltimeline.PageVM{
		Head: s.head("Timeline of " + o.OrderID), OrderID: o.ID, MerchantOrderID: o.OrderID,
		MerchantID: o.MerchantID, Status: string(o.Status),
	}
	for _, e := range tl.Entries {
		vm.Entries = append(vm.Entries, tpltimeline.EntryVM{
			At: e.At.UTC().Format("2006-01-02 15:04:05.000"), Kind: string(e.Kind),
			Summary: timelineSummary(e), Details: timelineDetails(e.Fields),
		})
	}
	return vm
}

// timelineSummary says in one line what an entry records.
func timelineSummary(e checkout.TimelineEntry) string {
	f := func(k string) string {
		if v, ok := e.Fields[k]; ok {
			return fmt.Sprint(v)
		}
		return ""
	}
	switch e.Kind {
	case checkout.TimelineStatus:
		if from := f("from"); from != "" {
			return fmt.Sprintf("%s %s → %s", f("object"), from, f("to"))
		}
		return fmt.Sprintf("%s created %s", f("object"), f("to"))
	case checkout.TimelineProviderCall:
		if code := f("http_status"); code != "" {
			return fmt.Sprintf("%s %s → HTTP %s", f("method"), f("operation"), code)
		}
		return fmt.Sprintf("%s %s", f("method"), f("operation"))
	case checkout.TimelineWebhookAttempt:
		if code := f("status_code"); code != "" {
			return fmt.Sprintf("webhook %s → HTTP %s", f("event_name"), code)
		}
		return fmt.Sprintf("webhook %s → %s", f("event_name"), f("error_kind"))
	case checkout.TimelineReturn:
		return fmt.Sprintf("return to the merchant (%s) with %s", f("method"), f("status"))
	}
	return string(e.Kind)
}

// timelineDetails lists an entry's fields by name.
func timelineDetails(fields map[string]any) []tpltimeline.Detail {
	out := make([]tpltimeline.Detail, 0, len(fields))
	for k, v := range fields {
		s := fmt.Sprint(v)
		if t, ok := v.(time.Time); ok {
			s = t.UTC().Format(time.RFC3339)
		}
		out = append(out, tpltimeline.Detail{Key: k, Value: s})
	}
	slices.SortFunc(out, func(a, b tpltimeline.Detail) int {
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return out
}
