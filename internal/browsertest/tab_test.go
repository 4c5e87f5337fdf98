package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The shopper's device: a mid-range Android phone, the page opened inside a
// merchant app's webview ("wv" in the user agent).
const (
	phoneWidth  = 360
	phoneHeight = 740
	phoneScale  = 2
	webviewUA   = "Mozilla/5.0 (Linux; Android 14; SM-A155F Build/UP1A.231005.007; wv) AppleWebKit/537.36 " +
		"(KHTML, like Gecko) Version/4.0 Chrome/156.0.0.0 Mobile Safari/537.36"
)

// stepTimeout bounds one navigation or wait, so that a broken page fails
// the scenario instead of hanging the suite.
const stepTimeout = 20 * time.Second

// tab is one scenario's incognito tab, emulating the phone, with
// everything it sees on the network and in the console recorded.
type tab struct {
	t      *testing.T
	ctx    context.Context
	origin string // the only origin the pages may load from
	shots  string // screenshot directory of this scenario
	states int
	noJS   bool
	broken bool // the page breaks the rules on purpose; report nothing late
	flat   bool // screenshots are <state>.png, without the NN- sequence

	mu        sync.Mutex
	problems  []string // console errors and foreign requests not yet reported
	resources map[network.RequestID]*resource
	order     []network.RequestID
}

// resource is one request as the network events describe it.
type resource struct {
	URL            string
	Type           network.ResourceType
	RenderBlocking network.RenderBlockingBehavior
	Status         int64
	Decoded        int64 // body bytes after content decoding
	Encoded        int64 // bytes on the wire, headers included
	Finished       bool
}

// newTab opens a tab in a fresh browser context (its own cookies and
// cache) of the browser in parent. Screenshots go to
// test-artifacts/browser/<scenario>; an empty scenario takes none.
func newTab(t *testing.T, parent context.Context, origin, scenario string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	b := &tab{t: t, ctx: ctx, origin: origin, resources: map[network.RequestID]*resource{}}
	if scenario != "" {
		b.shots = filepath.Join(repoRoot(t), "test-artifacts", "browser", scenario)
		if err := os.RemoveAll(b.shots); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	t.Cleanup(func() {
		b.report() // problems after the last state still count
		cancel()
	})
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: phoneWidth, Height: phoneHeight, DeviceScaleFactor: phoneScale, Mobile: true,
			ScreenOrientation: &emulation.ScreenOrientation{Type: emulation.ScreenOrientationTypePortraitPrimary},
		}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{
			Enabled: true, MaxTouchPoints: 5,
		}); err != nil {
			return err
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("emulate phone: %v", err)
	}
	b.acceptLanguage("en")
	return b
}

// acceptLanguage makes the phone's language code (Indian English for
// "en"), as its Accept-Language header says to every page, Amazon's too.
func (b *tab) acceptLanguage(code string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: webviewUA, AcceptLanguage: code + "-IN," + code, Platform: "Linux armv8l",
	}); err != nil {
		b.t.Fatalf("phone language %s: %v", code, err)
	}
}

// disableJS turns script execution off for the pages the tab loads, as in
// a webview with JavaScript disabled.
func (b *tab) disableJS() {
	b.t.Helper()
	b.noJS = true
	b.scripts(false)
}

func (b *tab) scripts(on bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		b.t.Fatalf("switch JavaScript on=%v: %v", on, err)
	}
}

// repoRoot is the module root, where test-artifacts/ lives.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}
