package apptest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Shopper is a browser stand-in: it keeps cookies, follows redirects and
// submits forms found by data-testid, as a person clicking would. It stops
// at the merchant's pages (under StopPrefix) so that tests can read the
// signed return without a merchant running.
type Shopper struct {
	t          testing.TB
	Client     *http.Client
	StopPrefix string
	URL        *url.URL // where the last response came from
	Status     int
	Body       string
	Doc        *goquery.Document

	lastLocation string
}

// NewShopper returns a shopper with an empty cookie jar. If stopPrefix is
// not empty, redirects to URLs starting with it are not followed.
func NewShopper(t testing.TB, stopPrefix string) *Shopper {
	jar, _ := cookiejar.New(nil)
	s := &Shopper{t: t, StopPrefix: stopPrefix}
	s.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if s.StopPrefix != "" && strings.HasPrefix(req.URL.String(), s.StopPrefix) {
			return http.ErrUseLastResponse
		}
		if len(via) > 20 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return s
}

// Get loads a page.
func (s *Shopper) Get(rawURL string) *Shopper {
	s.t.Helper()
	resp, err := s.Client.Get(rawURL)
	if err != nil {
		s.t.Fatalf("GET %s: %v", rawURL, err)
	}
	s.read(resp)
	return s
}

// Location is where the last response redirected to (when the shopper
// stopped at a merchant URL), or "".
func (s *Shopper) Location() string {
	return s.lastLocation
}

func (s *Shopper) read(resp *http.Response) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	s.URL, s.Status, s.Body = resp.Request.URL, resp.StatusCode, string(b)
	s.lastLocation = ""
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc, err := resp.Location(); err == nil {
			s.lastLocation = loc.String()
		}
	}
	s.Doc, err = goquery.NewDocumentFromReader(strings.NewReader(s.Body))
	if err != nil {
		s.t.Fatal(err)
	}
}

// Has reports whether the current page has an element with testid.
func (s *Shopper) Has(testid string) bool {
	return s.Doc.Find(`[data-testid="`+testid+`"]`).Length() > 0
}

// Text returns the trimmed text of the element with testid.
func (s *Shopper) Text(testid string) string {
	return strings.TrimSpace(s.Doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

// Submit finds the element with testid, submits the form containing it
// (with the element's own name=value if it has one, and extra values
// overriding fields) and follows the answer.
func (s *Shopper) Submit(testid string, extra map[string]string) *Shopper {
	s.t.Helper()
	el := s.Doc.Find(`[data-testid="` + testid + `"]`).First()
	if el.Length() == 0 {
		s.t.Fatalf("no element %q on %s (status %d):\n%s", testid, s.URL, s.Status, s.Body)
	}
	form := el.Closest("form")
	if form.Length() == 0 {
		s.t.Fatalf("element %q is not in a form", testid)
	}
	values := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, in *goquery.Selection) {
		name, ok := in.Attr("name")
		if !ok || name == "" {
			return
		}
		typ, _ := in.Attr("type")
		if typ == "submit" || typ == "button" {
			return
		}
		if in.Is("select") {
			v, _ := in.Find("option[selected]").Attr("value")
			if v == "" {
				v, _ = in.Find("option").First().Attr("value")
			}
			values.Set(name, v)
			return
		}
		v, _ := in.Attr("value")
		values.Set(name, v)
	})
	if name, ok := el.Attr("name"); ok && name != "" {
		v, _ := el.Attr("value")
		values.Set(name, v)
	}
	for k, v := range extra {
		values.Set(k, v)
	}
	action, _ := form.Attr("action")
	target, err := s.URL.Parse(action)
	if err != nil {
		s.t.Fatal(err)
	}
	method, _ := form.Attr("method")
	var resp *http.Response
	if strings.EqualFold(method, "post") {
		resp, err = s.Client.PostForm(target.String(), values)
	} else {
		target.RawQuery = values.Encode()
		resp, err = s.Client.Get(target.String())
	}
	if err != nil {
		s.t.Fatalf("submit %q: %v", testid, err)
	}
	s.read(resp)
	return s
}

// Follow loads the href of the link with testid.
func (s *Shopper) Follow(testid string) *Shopper {
	s.t.Helper()
	href, ok := s.Doc.Find(`[data-testid="` + testid + `"]`).First().Attr("href")
	if !ok {
		s.t.Fatalf("no link %q on %s:\n%s", testid, s.URL, s.Body)
	}
	target, err := s.URL.Parse(href)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.Get(target.String())
}
