package browsertest

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/paypage/paypage/internal/apptest"
)

// cookieDropper is a webview that keeps no cookie, as some merchant apps'
// do, modelled where it cannot be missed: a proxy between the browser and
// paypage takes Set-Cookie off every answer and Cookie off every request.
// (Chromium's DevTools interception does not show Set-Cookie headers, so
// the browser cannot be told to drop them itself.) Paypage's base URL is
// the proxy's, so every link, redirect and Origin check goes through it.
type cookieDropper struct {
	URL string       // the proxy, paypage's base URL
	Cut atomic.Int64 // answers that had a cookie taken off
}

// startCookieless starts a sandbox server behind a cookieDropper.
func startCookieless(t *testing.T) (*apptest.Server, *cookieDropper) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &cookieDropper{URL: "http://" + ln.Addr().String()}
	s := apptest.Start(t, map[string]string{"PAYPAGE_BASE_URL": d.URL})
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // paypage sees the address the browser used
			r.Out.Header.Del("Cookie")
		},
		ModifyResponse: func(resp *http.Response) error {
			if len(resp.Header.Values("Set-Cookie")) > 0 {
				d.Cut.Add(1)
				resp.Header.Del("Set-Cookie")
			}
			return nil
		},
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s, d
}

// noDocumentCookie switches document.cookie off too, so no script can
// keep a cookie either.
func (b *tab) noDocumentCookie() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetDocumentCookieDisabled, emulation.SetDocumentCookieDisabledParams{Disabled: true}); err != nil {
		b.t.Fatalf("switch document.cookie off: %v", err)
	}
}

// cookies lists the names of the cookies the tab's browser holds for its
// origin.
func (b *tab) cookies() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	r, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.origin + "/"}})
	if err != nil {
		b.t.Fatalf("read cookies: %v", err)
	}
	var names []string
	for _, c := range r.Cookies {
		names = append(names, c.Name)
	}
	return names
}
