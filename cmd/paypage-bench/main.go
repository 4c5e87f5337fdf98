// Command paypage-bench measures a paypage build on this machine and prints
// one table: the payment page against a bare Echo handler, POST /session
// against pgbench inserting into the same PostgreSQL, returning-customer
// checkouts end to end, the server's peak RSS and a Go benchmark's
// allocations per page render. Every ceiling is measured in the same run,
// so the ratios hold across machines and noise. It starts the server in
// sandbox mode on a fresh embedded cluster in a temp directory and loads
// only 127.0.0.1. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

type options struct {
	bin      string
	conns    int
	threads  int
	duration time.Duration
	workers  int
	goBench  bool
	keep     bool
	pprofOut string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/paypage", "paypage binary to measure")
	flag.IntVar(&o.conns, "c", 16, "connections for wrk and pgbench clients")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "length of each load run")
	flag.IntVar(&o.workers, "workers", 8, "checkout workers, each its own linked customer")
	flag.BoolVar(&o.goBench, "gobench", true, "run BenchmarkPaymentPageRender for allocations per render")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp directory (server log, wrk scripts)")
	flag.StringVar(&o.pprofOut, "pprof", "", "write a CPU profile of the bare Echo ceiling run to this file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("paypage-bench: ")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A hard bound, so a hung server or tool never keeps the machine busy.
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute+6*o.duration)
	defer cancel()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
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

	var t table
	t.header = fmt.Sprintf("paypage bench: %d CPUs, %s, wrk -t%d -c%d -d%s, %d checkout workers",
		runtime.NumCPU(), runtime.Version(), o.threads, o.conns, o.duration, o.workers)

	srv, err := startServer(ctx, bin, dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	log.Printf("server pid %d at %s", srv.pid(), srv.base)

	w := wrkRunner{dir: dir, conns: o.conns, threads: o.threads, duration: o.duration}

	// 1. Payment page of a linked customer against a bare Echo handler.
	pageURL, cookie, err := linkedPage(ctx, srv)
	if err != nil {
		return fmt.Errorf("preparing the payment page: %w", err)
	}
	page, err := w.get(ctx, "page", pageURL, map[string]string{"Cookie": cookie, "Accept-Encoding": "gzip"})
	if err != nil {
		return err
	}
	bare, err := runBare(ctx, w, o.pprofOut)
	if err != nil {
		return err
	}
	t.add(row{name: "payment page, linked customer", value: page.rps, unit: "req/s", p50: page.p50, p99: page.p99,
		errors: page.errors, ceilingName: "bare Echo handler", ceiling: bare.rps, ceilingUnit: "req/s", target: 0.25})

	// 2. POST /session against pgbench's single-row INSERT.
	sess, err := w.postSession(ctx, srv)
	if err != nil {
		return err
	}
	pg, err := runPgbench(ctx, dir, srv.dataDir, o.conns, o.duration)
	if err != nil {
		return err
	}
	t.add(row{name: "POST /session", value: sess.rps, unit: "req/s", p50: sess.p50, p99: sess.p99,
		errors: sess.errors, ceilingName: "pgbench 1-row INSERT", ceiling: pg.tps, ceilingUnit: "tps", target: 0.50})

	// 3. Returning customers paying end to end.
	co, err := runCheckouts(ctx, srv, o.workers, o.duration)
	if err != nil {
		return err
	}
	t.add(row{name: "returning-customer checkout", value: co.rate, unit: "checkouts/s", p50: co.p50, p99: co.p99, errors: co.errors})

	// 4. Memory and allocations.
	hwm, err := srv.peakRSS()
	if err != nil {
		return err
	}
	t.rss = hwm
	if o.goBench {
		if t.allocs, t.bytes, err = runGoBench(ctx); err != nil {
			return err
		}
	}
	t.print(os.Stdout)
	return nil
}
