// Package pgbouncertest runs Debian's PgBouncer in pool_mode=transaction in
// front of a test database, the way managed PostgreSQL offerings put a
// transaction pooler in front of the primary, so that tests can check that
// paypage keeps no session state between transactions.
//
// Without a pgbouncer binary (Debian/Ubuntu: apt-get install pgbouncer),
// tests skip with one loud line, or fail when PAYPAGE_REQUIRE_DB=1.
package pgbouncertest

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options tune the pooler.
type Options struct {
	// PoolSize is PgBouncer's default_pool_size: the server connections
	// per database and user (default 4). A pool smaller than paypage's
	// own makes PgBouncer hand each client's transactions to different
	// server connections, which is what breaks session state.
	PoolSize int
}

var skipOnce sync.Once

// Start runs PgBouncer in transaction pooling mode in front of the server
// that dsn (a postgres:// URL, as internal/pgtest gives) names, until the
// test ends, and returns dsn pointed at PgBouncer instead.
func Start(t testing.TB, dsn string, opts Options) string {
	t.Helper()
	bin := binary()
	if bin == "" {
		const fix = "install it (Debian/Ubuntu: apt-get install pgbouncer)"
		if os.Getenv("PAYPAGE_REQUIRE_DB") == "1" {
			t.Fatal("pgbouncertest: no pgbouncer binary and PAYPAGE_REQUIRE_DB=1 forbids skipping: " + fix)
		}
		msg := "pgbouncertest: NO PGBOUNCER, SKIPPING TRANSACTION POOLING TESTS: " + fix
		skipOnce.Do(func() { fmt.Fprintln(os.Stderr, msg) })
		t.Skip(msg)
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgbouncertest: %q is not a postgres:// URL", dsn)
	}
	if opts.PoolSize == 0 {
		opts.PoolSize = 4
	}
	port := freePort(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(config(u, port, dir, opts)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(userlist(u)), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		// PgBouncer refuses to run as root; it reads its files first,
		// then becomes nobody.
		args = append([]string{"-u", "nobody"}, args...)
	}
	var log bytes.Buffer
	var logMu sync.Mutex
	cmd := exec.Command(bin, args...)
	cmd.Stdout = lockedWriter{&logMu, &log}
	cmd.Stderr = cmd.Stdout
	// Die with the test binary if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("pgbouncertest: start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			logMu.Lock()
			t.Logf("pgbouncer log:\n%s", log.String())
			logMu.Unlock()
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(15 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			logMu.Lock()
			defer logMu.Unlock()
			t.Fatalf("pgbouncertest: pgbouncer exited (%v):\n%s", err, log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pgbouncertest: pgbouncer did not listen on %s", addr)
		}
	}
	through := *u
	through.Host = addr
	return through.String()
}

// config is pgbouncer.ini: every database name the client asks for is
// passed through to the one server, as the test's own user.
func config(u *url.URL, port int, dir string, opts Options) string {
	host, serverPort := u.Hostname(), u.Port()
	if serverPort == "" {
		serverPort = "5432"
	}
	pw, _ := u.User.Password()
	return fmt.Sprintf(`[databases]
* = host=%s port=%s user=%s password=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
`, host, serverPort, quoteConn(u.User.Username()), quoteConn(pw), port,
		filepath.Join(dir, "userlist.txt"), opts.PoolSize)
}

// userlist names the user trust authentication lets in.
func userlist(u *url.URL) string {
	pw, _ := u.User.Password()
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return q(u.User.Username()) + " " + q(pw) + "\n"
}

// quoteConn quotes a value of a libpq-style connection string.
func quoteConn(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func binary() string {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer"
	}
	return ""
}

// freePort returns a loopback port nothing listens on, for now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
