// Package clienttest gives tests the third-party clients that merchants run
// against paypage: Juspay's Node SDK and the Standard Webhooks library for
// Node, pinned in package.json and package-lock.json and installed from the
// npm registry (never committed), and the JDK for Juspay's Java sample's
// algorithm. .ci/run installs them before the tests; on a developer's
// machine the first test that needs the npm packages runs npm ci. Beside
// them the tests use the Standard Webhooks library for Go, pinned in
// go.mod, so that webhooks are checked by both official implementations.
//
// Without node, npm or java the tests that need them skip, unless
// PAYPAGE_REQUIRE_CLIENTS=1 (set by .ci/run) makes that a failure.
package clienttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	once    sync.Once
	dir     string
	skipMsg string
	err     error
)

// Dir returns this package's directory, whose node_modules holds the
// installed clients, installing them first if they are missing.
func Dir(t testing.TB) string {
	t.Helper()
	once.Do(func() { dir, skipMsg, err = install() })
	if skipMsg != "" {
		skipOrFail(t, skipMsg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Java runs the single-file Java program source (a file in this package's
// directory) with args and returns its standard output and whether it
// exited 0. Without java the test skips, unless PAYPAGE_REQUIRE_CLIENTS=1.
func Java(t testing.TB, source string, args ...string) ([]byte, bool) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		skipOrFail(t, "Java sample tests skipped: no java (apt-get install default-jdk-headless)")
	}
	_, file, _, _ := runtime.Caller(0)
	stdout, stderr, err := run("", nil, java, append([]string{filepath.Join(filepath.Dir(file), source)}, args...)...)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("java %s: %v\n%s", source, err, stderr.Bytes())
	}
	if err != nil && stdout.Len() == 0 {
		t.Fatalf("java %s: %v\n%s", source, err, stderr.Bytes())
	}
	return stdout.Bytes(), err == nil
}

func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("PAYPAGE_REQUIRE_CLIENTS") == "1" {
		t.Fatal(msg + " (PAYPAGE_REQUIRE_CLIENTS=1 forbids skipping)")
	}
	t.Skip(msg)
}

// Node runs script (a file under this package's directory, or an absolute
// path) with node, passing args and env, and returns its standard output.
// A non-zero exit fails the test with everything the script printed.
func Node(t testing.TB, env []string, script string, args ...string) []byte {
	t.Helper()
	d := Dir(t)
	if !filepath.IsAbs(script) {
		script = filepath.Join(d, script)
	}
	stdout, stderr, err := run(d, env, "node", append([]string{script}, args...)...)
	if err != nil {
		t.Fatalf("node %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(script), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// run runs name with args in dir (this process's when empty) and env
// added, for at most two minutes.
func run(dir string, env []string, name string, args ...string) (stdout, stderr bytes.Buffer, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout, stderr, err
}

func install() (string, string, error) {
	_, file, _, _ := runtime.Caller(0)
	d := filepath.Dir(file)
	if _, err := exec.LookPath("node"); err != nil {
		return "", "third-party client tests skipped: no node (apt-get install nodejs npm)", nil
	}
	marker := filepath.Join(d, "node_modules", ".package-lock.json")
	if fresh(marker, filepath.Join(d, "package-lock.json")) {
		return d, "", nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "third-party client tests skipped: no npm to install them (apt-get install npm)", nil
	}
	// Test binaries of several packages may get here at once.
	lock, err := os.OpenFile(filepath.Join(d, "node_modules.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", "", err
	}
	if fresh(marker, filepath.Join(d, "package-lock.json")) {
		return d, "", nil
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = d
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("npm ci in %s: %v\n%s", d, err, out)
	}
	return d, "", nil
}

// fresh reports whether the installed tree is at least as new as the lock.
func fresh(installed, lock string) bool {
	a, err := os.Stat(installed)
	if err != nil {
		return false
	}
	b, err := os.Stat(lock)
	return err == nil && !a.ModTime().Before(b.ModTime())
}
