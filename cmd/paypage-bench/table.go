package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one load measurement, with its ceiling when it has one.
type row struct {
	name        string
	value       float64
	unit        string
	p50, p99    time.Duration
	errors      int64
	ceilingName string
	ceiling     float64
	ceilingUnit string
	target      float64 // the least acceptable value/ceiling ratio
}

// table is everything one run measured.
type table struct {
	header        string
	rows          []row
	rss           int64
	allocs, bytes int64
}

// rssTarget is the most the server may hold in memory during the runs.
const rssTarget = 60 << 20

func (t *table) add(r row) { t.rows = append(t.rows, r) }

func (t *table) print(out io.Writer) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, t.header)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measurement\tvalue\tp50\tp99\terrors\tceiling (same run)\tratio\ttarget\t\t")
	for _, r := range t.rows {
		ceiling, ratio, target, verdict := "", "", "", ""
		if r.ceiling > 0 {
			ceiling = fmt.Sprintf("%s %.0f %s", r.ceilingName, r.ceiling, r.ceilingUnit)
			q := r.value / r.ceiling
			ratio = fmt.Sprintf("%.1f%%", 100*q)
			target = fmt.Sprintf(">= %.0f%%", 100*r.target)
			verdict = pass(q >= r.target)
		}
		fmt.Fprintf(w, "%s\t%.0f %s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", r.name, r.value, r.unit,
			ms(r.p50), ms(r.p99), r.errors, ceiling, ratio, target, verdict)
	}
	fmt.Fprintf(w, "server peak RSS (VmHWM)\t%.1f MB\t\t\t\t\t\t< %d MB\t%s\t\n",
		float64(t.rss)/(1<<20), rssTarget>>20, pass(t.rss < rssTarget))
	if t.allocs > 0 {
		fmt.Fprintf(w, "allocs per page render (go bench)\t%d allocs/op\t\t\t\t%d B/op\t\t\t\t\n", t.allocs, t.bytes)
	}
	w.Flush()
}

func pass(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISS"
}

func ms(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

var benchLine = regexp.MustCompile(`BenchmarkPaymentPageRender\S*\s+\d+\s+[0-9.]+ ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)

// runGoBench runs BenchmarkPaymentPageRender in ./web and returns its
// allocations and bytes per render.
func runGoBench(ctx context.Context) (allocs, bytes int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "XXX", "-bench", "PaymentPage", "-benchmem", "./web/")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("go test -bench PaymentPage: %w\n%s", err, out)
	}
	m := benchLine.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no BenchmarkPaymentPageRender result in:\n%s", strings.TrimSpace(string(out)))
	}
	bytes, _ = strconv.ParseInt(string(m[1]), 10, 64)
	allocs, _ = strconv.ParseInt(string(m[2]), 10, 64)
	return allocs, bytes, nil
}
