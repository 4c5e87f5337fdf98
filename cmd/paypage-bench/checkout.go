package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/demoshop"
)

// shopper is a browser stand-in: a cookie jar, redirects followed until
// the merchant's return URL, forms submitted by data-testid.
type shopper struct {
	client *http.Client
	url    *url.URL
	doc    *goquery.Document
	body   string
	// returned is the merchant return URL the last answer redirected to.
	returned string
}

func newShopper(s *server) *shopper {
	jar, _ := cookiejar.New(nil)
	stop := s.base + "/sandbox/shop/return"
	sh := &shopper{}
	sh.client = &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), stop) || len(via) > 20 {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	return sh
}

func (sh *shopper) get(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return sh.do(req)
}

func (sh *shopper) do(req *http.Request) error {
	resp, err := sh.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	sh.url, sh.body, sh.returned = resp.Request.URL, string(b), ""
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			return err
		}
		sh.returned = loc.String()
	} else if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", sh.url, resp.StatusCode)
	}
	sh.doc, err = goquery.NewDocumentFromReader(strings.NewReader(sh.body))
	return err
}

// submit posts (or gets) the form holding the element with testid.
func (sh *shopper) submit(ctx context.Context, testid string) error {
	el := sh.doc.Find(`[data-testid="` + testid + `"]`).First()
	form := el.Closest("form")
	if form.Length() == 0 {
		return fmt.Errorf("no form with %q on %s:\n%s", testid, sh.url, sh.body)
	}
	values := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ, _ := in.Attr("type")
		if name != "" && typ != "submit" && typ != "button" {
			v, _ := in.Attr("value")
			values.Set(name, v)
		}
	})
	if name, ok := el.Attr("name"); ok && name != "" {
		v, _ := el.Attr("value")
		values.Set(name, v)
	}
	action, _ := form.Attr("action")
	target, err := sh.url.Parse(action)
	if err != nil {
		return err
	}
	var req *http.Request
	if method, _ := form.Attr("method"); strings.EqualFold(method, "post") {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(values.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		target.RawQuery = values.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	}
	if err != nil {
		return err
	}
	return sh.do(req)
}

// api calls the merchant API as the demo merchant and decodes the answer.
func api(ctx context.Context, c *http.Client, s *server, method, path string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(s.apiKey, "")
	req.Header.Set("x-merchantid", s.merchantID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("%s %s: %d %v", method, path, resp.StatusCode, m)
	}
	return m, nil
}

var orderSeq atomic.Int64

// newSession creates an order of 1.00 for customer and returns its order id
// and payment page URL.
func newSession(ctx context.Context, c *http.Client, s *server, customer, phone string) (string, string, error) {
	orderID := fmt.Sprintf("co%d-%d", time.Now().Unix()%1e6, orderSeq.Add(1))
	m, err := api(ctx, c, s, http.MethodPost, "/session", map[string]any{
		"order_id": orderID, "amount": "1.00", "currency": "INR", "customer_id": customer,
		"customer_phone": phone, "customer_email": "shopper@example.com",
		"return_url": s.base + "/sandbox/shop/return", "description": "bench checkout",
	})
	if err != nil {
		return "", "", err
	}
	links, _ := m["payment_links"].(map[string]any)
	link, _ := links["web"].(string)
	if link == "" {
		return "", "", fmt.Errorf("no payment link in %v", m)
	}
	return orderID, link, nil
}

// link pays a first order through Amazon's consent page, after which the
// customer is linked and pays in one tap.
func link(ctx context.Context, s *server, sh *shopper, customer, phone string) error {
	orderID, page, err := newSession(ctx, sh.client, s, customer, phone)
	if err != nil {
		return err
	}
	if err := sh.get(ctx, page); err != nil {
		return err
	}
	if err := sh.submit(ctx, "pay-button"); err != nil {
		return err
	}
	if err := sh.submit(ctx, "consent-allow"); err != nil {
		return err
	}
	return checkReturn(ctx, s, sh, orderID)
}

// checkReturn verifies the signed return and the order's status.
func checkReturn(ctx context.Context, s *server, sh *shopper, orderID string) error {
	u, err := url.Parse(sh.returned)
	if err != nil || sh.returned == "" {
		return fmt.Errorf("order %s: not returned to the merchant (at %s)", orderID, sh.url)
	}
	params := map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[0]
	}
	sig := params["signature"]
	delete(params, "signature")
	delete(params, "signature_algorithm")
	if !demoshop.VerifyJuspaySignature(params, s.responseKey, sig) {
		return fmt.Errorf("order %s: return signature does not verify", orderID)
	}
	if params["status"] != "CHARGED" {
		return fmt.Errorf("order %s: returned with %s", orderID, params["status"])
	}
	o, err := api(ctx, sh.client, s, http.MethodGet, "/orders/"+orderID, nil)
	if err != nil {
		return err
	}
	if o["status"] != "CHARGED" {
		return fmt.Errorf("order %s: status %v", orderID, o["status"])
	}
	return nil
}

// linkAll links n customers (customerOf, phoneOf) at once and returns
// their browsers, each ready to pay in one tap.
func linkAll(ctx context.Context, s *server, n int) ([]*shopper, error) {
	shoppers := make([]*shopper, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range shoppers {
		shoppers[i] = newShopper(s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Default sandbox persona: credit 10,000.00 each, approved at once.
			if err := link(ctx, s, shoppers[i], customerOf(i), phoneOf(i)); err != nil {
				errs[i] = fmt.Errorf("linking %s on the %s server: %w", customerOf(i), s.name, err)
			}
		}()
	}
	wg.Wait()
	return shoppers, errors.Join(errs...)
}

// cookieHeader is the Cookie header sh's browser sends to s.
func (sh *shopper) cookieHeader(s *server) string {
	u, _ := url.Parse(s.base + "/")
	var cookies []string
	for _, c := range sh.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return strings.Join(cookies, "; ")
}

// checkoutResult is the end-to-end checkout rate.
type checkoutResult struct {
	n        int
	samples  []time.Duration
	rate     float64
	p50, p99 time.Duration
	errors   int64
}

// runCheckouts has every linked shopper (from linkAll) pay order after
// order in one tap until d has passed: session, page, pay (charged at the
// simulator), signed return, order status. With openAfter 0 the page is
// opened as soon as the session answers and each checkout is timed from
// the session; otherwise the page is opened openAfter later, as after the
// merchant's redirect, and timed from there: what the shopper waits.
func runCheckouts(ctx context.Context, s *server, shoppers []*shopper, d, openAfter time.Duration) (checkoutResult, error) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for i, sh := range shoppers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				took, err := checkout(ctx, s, sh, customerOf(i), phoneOf(i), openAfter)
				if err != nil {
					failures.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, took)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		fmtErr := fmt.Sprintf("%d checkouts failed; first: %v", failures.Load(), firstErr)
		if len(latencies) == 0 {
			return checkoutResult{}, errors.New(fmtErr)
		}
		log.Print(fmtErr)
	}
	slices.Sort(latencies)
	return checkoutResult{
		n: len(latencies), samples: latencies,
		rate: float64(len(latencies)) / elapsed.Seconds(),
		p50:  percentile(latencies, 0.50), p99: percentile(latencies, 0.99),
		errors: failures.Load(),
	}, nil
}

// checkout pays one order and returns how long it took, from the session
// or, with openAfter, from the page's opening (see runCheckouts).
func checkout(ctx context.Context, s *server, sh *shopper, customer, phone string, openAfter time.Duration) (time.Duration, error) {
	t0 := time.Now()
	orderID, page, err := newSession(ctx, sh.client, s, customer, phone)
	if err != nil {
		return 0, err
	}
	if openAfter > 0 {
		select {
		case <-time.After(openAfter):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		t0 = time.Now()
	}
	if err := sh.get(ctx, page); err != nil {
		return 0, err
	}
	if err := sh.submit(ctx, "pay-button"); err != nil {
		return 0, err
	}
	return time.Since(t0), checkReturn(ctx, s, sh, orderID)
}

func customerOf(worker int) string { return fmt.Sprintf("bench-worker-%d", worker) }

func phoneOf(worker int) string { return fmt.Sprintf("98765%05d", worker) }
