package pgembed

import (
	"context"
	"database/sql"
	"syscall"
	"testing"
	"time"
)

// tryExec runs query on a new connection to c.
func tryExec(c *Cluster, query string) error {
	db, err := sql.Open("postgres", c.DSN("paypage")+"&connect_timeout=2")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, query)
	return err
}

// waitExec retries query on new connections until it works or d passes.
func waitExec(t *testing.T, c *Cluster, query string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := tryExec(c, query)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still failing after %v: %v\nlog:\n%s", query, d, err, logTail(c.logPath()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill9 SIGKILLs the current server and waits until it has been reaped.
func kill9(t *testing.T, c *Cluster) *process {
	t.Helper()
	p := c.server()
	if err := syscall.Kill(p.proc.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("postgres pid %d not reaped 10s after SIGKILL", p.proc.Pid)
	}
	return p
}

func TestSupervisorRestartsKilledServer(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	// Durable settings, so that the table outlives the kills.
	c := startWith(t, Options{DataDir: t.TempDir()})
	mustExec(t, c.DSN("paypage"), "CREATE TABLE survives (id int)")
	for round := 1; round <= 2; round++ {
		killed := time.Now()
		old := kill9(t, c)
		waitExec(t, c, "SELECT * FROM survives", 30*time.Second)
		t.Logf("round %d: a new connection worked %v after kill -9", round, time.Since(killed).Round(time.Millisecond))
		if p := c.server(); p == old || !processAlive(p.proc.Pid) {
			t.Fatalf("round %d: no new live server (old pid %d, current pid %d)", round, old.proc.Pid, p.proc.Pid)
		}
		// The server answers a moment before the supervisor counts it.
		for wait := time.Now(); c.Restarts() != int64(round); time.Sleep(10 * time.Millisecond) {
			if time.Since(wait) > 5*time.Second {
				t.Fatalf("round %d: Restarts() = %d", round, c.Restarts())
			}
		}
	}

	pid := c.server().proc.Pid
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, c.dir, pid)
	// Stop ended supervision: the stopped server is not started again.
	time.Sleep(2 * restartMax / 5)
	if left := processesIn(t, c.dir); len(left) > 0 {
		t.Fatalf("postgres running after Stop: %v", left)
	}
}

func TestStopWhileRestarting(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	c := start(t, t.TempDir())
	kill9(t, c)
	// Stop lands in the backoff or in the middle of the restart; either way
	// it returns promptly and leaves nothing running.
	done := make(chan error, 1)
	go func() { done <- c.Stop(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stop did not return while the server was being restarted")
	}
	time.Sleep(2 * restartMax / 5)
	if left := processesIn(t, c.dir); len(left) > 0 {
		t.Fatalf("postgres running after Stop: %v", left)
	}
}

func TestAttachedProcessDoesNotRestart(t *testing.T) {
	requireBinaries(t)
	t.Parallel()
	dir := t.TempDir()
	owner := start(t, dir)
	other := start(t, dir)
	if other.Owned() {
		t.Fatal("second Start owns the cluster")
	}
	// The owner restarts its server, and the attached process finds it again.
	kill9(t, owner)
	waitExec(t, other, "SELECT 1", 30*time.Second)
	for wait := time.Now(); owner.Restarts() == 0 && time.Since(wait) < 5*time.Second; {
		time.Sleep(10 * time.Millisecond)
	}
	if owner.Restarts() != 1 || other.Restarts() != 0 {
		t.Fatalf("restarts: owner %d, attached %d; want 1 and 0", owner.Restarts(), other.Restarts())
	}

	// With the owner no longer supervising, nothing brings it back.
	owner.endSupervision()
	dead := kill9(t, owner)
	waitGone(t, owner.dir, dead.proc.Pid)
	time.Sleep(2 * restartMax / 5)
	if left := processesIn(t, dir+"/pg"); len(left) > 0 {
		t.Fatalf("the attached process restarted a server it does not own: %v", left)
	}
	if err := tryExec(other, "SELECT 1"); err == nil {
		t.Fatal("attached DSN still answers with the owner's server dead")
	}
}
