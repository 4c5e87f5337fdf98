package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests here run the real binary as a user would: serve, a second
// command against the same embedded PostgreSQL, signals and kill -9.

func havePostgres() bool {
	if _, err := exec.LookPath("postgres"); err == nil {
		return true
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	return len(m) > 0
}

func buildBinary(t *testing.T) string {
	t.Helper()
	if !havePostgres() {
		if os.Getenv("PAYPAGE_REQUIRE_DB") == "1" {
			t.Fatal("no PostgreSQL server binaries")
		}
		t.Skip("cmd tests skipped: no PostgreSQL server binaries (apt-get install postgresql)")
	}
	bin := filepath.Join(t.TempDir(), "paypage")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type server struct {
	cmd    *exec.Cmd
	base   string
	stdout *syncBuffer
	stderr *syncBuffer // the server's log, for failure messages
	done   chan error
}

// syncBuffer is a bytes.Buffer that the child's output copier and the test
// may use at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startServer(t *testing.T, bin string, env []string) *server {
	t.Helper()
	return startServerAt(t, bin, env, freeAddr(t))
}

// startServerAt is startServer on a chosen address, for tests that must
// know the server's base URL before it starts.
func startServerAt(t *testing.T, bin string, env []string, addr string) *server {
	t.Helper()
	s := &server{base: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), append(env, "PAYPAGE_ADDR="+addr, "PAYPAGE_BASE_URL="+s.base)...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
	})
	return s
}

// startReady is startServerAt that returns once the server is ready.
func startReady(t *testing.T, bin string, env []string, addr string) *server {
	t.Helper()
	s := startServerAt(t, bin, env, addr)
	s.waitReady(t)
	return s
}

func (s *server) waitReady(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 90*time.Second {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start)
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited: %v\n%s", err, s.stdout)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("server not ready after 90s\n%s", s.stdout)
	return 0
}

// postgresProcesses lists pids whose command line mentions dir.
func postgresProcesses(dir string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		cmd := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmd, "postgres") && strings.Contains(cmd, dir) {
			pids = append(pids, e.Name()+": "+cmd)
		}
	}
	return pids
}

func waitNoPostgres(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if len(postgresProcesses(dir)) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("PostgreSQL outlived the server: %v", postgresProcesses(dir))
}

func TestServeMerchantCreateAndStop(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	env := []string{"PAYPAGE_DATA_DIR=" + data, "DATABASE_URL="}
	s := startServer(t, bin, env)
	took := s.waitReady(t)
	t.Logf("cold start until /readyz: %s", took)
	banner := s.stdout.String()
	for _, want := range []string{"/sandbox/shop/", "api_key=pk_demo_", "response_key=", "/orders/<id>/payment-page"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}

	// A second command uses the running server's PostgreSQL.
	creds := newMerchant(t, bin, env, "--id", "acme", "--name", "Acme", "--return-url-prefix", "https://acme.example/pay/", "--return-method", "POST")
	for _, k := range []string{"merchant_id", "api_key", "response_key", "webhook_username", "webhook_password", "webhook_secret"} {
		if creds[k] == "" {
			t.Errorf("no %s in %v", k, creds)
		}
	}
	req, _ := http.NewRequest("POST", s.base+"/session", strings.NewReader(
		`{"order_id":"a1","amount":"10","currency":"INR","customer_id":"c","return_url":"https://acme.example/pay/done"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-merchantid", "acme")
	req.SetBasicAuth(creds["api_key"], "")
	resp, err := checkedClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("new merchant's key: %d", resp.StatusCode)
	}
	bad := exec.Command(bin, "merchant", "create", "--id", "bad id", "--name", "")
	bad.Env = append(os.Environ(), env...)
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "id") {
		t.Errorf("bad merchant accepted: %v %s", err, out)
	}

	// SIGTERM stops the server and its PostgreSQL.
	s.terminate(t, data)
}

// terminate stops s with SIGTERM, as a service manager would, and checks
// that it and the PostgreSQL it started in data are gone.
func (s *server) terminate(t *testing.T, data string) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
	waitNoPostgres(t, data)
}

func TestKill9ThenRestart(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	env := []string{"PAYPAGE_DATA_DIR=" + data, "DATABASE_URL="}
	s := startServer(t, bin, env)
	s.waitReady(t)
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	waitNoPostgres(t, data)
	s = startServer(t, bin, env)
	s.waitReady(t)
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	<-s.done
	waitNoPostgres(t, data)
}

func TestNoPostgresNoDatabaseURL(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "migrate")
	cmd.Env = append(os.Environ(), "PAYPAGE_DATA_DIR="+t.TempDir(), "DATABASE_URL=", "PATH=/nonexistent")
	out, err := cmd.CombinedOutput()
	// The binary searches /usr/lib/postgresql too, so this only checks the
	// message where that directory is absent.
	if _, statErr := os.Stat("/usr/lib/postgresql"); statErr == nil {
		t.Skip("PostgreSQL installed under /usr/lib/postgresql; the missing-binaries message is covered by internal/pgembed")
	}
	if err == nil || strings.Count(strings.TrimSpace(string(out)), "\n") > 0 || !strings.Contains(string(out), "DATABASE_URL") {
		t.Errorf("want one line naming the fix, got %v: %q", err, out)
	}
}

func TestConfigDumpHidesSecrets(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"PAYPAGE_SECRET_KEY": "super-secret-value-0123456789abcdef", "DATABASE_URL": "postgres://u:hunter2@db/x"}
	if err := dispatch(t.Context(), []string{"config-dump"}, func(k string) string { return env[k] }, &out, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "super-secret") || strings.Contains(out.String(), "hunter2") {
		t.Errorf("secret printed:\n%s", out.String())
	}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		n++
	}
	if n < 10 {
		t.Errorf("config-dump printed %d lines", n)
	}
	if err := dispatch(t.Context(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, nil); err == nil {
		t.Error("unknown command accepted")
	}
}
