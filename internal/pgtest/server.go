package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/pgembed"
)

// server is where this test binary creates its databases.
type server struct {
	cluster *pgembed.Cluster // nil when TEST_DATABASE_URL is used
	tmpDir  string
	dsn     func(dbname string) string
	admin   *sql.DB
	prefix  string // unique per binary, so binaries sharing a server never clash
	counter atomic.Int64

	mu        sync.Mutex
	templates map[uintptr]*template
}

// template is a database prepared once and cloned by NewDatabase.
type template struct {
	once sync.Once
	name string
	err  error
}

// newServer connects to TEST_DATABASE_URL or starts a cluster in a fresh
// temp directory.
func newServer() (*server, error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	s := &server{
		prefix:    "pgtest_" + hex.EncodeToString(suffix),
		templates: map[uintptr]*template{},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if base := os.Getenv("TEST_DATABASE_URL"); base != "" {
		s.dsn = func(name string) string { return withDBName(base, name) }
	} else {
		dir, err := os.MkdirTemp("", "pgtest-")
		if err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		s.tmpDir = dir
		c, err := pgembed.Start(ctx, pgembed.Options{
			DataDir: dir,
			Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
			Fast:    true,
		})
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		s.cluster, s.dsn = c, c.DSN
	}
	admin, err := sql.Open("postgres", s.dsn("postgres"))
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		_ = s.close(ctx)
		return nil, fmt.Errorf("pgtest: connect to the admin database: %w", err)
	}
	s.admin = admin
	return s, nil
}

func (s *server) newName(kind string) string {
	return fmt.Sprintf("%s_%s_%d", s.prefix, kind, s.counter.Add(1))
}

// template returns the name of the database prepare filled, preparing it on
// first use.
func (s *server) template(ctx context.Context, prepare func(string) error) (string, error) {
	s.mu.Lock()
	tpl := s.templates[templateKey(prepare)]
	if tpl == nil {
		tpl = &template{name: s.newName("tpl")}
		s.templates[templateKey(prepare)] = tpl
	}
	s.mu.Unlock()
	tpl.once.Do(func() { tpl.err = s.prepareTemplate(ctx, tpl.name, prepare) })
	return tpl.name, tpl.err
}

func (s *server) prepareTemplate(ctx context.Context, name string, prepare func(string) error) error {
	if err := s.create(ctx, name, ""); err != nil {
		return err
	}
	if err := prepare(s.dsn(name)); err != nil {
		return fmt.Errorf("pgtest: prepare template: %w", err)
	}
	// CREATE DATABASE ... TEMPLATE fails while anyone is connected to the
	// template, and prepare may have left its pool open.
	const q = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`
	if _, err := s.admin.ExecContext(ctx, q, name); err != nil {
		return fmt.Errorf("pgtest: disconnect from template: %w", err)
	}
	return nil
}

// create makes database name, as a copy of template when one is given.
func (s *server) create(ctx context.Context, name, template string) error {
	query := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		query += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	for attempt := 1; ; attempt++ {
		_, err := s.admin.ExecContext(ctx, query)
		// 55006: a backend is still leaving the template; it goes quickly.
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "55006" && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return fmt.Errorf("pgtest: %s: %w", query, err)
		}
		return nil
	}
}

// drop removes database name, disconnecting anyone the test left behind.
func (s *server) drop(ctx context.Context, name string) error {
	query := "DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name)
	_, err := s.admin.ExecContext(ctx, query+" WITH (FORCE)")
	// 42601: a server older than PostgreSQL 13 has no FORCE.
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42601" {
		_, err = s.admin.ExecContext(ctx, query)
	}
	if err != nil {
		return fmt.Errorf("pgtest: drop database %s: %w", name, err)
	}
	return nil
}

// close drops the templates (they would outlive us on a shared server),
// stops the cluster and removes its directory.
func (s *server) close(ctx context.Context) error {
	var errs []error
	if s.admin != nil {
		if s.cluster == nil {
			for _, tpl := range s.templates {
				errs = append(errs, s.drop(ctx, tpl.name))
			}
		}
		errs = append(errs, s.admin.Close())
	}
	if s.cluster != nil {
		errs = append(errs, s.cluster.Stop(ctx))
	}
	if s.tmpDir != "" {
		errs = append(errs, os.RemoveAll(s.tmpDir))
	}
	return errors.Join(errs...)
}

// withDBName points a lib/pq DSN, URL or keyword/value form, at dbname.
func withDBName(dsn, dbname string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + dbname
			u.RawPath = ""
			return u.String()
		}
	}
	// lib/pq lets a later keyword override an earlier one.
	return dsn + " dbname='" + dbname + "'"
}
