package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// step runs actions with a deadline.
func (b *tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\npage %s shows:\n%s", what, err, b.location(), b.shows())
	}
}

// shows is the visible text of the page, for failure messages; it also
// leaves a screenshot of the failure beside the scenario's states.
func (b *tab) shows() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil && b.shots != "" {
		_ = os.WriteFile(filepath.Join(b.shots, "failure.png"), png, 0o644)
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "?"
	}
	return s
}

// open loads path on the server and waits until the element want shows.
func (b *tab) open(path, want string) {
	b.t.Helper()
	b.step("open "+path, chromedp.Navigate(b.origin+path), waitFor(want))
}

// tap touches the element with testid, waits for the page it leads to and
// for the element want on it. It finds the element with an evaluation, not
// chromedp's node queries, so that it also works on a page restored from
// the back-forward cache.
func (b *tab) tap(testid, want string) {
	b.t.Helper()
	b.tapOn(byTestID(testid), testid, want)
}

// tapIn is tap for the element with testid inside the one with testid
// within, such as the pay button of one method's card.
func (b *tab) tapIn(within, testid, want string) {
	b.t.Helper()
	b.tapOn(byTestID(within)+" "+byTestID(testid), within+" "+testid, want)
}

// tapOn taps the first element matching the CSS selector sel; what names
// it in failures.
func (b *tab) tapOn(sel, what, want string) {
	b.t.Helper()
	center := `(() => {
		const el = document.querySelector(` + jsString(sel) + `);
		if (!el) return [];
		el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`
	b.step("tap "+what, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		xy, err := chromedp.Evaluate[[]float64](center)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		if len(xy) != 2 {
			return chromedp.Void{}, fmt.Errorf("no element %s to tap", what)
		}
		_, err = chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.TapXY(xy[0], xy[1]))(ctx, tg)
		return chromedp.Void{}, err
	}, waitFor(want))
}

// reload is the browser's reload; it waits for the element want.
func (b *tab) reload(want string) {
	b.t.Helper()
	b.step("reload", chromedp.Reload(), waitFor(want))
}

// back and forward are the browser's buttons; they wait for the element
// want and report whether the page came from the back-forward cache, where
// it would be shown as it was left, without asking the server.
func (b *tab) back(want string) (fromCache bool)    { return b.history(-1, want) }
func (b *tab) forward(want string) (fromCache bool) { return b.history(+1, want) }

// history waits for the frame to navigate instead of for a load event: a
// page restored from the back-forward cache fires none.
func (b *tab) history(delta int64, want string) (fromCache bool) {
	b.t.Helper()
	b.step(fmt.Sprintf("history %+d", delta), func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		h, err := cdp.Call(ctx, tg, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return chromedp.Void{}, err
		}
		i := h.CurrentIndex + delta
		if i < 0 || i >= int64(len(h.Entries)) {
			return chromedp.Void{}, fmt.Errorf("no history entry %d", i)
		}
		navigated, err := chromedp.WaitEvent(page.FrameNavigated,
			func(ev page.EventFrameNavigated) bool { return ev.Frame.ParentID == "" },
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[i].ID})
				return err
			}))(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		fromCache = navigated.Type == page.NavigationTypeBackForwardCacheRestore
		return chromedp.Void{}, nil
	}, waitFor(want))
	return fromCache
}

// waitFor waits until the current document has finished loading and shows
// the element with testid; with testid "" it waits only for the loading.
// It polls with evaluations instead of chromedp's node queries, which wait
// for a load event that a page restored from the back-forward cache never
// fires.
func waitFor(testid string) chromedp.Action[chromedp.Void] {
	check := `document.readyState === "complete" && (() => {
		const el = document.querySelector('[data-testid="` + testid + `"]');
		return !!el && el.getClientRects().length > 0;
	})()`
	if testid == "" {
		check = `document.readyState === "complete"`
	}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			// An evaluation can fail while the document is being replaced.
			if ok, err := chromedp.Evaluate[bool](check)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", testid, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// choose picks an option of the select with id, as the native picker would.
func (b *tab) choose(id, value string) {
	b.t.Helper()
	b.step("choose "+id, chromedp.SetValue(chromedp.ID(id), value))
	if got := b.eval(`document.getElementById(` + jsString(id) + `).value`); got != value {
		b.t.Fatalf("select %s has %q after choosing %q", id, got, value)
	}
}

// typeInto types text into the field with id, replacing what it held.
func (b *tab) typeInto(id, text string) {
	b.t.Helper()
	b.step("type into "+id, chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
}

// eval evaluates a JavaScript expression that yields a string.
func (b *tab) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}

// has reports whether the page has an element with testid.
func (b *tab) has(testid string) bool {
	b.t.Helper()
	return b.eval(`document.querySelector('[data-testid="`+testid+`"]') ? "yes" : ""`) != ""
}

// hasIn reports whether the element with testid within holds one with
// testid.
func (b *tab) hasIn(within, testid string) bool {
	b.t.Helper()
	return b.eval(`document.querySelector(`+jsString(byTestID(within)+" "+byTestID(testid))+`) ? "yes" : ""`) != ""
}

// textIn is text for the element with testid inside the one with testid
// within.
func (b *tab) textIn(within, testid string) string {
	b.t.Helper()
	sel := jsString(byTestID(within) + " " + byTestID(testid))
	return b.eval(`(document.querySelector(` + sel + `)?.textContent ?? "").trim().replace(/\s+/g, " ")`)
}

// byTestID is the CSS selector of the elements with testid.
func byTestID(testid string) string { return `[data-testid="` + testid + `"]` }

// text is the trimmed text of the element with testid, or "".
func (b *tab) text(testid string) string {
	b.t.Helper()
	return b.eval(`(document.querySelector('[data-testid="` + testid + `"]')?.textContent ?? "").trim().replace(/\s+/g, " ")`)
}

func (b *tab) path() string {
	b.t.Helper()
	return b.eval(`location.pathname`)
}

// location is for failure messages, so it must not fail itself.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return "?"
	}
	return s
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }
