package apptest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Browser is a shopper for tests that pay from many goroutines, or while
// servers die under them: it keeps cookies, follows redirects one at a
// time so that a test can step in anywhere (replay Amazon's consent
// redirect, stop at the merchant), and reports problems as errors instead
// of failing the test from a goroutine, as Shopper does. Every request is
// bounded.
type Browser struct {
	Client *http.Client
	URL    *url.URL // where the last answer came from
	Status int
	Body   string
	Doc    *goquery.Document // nil after a redirect
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Client: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Do sends req and, if the answer is a redirect, returns its target
// without following it.
func (b *Browser) Do(req *http.Request) (location string, err error) {
	resp, err := b.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	b.URL, b.Status, b.Body, b.Doc = req.URL, resp.StatusCode, string(raw), nil
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			return "", err
		}
		return loc.String(), nil
	}
	b.Doc, err = goquery.NewDocumentFromReader(strings.NewReader(b.Body))
	return "", err
}

// Get loads u.
func (b *Browser) Get(u string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	return b.Do(req)
}

// Has reports whether the current page has an element with testid.
func (b *Browser) Has(testid string) bool {
	return b.Doc != nil && b.Doc.Find(`[data-testid="`+testid+`"]`).Length() > 0
}

// Href is the absolute URL of the link with testid, or "".
func (b *Browser) Href(testid string) string {
	if b.Doc == nil {
		return ""
	}
	h, _ := b.Doc.Find(`[data-testid="` + testid + `"]`).First().Attr("href")
	if u, err := b.URL.Parse(h); err == nil {
		return u.String()
	}
	return ""
}

// Form is the request that submitting the form around the element with
// testid makes, with the element's own name=value and extra values
// overriding its fields.
func (b *Browser) Form(testid string, extra map[string]string) (*http.Request, error) {
	if b.Doc == nil {
		return nil, fmt.Errorf("no page to find %q on", testid)
	}
	el := b.Doc.Find(`[data-testid="` + testid + `"]`).First()
	form := el.Closest("form")
	if form.Length() == 0 {
		return nil, fmt.Errorf("no form around %q on %s", testid, b.URL)
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
	target, err := b.URL.Parse(form.AttrOr("action", ""))
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

// Submit sends the form around the element with testid (see Form).
func (b *Browser) Submit(testid string, extra map[string]string) (string, error) {
	req, err := b.Form(testid, extra)
	if err != nil {
		return "", err
	}
	return b.Do(req)
}

// Tally counts named happenings from many goroutines, for a test's log.
type Tally struct {
	mu sync.Mutex
	n  map[string]int
}

// Add counts one happening of name.
func (t *Tally) Add(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[name]++
}

// String lists the counts.
func (t *Tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprint(t.n)
}
