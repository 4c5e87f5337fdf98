package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// maxResponseRead bounds how much of a merchant's answer is read (to
	// keep the connection reusable and the error text short).
	maxResponseRead = 4 << 10
	// maxErrorLen bounds webhook_attempts.error and last_error.
	maxErrorLen = 300
)

// attempt is what one HTTP try produced.
type attempt struct {
	at         time.Time
	latency    time.Duration
	statusCode int
	err        string // empty when delivered
}

// post sends d once. It never returns an error: every failure becomes the
// attempt's error text, to be recorded and retried.
func (disp *Dispatcher) post(ctx context.Context, d Delivery) attempt {
	at := disp.now()
	sig, err := SignatureHeader(d.secrets(at), d.EventID, at, d.Payload)
	if err != nil {
		// Never the secret itself: only that the merchant's is unusable.
		return attempt{at: at, err: "cannot sign: the merchant's webhook secret is malformed"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return attempt{at: at, err: truncate("bad webhook url: " + err.Error())}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "paypage-webhooks/1")
	req.SetBasicAuth(d.Username, d.Password)
	req.Header.Set("webhook-id", d.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)

	start := time.Now()
	resp, err := disp.client.Do(req)
	if err != nil {
		// The *url.Error wrapper repeats the URL, whose query may hold a
		// merchant's token; keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return attempt{at: at, latency: time.Since(start), err: truncate("POST: " + err.Error())}
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	// Drain a little more so the connection can be reused, but never wait
	// on an endless body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	resp.Body.Close()
	a := attempt{at: at, latency: time.Since(start), statusCode: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.err = truncate(fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet)))
	}
	return a
}

// result turns an attempt at d into the row update: delivered, retry at the
// next step of the schedule, or failed once the schedule is used up.
func (disp *Dispatcher) result(d Delivery, a attempt) Result {
	r := Result{
		EventID: d.EventID, Attempt: d.Attempt, AttemptedAt: a.at, Latency: a.latency,
		StatusCode: a.statusCode, Error: a.err,
	}
	switch {
	case a.err == "":
		r.Status = StatusDelivered
	case d.Attempt-1 < len(disp.schedule):
		r.Status = StatusPending
		r.NextAttempt = disp.now().Add(disp.schedule[d.Attempt-1])
	default:
		r.Status = StatusFailed
	}
	return r
}

// noRedirects makes the client return a 3xx as the response, which counts
// as a failure: a webhook must reach the registered URL, not wherever it
// points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// truncate makes s safe to store as PostgreSQL text (valid UTF-8, no NUL,
// which a merchant's response body need not be) and at most about
// maxErrorLen bytes long.
func truncate(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
