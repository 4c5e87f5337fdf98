package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"

	"github.com/PuerkitoBio/goquery"
)

// browser is a small shopper for tests that run many payments from many
// goroutines: it keeps cookies, follows redirects one at a time so a test
// can step in (replaying a callback, stopping at the merchant), and
// reports problems as errors instead of failing the test from a goroutine.
type browser struct {
	client *http.Client
	url    *url.URL
	status int
	doc    *goquery.Document
	body   string
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends req and, if the answer is a redirect, returns its target
// without following it.
func (b *browser) do(req *http.Request) (location string, err error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	b.url, b.status, b.body = req.URL, resp.StatusCode, string(raw)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			return "", err
		}
		return loc.String(), nil
	}
	b.doc, err = goquery.NewDocumentFromReader(strings.NewReader(b.body))
	return "", err
}

func (b *browser) get(u string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	return b.do(req)
}

func (b *browser) has(testid string) bool {
	return b.doc != nil && b.doc.Find(`[data-testid="`+testid+`"]`).Length() > 0
}

func (b *browser) href(testid string) string {
	h, _ := b.doc.Find(`[data-testid="` + testid + `"]`).First().Attr("href")
	if u, err := b.url.Parse(h); err == nil {
		return u.String()
	}
	return ""
}

// form returns the request that submitting the form around testid makes,
// with extra values overriding its fields.
func (b *browser) form(testid string, extra map[string]string) (*http.Request, error) {
	el := b.doc.Find(`[data-testid="` + testid + `"]`).First()
	form := el.Closest("form")
	if form.Length() == 0 {
		return nil, fmt.Errorf("no form around %q on %s", testid, b.url)
	}
	values := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if name := in.AttrOr("name", ""); name != "" && in.AttrOr("type", "") != "submit" {
			values.Set(name, in.AttrOr("value", ""))
		}
	})
	if name := el.AttrOr("name", ""); name != "" {
		values.Set(name, el.AttrOr("value", ""))
	}
	for k, v := range extra {
		values.Set(k, v)
	}
	target, err := b.url.Parse(form.AttrOr("action", ""))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

func (b *browser) submit(testid string, extra map[string]string) (string, error) {
	req, err := b.form(testid, extra)
	if err != nil {
		return "", err
	}
	return b.do(req)
}

// merchantAPI calls the merchant API without a testing.T, for goroutines.
type merchantAPI struct {
	base, merchantID, apiKey string
}

func (m merchantAPI) call(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, m.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(m.apiKey, "")
	req.Header.Set("x-merchantid", m.merchantID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, nil
}

// tally counts named events from many goroutines.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[name]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	raw, _ := json.Marshal(t.n)
	return string(raw)
}
