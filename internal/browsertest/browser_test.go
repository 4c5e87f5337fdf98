package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// requireBrowser makes a missing browser or npm a failure instead of a skip,
// so that CI cannot go green without having run these tests.
var requireBrowser = os.Getenv("PAYPAGE_REQUIRE_BROWSER") == "1"

var skipOnce sync.Once

// missing skips the test with msg, printed once where everyone sees it
// (skip messages show only with -v), or fails it under requireBrowser.
func missing(t testing.TB, msg string) {
	t.Helper()
	if requireBrowser {
		t.Fatal(msg + " (PAYPAGE_REQUIRE_BROWSER=1 forbids skipping)")
	}
	skipOnce.Do(func() { fmt.Fprintln(os.Stderr, "BROWSERTEST: "+msg) })
	t.Skip(msg)
}

// chromiumPath finds the system browser; PAYPAGE_CHROMIUM overrides the
// search. The tests never download a browser.
func chromiumPath() string {
	names := []string{"chromium", "chromium-browser", "/usr/bin/chromium", "google-chrome"}
	if p := os.Getenv("PAYPAGE_CHROMIUM"); p != "" {
		names = []string{p}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBrowser starts one headless Chromium for the calling test and its
// subtests; each scenario then opens its own incognito tab with newTab.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		missing(t, "browser tests skipped: no chromium (apt-get install chromium)")
	}
	// The flags that keep Chromium off the closed network (background
	// services, QUIC, component updates, sync) matter here: without them it
	// keeps trying to reach Google's hosts.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // as root, Chromium refuses to start with its sandbox
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Do starts the browser; it must have no deadline, or the
	// deadline would end the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// tabsAtOnce is how many scenarios run at the same time. A scenario spends
// most of its time waiting for pages and the browser, not on the CPU, so
// more run at once than -parallel (GOMAXPROCS) would allow.
const tabsAtOnce = 4

// concurrently runs run(t, name) as a subtest for each name, up to
// tabsAtOnce at a time, and returns when all have ended.
func concurrently(t *testing.T, names []string, run func(t *testing.T, name string)) {
	t.Helper()
	var wg sync.WaitGroup
	slots := make(chan struct{}, tabsAtOnce)
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(name, func(t *testing.T) { run(t, name) })
		}()
	}
	wg.Wait()
}
