package pgembed

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the data directory when the test binary runs as the
// helper process of TestServerDiesWithOwner.
const helperEnv = "PGEMBED_TEST_HELPER_DIR"

// TestServerDiesWithOwner runs this test binary again as a child that starts
// a cluster, SIGKILLs that child, and checks postgres does not outlive it.
func TestServerDiesWithOwner(t *testing.T) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runHelper(dir)
		return
	}
	requireBinaries(t)
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithOwner$", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	pid := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "postgres-pid %d", &n); err == nil {
				pid <- n
			}
		}
	}()
	var pgPID int
	select {
	case pgPID = <-pid:
	case <-time.After(30 * time.Second):
		t.Fatal("helper did not report a postgres pid")
	}
	if !processAlive(pgPID) {
		t.Fatalf("postgres pid %d is not running before the helper is killed", pgPID)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, dir+"/pg", pgPID)
}

// runHelper starts a cluster, reports its pid and waits to be killed.
func runHelper(dir string) {
	c, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger(), Fast: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(2)
	}
	fmt.Printf("postgres-pid %d\n", c.server().proc.Pid)
	time.Sleep(time.Minute)
	os.Exit(3)
}
