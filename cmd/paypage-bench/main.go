// Command paypage-bench measures a paypage build on this machine and prints
// one table, each row with its target and a verdict. First the shopper's
// view with Amazon made slow (PAYPAGE_SANDBOX_LATENCY): time to first byte
// and to the pay button of pages opened soon after their session, and of
// their reload, for first-time and linked customers; Amazon calls per page
// load; returning checkouts end to end. Then throughput and memory with no
// added latency: the payment page over many distinct orders against a
// bare Echo handler, POST /session against pgbench inserting into the same
// PostgreSQL, returning-customer checkouts and their CPU cost, the
// server's RSS after sustained page load and its peak. Every ceiling is
// measured in the same run, so the ratios hold across machines and noise.
// It starts two servers in sandbox mode, each on a fresh embedded cluster
// in a temp directory (one with the added latency), and loads only
// 127.0.0.1. `make bench` runs it.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin       string
	conns     int
	threads   int
	duration  time.Duration
	workers   int
	goBench   bool
	keep      bool
	pprofOut  string
	profile   string
	quick     bool
	latency   time.Duration
	openAfter time.Duration
	visits    int
	visitConc int
	rssConns  int
	rssFor    time.Duration
}

// Targets. The project's: the page's first byte and pay button with
// Amazon 150 ms away, page render against bare Echo, POST /session against
// pgbench, and memory. The bench's own (marked in the table): Amazon calls
// per page load, the slow-Amazon checkout and CPU per checkout.
const (
	ttfbTarget         = 10 * time.Millisecond
	buttonTarget       = 20 * time.Millisecond
	pageRatioTarget    = 0.25
	sessionRatioTarget = 0.50
	peakRSSTarget      = 60 << 20
	loadRSSTarget      = 64 << 20
	callsPerPageTarget = 1.0
	// One Amazon round trip (the charge) plus what the checkout costs
	// without added latency.
	slowCheckoutExtra = 50 * time.Millisecond
	cpuPerCheckout    = 15.0 // ms
)

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/paypage", "paypage binary to measure")
	flag.IntVar(&o.conns, "c", 16, "connections for wrk and pgbench clients")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "length of each load run")
	flag.IntVar(&o.workers, "workers", 8, "checkout workers, each its own linked customer")
	flag.BoolVar(&o.goBench, "gobench", true, "run BenchmarkPaymentPageRender for allocations per render")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp directory (server logs, wrk scripts)")
	flag.StringVar(&o.pprofOut, "pprof", "", "write a CPU profile of the bare Echo ceiling run to this file")
	flag.StringVar(&o.profile, "profile", "", "write CPU profiles of the load server during the POST /session, page and returning-checkout runs to this directory (session.pprof, page.pprof, checkout.pprof)")
	flag.BoolVar(&o.quick, "quick", false, "short runs and few visits, no go bench: a smoke test of the bench, not a measurement")
	flag.DurationVar(&o.latency, "latency", 150*time.Millisecond, "PAYPAGE_SANDBOX_LATENCY of the shopper's-view server")
	flag.DurationVar(&o.openAfter, "open-after", 300*time.Millisecond, "delay between POST /session and opening its page")
	flag.IntVar(&o.visits, "visits", 160, "orders visited per customer kind in the shopper's view")
	flag.IntVar(&o.visitConc, "visit-conc", 16, "shoppers visiting at once")
	flag.IntVar(&o.rssConns, "rss-c", 32, "connections of the sustained page load after which RSS is read")
	flag.DurationVar(&o.rssFor, "rss-d", 30*time.Second, "length of the sustained page load")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("paypage-bench: ")
	if o.quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quick := map[string]func(){
			"d": func() { o.duration = 2 * time.Second }, "workers": func() { o.workers = 2 },
			"gobench": func() { o.goBench = false }, "visits": func() { o.visits = 16 },
			"visit-conc": func() { o.visitConc = 8 }, "rss-d": func() { o.rssFor = 3 * time.Second },
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A hard bound, so a hung server or tool never keeps the machine busy.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute+10*o.duration+o.rssFor)
	defer cancel()
	if err := run(ctx, o, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	began := time.Now()
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "paypage-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		log.Printf("temp directory %s kept", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	t := table{
		title: fmt.Sprintf("paypage bench: wrk -t%d -c%d -d%s, %d checkout workers, %d visits per customer kind",
			o.threads, o.conns, o.duration, o.workers, o.visits),
		// go run's binary lives in the build cache: name the command.
		command: strings.Join(append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...), " "),
		machine: []string{machine(bin), "load at start: " + loadAverage()},
	}
	if o.quick {
		t.title += " (-quick: a smoke test, not a measurement)"
	}

	var gb goBench
	if o.goBench {
		log.Print("compiling ./web's benchmark")
		if gb, err = buildGoBench(ctx, dir); err != nil {
			return err
		}
	}

	// Both servers start at once; the slow-Amazon one serves the
	// shopper's view first and stops, then the other serves the load runs.
	var srv, slow *server
	errs := make(chan error, 2)
	go func() {
		var err error
		var env []string
		if o.profile != "" {
			env = append(env, "PAYPAGE_PPROF=1")
		}
		srv, err = startServer(ctx, bin, dir, "data", env...)
		errs <- err
	}()
	go func() {
		var err error
		slow, err = startServer(ctx, bin, dir, "data-slow", "PAYPAGE_SANDBOX_LATENCY="+o.latency.String())
		errs <- err
	}()
	err = errors.Join(<-errs, <-errs)
	if srv != nil {
		defer srv.stop()
	}
	if slow != nil {
		defer slow.stop()
	}
	if err != nil {
		return err
	}
	log.Printf("server pid %d at %s; with Amazon %s away: pid %d at %s", srv.pid(), srv.base, o.latency, slow.pid(), slow.base)

	slowHWM, err := shopperView(ctx, o, &t, slow)
	if err != nil {
		return err
	}
	slow.stop()
	if err := loadRuns(ctx, o, &t, srv, dir, slowHWM); err != nil {
		return err
	}

	if o.goBench {
		allocs, bytes, err := gb.run(ctx)
		if err != nil {
			return err
		}
		t.footer = append(t.footer, fmt.Sprintf("allocations per page render (BenchmarkPaymentPageRender, in process): %d allocs/op, %d B/op", allocs, bytes))
	}
	t.machine = append(t.machine, "load at end: "+loadAverage())
	t.footer = append(t.footer, fmt.Sprintf("bench run time: %s", time.Since(began).Round(time.Second)))
	t.print(stdout)
	return nil
}

// shopperView measures pages and checkouts on slow, whose simulator
// answers o.latency late, and returns slow's peak RSS.
func shopperView(ctx context.Context, o options, t *table, slow *server) (int64, error) {
	log.Printf("shopper's view: linking %d customers", o.workers)
	linked, err := linkAll(ctx, slow, o.workers)
	if err != nil {
		return 0, err
	}
	t.add(heading(fmt.Sprintf("Amazon %s away (PAYPAGE_SANDBOX_LATENCY)", o.latency),
		fmt.Sprintf("each page opened %s after its POST /session in a fresh browser, then reloaded; %d shoppers at once", o.openAfter, o.visitConc)))
	kinds := []struct {
		name string
		who  customerFunc
	}{
		{"first-time customer", func(n int) (string, string) { return fmt.Sprintf("first-time-%d", n), "9000000001" }},
		{"linked customer", func(n int) (string, string) { return customerOf(n % o.workers), phoneOf(n % o.workers) }},
	}
	for _, k := range kinds {
		log.Printf("shopper's view: %d orders of a %s", o.visits, k.name)
		v, err := runViews(ctx, slow, o.visits, o.visitConc, o.openAfter, k.who)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", k.name, err)
		}
		if v.firstErr != nil {
			log.Printf("%s: %d visits failed; first: %v", k.name, v.errors, v.firstErr)
		}
		note := fmt.Sprintf("%d orders", v.visits)
		t.add(
			latencyRow(k.name+", page: first byte", v.openTTFB, v.errors, ttfbTarget, false, note),
			latencyRow(k.name+", page: pay button", v.openButton, v.errors, buttonTarget, false, missing(v.openButton)),
			latencyRow(k.name+", reload: first byte", v.reloadTTFB, v.errors, ttfbTarget, false, ""),
			latencyRow(k.name+", reload: pay button", v.reloadButton, v.errors, buttonTarget, false, missing(v.reloadButton)),
			limitRow(k.name+": Amazon calls per page load", v.amazonCalls, "%.2f", "calls", callsPerPageTarget, false, true,
				"simulator requests over sessions, pages and reloads / page loads"),
		)
	}
	log.Printf("shopper's view: returning checkouts for %s", o.duration)
	co, err := runCheckouts(ctx, slow, linked, o.duration, o.openAfter)
	if err != nil {
		return 0, fmt.Errorf("returning checkouts with Amazon %s away: %w", o.latency, err)
	}
	t.add(latencyRow("returning checkout end to end", co.samples, co.errors, o.latency+slowCheckoutExtra, true,
		fmt.Sprintf("%d checkouts by %d customers; from opening the page, %s after its POST /session, to the signed return and order status",
			co.n, len(linked), o.openAfter)))
	return slow.memory("VmHWM")
}

// missing notes how many pages showed no pay button.
func missing(samples []time.Duration) string {
	n := 0
	for _, d := range samples {
		if d == never {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d pages without a pay button", n)
}

// loadRuns measures throughput, CPU and memory on srv, which adds no
// latency to Amazon's answers.
func loadRuns(ctx context.Context, o options, t *table, srv *server, dir string, slowHWM int64) error {
	log.Printf("load: linking %d customers", o.workers)
	linked, err := linkAll(ctx, srv, o.workers)
	if err != nil {
		return err
	}
	t.add(heading("No added latency", "throughput, CPU and memory"))
	w := wrkRunner{dir: dir, conns: o.conns, threads: o.threads, duration: o.duration}

	// POST /session against pgbench's single-row INSERT; the sessions are
	// the orders the page runs then walk.
	log.Print("load: POST /session")
	prefetchesBefore, err := srv.prefetches(ctx)
	if err != nil {
		return err
	}
	var (
		sess  wrkResult
		paths []string
	)
	sessCPU, err := measured(ctx, srv, o.profile, "session", o.duration, func() (err error) {
		sess, paths, err = w.postSession(ctx, srv, len(linked))
		return err
	})
	if err != nil {
		return err
	}
	prefetches, err := srv.prefetches(ctx)
	if err != nil {
		return err
	}
	started, skipped := prefetches[0]-prefetchesBefore[0], prefetches[1]-prefetchesBefore[1]
	log.Print("load: pgbench")
	pg, err := runPgbench(ctx, dir, srv.dataDir, o.conns, o.duration)
	if err != nil {
		return err
	}

	// The payment page over those orders against a bare Echo handler.
	log.Printf("load: payment pages of %d orders", len(paths))
	cookie := linked[0].cookieHeader(srv)
	callsBefore, _, err := srv.amazonCalls(ctx)
	if err != nil {
		return err
	}
	var (
		page  wrkResult
		loads float64
	)
	pageCPU, err := measured(ctx, srv, o.profile, "page", o.duration, func() (err error) {
		page, loads, err = w.walk(ctx, "page", srv, paths, cookie)
		return err
	})
	if err != nil {
		return err
	}
	callsAfter, _, err := srv.amazonCalls(ctx)
	if err != nil {
		return err
	}
	log.Print("load: bare Echo")
	bare, err := runBare(ctx, w, o.pprofOut)
	if err != nil {
		return err
	}
	t.add(ratioRow(fmt.Sprintf("payment page, distinct orders (-c%d)", o.conns), page.rps, "req/s", page.p50, page.p99, page.errors,
		"bare Echo", bare.rps, "req/s", pageRatioTarget,
		fmt.Sprintf("%d orders (half of linked customers), %.2f loads per order, reloads with cookie; %.2f Amazon calls per load; CPU per load %s",
			len(paths), loads, (callsAfter-callsBefore)/float64(max(page.requests, 1)), pageCPU.per(page.requests))))
	t.add(ratioRow("POST /session", sess.rps, "req/s", sess.p50, sess.p99, sess.errors,
		"pgbench 1-row INSERT", pg.tps, "tps", sessionRatioTarget, fmt.Sprintf("CPU per session %s; prefetches started %.0f, skipped %.0f (at most PAYPAGE_PREFETCH_MAX_IN_FLIGHT at once)",
			sessCPU.per(sess.requests), started, skipped)))

	// Sustained page load, then the RSS it left.
	log.Printf("load: %d connections of page load for %s", o.rssConns, o.rssFor)
	long := wrkRunner{dir: dir, conns: o.rssConns, threads: o.threads, duration: o.rssFor}
	sustained, loads, err := long.walk(ctx, "sustained", srv, paths, cookie)
	if err != nil {
		return err
	}
	rss, err := srv.memory("VmRSS")
	if err != nil {
		return err
	}
	t.add(limitRow(fmt.Sprintf("RSS after %s of %d-connection page load", o.rssFor, o.rssConns), float64(rss)/(1<<20), "%.1f", "MiB",
		loadRSSTarget>>20, true, false,
		fmt.Sprintf("VmRSS at the end; %.0f req/s, %d errors, %.2f loads per order", sustained.rps, sustained.errors, loads)))

	// Returning customers paying end to end, and what it cost in CPU.
	log.Printf("load: returning checkouts for %s", o.duration)
	var co checkoutResult
	used, err := measured(ctx, srv, o.profile, "checkout", o.duration, func() (err error) {
		co, err = runCheckouts(ctx, srv, linked, o.duration, 0)
		return err
	})
	if err != nil {
		return err
	}
	t.add(row{name: "returning-customer checkout", value: fmt.Sprintf("%.0f checkouts/s", co.rate), p50: co.p50, p99: co.p99,
		errors: co.errors, target: "no errors", ok: co.errors == 0, note: fmt.Sprintf("%d checkouts by %d customers", co.n, len(linked))})
	server, postgres := used.perRequest(int64(co.n))
	t.add(limitRow("CPU per returning checkout", server+postgres, "%.1f", "ms", cpuPerCheckout, false, true,
		fmt.Sprintf("server %.1f ms (with its built-in simulator) + PostgreSQL %.1f ms", server, postgres)))

	hwm, err := srv.memory("VmHWM")
	if err != nil {
		return err
	}
	t.add(limitRow("peak RSS over the whole bench (VmHWM)", float64(max(hwm, slowHWM))/(1<<20), "%.1f", "MiB", peakRSSTarget>>20, true, false,
		fmt.Sprintf("load server %.1f MiB, slow-Amazon server %.1f MiB", float64(hwm)/(1<<20), float64(slowHWM)/(1<<20))))
	return nil
}

// machine describes the machine and the binary measured.
func machine(bin string) string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if n, err := statusBytes(string(b), "MemTotal"); err == nil {
			mem = fmt.Sprintf(", %.1f GiB RAM", float64(n)/(1<<30))
		}
	}
	sum := "?"
	if b, err := os.ReadFile(bin); err == nil {
		h := sha256.Sum256(b)
		sum = hex.EncodeToString(h[:6])
	}
	return fmt.Sprintf("%d CPUs (%s)%s, Linux %s, %s, %s/%s; binary %s (sha256 %s)", runtime.NumCPU(), cpu, mem,
		strings.TrimSpace(string(kernel)), runtime.Version(), runtime.GOOS, runtime.GOARCH, bin, sum)
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute load averages: how
// busy the machine was with other work matters to every number here.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1, 5, 15 min)"
}
