package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axe-core is fetched from the npm registry into a cache outside the
// repository on first use, so that nothing third-party is committed.
var (
	axeOnce    sync.Once
	axeSrc     string
	axeMissing string
	axeErr     error
)

// axeSource returns the text of axe.min.js, installing it if needed.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() { axeSrc, axeMissing, axeErr = loadAxe() })
	if axeMissing != "" {
		missing(t, axeMissing)
	}
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	return axeSrc
}

// axeDir is PAYPAGE_AXE_DIR, or paypage-axe in the user's cache directory.
func axeDir() string {
	if d := os.Getenv("PAYPAGE_AXE_DIR"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "paypage-axe")
}

func loadAxe() (src, missingMsg string, err error) {
	dir := axeDir()
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if b, err := os.ReadFile(file); err == nil {
		return string(b), "", nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "browser tests skipped: no npm to fetch axe-core (apt-get install npm)", nil
	}
	cmd := exec.Command(npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
		"--prefix", dir, "axe-core@4")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("npm install axe-core into %s: %v\n%s", dir, err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", "", fmt.Errorf("npm installed axe-core but: %v", err)
	}
	return string(b), "", nil
}

// axeViolation is the part of an axe result the tests report.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// failing reports whether the violation fails a test: serious and
// critical ones do; moderate and minor ones are only reported.
func (v axeViolation) failing() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v axeViolation) String() string {
	return fmt.Sprintf("axe %s (%s): %s\n\t\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t\t"))
}

// axeRun is evaluated after axe.min.js; it runs the default rule set
// (WCAG 2.x A and AA, including color-contrast, plus best practices).
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ['violations']});
	return r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
	}));
})()`

// runAxe injects axe-core into the current page and returns its
// violations. CDP evaluation is not subject to the page's CSP, which
// forbids inline scripts.
func runAxe(ctx context.Context, src string) ([]axeViolation, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		return nil, fmt.Errorf("inject axe: %w", err)
	}
	return chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
}
