package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/i18n"
)

// TestLanguagesInBrowser shows the payment page's states in every language
// on the phone (the error pages' words are checked in web's tests: a
// 404 or 410 logs a console error, which a state counts as a problem) (screenshots in test-artifacts/browser/lang-<code>), then
// on a 320 px screen with a 32 px browser font and at 200% zoom, and
// switches language with JavaScript off.
func TestLanguagesInBrowser(t *testing.T) {
	browser := startBrowser(t)
	axeSource(t)
	s := apptest.Start(t, nil)
	seq := 0
	order := func(t *testing.T, phone, lang string, extra map[string]any) string {
		t.Helper()
		seq++
		body := s.Session(fmt.Sprintf("lang-%s-%d", lang, seq), "1499.00", phone)
		if lang != "" {
			body["language"] = lang
		}
		for k, v := range extra {
			body[k] = v
		}
		r := s.API(t, "POST", "/session", body)
		if r.Status != 200 {
			t.Fatalf("session: %d %s", r.Status, r.Body)
		}
		return strings.TrimPrefix(r.JSON(t)["payment_links"].(map[string]any)["web"].(string), s.URL)
	}
	payLaterOnly := map[string]any{"payment_filter": map[string]any{"allowDefaultOptions": false,
		"options": []any{map[string]any{"paymentMethodType": "CONSUMER_FINANCE", "enable": true}}}}

	for _, l := range i18n.Languages {
		t.Run(l.Code, func(t *testing.T) {
			b := newTab(t, browser, s.URL, "lang-"+l.Code)
			b.open(order(t, "9000000001", l.Code, nil), "pay-button")
			b.wantLang(l.Code)
			b.state("payable")
			b.open(order(t, "9000000003", l.Code, payLaterOnly), "no-methods")
			b.wantLang(l.Code)
			b.state("no-methods")
		})
	}

	// The longest words and buttons: at 320 px with a 32 px font, and at
	// 200% zoom (a 180 CSS px wide viewport), nothing scrolls sideways.
	for _, view := range []struct {
		name          string
		width, height int64
		font          int64
	}{{"320px-font-32px", 320, 640, 32}, {"zoom-200", 180, 370, 16}} {
		t.Run(view.name, func(t *testing.T) {
			b := newTab(t, browser, s.URL, "lang-"+view.name)
			b.viewport(view.width, view.height, view.font)
			for _, code := range []string{"en", "ta", "kn"} {
				b.open(order(t, "9000000001", code, nil), "pay-button")
				if got, want := b.eval("getComputedStyle(document.body).fontSize"), fmt.Sprintf("%dpx", view.font); got != want {
					t.Errorf("body text is %s, not the browser's %s", got, want)
				}
				b.state("payable-" + code)
			}
		})
	}

	t.Run("switch-without-js", func(t *testing.T) {
		b := newTab(t, browser, s.URL, "lang-switch-no-js")
		b.disableJS()
		path := order(t, "9000000001", "", nil)
		b.open(path, "pay-button")
		b.wantLang("en")
		b.tapOn(`[data-testid="language-switch"] a[lang="ta"]`, "தமிழ்", "pay-button")
		b.wantLang("ta")
		if !strings.HasPrefix(b.path(), path) {
			t.Errorf("the switch left the page: %s", b.path())
		}
		b.state("switched-ta")
		b.open(path, "pay-button") // the choice stays for the visit
		b.wantLang("ta")
	})
}

// wantLang checks the document's language.
func (b *tab) wantLang(code string) {
	b.t.Helper()
	if got := b.eval("document.documentElement.lang"); got != code {
		b.t.Errorf("%s: lang %q, want %q", b.path(), got, code)
	}
}

// viewport makes the tab's screen width x height CSS px with a default
// font size of font px.
func (b *tab) viewport(width, height, font int64) {
	b.t.Helper()
	err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: phoneScale, Mobile: true,
			ScreenOrientation: &emulation.ScreenOrientation{Type: emulation.ScreenOrientationTypePortraitPrimary},
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: font}})
		return err
	}))
	if err != nil {
		b.t.Fatalf("viewport: %v", err)
	}
}
