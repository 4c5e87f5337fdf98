package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/web"
)

// failingStore answers the calls these tests make with err, as the
// PostgreSQL store does while the database is down (Unavailable) or broken
// (anything else). Other calls panic through the nil interface.
type failingStore struct {
	checkout.Store
	err error
}

func (f failingStore) MerchantByID(context.Context, string) (checkout.Merchant, error) {
	return checkout.Merchant{}, f.err
}

func (f failingStore) PageRecords(context.Context, string) (checkout.PageRecords, error) {
	return checkout.PageRecords{}, f.err
}

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

func failingServer(t *testing.T, storeErr, pingErr error) *httptest.Server {
	t.Helper()
	srv := web.NewServer(web.Options{
		BaseURL: "http://paypage.test", SecretKey: "test-secret-key-0123456789abcdef0123456789",
		Service: checkout.NewService(failingStore{err: storeErr}, checkout.Options{}), DB: pinger{pingErr},
	})
	ts := httptest.NewServer(apptest.ValidateAPI(t, srv.Handler()))
	t.Cleanup(ts.Close)
	return ts
}

var errDown = &errs.Error{Kind: errs.Unavailable, Message: "The payment system could not be reached; try again in a moment",
	Err: errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")}

func TestErrorEnvelopeWhileDatabaseUnreachable(t *testing.T) {
	t.Parallel()
	ts := failingServer(t, errDown, errDown)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/orders/o1", ""},
		{"POST", "/session", `{"order_id":"o1","amount":"10","currency":"INR","customer_id":"c"}`},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-merchantid", "demo")
		req.SetBasicAuth("pk_demo_key", "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || err != nil || body["status"] != "ERROR" || body["error_code"] != "unavailable" {
			t.Errorf("%s %s: %d %v (decode: %v), want 503 with error_code unavailable", tc.method, tc.path, resp.StatusCode, body, err)
		}
		if got := resp.Header.Get("Retry-After"); got != "2" {
			t.Errorf("%s %s: Retry-After %q, want 2", tc.method, tc.path, got)
		}
		if msg, _ := body["error_message"].(string); strings.Contains(msg, "connection refused") {
			t.Errorf("%s %s: driver detail leaked: %q", tc.method, tc.path, msg)
		}
	}
}

func TestErrorPagesNeverSayNoMoneyWasTaken(t *testing.T) {
	t.Parallel()
	page := "/orders/ordeh_" + strings.Repeat("0", 32) + "/payment-page?utm_source=app"
	for _, tc := range []struct {
		err     error
		status  int
		heading string
	}{
		{errDown, http.StatusServiceUnavailable, "We could not reach our payment system"},
		{errors.New("boom"), http.StatusInternalServerError, "Something went wrong on our side"},
	} {
		ts := failingServer(t, tc.err, nil)
		resp, err := http.Get(ts.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%v: %d %s, want %d HTML", tc.err, resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
		}
		if got := doc.Find("h1").Text(); got != tc.heading {
			t.Errorf("%v: heading %q, want %q", tc.err, got, tc.heading)
		}
		text := strings.ToLower(doc.Find(`[data-testid="error-page"]`).Text())
		for _, claim := range []string{"no money", "not been charged", "not charged", "nothing was charged"} {
			if strings.Contains(text, claim) {
				t.Errorf("%v: the page claims %q: %s", tc.err, claim, text)
			}
		}
		if href, _ := doc.Find(`a[data-testid="try-again"]`).Attr("href"); href != page {
			t.Errorf("%v: try-again link %q, want %q", tc.err, href, page)
		}
		if doc.Find(`meta[http-equiv]`).Length() > 0 {
			t.Errorf("%v: the page refreshes itself", tc.err)
		}
		wantRetry := ""
		if tc.status == http.StatusServiceUnavailable {
			wantRetry = "2"
		}
		if got := resp.Header.Get("Retry-After"); got != wantRetry {
			t.Errorf("%v: Retry-After %q, want %q", tc.err, got, wantRetry)
		}
	}
}

func TestReadyFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ping error
		want int
	}{{nil, http.StatusOK}, {errDown, http.StatusServiceUnavailable}} {
		resp, err := http.Get(failingServer(t, nil, tc.ping).URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("ping %v: /readyz %d, want %d", tc.ping, resp.StatusCode, tc.want)
		}
	}
}
