package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
)

// The sandbox shows QA an order's timeline as a page, by the demo
// merchant's order_id or paypage's id, and the demo shop's result page
// links to it.
func TestSandboxTimelinePage(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	orderID := chargedOrder(t, s, "75")
	_, entries := timeline(t, s, orderID, func(es []map[string]any) bool { return hasKind(es, "return") })
	sh := apptest.NewShopper(t, "").Get(s.URL + "/sandbox/orders/" + orderID)
	if sh.Status != http.StatusOK || !sh.Has("timeline-page") {
		t.Fatalf("page: %d\n%s", sh.Status, sh.Body)
	}
	rows := sh.Doc.Find(`[data-testid="timeline-entry"]`)
	if rows.Length() < len(entries) {
		t.Errorf("%d rows for %d entries", rows.Length(), len(entries))
	}
	for _, kind := range []string{"status", "provider_call", "return"} {
		if sh.Doc.Find(`[data-kind="`+kind+`"]`).Length() == 0 {
			t.Errorf("no %s row", kind)
		}
	}
	if !strings.Contains(sh.Body, "order PENDING_VBV → CHARGED") || strings.Contains(sh.Body, "9000000001") {
		t.Errorf("page body:\n%s", sh.Body)
	}
	id := sh.Text("timeline-order-id")
	if byID := apptest.NewShopper(t, "").Get(s.URL + "/sandbox/orders/" + id); byID.Text("timeline-status") != "CHARGED" {
		t.Errorf("by paypage id %q: %d %s", id, byID.Status, byID.Text("timeline-status"))
	}
	if missing := apptest.NewShopper(t, "").Get(s.URL + "/sandbox/orders/nope-1"); missing.Status != http.StatusNotFound {
		t.Errorf("unknown order: %d", missing.Status)
	}

	// The shop's result page, where paypage's return leads.
	back := apptest.NewShopper(t, "").Get(s.URL + "/orders/" + id + "/return")
	link := back.Doc.Find(`[data-testid="shop-timeline"]`).AttrOr("href", "")
	if link != "/sandbox/orders/"+orderID {
		t.Errorf("shop result links to %q", link)
	}
}
