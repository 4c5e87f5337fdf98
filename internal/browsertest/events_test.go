package browsertest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// record runs in the tab's event loop: it must be quick and send nothing.
func (b *tab) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.problems = append(b.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			b.problems = append(b.problems, fmt.Sprintf("log error (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		if !b.sameOrigin(ev.Request.URL) {
			b.problems = append(b.problems, "request to another origin: "+ev.Request.URL)
		}
		r, ok := b.resources[ev.RequestID]
		if !ok {
			r = &resource{}
			b.resources[ev.RequestID] = r
			b.order = append(b.order, ev.RequestID)
		}
		// A redirect reuses the request id; the last URL is what loaded.
		r.URL, r.Type, r.RenderBlocking = ev.Request.URL, ev.Type, ev.RenderBlockingBehavior
	case *network.EventResponseReceived:
		if r := b.resources[ev.RequestID]; r != nil {
			r.Status = ev.Response.Status
		}
	case *network.EventDataReceived:
		if r := b.resources[ev.RequestID]; r != nil {
			r.Decoded += ev.DataLength
		}
	case *network.EventLoadingFinished:
		if r := b.resources[ev.RequestID]; r != nil {
			r.Encoded, r.Finished = int64(ev.EncodedDataLength), true
		}
	}
}

func (b *tab) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	return u.Scheme+"://"+u.Host == b.origin
}

// takeProblems returns and forgets what was recorded since the last call.
func (b *tab) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func (b *tab) report() {
	if b.broken {
		return
	}
	for _, p := range b.takeProblems() {
		b.t.Errorf("after the last state: %s", p)
	}
}

// forgetNetwork clears the recorded requests, to measure one page load.
func (b *tab) forgetNetwork() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.resources = map[network.RequestID]*resource{}
	b.order = nil
}

// loaded returns the requests recorded since forgetNetwork, in order.
func (b *tab) loaded() []resource {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []resource
	for _, id := range b.order {
		out = append(out, *b.resources[id])
	}
	return out
}
