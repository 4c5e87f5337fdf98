package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
)

// A replayed event reaches the receiver again with the same webhook-id,
// and only an event of the merchant's own order can be replayed.
func TestReplayWebhook(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	rcv := &apptest.Receiver{T: t}
	hook := httptest.NewServer(rcv)
	defer hook.Close()
	creds, err := s.Service.CreateMerchant(context.Background(), "test", checkout.NewMerchant{
		ID: "replay", Name: "Replay", ReturnURLPrefixes: []string{"https://replay.example/"},
		WebhookURL: hook.URL + "/hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	rcv.Secret = creds.WebhookSecret
	api := func(method, path string) apptest.Response {
		return s.APIAs(t, "replay", creds.APIKey, method, path, nil)
	}
	body := s.Session("replay-1", "10", "9000000001")
	body["return_url"] = "https://replay.example/back"
	link := s.APIAs(t, "replay", creds.APIKey, "POST", "/session", body).JSON(t)["payment_links"].(map[string]any)["web"].(string)
	apptest.NewShopper(t, "https://replay.example/").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	rcv.WaitFor(1, 10*time.Second)

	var event string
	for deadline := time.Now().Add(10 * time.Second); event == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, e := range api("GET", "/orders/replay-1/timeline").JSON(t)["entries"].([]any) {
			if e := e.(map[string]any); e["kind"] == "webhook_attempt" && e["status_code"] == float64(http.StatusNoContent) {
				event = e["event_id"].(string)
			}
		}
	}
	if event == "" {
		t.Fatal("no delivered webhook on the timeline")
	}
	r := api("POST", "/orders/replay-1/webhooks/"+event+"/replay")
	if r.Status != http.StatusAccepted || r.JSON(t)["event_id"] != event {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, dup, _ := rcv.Counts(); dup >= 1 {
			break
		}
	}
	if _, dup, bad := rcv.Counts(); dup != 1 || bad != 0 {
		t.Errorf("after the replay: %d repeats (want 1), %d bad", dup, bad)
	}

	// Not this merchant's order, not this order's event, not an event.
	other, _ := newOrder(t, s, "9000000001", "10", "")
	for _, tt := range []struct{ path, who string }{
		{"/orders/" + other + "/webhooks/" + event + "/replay", "replay"},
		{"/orders/replay-1/webhooks/evt_000000000000000000000000/replay", "replay"},
		{"/orders/replay-1/webhooks/nope/replay", "replay"},
		{"/orders/replay-1/webhooks/" + event + "/replay", "demo"},
	} {
		var r apptest.Response
		if tt.who == "demo" {
			r = s.API(t, "POST", tt.path, nil)
		} else {
			r = api("POST", tt.path)
		}
		if r.Status != http.StatusNotFound {
			t.Errorf("%s as %s: %d %s", tt.path, tt.who, r.Status, r.Body)
		}
	}
}
