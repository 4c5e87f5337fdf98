package browsertest

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// badPage breaks every rule the page checks enforce, once.
const badPage = `<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>bad</title></head>
<body><main><h1>Bad</h1>
<p style="color:#bbb;background:#fff">Faint text nobody can read.</p>
<div style="width:500px">Too wide for a phone.</div>
<button style="width:20px;height:20px">x</button>
<input type="text" style="width:200px;height:48px">
<p>Read the <a href="#terms">terms</a> before you pay.</p>
<img src="http://127.0.0.2:9/tracker.gif" alt="">
<script>console.error("boom")</script>
</main></body></html>`

// checksCatchProblems shows that the checks can fail: a suite of checks
// that never fire would pass every page.
func checksCatchProblems(t *testing.T, browser context.Context) {
	b := newTab(t, browser, "data:", "")
	b.broken = true
	b.step("open the bad page", chromedp.Navigate("data:text/html,"+url.PathEscape(badPage)))
	a, violations, _, err := b.inspect(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	failures := strings.Join(a.failures(), "\n")
	for _, want := range []string{"no lang", "scrolls sideways", `button "x" is 20x20`, "control without a label: input"} {
		if !strings.Contains(failures, want) {
			t.Errorf("audit missed %q; it found:\n%s", want, failures)
		}
	}
	if len(a.Exempt) != 1 || !strings.Contains(a.Exempt[0], `"terms"`) {
		t.Errorf("the in-sentence link is not the one exemption: %v", a.Exempt)
	}
	var failing []string
	for _, v := range violations {
		if v.failing() {
			failing = append(failing, v.ID)
		}
	}
	for _, want := range []string{"color-contrast", "html-has-lang", "label"} {
		if !slices.Contains(failing, want) {
			t.Errorf("axe did not fail %s; failing rules: %v", want, failing)
		}
	}
	problems := strings.Join(b.takeProblems(), "\n")
	for _, want := range []string{"console.error: boom", "request to another origin: http://127.0.0.2:9/tracker.gif"} {
		if !strings.Contains(problems, want) {
			t.Errorf("events missed %q; they recorded:\n%s", want, problems)
		}
	}
}
