package pgembed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidFile is what postmaster.pid says about a running server.
type pidFile struct {
	pid    int
	port   int
	status string // "starting", "ready", "stopping"; empty before PostgreSQL 10
}

// readPIDFile parses postmaster.pid: line 1 pid, line 4 port, line 8 status.
func readPIDFile(dir string) (pidFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return pidFile{}, errors.New("short postmaster.pid")
	}
	var pf pidFile
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil {
		return pidFile{}, fmt.Errorf("postmaster.pid pid: %w", err)
	}
	if pf.port, err = strconv.Atoi(strings.TrimSpace(lines[3])); err != nil {
		return pidFile{}, fmt.Errorf("postmaster.pid port: %w", err)
	}
	if len(lines) > 7 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, nil
}

// attach connects to a server already running in c.dir. It reports false
// when there is none to attach to, so the caller starts one: no
// postmaster.pid, a dead pid, or a pid reused by another process. In the
// last case it removes the file, because postgres would refuse to start
// while the recorded pid is alive.
func (c *Cluster) attach(ctx context.Context) (bool, error) {
	for {
		pf, err := readPIDFile(c.dir)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			// Only a crashed server leaves a torn file: Start holds the lock
			// while a server writes it.
			c.log.Warn("ignoring unreadable postmaster.pid", slog.Any("err", err))
			return false, nil
		}
		if !processAlive(pf.pid) {
			c.log.Info("stale postmaster.pid, starting a new server", slog.Int("old_pid", pf.pid))
			return false, nil
		}
		if !servesDir(pf.pid, c.dir) {
			c.log.Warn("postmaster.pid names a live process that is not this cluster's server; removing it",
				slog.Int("pid", pf.pid))
			if err := os.Remove(filepath.Join(c.dir, "postmaster.pid")); err != nil {
				return false, fmt.Errorf("pgembed: %w", err)
			}
			return false, nil
		}
		if c.password == "" {
			if c.password, err = readPassword(c.passPath()); err != nil {
				return false, err
			}
		}
		c.port.Store(int64(pf.port))
		if pf.status == "" || pf.status == "ready" {
			if err := c.ping(ctx); err == nil {
				return true, nil
			}
		}
		// The server is starting, stopping or busy: wait for it to be ready
		// or gone.
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("pgembed: postgres (pid %d) runs in %s but does not answer on port %d: %w",
				pf.pid, c.dir, pf.port, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist)
	}
	// The state follows the parenthesised command name, which may contain spaces.
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		state := b[i+2]
		return state != 'Z' && state != 'X'
	}
	return true
}

// servesDir reports whether pid is a postgres serving dir. The postmaster
// chdirs into its data directory, which tells it apart from an unrelated
// process that reused the pid after a kill -9.
func servesDir(pid int, dir string) bool {
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err == nil {
		want, err := filepath.EvalSymlinks(dir)
		return err == nil && cwd == want
	}
	// Without access to cwd (another user's process), fall back to the name.
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return true // no /proc: trust the pid file, as pg_ctl does
	}
	return strings.TrimSpace(string(comm)) == "postgres"
}

// lockDir takes an exclusive flock on path, polling so ctx can cancel.
func lockDir(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("pgembed: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("pgembed: waiting for another paypage to start postgres: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
