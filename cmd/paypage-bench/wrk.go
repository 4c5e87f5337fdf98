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
	requests int64
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
// requests of a run (or of two runs) share one. Every other order is a
// linked customer's, the others first-time customers' (each their own).
// Each thread writes the payment page paths it was given to its own file,
// for the page runs to walk.
const sessionScript = `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local linked = {%s}
local n = 0
local out
function init(args)
  out = assert(io.open(string.format("%s.%%d", tid), "w"))
  out:setvbuf("line")
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic %s"
wrk.headers["x-merchantid"] = "%s"
function request()
  n = n + 1
  local oid = string.format("%s-%%d-%%d", tid, n)
  local customer, phone = "wrk-" .. oid, "9000000001"
  if n %% 2 == 0 and #linked > 0 then
    local c = linked[(n / 2) %% #linked + 1]
    customer, phone = c[1], c[2]
  end
  local body = string.format('{"order_id":"%%s","amount":"100.00","currency":"INR",' ..
    '"customer_id":"%%s","customer_phone":"%%s","customer_email":"shopper@example.com",' ..
    '"return_url":"%s","description":"bench order"}', oid, customer, phone)
  return wrk.format(nil, "/session", nil, body)
end
function response(status, headers, body)
  if status == 200 then
    local path = body:match('"web":"https?://[^/"]+(/[^"]+)"')
    if path then out:write(path, "\n") end
  end
end
`

// postSession creates sessions as the demo merchant, every other one for
// one of the linked customers, and returns the payment page paths it was
// given.
func (w wrkRunner) postSession(ctx context.Context, s *server, linked int) (wrkResult, []string, error) {
	prefix := make([]byte, 3)
	if _, err := rand.Read(prefix); err != nil {
		return wrkResult{}, nil, err
	}
	var customers []string
	for i := range linked {
		customers = append(customers, fmt.Sprintf("{%q, %q}", customerOf(i), phoneOf(i)))
	}
	out := filepath.Join(w.dir, "orders")
	auth := base64.StdEncoding.EncodeToString([]byte(s.apiKey + ":"))
	script := fmt.Sprintf(sessionScript, strings.Join(customers, ", "), out, auth, s.merchantID,
		"w"+hex.EncodeToString(prefix), s.base+"/sandbox/shop/return") + doneHook
	res, err := w.run(ctx, "session", s.base+"/session", script)
	if err != nil {
		return res, nil, err
	}
	files, _ := filepath.Glob(out + ".*")
	var paths []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return res, nil, err
		}
		paths = append(paths, strings.Fields(string(b))...)
	}
	if len(paths) == 0 {
		return res, nil, fmt.Errorf("POST /session gave no payment links (see %s.*)", out)
	}
	return res, paths, nil
}

// walkScript loads the payment pages listed in a file, each thread its
// share in turn, as shoppers do: a first load without cookie, then, lag
// requests later (so after the first has been answered), a reload with the
// browser's cookie. Past the end of its share a thread starts again.
const walkScript = `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
  thread:set("nthreads", %d)
end
local paths = {}
local lag = %d
local j, reload = 0, false
function init(args)
  local i = 0
  for line in io.lines("%s") do
    if i %% nthreads == tid - 1 then paths[#paths + 1] = line end
    i = i + 1
  end
  if #paths == 0 then error("no payment pages for thread " .. tid) end
end
local first = {["Accept-Encoding"] = "gzip"}
local again = {["Accept-Encoding"] = "gzip", ["Cookie"] = "%s"}
function request()
  if reload then
    reload = false
    return wrk.format("GET", paths[(j - 1 - lag) %% #paths + 1], again)
  end
  j = j + 1
  reload = j > lag
  return wrk.format("GET", paths[(j - 1) %% #paths + 1], first)
end
`

// walk loads the payment pages at paths (from postSession), each once
// and once more as a reload with cookie, and returns wrk's result and
// how many times each page was loaded on average.
func (w wrkRunner) walk(ctx context.Context, name string, s *server, paths []string, cookie string) (wrkResult, float64, error) {
	list := filepath.Join(w.dir, name+".orders")
	if err := os.WriteFile(list, []byte(strings.Join(paths, "\n")+"\n"), 0o600); err != nil {
		return wrkResult{}, 0, err
	}
	script := fmt.Sprintf(walkScript, w.threads, 2*w.conns, list, cookie) + doneHook
	res, err := w.run(ctx, name, s.base+"/", script)
	if err != nil {
		return res, 0, err
	}
	return res, float64(res.requests) / float64(len(paths)), nil
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
			requests: n[0],
			rps:      float64(n[0]) / (float64(n[1]) / 1e6),
			p50:      time.Duration(n[2]) * time.Microsecond, p99: time.Duration(n[3]) * time.Microsecond,
			errors: n[4],
		}, nil
	}
	return wrkResult{}, fmt.Errorf("wrk %s printed no result:\n%s", name, out.String())
}
