package pgembed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// EnsureDatabase creates database name in the cluster unless it exists.
// Start does this for "paypage".
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	defer db.Close()
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := db.QueryRowContext(ctx, q, name).Scan(&exists); err != nil {
		return fmt.Errorf("pgembed: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	// Another process may have created it since the lookup.
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P04" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgembed: create database %q: %w", name, err)
	}
	c.log.Info("created database", slog.String("database", name))
	return nil
}

// ping opens one connection to the server and closes it again.
func (c *Cluster) ping(ctx context.Context) error {
	db, err := sql.Open("postgres", c.DSN("postgres")+"&connect_timeout=2")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}
