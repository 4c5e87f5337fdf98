package sandbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/money"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migrateUp prepares pgtest's template: paypage's migrations make the
// simulator's schema.
func migrateUp(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// newDB is a fresh database with the simulator's schema, for one test.
func newDB(t *testing.T) *sql.DB {
	t.Helper()
	return openDB(t, pgtest.NewDatabase(t, migrateUp))
}

// openDB opens another pool on dsn, as another process would.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

const (
	prefix      = "/sandbox/amazonpay"
	redirectURI = "https://shop.example/amazonpay/linked"
	callbackURL = "https://shop.example/amazonpay/return?attempt=1"
)

// clock is a controllable time source shared by the client and simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a simulator served over real HTTP under prefix, and a client
// pointed at it.
type env struct {
	t      *testing.T
	clock  *clock
	sim    *sandbox.Simulator
	srv    *httptest.Server
	client *amazonpay.Client
	cfg    amazonpay.Config
	db     *sql.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, sandbox.Options{})
}

// newEnvWith is newEnv with opts for the simulator; its prefix, redirect
// URIs, clock and pending delay are newEnv's.
func newEnvWith(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	clk := &clock{t: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)}
	opts.Prefix, opts.RedirectURIs, opts.Now, opts.PendingDelay = prefix, []string{redirectURI}, clk.Now, 20*time.Second
	if opts.DB == nil {
		opts.DB = newDB(t)
	}
	sim := sandbox.New(opts)
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", sim)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, clock: clk, sim: sim, srv: srv, db: opts.DB}
	e.cfg = e.config(srv.URL)
	e.client = amazonpay.New(e.cfg)
	return e
}

// config is a client configuration for the simulator at root, per the
// documented composition.
func (e *env) config(root string) amazonpay.Config {
	c := sandbox.DefaultCredentials()
	return amazonpay.Config{
		BaseURL: root + prefix, LWAURL: root + prefix + sandbox.LWAPath,
		MerchantID: c.MerchantID, AccessKey: c.AccessKey, SecretKey: c.SecretKey,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}, Now: e.clock.Now,
	}
}

// browser is an HTTP client that does not follow redirects, so tests can
// read each Location.
func browser() *http.Client {
	return &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// page GETs a URL and parses the HTML.
func page(t *testing.T, u string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := browser().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

// submit finds the form holding the element with data-testid id, fills its
// inputs plus extra, posts it and returns the response (not followed).
func submit(t *testing.T, base string, doc *goquery.Document, id string, extra url.Values) *http.Response {
	t.Helper()
	return submitWith(t, base, doc, id, extra, nil)
}

// submitWith is submit with extra request headers, such as the Origin and
// Sec-Fetch-Site a browser adds.
func submitWith(t *testing.T, base string, doc *goquery.Document, id string, extra url.Values, header http.Header) *http.Response {
	t.Helper()
	el := doc.Find(`[data-testid="` + id + `"]`)
	if el.Length() != 1 {
		t.Fatalf("want one %s, found %d", id, el.Length())
	}
	form := el.Closest("form")
	if form.Length() != 1 || !strings.EqualFold(form.AttrOr("method", ""), "post") {
		t.Fatalf("%s is not inside a POST form", id)
	}
	vals := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if name, ok := in.Attr("name"); ok {
			vals.Set(name, in.AttrOr("value", ""))
		}
	})
	for k, v := range extra {
		vals[k] = v
	}
	action, _ := url.Parse(form.AttrOr("action", ""))
	b, _ := url.Parse(base)
	req, _ := http.NewRequest(http.MethodPost, b.ResolveReference(action).String(), strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// consent walks the consent page for phone and presses the button with id,
// returning the redirect back to redirectURI.
func (e *env) consent(phone, state, button string) *url.URL {
	e.t.Helper()
	resp, doc := page(e.t, e.client.ConsentURL(state, redirectURI, phone))
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("consent page: HTTP %d", resp.StatusCode)
	}
	back := submit(e.t, e.srv.URL, doc, button, nil)
	if back.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("consent decision: HTTP %d", back.StatusCode)
	}
	loc, err := url.Parse(back.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI) {
		e.t.Fatalf("redirected to %q", back.Header.Get("Location"))
	}
	return loc
}

// link links phone through the consent page and the token endpoint.
func (e *env) link(phone string) amazonpay.Token {
	e.t.Helper()
	loc := e.consent(phone, "st-"+phone, "consent-allow")
	tok, err := e.client.ExchangeCode(context.Background(), loc.Query().Get("code"), redirectURI)
	if err != nil {
		e.t.Fatalf("exchange code for %s: %v", phone, err)
	}
	return tok
}

func (e *env) charge(tok amazonpay.Token, id string, amount money.Paise) (amazonpay.Charge, error) {
	return e.client.Charge(context.Background(), amazonpay.ChargeRequest{
		ChargeID: id, AccessToken: tok.AccessToken, Amount: amount, CallbackURL: callbackURL, TimeoutInSecs: 300,
	})
}

// raw sends a request signed by signer (after mutate changes it, if set)
// and returns the status and error code without verifying the answer.
func (e *env) raw(signer amazonpay.Signer, date time.Time, method, path string, query map[string]string, body any, mutate func(*http.Request)) (int, string) {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL + prefix + path)
	u.RawQuery = amazonpay.Block(query)
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, u.String(), bytes.NewReader(payload))
	headers := map[string]string{
		"x-amz-algorithm": amazonpay.Algorithm, "x-amz-client-id": sandbox.DefaultCredentials().MerchantID,
		"x-amz-date": amazonpay.FormatDate(date), "x-amz-expires": "900", "x-amz-source": "Server",
		"x-amz-user-agent": "test", "x-amz-user-ip": "203.0.113.7",
	}
	params, _ := amazonpay.BodyParams(payload)
	canonical := amazonpay.CanonicalRequest(method, u.Host+u.EscapedPath(), query, headers, params)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", signer.Authorization(signer.Signature(headers["x-amz-date"], canonical)))
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Code
}

func defaultSigner() amazonpay.Signer {
	c := sandbox.DefaultCredentials()
	return amazonpay.Signer{AccessKey: c.AccessKey, SecretKey: c.SecretKey}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr *amazonpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func rupees(s string) money.Paise {
	p, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}
