package pgembed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireBinaries skips tests that need a real server when none is
// installed, unless PAYPAGE_REQUIRE_DB=1 says the run must exercise them.
func requireBinaries(t *testing.T) {
	t.Helper()
	if _, err := findBinaries(nil, ""); errors.Is(err, ErrNoBinaries) {
		if os.Getenv("PAYPAGE_REQUIRE_DB") == "1" {
			t.Fatal(err)
		}
		t.Skip("SKIP pgembed: " + err.Error())
	}
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// start starts or attaches to the cluster in dir with Fast settings and
// stops it at cleanup.
func start(t *testing.T, dir string) *Cluster {
	t.Helper()
	return startWith(t, Options{DataDir: dir, Fast: true})
}

func startWith(t *testing.T, opts Options) *Cluster {
	t.Helper()
	opts.Logger = testLogger()
	began := time.Now()
	c, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start (owned=%v) took %v", c.Owned(), time.Since(began))
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

func mustExec(t *testing.T, dsn, query string) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// processesIn lists processes whose working directory is dir: the
// postmaster and all its children chdir into the data directory.
func processesIn(t *testing.T, dir string) []string {
	t.Helper()
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	cwds, _ := filepath.Glob("/proc/[0-9]*/cwd")
	var pids []string
	for _, cwd := range cwds {
		if target, err := os.Readlink(cwd); err == nil && target == want {
			pid := filepath.Base(filepath.Dir(cwd))
			var n int
			if _, err := fmt.Sscan(pid, &n); err == nil && processAlive(n) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

func waitGone(t *testing.T, dir string, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) || len(processesIn(t, dir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("postgres outlived its owner: pid %d alive=%v, processes in %s: %v",
				pid, processAlive(pid), dir, processesIn(t, dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartAttachStop(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	dir := t.TempDir()
	c := start(t, dir)
	if !c.Owned() {
		t.Fatal("first Start: Owned() = false")
	}
	mustExec(t, c.DSN("paypage"), "SELECT 1")

	c2 := start(t, dir)
	if c2.Owned() {
		t.Fatal("second Start on a running cluster: Owned() = true")
	}
	mustExec(t, c2.DSN("paypage"), "SELECT 1")
	if err := c2.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustExec(t, c.DSN("paypage"), "SELECT 1") // stopping an attached cluster leaves it running

	pid := c.server().proc.Pid
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, c.dir, pid)
	if _, err := os.Stat(filepath.Join(c.dir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Fatalf("postmaster.pid after Stop: %v", err)
	}
}

// TestRestartAfterServerKilled is the server killed with its owner gone
// (here: no longer supervising): the next Start recovers the stale
// postmaster.pid and starts it again, on a new port if the old one is taken.
func TestRestartAfterServerKilled(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	dir := t.TempDir()
	// Durable settings: with Fast, a commit may still sit in WAL buffers
	// when the server is killed.
	c := startWith(t, Options{DataDir: dir})
	mustExec(t, c.DSN("paypage"), "CREATE TABLE survives (id int)")
	oldPort := c.currentPort()
	c.endSupervision()
	srv := c.server()
	if err := syscall.Kill(srv.proc.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.exited
	// Occupy the old port, as an unrelated program might after a crash.
	if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", oldPort)); err == nil {
		defer l.Close()
	}

	c2 := startWith(t, Options{DataDir: dir})
	if !c2.Owned() {
		t.Fatal("Start after the server was killed attached instead of starting")
	}
	if c2.currentPort() == oldPort {
		t.Fatalf("new server reused the occupied port %d", oldPort)
	}
	mustExec(t, c2.DSN("paypage"), "SELECT * FROM survives")
}

func TestStalePIDFileOfUnrelatedProcess(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	dir := t.TempDir()
	c := start(t, dir)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A postmaster.pid naming a live process that is not postgres (the pid
	// was reused) and a port that something else listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	stale := fmt.Sprintf("%d\n%s\n0\n%d\n%s\n127.0.0.1\n0 0\nready\n", os.Getpid(), c.dir, port, c.dir)
	if err := os.WriteFile(filepath.Join(c.dir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}

	c2 := start(t, dir)
	if !c2.Owned() || c2.currentPort() == port {
		t.Fatalf("Start with a stale pid file: owned=%v port=%d (occupied %d)", c2.Owned(), c2.currentPort(), port)
	}
	mustExec(t, c2.DSN("paypage"), "SELECT 1")
}

func TestNoBinaries(t *testing.T) {
	t.Parallel()
	_, err := Start(context.Background(), Options{
		DataDir: t.TempDir(), Logger: testLogger(), BinDirs: []string{t.TempDir()},
	})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Start without binaries: %v, want ErrNoBinaries", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "apt-get install postgresql") {
		t.Fatalf("ErrNoBinaries must be one line naming the package: %q", msg)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"15", "9.6", 1}, {"9.6", "10", -1}, {"16", "16", 0}} {
		if got := compareVersions(tc.a, tc.b); (got > 0) != (tc.want > 0) || (got < 0) != (tc.want < 0) {
			t.Errorf("compareVersions(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.want)
		}
	}
}
