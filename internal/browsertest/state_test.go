package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed audit.js
var auditJS string

// audit is what audit.js reports about a page.
type audit struct {
	URL          string   `json:"url"`
	Lang         string   `json:"lang"`
	ScrollWidth  int      `json:"scrollWidth"`
	ClientWidth  int      `json:"clientWidth"`
	InnerWidth   int      `json:"innerWidth"`
	SmallTargets []string `json:"smallTargets"`
	Exempt       []string `json:"exempt"`
	Unlabelled   []string `json:"unlabelled"`
}

// state screenshots the page the shopper sees now as NN-name.png and
// checks it: no horizontal scroll at 360 px, tap targets of at least 44x44
// CSS px, labelled controls, a document language, no serious or critical
// axe-core violation (contrast included), and no console error or request
// to another origin since the previous state.
func (b *tab) state(name string) {
	b.t.Helper()
	b.states++
	label := fmt.Sprintf("%02d-%s", b.states, name)
	if b.flat {
		label = name
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()

	// The picture comes first, so that a failed check has one to look at.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", label, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, label+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}

	a, violations, axeTime, err := b.inspect(ctx)
	if err != nil {
		b.t.Fatalf("%s: %v", label, err)
	}
	where := label + " (" + a.URL + ")"
	for _, f := range a.failures() {
		b.t.Errorf("%s: %s", where, f)
	}
	for _, v := range violations {
		if v.failing() {
			b.t.Errorf("%s: %s", where, v)
		} else {
			b.t.Logf("%s: (not failing) %s", where, v)
		}
	}
	for _, p := range b.takeProblems() {
		b.t.Errorf("%s: %s", where, p)
	}
	b.t.Logf("%s checked (axe %v; exempt in-sentence links: %s)", where, axeTime.Round(time.Millisecond), orNone(a.Exempt))
}

// inspect runs audit.js and axe-core on the current page.
func (b *tab) inspect(ctx context.Context) (a audit, violations []axeViolation, axeTime time.Duration, err error) {
	if b.noJS {
		// The checks are scripts; the page's own scripts have already not
		// run, so switching them on for the checks changes nothing it shows.
		b.scripts(true)
		defer b.scripts(false)
	}
	a, err = chromedp.Run(ctx, chromedp.Evaluate[audit](auditJS))
	if err != nil {
		return a, nil, 0, fmt.Errorf("audit: %w", err)
	}
	start := time.Now()
	violations, err = runAxe(ctx, axeSource(b.t))
	if err != nil {
		return a, nil, 0, fmt.Errorf("axe: %w", err)
	}
	return a, violations, time.Since(start), nil
}

// failures lists what the audit found wrong.
func (a audit) failures() []string {
	var f []string
	if a.Lang == "" {
		f = append(f, "<html> has no lang")
	}
	if width := min(a.InnerWidth, a.ClientWidth); a.ScrollWidth > width {
		f = append(f, fmt.Sprintf("scrolls sideways: content %d px wide in a %d px viewport", a.ScrollWidth, width))
	}
	for _, s := range a.SmallTargets {
		f = append(f, "tap target under 44x44 CSS px: "+s)
	}
	for _, s := range a.Unlabelled {
		f = append(f, "control without a label: "+s)
	}
	return f
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
}
