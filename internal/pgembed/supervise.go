package pgembed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Restart backoff: the first restart is tried restartMin after the server
// died, and each failure doubles the wait up to restartMax. Every wait is
// jittered so that several paypage processes do not retry in step.
const (
	restartMin = 100 * time.Millisecond
	restartMax = 5 * time.Second
	// restartSamePort is how many attempts keep the old port before trying
	// fresh ones: the pool and attached processes find the old port fastest,
	// but something else may have taken it.
	restartSamePort = 3
)

// startSupervising watches the owned server from a goroutine until Stop.
func (c *Cluster) startSupervising() {
	ctx, cancel := context.WithCancel(context.Background())
	c.endSupervisor = cancel
	c.supervised = make(chan struct{})
	go c.supervise(ctx)
}

// endSupervision stops the supervisor and waits for it to return. The
// server it leaves behind, running or dead, is c.server().
func (c *Cluster) endSupervision() {
	if c.supervised == nil {
		return
	}
	c.endSupervisor()
	<-c.supervised
}

// supervise restarts the server each time it exits until ctx ends.
func (c *Cluster) supervise(ctx context.Context) {
	defer close(c.supervised)
	for {
		p := c.server()
		select {
		case <-ctx.Done():
			return
		case <-p.exited:
		}
		if ctx.Err() != nil { // an exit during Stop is the shutdown itself
			return
		}
		c.log.Error("embedded postgres exited unexpectedly, restarting it",
			slog.Int("pid", p.proc.Pid), slog.Any("err", p.err), slog.String("log", c.logPath()))
		if !c.restart(ctx, p) {
			return
		}
	}
}

// restart starts the server again after dead exited, with backoff and
// without giving up. It reports false if ctx (supervision) ended first.
func (c *Cluster) restart(ctx context.Context, dead *process) bool {
	began := time.Now()
	// Backends of a kill -9'd postmaster notice its death and exit, but until
	// they do they hold its shared memory, and postgres refuses to start.
	c.killOrphans(dead.proc.Pid)
	wait := restartMin
	for attempt := 1; ; attempt++ {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(jitter(wait)):
		}
		err := c.restartOnce(ctx, attempt)
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			n := c.restarts.Add(1)
			c.log.Warn("embedded postgres restarted",
				slog.Int("pid", c.server().proc.Pid), slog.Int("port", c.currentPort()),
				slog.Int("attempt", attempt), slog.Duration("down_for", time.Since(began)), slog.Int64("restarts", n))
			return true
		}
		wait = min(2*wait, restartMax)
		c.log.Warn("restarting embedded postgres failed, will retry",
			slog.Int("attempt", attempt), slog.Duration("retry_in", wait), slog.Any("err", err))
	}
}

// restartOnce makes one attempt to start the server and waits until it
// answers or exits. It holds the start lock, as Start does, so that a
// paypage command starting at the same moment attaches instead of
// starting a second server.
func (c *Cluster) restartOnce(ctx context.Context, attempt int) error {
	unlock, err := lockDir(ctx, filepath.Join(c.dataDir, "pg.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.clearStalePID(); err != nil {
		return err
	}
	port := c.currentPort()
	if attempt > restartSamePort {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	logFile, err := openLog(c.logPath())
	if err != nil {
		return err
	}
	defer logFile.Close()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p, err := c.spawnServer(port, logFile)
	if err != nil {
		return err
	}
	// Crash recovery may take a while; the server is left to finish it
	// rather than killed and started over.
	slow := time.AfterFunc(c.run.startTimeout, func() {
		c.log.Warn("restarted embedded postgres does not answer yet", slog.Int("pid", p.proc.Pid),
			slog.Duration("after", c.run.startTimeout), slog.String("log", c.logPath()))
	})
	defer slow.Stop()
	return c.waitReady(ctx, p)
}

// clearStalePID makes sure postgres may start: a postmaster.pid that names
// a dead process is left for postgres to replace, one whose pid now belongs
// to an unrelated process (or that is torn) is removed, and one that names
// a live server in this directory (another paypage started it meanwhile) is
// an error, retried later.
func (c *Cluster) clearStalePID() error {
	path := filepath.Join(c.dir, "postmaster.pid")
	pf, err := readPIDFile(c.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		c.log.Warn("removing unreadable postmaster.pid", slog.Any("err", err))
	case !processAlive(pf.pid):
		return nil
	case servesDir(pf.pid, c.dir):
		return fmt.Errorf("pgembed: another postgres (pid %d) runs in %s", pf.pid, c.dir)
	default:
		c.log.Warn("postmaster.pid names a live process that is not this cluster's server; removing it",
			slog.Int("pid", pf.pid))
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("pgembed: %w", err)
	}
	return nil
}

// killOrphans SIGKILLs what is left of the dead postmaster's process group
// in this cluster's directory. The group id is the postmaster's pid (it
// started with Setpgid), and the directory check keeps a reused pid from
// ever pointing at an unrelated process.
func (c *Cluster) killOrphans(pgid int) {
	want, err := filepath.EvalSymlinks(c.dir)
	if err != nil {
		return
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range stats {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
		if err != nil || processGroup(stat) != pgid {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join(filepath.Dir(stat), "cwd")); err != nil || cwd != want {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			c.log.Info("killed a leftover postgres process", slog.Int("pid", pid))
		}
	}
}

// processGroup reads the process group id from a /proc/<pid>/stat file, or
// returns -1.
func processGroup(statPath string) int {
	b, err := os.ReadFile(statPath)
	if err != nil {
		return -1
	}
	// Fields after the parenthesised command name: state, ppid, pgrp, ...
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return -1
	}
	pgrp, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return pgrp
}

// jitter spreads d by up to a fifth either way.
func jitter(d time.Duration) time.Duration {
	return d - d/5 + rand.N(2*d/5+1)
}
