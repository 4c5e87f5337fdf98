package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// never stands for a sample that did not happen, such as a pay button
// that never arrived: it sorts after every real duration, so a percentile
// that lands on it says so instead of hiding the failure.
const never = time.Duration(math.MaxInt64)

// row is one line of the table: what was measured, its target and whether
// the target holds. A row with neither value nor target is a group heading.
type row struct {
	name     string
	value    string
	p50, p99 time.Duration // zero: not a latency row
	errors   int64
	ceiling  string
	ratio    string
	target   string
	ok       bool
	note     string
}

// verdict is what the table prints for the row's target: a row with
// errors fails whatever its value.
func (r row) verdict() string {
	if r.target == "" {
		return ""
	}
	if r.ok && r.errors == 0 {
		return "pass"
	}
	return "FAIL"
}

// guide marks a target this bench sets itself, where the project states no
// figure: it catches regressions rather than recording a goal.
const guide = " *"

// heading is a group heading row; note is printed in the notes column.
func heading(name, note string) row { return row{name: name, note: note} }

// latencyRow judges samples by their median: ok when p50 <= max. Samples
// need not be sorted; an empty set fails.
func latencyRow(name string, samples []time.Duration, errors int64, max time.Duration, guided bool, note string) row {
	s := slices.Clone(samples)
	slices.Sort(s)
	r := row{name: name, value: fmt.Sprintf("n=%d", len(s)), errors: errors, note: note,
		p50: percentile(s, 0.50), p99: percentile(s, 0.99),
		target: "p50 <= " + msTarget(max)}
	if guided {
		r.target += guide
	}
	r.ok = len(s) > 0 && r.p50 <= max
	return r
}

// ratioRow judges value against a ceiling measured in the same run: ok
// when value/ceiling >= min.
func ratioRow(name string, value float64, unit string, p50, p99 time.Duration, errors int64,
	ceilingName string, ceiling float64, ceilingUnit string, min float64, note string) row {
	r := row{name: name, value: fmt.Sprintf("%.0f %s", value, unit), p50: p50, p99: p99, errors: errors,
		target: fmt.Sprintf(">= %.0f%%", 100*min), note: note}
	if ceiling > 0 {
		q := value / ceiling
		r.ceiling = fmt.Sprintf("%s %.0f %s", ceilingName, ceiling, ceilingUnit)
		r.ratio = fmt.Sprintf("%.1f%%", 100*q)
		r.ok = q >= min
	}
	return r
}

// limitRow judges a plain value against an upper bound: value < max when
// strict, value <= max otherwise. format prints both value and bound.
func limitRow(name string, value float64, format, unit string, max float64, strict, guided bool, note string) row {
	op, ok := "<=", value <= max
	if strict {
		op, ok = "<", value < max
	}
	r := row{name: name, value: fmt.Sprintf(format+" %s", value, unit), ok: ok, note: note,
		target: fmt.Sprintf("%s "+format+" %s", op, max, unit)}
	if guided {
		r.target += guide
	}
	if math.IsNaN(value) {
		r.value, r.ok = "n/a", false
	}
	return r
}

// table is everything one run measured.
type table struct {
	title   string
	command string
	machine []string
	rows    []row
	footer  []string
}

func (t *table) add(r ...row) { t.rows = append(t.rows, r...) }

// print writes the title, the command and machine lines, the rows and the
// footer.
func (t *table) print(out io.Writer) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, t.title)
	fmt.Fprintln(out, "command:", t.command)
	for _, m := range t.machine {
		fmt.Fprintln(out, "machine:", m)
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measurement\tvalue\tp50\tp99\terrors\tceiling (same run)\tratio\ttarget\tverdict\tnotes")
	guided := false
	for _, r := range t.rows {
		if r.value == "" && r.target == "" {
			fmt.Fprintf(w, "%s\t\t\t\t\t\t\t\t\t%s\n", r.name, r.note)
			continue
		}
		guided = guided || strings.HasSuffix(r.target, guide)
		errs := ""
		if r.value != "" {
			errs = strconv.FormatInt(r.errors, 10)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.name, r.value,
			ms(r.p50), ms(r.p99), errs, r.ceiling, r.ratio, r.target, r.verdict(), r.note)
	}
	w.Flush()
	if guided {
		fmt.Fprintln(out, "*: a target this bench sets to catch regressions; the others are the project's stated goals.")
	}
	fmt.Fprintln(out, t.summary())
	for _, f := range t.footer {
		fmt.Fprintln(out, f)
	}
}

// summary counts the rows that pass and names those that fail.
func (t *table) summary() string {
	var passed int
	var failed []string
	for _, r := range t.rows {
		switch r.verdict() {
		case "pass":
			passed++
		case "FAIL":
			failed = append(failed, strings.TrimSpace(r.name))
		}
	}
	if len(failed) == 0 {
		return fmt.Sprintf("verdict: all %d targets pass", passed)
	}
	return fmt.Sprintf("verdict: %d of %d targets pass; FAIL: %s", passed, passed+len(failed), strings.Join(failed, "; "))
}

// percentile is the nearest-rank percentile of sorted: the smallest sample
// that at least p of the samples do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d == never:
		return "never"
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func msTarget(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + " ms"
}

var benchLine = regexp.MustCompile(`BenchmarkPaymentPageRender\S*\s+\d+\s+[0-9.]+ ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)

// goBench is the compiled test binary of ./web, built before any load so
// that compiling never runs during a measurement.
type goBench struct {
	bin, dir string
}

// buildGoBench compiles ./web's tests into dir.
func buildGoBench(ctx context.Context, dir string) (goBench, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "./web/").Output()
	if err != nil {
		return goBench{}, fmt.Errorf("go list ./web/: %w", err)
	}
	g := goBench{bin: filepath.Join(dir, "web.test"), dir: strings.TrimSpace(string(out))}
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", g.bin, "./web/")
	if b, err := cmd.CombinedOutput(); err != nil {
		return goBench{}, fmt.Errorf("go test -c ./web/: %w\n%s", err, b)
	}
	return g, nil
}

// run runs BenchmarkPaymentPageRender and returns its allocations and
// bytes per render.
func (g goBench) run(ctx context.Context) (allocs, bytes int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.bin, "-test.run", "XXX", "-test.bench", "PaymentPage", "-test.benchmem")
	cmd.Dir = g.dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("BenchmarkPaymentPageRender: %w\n%s", err, out)
	}
	m := benchLine.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no BenchmarkPaymentPageRender result in:\n%s", strings.TrimSpace(string(out)))
	}
	bytes, _ = strconv.ParseInt(string(m[1]), 10, 64)
	allocs, _ = strconv.ParseInt(string(m[2]), 10, 64)
	return allocs, bytes, nil
}
