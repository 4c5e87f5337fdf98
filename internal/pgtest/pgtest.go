// Package pgtest gives tests a real PostgreSQL database of their own.
//
// Each test binary shares one server: an embedded cluster (internal/pgembed,
// Fast settings) in its own temp directory on its own free port, or the
// server named by TEST_DATABASE_URL when that is set. NewDatabase hands each
// test a fresh database cloned from a template that prepare (for example,
// running migrations) filled once per binary. Without PostgreSQL binaries and
// without TEST_DATABASE_URL, tests skip with one loud line, or fail when
// PAYPAGE_REQUIRE_DB=1.
//
// Use it from TestMain so the cluster is stopped and its directory removed:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/pgembed"
)

var (
	serverOnce sync.Once
	shared     *server
	sharedErr  error
	skipOnce   sync.Once
)

// Main runs the tests, then stops the shared cluster and removes its temp
// directory (or drops the templates on TEST_DATABASE_URL), and exits.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := shared.close(ctx)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// NewDatabase returns the DSN of a fresh database for this test, dropped in
// t.Cleanup. With a nil prepare the database is empty; otherwise it is a
// clone of a template database that prepare filled, once per test binary
// for each prepare function. Functions are told apart by their code, so
// closures made by one function literal share a template. It is safe for
// parallel tests.
func NewDatabase(t testing.TB, prepare func(dsn string) error) string {
	t.Helper()
	serverOnce.Do(func() { shared, sharedErr = newServer() })
	if errors.Is(sharedErr, pgembed.ErrNoBinaries) {
		const fix = "install the server (Debian/Ubuntu: apt-get install postgresql) or set TEST_DATABASE_URL"
		if os.Getenv("PAYPAGE_REQUIRE_DB") == "1" {
			t.Fatal("pgtest: no PostgreSQL server binaries and PAYPAGE_REQUIRE_DB=1 forbids skipping: " + fix)
		}
		msg := "pgtest: NO POSTGRESQL, SKIPPING DATABASE TESTS: " + fix
		// Skip messages show only with -v; say it once where everyone sees it.
		skipOnce.Do(func() { fmt.Fprintln(os.Stderr, msg) })
		t.Skip(msg)
	}
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	template := ""
	if prepare != nil {
		var err error
		if template, err = shared.template(ctx, prepare); err != nil {
			t.Fatal(err)
		}
	}
	name := shared.newName("db")
	if err := shared.create(ctx, name, template); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := shared.drop(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return shared.dsn(name)
}

// templateKey identifies a prepare function by its code, so closures built
// by the same helper share one template.
func templateKey(prepare func(string) error) uintptr {
	return reflect.ValueOf(prepare).Pointer()
}
