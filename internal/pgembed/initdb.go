package pgembed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// initCluster runs initdb into a scratch directory and renames it into
// place, so an interrupted initdb never leaves a half-made cluster at c.dir.
// It generates the superuser password and stores it in DataDir/pg.pass.
func (c *Cluster) initCluster(ctx context.Context, bins binaries, acct *account, logFile *os.File, fast bool) error {
	if entries, err := os.ReadDir(c.dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("pgembed: %s exists but holds no PostgreSQL cluster (no PG_VERSION); remove it to start afresh", c.dir)
	}
	tmp := c.dir + ".init"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	password, err := randomHex(24)
	if err != nil {
		return err
	}
	pwPath := filepath.Join(c.dataDir, "pg.init-pw")
	if err := os.WriteFile(pwPath, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	defer os.Remove(pwPath)
	if acct != nil {
		for _, p := range []string{tmp, pwPath} {
			if err := os.Chown(p, int(acct.uid), int(acct.gid)); err != nil {
				return fmt.Errorf("pgembed: %w", err)
			}
		}
	}

	args := []string{"-D", tmp, "-U", superuser, "-E", "UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwPath}
	if fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.Command(bins.initdb, args...)
	cmd.Dir = c.dataDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if acct != nil {
		cmd.SysProcAttr.Credential = acct.credential()
	}
	began := time.Now()
	p, err := spawn(cmd)
	if err != nil {
		return fmt.Errorf("pgembed: start %s: %w", bins.initdb, err)
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		p.kill()
		return fmt.Errorf("pgembed: initdb: %w", ctx.Err())
	}
	if p.err != nil {
		return fmt.Errorf("pgembed: initdb failed: %w; last lines of %s:\n%s", p.err, c.logPath(), logTail(c.logPath()))
	}

	if err := writeFileAtomic(c.passPath(), []byte(password+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Remove(c.dir); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Rename(tmp, c.dir); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	c.password = password
	c.log.Info("initialised embedded postgres cluster", slog.Duration("took", time.Since(began)))
	return nil
}

// readPassword reads the superuser password that initCluster stored.
func readPassword(path string) (string, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", fmt.Errorf("pgembed: the cluster's password file %s is missing; remove the data directory to start afresh", path)
	}
	if err != nil {
		return "", fmt.Errorf("pgembed: read the cluster's password: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("pgembed: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	return nil
}
