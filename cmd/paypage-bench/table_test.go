package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func msList(v ...int) []time.Duration {
	d := make([]time.Duration, len(v))
	for i, x := range v {
		d[i] = time.Duration(x) * time.Millisecond
	}
	return d
}

func TestPercentileIsNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 0.5, 0},
		{msList(7), 0.5, 7 * time.Millisecond},
		{msList(7), 0.99, 7 * time.Millisecond},
		{msList(1, 2), 0.5, 1 * time.Millisecond},
		{msList(1, 2, 3), 0.5, 2 * time.Millisecond},
		{msList(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{msList(1, 2, 3, 4), 0.99, 4 * time.Millisecond},
		{hundred, 0.5, 50 * time.Millisecond},
		{hundred, 0.99, 99 * time.Millisecond},
		{hundred, 1, 100 * time.Millisecond},
		{hundred, 0, 1 * time.Millisecond},
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("percentile(%d samples, %v) = %v, want %v", len(c.sorted), c.p, got, c.want)
		}
	}
}

func TestLatencyRowJudgesTheMedian(t *testing.T) {
	r := latencyRow("ttfb", msList(30, 5, 9, 8, 100), 0, 10*time.Millisecond, false, "")
	if r.p50 != 9*time.Millisecond || r.p99 != 100*time.Millisecond || r.verdict() != "pass" {
		t.Errorf("unsorted samples: p50 %v p99 %v verdict %s, want 9ms 100ms pass", r.p50, r.p99, r.verdict())
	}
	if r.target != "p50 <= 10 ms" || r.value != "n=5" {
		t.Errorf("target %q value %q", r.target, r.value)
	}
	if r := latencyRow("ttfb", msList(10, 10, 11), 0, 10*time.Millisecond, false, ""); r.verdict() != "pass" {
		t.Errorf("p50 equal to the target: %s, want pass", r.verdict())
	}
	if r := latencyRow("ttfb", msList(11, 11, 1), 0, 10*time.Millisecond, false, ""); r.verdict() != "FAIL" {
		t.Errorf("p50 over the target: %s, want FAIL", r.verdict())
	}
	if r := latencyRow("ttfb", msList(1, 1, 1), 2, 10*time.Millisecond, false, ""); r.verdict() != "FAIL" {
		t.Errorf("fast but with errors: %s, want FAIL", r.verdict())
	}
	if r := latencyRow("ttfb", nil, 0, 10*time.Millisecond, false, ""); r.verdict() != "FAIL" {
		t.Errorf("no samples: %s, want FAIL", r.verdict())
	}
	// Most pages without a button: the median is "never", not a time.
	r = latencyRow("button", []time.Duration{never, 5 * time.Millisecond, never}, 0, 20*time.Millisecond, false, "")
	if r.p50 != never || r.verdict() != "FAIL" || ms(r.p50) != "never" {
		t.Errorf("missing buttons: p50 %s verdict %s, want never FAIL", ms(r.p50), r.verdict())
	}
	if r := latencyRow("checkout", msList(1), 0, 200*time.Millisecond, true, ""); r.target != "p50 <= 200 ms *" {
		t.Errorf("guide target %q", r.target)
	}
}

func TestRatioRow(t *testing.T) {
	r := ratioRow("page", 250, "req/s", 0, 0, 0, "bare Echo", 1000, "req/s", 0.25, "")
	if r.ratio != "25.0%" || r.target != ">= 25%" || r.verdict() != "pass" || r.ceiling != "bare Echo 1000 req/s" {
		t.Errorf("at the target: %+v verdict %s", r, r.verdict())
	}
	if r := ratioRow("page", 249, "req/s", 0, 0, 0, "bare Echo", 1000, "req/s", 0.25, ""); r.verdict() != "FAIL" {
		t.Errorf("under the target: %s", r.verdict())
	}
	if r := ratioRow("page", 900, "req/s", 0, 0, 3, "bare Echo", 1000, "req/s", 0.25, ""); r.verdict() != "FAIL" {
		t.Errorf("over the target with errors: %s", r.verdict())
	}
	if r := ratioRow("page", 900, "req/s", 0, 0, 0, "bare Echo", 0, "req/s", 0.25, ""); r.verdict() != "FAIL" {
		t.Errorf("no ceiling: %s", r.verdict())
	}
}

func TestLimitRow(t *testing.T) {
	if r := limitRow("rss", 64, "%.1f", "MiB", 64, true, false, ""); r.verdict() != "FAIL" || r.target != "< 64.0 MiB" {
		t.Errorf("strict bound reached: %s %q", r.verdict(), r.target)
	}
	if r := limitRow("rss", 63.9, "%.1f", "MiB", 64, true, false, ""); r.verdict() != "pass" || r.value != "63.9 MiB" {
		t.Errorf("strict bound kept: %s %q", r.verdict(), r.value)
	}
	if r := limitRow("calls", 1, "%.2f", "calls", 1, false, true, ""); r.verdict() != "pass" || r.target != "<= 1.00 calls *" {
		t.Errorf("inclusive bound reached: %s %q", r.verdict(), r.target)
	}
	if r := limitRow("calls", math.NaN(), "%.2f", "calls", 1, false, true, ""); r.verdict() != "FAIL" || r.value != "n/a" {
		t.Errorf("not measured: %s %q", r.verdict(), r.value)
	}
}

func TestTablePrintsEveryRowWithItsVerdict(t *testing.T) {
	tb := table{title: "paypage bench: test", command: "paypage-bench -quick", machine: []string{"2 CPUs", "load at start: 1 2 3"}}
	tb.add(
		heading("Amazon 150ms away", "opened 300ms after the session"),
		latencyRow("first byte", msList(4, 5, 6), 0, 10*time.Millisecond, false, "3 orders"),
		latencyRow("pay button", msList(40, 50, 60), 0, 20*time.Millisecond, false, ""),
		limitRow("calls per page", 0.5, "%.2f", "calls", 1, false, true, ""),
	)
	tb.footer = []string{"bench run time: 1s"}
	var out bytes.Buffer
	tb.print(&out)
	got := out.String()
	for _, want := range []string{
		"paypage bench: test\n", "command: paypage-bench -quick\n", "machine: 2 CPUs\n", "machine: load at start: 1 2 3\n",
		"measurement", "verdict", "notes",
		"opened 300ms after the session",
		"*: a target this bench sets",
		"verdict: 2 of 3 targets pass; FAIL: pay button\n",
		"bench run time: 1s\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	lines := map[string]string{}
	for _, l := range strings.Split(got, "\n") {
		f := strings.Fields(l)
		if len(f) > 1 {
			lines[f[0]+" "+f[1]] = l
		}
	}
	for name, verdict := range map[string]string{"first byte": "pass", "pay button": "FAIL", "calls per": "pass"} {
		l, ok := lines[name]
		if !ok || !strings.Contains(l, " "+verdict+" ") && !strings.HasSuffix(l, " "+verdict) {
			t.Errorf("row %q should read %s: %q", name, verdict, l)
		}
	}
	if !strings.Contains(lines["first byte"], "5.00 ms") || !strings.Contains(lines["first byte"], "3 orders") {
		t.Errorf("first byte row lacks its p50 or note: %q", lines["first byte"])
	}

	var all table
	all.add(latencyRow("a", msList(1), 0, time.Second, false, ""))
	if s := all.summary(); s != "verdict: all 1 targets pass" {
		t.Errorf("summary %q", s)
	}
}

func TestFindMarkerOnTheStream(t *testing.T) {
	page := strings.Repeat("x", 100) + `<button data-testid="pay-button">Pay</button>` + strings.Repeat("y", 100)
	clock := 0
	now := func() time.Time { clock++; return time.Unix(int64(clock), 0) }
	// One byte per read: the marker always spans reads, and the time
	// is taken at the read that completes it, not at the end.
	at, err := findMarker(iotest.OneByteReader(strings.NewReader(page)), payButton, now)
	if err != nil || at.IsZero() {
		t.Fatalf("marker not found: %v", err)
	}
	if clock != 1 {
		t.Errorf("clock read %d times, want once", clock)
	}
	at, err = findMarker(strings.NewReader(strings.Repeat("z", 70000)), payButton, now)
	if err != nil || !at.IsZero() {
		t.Errorf("marker found in a page without it (%v)", err)
	}
	if _, err := findMarker(iotest.TimeoutReader(strings.NewReader(page)), payButton, now); err == nil {
		t.Errorf("a read error was not returned")
	}
}

func TestParseStat(t *testing.T) {
	// A command name with spaces and a parenthesis, as postgres backends
	// do not have but other processes may.
	line := "4242 (postgres: a) b) S 4000 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 100 0 0\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != 4000 || st.self != 3*time.Second || st.children != 100*time.Millisecond {
		t.Errorf("parsed %+v, want ppid 4000, self 3s, children 100ms", st)
	}
	if _, err := parseStat([]byte("4242 (x) S 1 2")); err == nil {
		t.Error("a short stat line parsed")
	}
}

func TestSimulatorRequestsAndStatus(t *testing.T) {
	exp := `# HELP paypage_http_requests_total HTTP requests answered.
paypage_http_requests_total{method="GET",route="/orders/:id/payment-page",status="200"} 40
paypage_http_requests_total{method="POST",route="/sandbox/amazonpay/*",status="200"} 12
paypage_http_requests_total{method="GET",route="/sandbox/amazonpay/*",status="200"} 3
paypage_http_request_duration_seconds_count{route="/sandbox/amazonpay/*"} 99
`
	n, found, err := sumSeries(exp, "paypage_http_requests_total", simulatorRoute)
	if err != nil || !found || n != 15 {
		t.Errorf("sumSeries = %v, %v, %v; want 15, true, nil", n, found, err)
	}
	if _, found, _ := sumSeries("paypage_http_requests_total{route=\"/session\"} 1\n", "paypage_http_requests_total", simulatorRoute); found {
		t.Error("found simulator requests where there are none")
	}
	b, err := statusBytes("Name:\tpaypage\nVmHWM:\t   61440 kB\nVmRSS:\t   1024 kB\n", "VmHWM")
	if err != nil || b != 60<<20 {
		t.Errorf("VmHWM = %d, %v", b, err)
	}
	if _, err := statusBytes("Name:\tpaypage\n", "VmRSS"); err == nil {
		t.Error("a missing field parsed")
	}
}
