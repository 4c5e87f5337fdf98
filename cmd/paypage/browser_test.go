package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// browser is a shopper for tests that pay from many goroutines while
// servers die under them: it keeps cookies, follows redirects one at a
// time so that a test can stop anywhere (right after Amazon's consent
// redirect, at the merchant), and reports problems as errors instead of
// failing the test from a goroutine. Every request is bounded.
type browser struct {
	client *http.Client
	url    *url.URL
	status int
	doc    *goquery.Document
	body   string
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{client: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
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
	b.url, b.status, b.body, b.doc = req.URL, resp.StatusCode, string(raw), nil
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

// submit sends the form around the element with testid, with the
// element's own name=value and extra values overriding its fields.
func (b *browser) submit(testid string, extra map[string]string) (string, error) {
	if b.doc == nil {
		return "", fmt.Errorf("no page to find %q on", testid)
	}
	el := b.doc.Find(`[data-testid="` + testid + `"]`).First()
	form := el.Closest("form")
	if form.Length() == 0 {
		return "", fmt.Errorf("no form around %q on %s", testid, b.url)
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
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// walk goes on from loc as a shopper would, without waiting: it follows
// redirects, allows consent, enters otp on Amazon's 2FA page and, if
// amazon is set, follows the payment page's way back to Amazon once. It
// stops at the merchant, or at a payment page with nothing to do but
// wait or retry.
func walk(b *browser, loc, otp string, amazon bool) error {
	var err error
	for range 15 {
		switch {
		case err != nil:
			return err
		case loc != "":
			if strings.HasPrefix(loc, shopURL) {
				return nil
			}
			loc, err = b.get(loc)
		case b.status >= 400:
			return statusError{b.status, fmt.Sprintf("%d page at %s:\n%.300s", b.status, b.url, b.body)}
		case b.has("consent-allow"):
			loc, err = b.submit("consent-allow", nil)
		case b.has("otp-input"):
			loc, err = b.submit("otp-submit", map[string]string{"otp": otp})
		case amazon && b.has("continue-on-amazon"):
			amazon = false
			loc, err = b.get(b.href("continue-on-amazon"))
		default:
			return nil
		}
	}
	return fmt.Errorf("no end after 15 steps, at %s", b.url)
}

// statusError is an error page or answer.
type statusError struct {
	status int
	msg    string
}

func (e statusError) Error() string { return e.msg }

// outcome names what became of a request sent as a server was dying.
func outcome(err error) string {
	var se statusError
	switch {
	case err == nil:
		return "answered"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused (paypage down)"
	case errors.As(err, &se):
		return fmt.Sprintf("%d", se.status)
	}
	return "cut off"
}

// comeBack is a shopper opening a payment page again in a new tab (no
// cookie) and finishing what Amazon still waits for.
func comeBack(link string) error {
	b := newBrowser()
	loc, err := b.get(link)
	if err != nil {
		return err
	}
	return walk(b, loc, sandbox.OTPApprove, true)
}
