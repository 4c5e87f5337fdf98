package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/i18n"
)

// The small phone every state is also laid out on.
const (
	smallWidth  = 320
	smallHeight = 640
)

// scripts is the Unicode script each language's words are written in, as
// the name of the Noto font that draws it.
var scripts = map[string]string{
	"hi": "Devanagari", "mr": "Devanagari", "bn": "Bengali", "te": "Telugu",
	"ta": "Tamil", "gu": "Gujarati", "kn": "Kannada",
}

// langServer creates orders in one language on a sandbox server whose
// pending payments stay pending, so the processing state holds still.
type langServer struct {
	*apptest.Server
	seq atomic.Int64
}

// order creates an order of ₹1,499.00 for phone in language lang (""
// leaves the field out) for customer ("" makes one up) and returns its
// payment page's path.
func (s *langServer) order(t *testing.T, phone, lang, customer string, extra map[string]any) string {
	t.Helper()
	body := s.Session(fmt.Sprintf("lang-%s-%d", lang, s.seq.Add(1)), "1499.00", phone)
	if lang != "" {
		body["language"] = lang
	}
	if customer != "" {
		body["customer_id"] = customer
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

// expire moves the order of the payment page at path past its expiry.
func (s *langServer) expire(t *testing.T, path string) {
	t.Helper()
	id := strings.Split(strings.TrimPrefix(path, "/"), "/")[1]
	res, err := s.DB.SQL().Exec(`UPDATE orders SET expires_at = created_at WHERE id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("expire %s: %d orders", id, n)
	}
}

var payLaterOnly = map[string]any{"payment_filter": map[string]any{"allowDefaultOptions": false,
	"options": []any{map[string]any{"paymentMethodType": "CONSUMER_FINANCE", "enable": true}}}}

// TestLanguagesInBrowser shows every state of the payment page, the error
// pages and Amazon's sandbox pages in every language on the phone
// (screenshots in test-artifacts/browser/lang-<code>/<state>.png), each
// also laid out at 320x640; then the payment page at 320 px with a 32 px
// browser font and at 200% zoom in every language; and switches language
// with JavaScript off on both screens.
func TestLanguagesInBrowser(t *testing.T) {
	browser := startBrowser(t)
	axeSource(t)
	s := &langServer{Server: apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "1h"})}

	var codes []string
	for _, l := range i18n.Languages {
		codes = append(codes, l.Code)
	}
	t.Run("states", func(t *testing.T) {
		concurrently(t, codes, func(t *testing.T, code string) {
			languageStates(t, s, newTab(t, browser, s.URL, "lang-"+code), code)
		})
	})
	t.Run("views", func(t *testing.T) {
		concurrently(t, []string{"320px-font-32px", "zoom-200", "switch-without-js", "switch-without-js-320px"}, func(t *testing.T, name string) {
			views[name](t, s, browser)
		})
	})
}

// views are the payment page's checks on other screens: at 320 px with a
// 32 px browser font and at 200% zoom (a 180 CSS px wide viewport)
// nothing scrolls sideways and the pay button is whole on the screen in
// every language; the language switch works with JavaScript off on both
// phones.
var views = map[string]func(t *testing.T, s *langServer, browser context.Context){
	"320px-font-32px": func(t *testing.T, s *langServer, browser context.Context) {
		bigText(t, s, browser, "320px-font-32px", smallWidth, smallHeight, 32)
	},
	"zoom-200": func(t *testing.T, s *langServer, browser context.Context) {
		bigText(t, s, browser, "zoom-200", 180, 370, 16)
	},
	"switch-without-js": func(t *testing.T, s *langServer, browser context.Context) {
		switchNoJS(t, s, browser, "", phoneWidth, phoneHeight)
	},
	"switch-without-js-320px": func(t *testing.T, s *langServer, browser context.Context) {
		switchNoJS(t, s, browser, "-320px", smallWidth, smallHeight)
	},
}

// bigText opens the payment page in every language on a screen of width x
// height CSS px with a default font of font px.
func bigText(t *testing.T, s *langServer, browser context.Context, name string, width, height, font int64) {
	b := newTab(t, browser, s.URL, "lang-"+name)
	b.viewport(width, height, font)
	for _, l := range i18n.Languages {
		b.open(s.order(t, "9000000001", l.Code, "", nil), "pay-button")
		if got, want := b.eval("getComputedStyle(document.body).fontSize"), fmt.Sprintf("%dpx", font); got != want {
			t.Errorf("%s: body text is %s, not the browser's %s", l.Code, got, want)
		}
		b.wholeOnScreen("pay-button")
		if l.Code == "en" || l.Code == "ta" || l.Code == "kn" {
			b.state("payable-" + l.Code) // axe too: the longest words
		} else {
			b.layout("payable-" + l.Code)
		}
	}
}

// switchNoJS switches the page to Tamil with JavaScript off.
func switchNoJS(t *testing.T, s *langServer, browser context.Context, suffix string, width, height int64) {
	b := newTab(t, browser, s.URL, "lang-switch-no-js"+suffix)
	b.viewport(width, height, 16)
	b.disableJS()
	path := s.order(t, "9000000001", "", "", nil)
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
}

// languageStates walks one language through every state a shopper can
// meet, on a phone set to that language (so Amazon's pages, which follow
// Accept-Language, speak it too).
func languageStates(t *testing.T, s *langServer, b *tab, code string) {
	b.flat = true
	b.acceptLanguage(code)
	check := func(name string) {
		t.Helper()
		b.wantLang(code)
		b.state(name)
		b.small(name)
	}

	// Pending charges hold the persona's credit while every language pays
	// with it: small amounts leave credit for all.
	small := map[string]any{"amount": "100.00"}

	// First time: the card, Amazon's consent, then the paid order.
	customer := "lang-customer-" + code
	first := s.order(t, "9000000001", code, customer, nil)
	b.openCard(first, "method-AMAZONPAYLATER")
	if b.has("available-credit") {
		t.Error("a first-time card shows credit")
	}
	// Before linking, the card says what Pay Later is, in the language.
	consent := b.eval(`document.querySelector('[data-testid="method-AMAZONPAYLATER"] .consent')?.textContent ?? ""`)
	if english := strings.Contains(consent, "lending partner"); english != (code == "en") || !strings.Contains(consent, "KFS") && code != "en" {
		t.Errorf("the first-time Pay Later card says %q", consent)
	} else if code == "en" && !strings.Contains(consent, "credit from Amazon's lending partner, repaid to Amazon") {
		t.Errorf("the first-time Pay Later card does not say it is credit repaid to Amazon: %q", consent)
	}
	if script := scripts[code]; script != "" {
		b.drawnIn(`[data-testid="language-switch"] a[lang="`+code+`"]`, script)
	}
	check("payable-first-time")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	check("sandbox-consent")
	b.tap("consent-allow", "shop-result")
	b.open(first, "result-status")
	check("charged")

	// Linked: one tap, with the credit and the Key Fact Statement.
	b.open(s.order(t, "9000000001", code, customer, nil), "available-credit")
	if !b.has("kfs-link") {
		t.Error("the linked card has no Key Fact Statement link")
	}
	check("payable-linked")

	b.open(s.order(t, "9000000003", code, "", payLaterOnly), "no-methods")
	if !b.hasIn("no-methods", "pay-another-way") {
		t.Error("the no-methods state has no button back to the shop")
	}
	check("no-methods")

	// Pending for an hour on this server: the page says it is checking.
	// It is checked as loaded without its script, which would reload or
	// update it during the checks; the pending journey runs the script.
	b.openCard(s.order(t, "9000000007", code, "", small), "method-AMAZONPAYLATER")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	b.tap("consent-allow", "processing")
	b.disableJS()
	b.reload("processing")
	check("processing")
	b.noJS = false
	b.scripts(true)

	b.openCard(s.order(t, "9000000006", code, "", nil), "method-AMAZONPAYLATER")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	b.tap("consent-allow", "pay-another-way")
	if b.has("retry-button") {
		t.Error("a retry is offered after a hard decline")
	}
	check("declined")

	b.openCard(s.order(t, "9000000005", code, "", small), "method-AMAZONPAYLATER")
	b.tapIn("method-AMAZONPAYLATER", "pay-button", "consent-allow")
	b.tap("consent-allow", "otp-input")
	check("sandbox-otp")

	b.openCard(s.order(t, "9000000011", code, "", nil), "method-AMAZONPAY")
	b.tapIn("method-AMAZONPAY", "pay-button", "consent-allow")
	b.tap("consent-allow", "topup-pay")
	check("sandbox-topup")

	expired := s.order(t, "9000000001", code, "", nil)
	s.expire(t, expired)
	b.open(expired, "")
	b.expectStatus(410)
	check("expired")

	b.open("/orders/ord_missing/payment-page?lang="+code, "")
	b.expectStatus(404)
	check("error-404")
}

// openCard opens path and waits for the method card testid: the page
// lists a method only once Amazon has answered for it, which a busy test
// machine can delay past the page's wait, so it reloads a few times.
func (b *tab) openCard(path, card string) {
	b.t.Helper()
	b.open(path, "")
	for i := 0; i < 5 && !b.has(card); i++ {
		time.Sleep(300 * time.Millisecond)
		b.reload("")
	}
	b.step("wait for "+card, waitFor(card))
}

// layout is state without axe-core: a screenshot and the layout checks
// (no sideways scroll, tap targets, labels, language).
func (b *tab) layout(name string) {
	b.t.Helper()
	b.states++
	label := fmt.Sprintf("%02d-%s", b.states, name)
	if b.flat {
		label = name
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", label, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, label+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	a, err := chromedp.Run(ctx, chromedp.Evaluate[audit](auditJS))
	if err != nil {
		b.t.Fatalf("%s: audit: %v", label, err)
	}
	for _, f := range a.failures() {
		b.t.Errorf("%s (%s): %s", label, a.URL, f)
	}
	for _, p := range b.takeProblems() {
		b.t.Errorf("%s (%s): %s", label, a.URL, p)
	}
}

// expectStatus forgets the console's report of the page's own HTTP status
// code, which an error page has by design.
func (b *tab) expectStatus(code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keep []string
	for _, p := range b.problems {
		if !strings.Contains(p, fmt.Sprintf("status of %d", code)) {
			keep = append(keep, p)
		}
	}
	b.problems = keep
}

// small lays the current page out on the 320x640 phone and checks it
// there (no sideways scroll, tap targets, labels; axe ran at 360 px), then
// returns to the 360 px phone.
func (b *tab) small(name string) {
	b.t.Helper()
	b.viewport(smallWidth, smallHeight, 16)
	defer b.viewport(phoneWidth, phoneHeight, 16)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	a, err := chromedp.Run(ctx, chromedp.Evaluate[audit](auditJS))
	if err == nil && a.ScrollWidth > min(a.InnerWidth, a.ClientWidth) {
		// Right after the resize a busy renderer has been seen to report
		// a page a pixel or two wider than any of its boxes; a real
		// overflow is still there a moment later.
		time.Sleep(250 * time.Millisecond)
		a, err = chromedp.Run(ctx, chromedp.Evaluate[audit](auditJS))
	}
	if err != nil {
		b.t.Fatalf("%s at 320 px: audit: %v", name, err)
	}
	for _, f := range a.failures() {
		b.t.Errorf("%s at 320 px (%s): %s", name, a.URL, f)
	}
	if a.ScrollWidth > min(a.InnerWidth, a.ClientWidth) {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const w = document.documentElement.clientWidth, out = []; const it = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT); for (let n = it.nextNode(); n && out.length < 5; n = it.nextNode()) { let r; if (n.nodeType === 3) { const g = document.createRange(); g.selectNodeContents(n); r = g.getBoundingClientRect(); } else r = n.getBoundingClientRect(); if (r.right > w) out.push((n.nodeType === 3 ? "text in " + n.parentElement.tagName : n.tagName + "." + n.className) + " right " + r.right.toFixed(1) + ": " + (n.textContent || "").trim().slice(0, 60)); } return out; })()`))
		b.t.Errorf("%s at 320 px: wider than the screen: %v", name, wide)
	}
}

// wholeOnScreen scrolls the element with testid into view and checks that
// all of it fits on the screen.
func (b *tab) wholeOnScreen(testid string) {
	b.t.Helper()
	got := b.eval(`(() => {
		const el = document.querySelector(` + jsString(byTestID(testid)) + `);
		if (!el) return "missing";
		el.scrollIntoView({block: "nearest", inline: "nearest"});
		const r = el.getBoundingClientRect(), w = document.documentElement.clientWidth;
		// A pixel's slack for the fractions of a scaled layout.
		return r.left >= -1 && r.right <= w + 1 && r.top >= -1 && r.bottom <= innerHeight + 1 ? "" :
			Math.round(r.width) + "x" + Math.round(r.height) + " at " + Math.round(r.left) + "," + Math.round(r.top) + " on " + w + "x" + innerHeight;
	})()`)
	if got != "" {
		b.t.Errorf("%s is not whole on the screen: %s", testid, got)
	}
}

// drawnIn checks that the text of the element matching sel is drawn with
// the Noto font for script, not the boxes of a missing font.
func (b *tab) drawnIn(sel, script string) {
	b.t.Helper()
	var fonts []*css.PlatformFontUsage
	b.step("fonts of "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, dom.Enable, dom.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, css.Enable, cdp.Empty{}); err != nil {
			return err
		}
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		n, err := cdp.Call(ctx, tg, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: sel})
		if err != nil {
			return err
		}
		if n.NodeID == 0 {
			return fmt.Errorf("no %s", sel)
		}
		f, err := cdp.Call(ctx, tg, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: n.NodeID})
		fonts = f.Fonts
		return err
	}))
	for _, f := range fonts {
		if strings.Contains(f.FamilyName, script) && f.GlyphCount > 0 {
			return
		}
	}
	used, _ := json.Marshal(fonts)
	b.t.Errorf("%s is not drawn in Noto Sans %s (is the font installed?): %s", sel, script, used)
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
