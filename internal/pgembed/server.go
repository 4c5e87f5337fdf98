package pgembed

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runConfig is what it takes to start the owned server, kept so that the
// supervisor can start it again.
type runConfig struct {
	bins binaries
	acct *account // nil: run as the current user
	fast bool
	// startTimeout is how long a restart waits before warning that the server
	// does not answer yet.
	startTimeout time.Duration
}

// startOwned finds binaries, initialises the cluster if needed, runs the
// server as this process's child and starts supervising it.
func (c *Cluster) startOwned(ctx context.Context, opts Options) error {
	bins, err := findBinaries(opts.BinDirs, clusterVersion(c.dir))
	if err != nil {
		return err
	}
	acct := serverAccount(ctx, c.log)
	if acct != nil {
		if err := makeTraversable(c.dataDir, c.log); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
	}
	logFile, err := openLog(c.logPath())
	if err != nil {
		return err
	}
	// The children hold their own copies of the descriptor.
	defer logFile.Close()

	if clusterVersion(c.dir) == "" {
		if err := c.initCluster(ctx, bins, acct, logFile, opts.Fast); err != nil {
			return err
		}
	} else if acct != nil {
		if err := chownTree(c.dir, acct); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
	}
	if c.password == "" {
		if c.password, err = readPassword(c.passPath()); err != nil {
			return err
		}
	}
	c.owned = true
	c.run = runConfig{bins: bins, acct: acct, fast: opts.Fast, startTimeout: opts.StartTimeout}
	if err := c.runServer(ctx, logFile); err != nil {
		return err
	}
	c.startSupervising()
	return nil
}

// runServer starts postgres on a free port and waits until it answers. A
// server that exits during startup is retried on a new port: the port may
// have been taken meanwhile, or the children of a kill -9'd postmaster may
// still hold its shared memory for a moment.
func (c *Cluster) runServer(ctx context.Context, logFile *os.File) error {
	var lastErr error
	for attempt := 1; attempt <= 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		p, err := c.spawnServer(port, logFile)
		if err != nil {
			return err
		}
		err = c.waitReady(ctx, p)
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			lastErr = err
			c.log.Debug("postgres exited during startup, retrying", slog.Int("attempt", attempt), slog.Any("err", err))
		default:
			p.kill()
			return c.startError(err)
		}
		select {
		case <-ctx.Done():
			return c.startError(ctx.Err())
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
	return c.startError(lastErr)
}

// spawnServer starts postgres on port as this process's child and makes it
// the cluster's current server, so that Stop stops it whatever happens next.
func (c *Cluster) spawnServer(port int, logFile *os.File) (*process, error) {
	cmd := exec.Command(c.run.bins.postgres, serverArgs(c.dir, port, c.run.fast)...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group keeps a terminal's Ctrl-C away from the
		// server, so paypage can stop it after draining requests.
		Setpgid: true,
		// Immediate shutdown if paypage dies, however it dies.
		Pdeathsig: syscall.SIGQUIT,
	}
	if c.run.acct != nil {
		cmd.SysProcAttr.Credential = c.run.acct.credential()
	}
	p, err := spawn(cmd)
	if err != nil {
		return nil, fmt.Errorf("pgembed: start %s: %w", c.run.bins.postgres, err)
	}
	c.mu.Lock()
	c.srv = p
	c.mu.Unlock()
	c.port.Store(int64(port))
	return p, nil
}

// server returns the current owned server process.
func (c *Cluster) server() *process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.srv
}

// serverArgs are small settings for a single-user development or test
// server. They are flags rather than postgresql.conf edits so that Fast can
// differ from one start to the next.
func serverArgs(dir string, port int, fast bool) []string {
	args := []string{"-D", dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + socketDir(dir),
		"-c", "shared_buffers=32MB",
		"-c", "max_connections=100",
		"-c", "huge_pages=off",
	}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	return args
}

// socketDir is the cluster directory, or "" (no unix socket, TCP only) when
// the socket path would exceed the kernel's limit of about 107 bytes.
func socketDir(dir string) string {
	if len(dir)+len("/.s.PGSQL.65535.lock") > 107 {
		return ""
	}
	return dir
}

// waitReady polls until the server accepts a connection, exits, or ctx ends.
func (c *Cluster) waitReady(ctx context.Context, p *process) error {
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("postgres exited during startup: %v", p.err)
		default:
		}
		if c.ping(ctx) == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready on port %d: %w", c.currentPort(), ctx.Err())
		case <-p.exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop asks for a fast shutdown (sessions rolled back, checkpoint written),
// then an immediate one (crash recovery on the next start), then SIGKILL.
// A cancelled ctx skips the waiting but not the escalation. Supervision must
// have ended, so that the server stays down.
func (c *Cluster) stop(ctx context.Context) error {
	srv := c.server()
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, 15 * time.Second},
		{syscall.SIGQUIT, 5 * time.Second},
		{syscall.SIGKILL, 5 * time.Second},
	}
	for i, s := range steps {
		_ = srv.proc.Signal(s.sig)
		var cancelled <-chan struct{}
		if i < len(steps)-1 {
			cancelled = ctx.Done()
		}
		timer := time.NewTimer(s.wait)
		select {
		case <-srv.exited:
			timer.Stop()
			c.log.Info("embedded postgres stopped", slog.String("signal", s.sig.String()))
			return nil
		case <-timer.C:
		case <-cancelled:
		}
		timer.Stop()
		c.log.Warn("embedded postgres still running, escalating", slog.String("after", s.sig.String()))
	}
	return fmt.Errorf("pgembed: postgres (pid %d) did not exit after SIGKILL", srv.proc.Pid)
}

func (c *Cluster) startError(err error) error {
	return fmt.Errorf("pgembed: postgres in %s did not start: %w; last lines of %s:\n%s",
		c.dir, err, c.logPath(), logTail(c.logPath()))
}

// freePort asks the kernel for an unused loopback port. Another process may
// take it before postgres binds it; runServer retries when that happens.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgembed: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// openLog opens the server log for appending, setting a large one aside
// first so a long-lived data directory does not grow without bound.
func openLog(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 10<<20 {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	return f, nil
}

// logTail returns the last lines of the server log for error messages.
func logTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	const max = 4096
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(-max, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	lines := strings.Split(string(bytes.TrimSpace(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
