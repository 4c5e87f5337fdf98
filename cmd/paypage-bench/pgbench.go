package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	_ "github.com/lib/pq"
)

// pgbenchResult is pgbench's transaction rate.
type pgbenchResult struct {
	tps float64
}

// insertScript is one durable single-row INSERT per transaction, the least
// work a session create could possibly cost the database.
const insertScript = `\set v random(1, 1000000000)
INSERT INTO bench_scratch (v) VALUES (:v);
`

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// runPgbench inserts into a scratch table of the server's own embedded
// cluster with as many clients as wrk has connections.
func runPgbench(ctx context.Context, dir, dataDir string, clients int, d time.Duration) (pgbenchResult, error) {
	bin, err := pgbenchPath()
	if err != nil {
		return pgbenchResult{}, err
	}
	port, pass, err := pgDSN(dataDir)
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("embedded cluster address: %w", err)
	}
	dsn := fmt.Sprintf("host=127.0.0.1 port=%s user=postgres password=%s dbname=postgres sslmode=disable", port, pass)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return pgbenchResult{}, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS bench_scratch;
		CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, v bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return pgbenchResult{}, fmt.Errorf("scratch table: %w", err)
	}
	path := filepath.Join(dir, "insert.sql")
	if err := os.WriteFile(path, []byte(insertScript), 0o600); err != nil {
		return pgbenchResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-n", "-f", path, "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "postgres")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pass)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %w\n%s", err, out.String())
	}
	m := tpsLine.FindSubmatch(out.Bytes())
	if m == nil {
		return pgbenchResult{}, fmt.Errorf("pgbench printed no tps:\n%s", out.String())
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	return pgbenchResult{tps: tps}, err
}

func pgbenchPath() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("pgbench not found (Debian: apt-get install postgresql-contrib or postgresql-client)")
}
