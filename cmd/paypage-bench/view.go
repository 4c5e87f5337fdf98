package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// payButton is the bytes whose arrival means the shopper can pay.
var payButton = []byte(`data-testid="pay-button"`)

// pageTiming is one page load as the shopper sees it, from sending the
// request: the first byte of the answer, the bytes holding the pay
// button (never if the page has none) and the end of the body.
type pageTiming struct {
	ttfb, button, total time.Duration
}

// findMarker reads r to the end and returns when the first bytes of
// marker were read (zero time if never), reading as the bytes arrive, so a
// streamed page is timed when its part with the marker comes, not when it
// ends. now is the clock.
func findMarker(r io.Reader, marker []byte, now func() time.Time) (time.Time, error) {
	var found time.Time
	buf := make([]byte, 32<<10)
	// window holds the tail of what was read, for a marker split over
	// two reads, followed by the latest read.
	window := make([]byte, 0, len(marker)-1+len(buf))
	for {
		n, err := r.Read(buf)
		if n > 0 && found.IsZero() {
			window = append(window, buf[:n]...)
			if bytes.Contains(window, marker) {
				found = now()
			} else {
				keep := min(len(window), len(marker)-1)
				window = append(window[:0], window[len(window)-keep:]...)
			}
		}
		if errors.Is(err, io.EOF) {
			return found, nil
		}
		if err != nil {
			return found, err
		}
	}
}

// timePage loads u with c and times it on the response stream.
func timePage(ctx context.Context, c *http.Client, u string) (pageTiming, error) {
	var first time.Time
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Now() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u, nil)
	if err != nil {
		return pageTiming{}, err
	}
	req.Header.Set("Accept", "text/html")
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return pageTiming{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return pageTiming{}, fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	at, err := findMarker(resp.Body, payButton, time.Now)
	if err != nil {
		return pageTiming{}, err
	}
	t := pageTiming{ttfb: first.Sub(start), button: never, total: time.Since(start)}
	if !at.IsZero() {
		t.button = at.Sub(start)
	}
	return t, nil
}

// viewResult is the shopper's view over many orders: the page opened
// after the merchant's redirect, and its reload.
type viewResult struct {
	openTTFB, openButton     []time.Duration
	reloadTTFB, reloadButton []time.Duration
	visits                   int
	errors                   int64
	// amazonCalls per page load, over sessions, pages and reloads; NaN
	// when the server's metrics do not count them.
	amazonCalls float64
	firstErr    error
}

// customerFunc names the customer and phone of the n-th visit.
type customerFunc func(n int) (customer, phone string)

// runViews has conc shoppers visit orders orders between them: each
// visit creates a session as the merchant, opens its payment page
// openAfter later in a fresh browser (as after the merchant's redirect)
// and reloads it once.
func runViews(ctx context.Context, s *server, orders, conc int, openAfter time.Duration, who customerFunc) (viewResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * conc}
	defer tr.CloseIdleConnections()
	merchant := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	before, _, err := s.amazonCalls(ctx)
	if err != nil {
		return viewResult{}, err
	}
	var (
		mu   sync.Mutex
		res  viewResult
		next atomic.Int64
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if res.firstErr == nil {
			res.firstErr = err
		}
	}
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := int(next.Add(1)) - 1
				if n >= orders {
					return
				}
				customer, phone := who(n)
				open, reload, err := visit(ctx, s, merchant, tr, customer, phone, openAfter)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				res.visits++
				res.openTTFB = append(res.openTTFB, open.ttfb)
				res.openButton = append(res.openButton, open.button)
				res.reloadTTFB = append(res.reloadTTFB, reload.ttfb)
				res.reloadButton = append(res.reloadButton, reload.button)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if res.visits == 0 {
		return res, fmt.Errorf("no visit succeeded; first error: %v", res.firstErr)
	}
	after, found, err := s.amazonCalls(ctx)
	if err != nil {
		return res, err
	}
	res.amazonCalls = math.NaN()
	if found {
		res.amazonCalls = (after - before) / float64(2*res.visits)
	}
	return res, nil
}

// visit is one shopper: the merchant creates the session, the browser
// opens the page openAfter later and reloads it.
func visit(ctx context.Context, s *server, merchant *http.Client, tr http.RoundTripper, customer, phone string, openAfter time.Duration) (open, reload pageTiming, err error) {
	_, page, err := newSession(ctx, merchant, s, customer, phone)
	if err != nil {
		return open, reload, err
	}
	created := time.Now()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	select {
	case <-time.After(time.Until(created.Add(openAfter))):
	case <-ctx.Done():
		return open, reload, ctx.Err()
	}
	if open, err = timePage(ctx, browser, page); err != nil {
		return open, reload, err
	}
	reload, err = timePage(ctx, browser, page)
	return open, reload, err
}
