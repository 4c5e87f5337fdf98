// Package faultproxy is a test helper: an HTTP proxy to put between
// paypage's Amazon Pay client and the simulator that breaks chosen calls
// the ways real networks and providers do. It answers with 4xx and 5xx
// errors of its own (unsigned, as a proxy, rate limiter or load balancer
// would), strips or corrupts the simulator's response signatures, holds
// answers past the client's timeout, and drops connections before or
// after the call reached the simulator; once, N times or at random, chosen
// per call. It counts what it saw and what it did, so that tests can
// compare Amazon's records with paypage's.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fault is one way to break a call.
type Fault int

// Faults. Those named "before" never reach the simulator, so the call has
// no effect; the others reach it, so the call took effect and only its
// answer is lost or spoiled.
const (
	None           Fault = iota
	Status429            // before: unsigned 429 Too Many Requests
	Status401            // before: unsigned 401 AuthorizationExpired (clock skew)
	Status403            // before: unsigned 403 InvalidAccessToken
	Status400            // before: unsigned 400 with a decline code (InsufficientFunds)
	Status500            // before: unsigned 500 InternalServerError
	Status502            // before: unsigned 502 from a gateway
	Status503            // before: unsigned 503 Service Unavailable
	DropBefore           // before: the connection closes without an answer
	Unsigned             // after: the simulator's answer without its signature
	BadSignature         // after: the simulator's answer with a wrong signature
	Slow                 // after: the answer is held until the client gave up
	DropAfter            // after: the call took effect, the connection closes without an answer
	Status500After       // after: the call took effect, the answer is an unsigned 500
	numFaults
)

var names = [...]string{"none", "429", "401", "403", "400", "500", "502", "503", "drop-before",
	"unsigned", "bad-signature", "slow", "drop-after", "500-after"}

func (f Fault) String() string {
	if f < 0 || f >= numFaults {
		return fmt.Sprintf("fault(%d)", int(f))
	}
	return names[f]
}

// Faults lists every fault but None.
func Faults() []Fault {
	out := make([]Fault, 0, numFaults-1)
	for f := Status429; f < numFaults; f++ {
		out = append(out, f)
	}
	return out
}

// Reached reports whether a call broken by f reached the simulator.
func (f Fault) Reached() bool { return f == None || f >= Unsigned }

// Call is one request as the proxy saw it.
type Call struct {
	Method string
	Path   string // below the proxy's mount, e.g. /v1/payments/charge
	Query  url.Values
	Body   []byte
}

// Route is "METHOD path", e.g. "POST /v1/payments/charge".
func (c Call) Route() string { return c.Method + " " + c.Path }

// Chooser picks the fault for a call; nil chooses None.
type Chooser func(Call) Fault

// Proxy forwards to a target and breaks calls as its chooser says.
type Proxy struct {
	// URL is where the proxy listens, with the same path prefix as the
	// target (so that the client's canonical host+path differ only in
	// host and port, as they would through a real proxy).
	URL string

	target *url.URL
	rp     *httputil.ReverseProxy
	srv    *httptest.Server
	// SlowFor is how long a Slow answer is held; it should exceed the
	// client's timeout (default 3 s).
	SlowFor time.Duration

	mu      sync.Mutex
	choose  Chooser
	once    map[string][]Fault // route -> faults to use first, in order
	calls   map[string]int     // route -> calls seen
	reached map[string]int     // route -> calls that reached the target
	faults  map[Fault]int
}

// New starts a proxy to target, an absolute URL such as
// http://127.0.0.1:1234/sandbox/amazonpay. Close it when done.
func New(target string) (*Proxy, error) {
	t, err := url.Parse(target)
	if err != nil || t.Host == "" {
		return nil, fmt.Errorf("faultproxy: target %q is not an absolute URL", target)
	}
	p := &Proxy{target: t, SlowFor: 3 * time.Second, once: map[string][]Fault{},
		calls: map[string]int{}, reached: map[string]int{}, faults: map[Fault]int{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: t.Scheme, Host: t.Host})
			r.Out.URL.Path, r.Out.URL.RawPath = r.In.URL.Path, r.In.URL.RawPath
			// The simulator signs for the host the client signed for.
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{DisableKeepAlives: false, MaxIdleConnsPerHost: 64},
	}
	p.srv = httptest.NewServer(p)
	p.URL = p.srv.URL + strings.TrimRight(t.Path, "/")
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

// SetChooser sets how faults are picked for calls that have no queued
// fault; nil injects none.
func (p *Proxy) SetChooser(c Chooser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.choose = c
}

// Next queues faults for the next calls of route ("POST /v1/payments/charge"),
// one per call, in order; once they are used up, the chooser decides
// again. Next(route, f, f, f) breaks the next three calls.
func (p *Proxy) Next(route string, faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.once[route] = append(p.once[route], faults...)
}

// Calls is how many calls of route the proxy saw.
func (p *Proxy) Calls(route string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[route]
}

// Reached is how many calls of route reached the target.
func (p *Proxy) Reached(route string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reached[route]
}

// Injected is how many faults of each kind the proxy injected.
func (p *Proxy) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.faults))
	for f, n := range p.faults {
		out[f] = n
	}
	return out
}

// Summary words Injected for a log line, e.g. "429=3 slow=1".
func (p *Proxy) Summary() string {
	in := p.Injected()
	keys := make([]Fault, 0, len(in))
	for f := range in {
		keys = append(keys, f)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var b strings.Builder
	for _, f := range keys {
		fmt.Fprintf(&b, "%s=%d ", f, in[f])
	}
	return strings.TrimSpace(b.String())
}

func (p *Proxy) pick(c Call) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	route := c.Route()
	p.calls[route]++
	f := None
	if q := p.once[route]; len(q) > 0 {
		f, p.once[route] = q[0], q[1:]
	} else if p.choose != nil {
		f = p.choose(c)
	}
	if f != None {
		p.faults[f]++
	}
	if f.Reached() {
		p.reached[route]++
	}
	return f
}

// ServeHTTP forwards r, breaking it as chosen.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "faultproxy: reading request", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	path := strings.TrimPrefix(r.URL.Path, strings.TrimRight(p.target.Path, "/"))
	f := p.pick(Call{Method: r.Method, Path: path, Query: r.URL.Query(), Body: body})
	switch f {
	case Status429:
		writeError(w, http.StatusTooManyRequests, "TooManyRequests", "Rate exceeded.")
		return
	case Status401:
		writeError(w, http.StatusUnauthorized, "AuthorizationExpired", "The request signature has expired.")
		return
	case Status403:
		writeError(w, http.StatusForbidden, "InvalidAccessToken", "The access token is invalid.")
		return
	case Status400:
		writeError(w, http.StatusBadRequest, "InsufficientFunds", "The charge failed for lack of funds.")
		return
	case Status500:
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal error. Retry later.")
		return
	case Status502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		return
	case Status503:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "Service unavailable.")
		return
	case DropBefore:
		drop(w)
		return
	case None:
		p.rp.ServeHTTP(w, r)
		return
	}
	// The call goes through; its answer is spoiled.
	rec := httptest.NewRecorder()
	p.rp.ServeHTTP(rec, r)
	switch f {
	case Unsigned:
		rec.Header().Del("x-amz-signature")
	case BadSignature:
		rec.Header().Set("x-amz-signature", "c3BvaWxlZA"+strings.Repeat("A", 54))
	case Slow:
		time.Sleep(p.SlowFor)
	case DropAfter:
		drop(w)
		return
	case Status500After:
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal error. Retry later.")
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%q,"message":%q}`, code, message)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
