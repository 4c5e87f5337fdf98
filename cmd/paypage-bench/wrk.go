package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkRunner runs wrk with the same settings for every measurement.
type wrkRunner struct {
	dir      string
	conns    int
	threads  int
	duration time.Duration
}

// wrkResult is what wrk's done() hook reports.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64 // non-2xx/3xx answers and socket errors
}

// doneHook prints one machine-readable line at the end of a run.
const doneHook = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
`

// get loads url with GET and the given headers.
func (w wrkRunner) get(ctx context.Context, name, url string, headers map[string]string) (wrkResult, error) {
	var script strings.Builder
	script.WriteString("wrk.method = \"GET\"\n")
	for k, v := range headers {
		fmt.Fprintf(&script, "wrk.headers[%q] = %q\n", k, v)
	}
	script.WriteString(doneHook)
	return w.run(ctx, name, url, script.String())
}

// sessionScript posts a fresh order per request: order_id is the run's
// prefix, the wrk thread's number and a per-thread counter, so no two
// requests of a run (or of two runs) share one.
const sessionScript = `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic %s"
wrk.headers["x-merchantid"] = "%s"
function request()
  n = n + 1
  local oid = string.format("%s-%%d-%%d", tid, n)
  local body = string.format('{"order_id":"%%s","amount":"100.00","currency":"INR",' ..
    '"customer_id":"wrk-%%s","customer_phone":"9000000001","customer_email":"shopper@example.com",' ..
    '"return_url":"%s","description":"bench order"}', oid, oid)
  return wrk.format(nil, "/session", nil, body)
end
`

// postSession creates sessions as the demo merchant.
func (w wrkRunner) postSession(ctx context.Context, s *server) (wrkResult, error) {
	prefix := make([]byte, 3)
	if _, err := rand.Read(prefix); err != nil {
		return wrkResult{}, err
	}
	auth := base64.StdEncoding.EncodeToString([]byte(s.apiKey + ":"))
	script := fmt.Sprintf(sessionScript, auth, s.merchantID, "w"+hex.EncodeToString(prefix),
		s.base+"/sandbox/shop/return") + doneHook
	return w.run(ctx, "session", s.base+"/session", script)
}

func (w wrkRunner) run(ctx context.Context, name, url, script string) (wrkResult, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return wrkResult{}, fmt.Errorf("wrk is not installed (Debian: apt-get install -y wrk)")
	}
	path := filepath.Join(w.dir, name+".lua")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return wrkResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, w.duration+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(w.threads), "-c", strconv.Itoa(w.conns),
		"-d", fmt.Sprintf("%ds", int(w.duration.Seconds())), "--timeout", "5s", "-s", path, url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w\n%s", name, err, out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != "BENCH" {
			continue
		}
		var n [5]int64
		for i := range n {
			v, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return wrkResult{}, fmt.Errorf("wrk %s output %q: %w", name, line, err)
			}
			n[i] = v
		}
		return wrkResult{
			rps: float64(n[0]) / (float64(n[1]) / 1e6),
			p50: time.Duration(n[2]) * time.Microsecond, p99: time.Duration(n[3]) * time.Microsecond,
			errors: n[4],
		}, nil
	}
	return wrkResult{}, fmt.Errorf("wrk %s printed no result:\n%s", name, out.String())
}
