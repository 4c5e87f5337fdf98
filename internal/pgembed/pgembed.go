// Package pgembed runs a PostgreSQL cluster from the machine's server
// binaries as a child of paypage. It is the zero-config mode: when
// DATABASE_URL is empty, cmd starts a cluster here and points the store at it.
//
// The cluster lives in Options.DataDir/pg. Start initialises it on first use
// (initdb) and runs postgres on a free port on 127.0.0.1, plus a unix socket
// inside the cluster directory. A second paypage process on the same DataDir
// finds the running server through postmaster.pid and attaches to it without
// owning it. The server dies with the process that started it, and a stale
// postmaster.pid left by kill -9 is recovered by the next Start.
//
// The process that started the server also supervises it: if postgres exits
// without being asked to (kill -9, a crash), it is started again in the same
// directory, on the same port when it is free, with backoff from 100 ms to
// 5 s, for as long as the Cluster runs. Stop ends supervision before it
// stops the server. An attached process never restarts a server it does not
// own; its DSN follows postmaster.pid to wherever the owner restarted it.
//
// Auth: the superuser is "postgres" with a random password generated at
// initdb and kept in DataDir/pg.pass (mode 0600); TCP connections need it.
// Unix-socket connections are trusted: the socket sits inside the 0700
// cluster directory, so only its owner and root can reach it.
//
// Reading DATABASE_URL, choosing the data directory and running migrations
// are left to the caller.
package pgembed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoBinaries means no PostgreSQL server binaries were found. Its message
// is one line that tells the user how to fix it.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (postgres, initdb) found on PATH or in /usr/lib/postgresql/*/bin: " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to an existing server")

// superuser is the role initdb creates and every DSN uses.
const superuser = "postgres"

// Options configure Start.
type Options struct {
	// DataDir holds the cluster (DataDir/pg), its log and its password file.
	// Directories are created as needed.
	DataDir string
	// Logger receives lifecycle events; slog.Default() when nil.
	Logger *slog.Logger
	// Fast turns off fsync, synchronous_commit and full_page_writes. A machine
	// crash can then lose or corrupt data, which tests do not mind.
	Fast bool
	// BinDirs, when non-nil, replaces the search for server binaries (PATH,
	// then /usr/lib/postgresql/*/bin, highest version first).
	BinDirs []string
	// StartTimeout bounds Start as a whole: waiting for another process that
	// is starting the same cluster, initdb, and waiting for the server to
	// accept connections. 60 seconds when zero.
	StartTimeout time.Duration
}

// Cluster is a running PostgreSQL server, either started by this process
// (owned) or found running in the same DataDir (attached).
type Cluster struct {
	dataDir  string // absolute Options.DataDir
	dir      string // dataDir/pg, the PostgreSQL data directory
	port     atomic.Int64
	password string
	owned    bool
	log      *slog.Logger
	run      runConfig // how the owned server is started, kept for restarts

	mu  sync.Mutex
	srv *process // the owned postgres server (the latest one); nil when attached

	restarts      atomic.Int64
	endSupervisor context.CancelFunc
	supervised    chan struct{} // closed when the supervisor has returned; nil when attached
	stopOnce      sync.Once
	stopErr       error
}

// Start initialises the cluster on first use and starts it or, if a cluster
// in DataDir is already running (started by another paypage process),
// attaches to it without owning it.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.DataDir == "" {
		return nil, errors.New("pgembed: Options.DataDir is empty")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	began := time.Now()
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	// Two paypage processes starting at once must not both run initdb or
	// both start a server.
	unlock, err := lockDir(ctx, filepath.Join(dataDir, "pg.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	c := &Cluster{
		dataDir: dataDir,
		dir:     filepath.Join(dataDir, "pg"),
		log:     opts.Logger.With(slog.String("pg_dir", filepath.Join(dataDir, "pg"))),
	}
	attached, err := c.attach(ctx)
	if err != nil {
		return nil, err
	}
	if attached {
		c.log.Info("attached to running embedded postgres", slog.Int("port", c.currentPort()))
		return c, nil
	}
	if err := c.startOwned(ctx, opts); err != nil {
		return nil, err
	}
	if err := c.EnsureDatabase(ctx, "paypage"); err != nil {
		_ = c.Stop(context.Background())
		return nil, err
	}
	c.log.Info("embedded postgres started",
		slog.Int("port", c.currentPort()), slog.String("log", c.logPath()),
		slog.Bool("fast", opts.Fast), slog.Duration("took", time.Since(began)))
	return c, nil
}

// DSN returns a lib/pq URL for database dbname in this cluster. The port can
// change when the server is restarted, so a long-lived pool should ask again
// for each new connection.
func (c *Cluster) DSN(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.currentPort())),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Owned reports whether this process started the server (and Stop stops it).
func (c *Cluster) Owned() bool { return c.owned }

// currentPort is the port to connect to. An attached cluster reads it from
// postmaster.pid, so it finds the server again after the owner restarted it
// on another port.
func (c *Cluster) currentPort() int {
	if !c.owned {
		if pf, err := readPIDFile(c.dir); err == nil && pf.port > 0 {
			return pf.port
		}
	}
	return int(c.port.Load())
}

// Restarts counts how often this process restarted its server after it
// exited unexpectedly. It stays 0 when attached.
func (c *Cluster) Restarts() int64 { return c.restarts.Load() }

// Stop ends supervision, then shuts an owned server down (fast shutdown,
// escalating to SIGQUIT and SIGKILL if it does not finish in time). It is a
// no-op when attached.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.owned {
		return nil
	}
	c.stopOnce.Do(func() {
		c.endSupervision()
		c.stopErr = c.stop(ctx)
	})
	return c.stopErr
}

func (c *Cluster) logPath() string  { return filepath.Join(c.dataDir, "pg.log") }
func (c *Cluster) passPath() string { return filepath.Join(c.dataDir, "pg.pass") }
