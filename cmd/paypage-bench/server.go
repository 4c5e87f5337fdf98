package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a paypage child process in sandbox mode.
type server struct {
	name        string
	cmd         *exec.Cmd
	base        string
	ops         string // the ops listener, serving /metrics
	dataDir     string
	merchantID  string
	apiKey      string
	responseKey string
	exited      chan error
}

// startServer runs `paypage serve` on free loopback ports with a fresh
// embedded cluster in dir/name, and waits until it is ready. env is added
// to the server's environment.
func startServer(ctx context.Context, bin, dir, name string, env ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{name: name, base: fmt.Sprintf("http://127.0.0.1:%d", port), ops: fmt.Sprintf("127.0.0.1:%d", opsPort),
		dataDir: filepath.Join(dir, name), exited: make(chan error, 1)}
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	// Not CommandContext: the server must get SIGINT, not SIGKILL, so that
	// it stops its PostgreSQL.
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"PAYPAGE_ADDR="+strings.TrimPrefix(s.base, "http://"),
		"PAYPAGE_BASE_URL="+s.base,
		"PAYPAGE_DATA_DIR="+s.dataDir,
		"PAYPAGE_MODE=sandbox",
		"DATABASE_URL=",
		"PAYPAGE_SECRET_KEY=",
		// Its own ops port: the default one may be another server's.
		"PAYPAGE_OPS_ADDR="+s.ops,
		"PAYPAGE_SANDBOX_LATENCY=0s",
		"PAYPAGE_SANDBOX_FAULTS=0",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w (run make build first)", bin, err)
	}
	s.cmd = cmd
	banner := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		closed := false
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			for _, f := range strings.Fields(line) {
				k, v, _ := strings.Cut(f, "=")
				switch k {
				case "merchant_id":
					s.merchantID = v
				case "api_key":
					s.apiKey = v
				case "response_key":
					s.responseKey = v
				}
			}
			if strings.HasPrefix(line, "Health:") && !closed {
				close(banner)
				closed = true
			}
		}
		if !closed {
			close(banner)
		}
	}()
	go func() { s.exited <- cmd.Wait(); logf.Close() }()

	deadline := time.After(90 * time.Second)
	select {
	case <-banner:
	case err := <-s.exited:
		return nil, fmt.Errorf("server exited during start (%v); see %s", err, logf.Name())
	case <-deadline:
		s.stop()
		return nil, errors.New("server did not print its banner within 90 s")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	if s.apiKey == "" {
		s.stop()
		return nil, fmt.Errorf("no demo api_key in the banner; see %s", logf.Name())
	}
	for i := 0; ; i++ {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if i > 100 {
			s.stop()
			return nil, errors.New("server never became ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop interrupts the server and waits for it to stop its database.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// memory reads field (VmRSS, VmHWM) of the server's /proc status, in
// bytes.
func (s *server) memory(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		return 0, err
	}
	return statusBytes(string(b), field)
}

// statusBytes reads a "Field:   1234 kB" line of a /proc status file.
func statusBytes(status, field string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

// amazonCalls is how many requests the server's built-in simulator has
// answered, from the request counter of its route on /metrics: in
// sandbox mode every Amazon call the server makes is one of them. found is
// false while the series does not exist (no call yet, or a renamed route).
func (s *server) amazonCalls(ctx context.Context) (calls float64, found bool, err error) {
	exp, err := s.metrics(ctx)
	if err != nil {
		return 0, false, err
	}
	return sumSeries(exp, "paypage_http_requests_total", simulatorRoute)
}

// prefetches is how many prefetches the server has started and skipped
// so far (paypage_prefetches_total).
func (s *server) prefetches(ctx context.Context) (n [2]float64, err error) {
	exp, err := s.metrics(ctx)
	if err != nil {
		return n, err
	}
	for i, result := range []string{"started", "skipped"} {
		if n[i], _, err = sumSeries(exp, "paypage_prefetches_total", `result="`+result+`"`); err != nil {
			return n, err
		}
	}
	return n, nil
}

// metrics reads the server's /metrics exposition.
func (s *server) metrics(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.ops+"/metrics", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s/metrics: status %d", s.ops, resp.StatusCode)
	}
	return string(b), nil
}

// simulatorRoute is the route label of the simulator's requests.
const simulatorRoute = `route="/sandbox/amazonpay/*"`

// sumSeries sums the samples of metric name whose labels hold label in a
// Prometheus text exposition.
func sumSeries(exposition, name, label string) (sum float64, found bool, err error) {
	for _, line := range strings.Split(exposition, "\n") {
		if !strings.HasPrefix(line, name+"{") || !strings.Contains(line, label) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return 0, false, fmt.Errorf("metrics line %q: %w", line, err)
		}
		sum += v
		found = true
	}
	return sum, found, nil
}

// pgDSN returns the superuser's connection settings for the embedded
// cluster: postmaster.pid's fourth line is the port, pg.pass the password.
func pgDSN(dataDir string) (port, password string, err error) {
	pid, err := os.ReadFile(filepath.Join(dataDir, "pg", "postmaster.pid"))
	if err != nil {
		return "", "", err
	}
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return "", "", errors.New("short postmaster.pid")
	}
	pass, err := os.ReadFile(filepath.Join(dataDir, "pg.pass"))
	if err != nil {
		return "", "", err
	}
	return strings.TrimSpace(lines[3]), strings.TrimSpace(string(pass)), nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// profile starts a CPU profile of the server (it must run with
// PAYPAGE_PPROF=1) for the next d, written to dir/name.pprof; the returned
// wait blocks until it is written. With dir empty it does nothing.
func (s *server) profile(ctx context.Context, dir, name string, d time.Duration) (wait func() error) {
	if dir == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() { done <- s.writeProfile(ctx, filepath.Join(dir, name+".pprof"), d) }()
	return func() error { return <-done }
}

// writeProfile takes a CPU profile of the server over d and writes it to
// path.
func (s *server) writeProfile(ctx context.Context, path string, d time.Duration) error {
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.ops, max(int(d.Seconds()), 1))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d (is PAYPAGE_PPROF=1 set?)", url, resp.StatusCode)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
