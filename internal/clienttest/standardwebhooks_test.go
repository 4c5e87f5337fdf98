package clienttest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
)

// captured is one webhook request as it arrived: headers and body bytes.
type captured struct {
	header http.Header
	body   []byte
}

// capture is a merchant endpoint that keeps every request and answers 204.
type capture struct {
	mu   sync.Mutex
	reqs []captured
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.reqs = append(c.reqs, captured{r.Header.Clone(), body})
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// forOrder waits until the TXN_CREATED and ORDER_SUCCEEDED webhooks of the
// merchant's order orderID have arrived and returns them.
func (c *capture) forOrder(t *testing.T, orderID string) []captured {
	t.Helper()
	want := []string{"TXN_CREATED", "ORDER_SUCCEEDED"}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var got []captured
		seen := map[string]bool{}
		c.mu.Lock()
		for _, r := range c.reqs {
			var ev struct {
				EventName string `json:"event_name"`
				Content   struct {
					Order struct {
						OrderID string `json:"order_id"`
					} `json:"order"`
				} `json:"content"`
			}
			if json.Unmarshal(r.body, &ev) == nil && ev.Content.Order.OrderID == orderID {
				got = append(got, r)
				seen[ev.EventName] = true
			}
		}
		c.mu.Unlock()
		if seen[want[0]] && seen[want[1]] {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhooks of %s: got %v, want %v", orderID, seen, want)
		}
	}
}

// nodeCase is one verification for standardwebhooks.mjs.
type nodeCase struct {
	Name    string            `json:"name"`
	Secret  string            `json:"secret"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body_base64"`
	want    bool
}

// TestOfficialStandardWebhooksLibrariesVerify runs a real server, creates a
// merchant the way `paypage merchant create` does, pays orders through the
// hosted page so that real webhooks are sent, and verifies every captured
// request with the official Standard Webhooks libraries for Go and Node,
// given the secret exactly as printed: before a rotation, during its
// overlap (with the old and with the new secret) and after it (only the
// new one). A tampered body fails in both.
func TestOfficialStandardWebhooksLibrariesVerify(t *testing.T) {
	Dir(t) // skip early without node, before starting a server
	s := apptest.Start(t, nil)
	rcv := &capture{}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)
	ctx := context.Background()
	const shop = "https://swh.example/"
	creds, err := s.Service.CreateMerchant(ctx, "test", checkout.NewMerchant{
		ID: "swh", Name: "Standard Webhooks Shop", ReturnURLPrefixes: []string{shop},
		WebhookURL: hook.URL + "/hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	pay := func(orderID string) []captured {
		t.Helper()
		body := s.Session(orderID, "10", "9000000001")
		body["return_url"] = shop + "back"
		r := s.APIAs(t, "swh", creds.APIKey, "POST", "/session", body)
		if r.Status != 200 {
			t.Fatalf("POST /session: %d %s", r.Status, r.Body)
		}
		link := r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
		sh := apptest.NewShopper(t, shop).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
		if !strings.HasPrefix(sh.Location(), shop) {
			t.Fatalf("payment of %s did not return to the shop: %s %s", orderID, sh.URL, sh.Location())
		}
		return rcv.forOrder(t, orderID)
	}

	var cases []nodeCase
	check := func(phase, secret string, reqs []captured, want bool) {
		t.Helper()
		for i, r := range reqs {
			name := phase + " " + r.header.Get("webhook-id") + " " + map[bool]string{true: "verifies", false: "is refused"}[want]
			wh, err := standardwebhooks.NewWebhook(secret)
			if err == nil {
				err = wh.Verify(r.body, r.header)
			}
			if (err == nil) != want {
				t.Errorf("Go library: %s (request %d): err = %v", name, i, err)
			}
			h := map[string]string{}
			for k := range r.header {
				h[strings.ToLower(k)] = r.header.Get(k)
			}
			cases = append(cases, nodeCase{Name: name, Secret: secret, Headers: h, Body: base64.StdEncoding.EncodeToString(r.body), want: want})
		}
	}

	before := pay("swh-before")
	for _, r := range before {
		if n := len(strings.Fields(r.header.Get("webhook-signature"))); n != 1 {
			t.Errorf("before the rotation a webhook carries %d signatures, want 1", n)
		}
	}
	check("before rotation", creds.WebhookSecret, before, true)
	tampered := make([]captured, len(before))
	for i, r := range before {
		tampered[i] = captured{r.header, bytes.Replace(r.body, []byte(`"CHARGED"`), []byte(`"REFUNDED"`), 1)}
		if bytes.Equal(tampered[i].body, r.body) {
			tampered[i].body = append(append([]byte(nil), r.body...), ' ')
		}
	}
	check("tampered body", creds.WebhookSecret, tampered, false)

	rot, err := s.Service.RotateWebhookSecret(ctx, "test", "swh", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	during := pay("swh-during")
	for _, r := range during {
		sigs := strings.Fields(r.header.Get("webhook-signature"))
		if len(sigs) != 2 {
			t.Fatalf("during the overlap a webhook carries %d signatures, want 2: %q", len(sigs), sigs)
		}
		// The new secret's signature comes first.
		first := r.header.Clone()
		first.Set("webhook-signature", sigs[0])
		if wh, err := standardwebhooks.NewWebhook(rot.WebhookSecret); err != nil || wh.Verify(r.body, first) != nil {
			t.Errorf("the first signature is not the new secret's")
		}
	}
	check("during overlap, old secret", creds.WebhookSecret, during, true)
	check("during overlap, new secret", rot.WebhookSecret, during, true)

	// As if the hour had passed.
	if _, err := s.DB.SQL().Exec(`UPDATE merchants SET webhook_secret_previous_until = now() - interval '1 second' WHERE id = 'swh'`); err != nil {
		t.Fatal(err)
	}
	after := pay("swh-after")
	check("after overlap, new secret", rot.WebhookSecret, after, true)
	check("after overlap, old secret", creds.WebhookSecret, after, false)

	// The same requests through the Node library.
	file := filepath.Join(t.TempDir(), "cases.json")
	in, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, in, 0o600); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Version string `json:"version"`
		Results []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"results"`
	}
	raw := Node(t, nil, "standardwebhooks.mjs", file)
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Results) != len(cases) {
		t.Fatalf("node printed %s (%v), want %d results", raw, err, len(cases))
	}
	for i, r := range out.Results {
		if r.OK != cases[i].want {
			t.Errorf("npm standardwebhooks: %s: ok = %t (%s)", r.Name, r.OK, r.Error)
		}
	}
	t.Logf("%d verifications each with the Go library (version in go.mod) and npm standardwebhooks %s", len(cases), out.Version)
}
