package postgres

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// Rows that arrive while a statement runs wait and go together in the
// next one; when that statement fails, each row is written again alone
// and each caller gets its own row's error. A row that finds nothing
// running is written at once, alone.
func TestGroupWritesRowsThatWaitTogether(t *testing.T) {
	var (
		g       group[int]
		mu      sync.Mutex
		batches [][]int
	)
	release := make(chan struct{})
	errBad := errors.New("row 5 is refused")
	write := func(_ context.Context, rows []int) error {
		mu.Lock()
		batches = append(batches, slices.Clone(rows))
		n := len(batches)
		mu.Unlock()
		if n == 1 {
			<-release
		}
		if slices.Contains(rows, 5) {
			return errBad
		}
		return nil
	}
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { first <- g.add(ctx, 0, write) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })

	errs := make([]chan error, 10)
	for i := 1; i <= 9; i++ {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- g.add(ctx, i, write) }()
	}
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.next != nil && len(g.next.rows) == 9 })
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first row: %v", err)
	}
	for i := 1; i <= 9; i++ {
		if err := <-errs[i]; (i == 5) != errors.Is(err, errBad) {
			t.Errorf("row %d of the second statement got %v", i, err)
		}
	}
	if err := g.add(ctx, 10, write); err != nil {
		t.Errorf("a row alone: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The first row, the nine together, each of them again alone, the
	// last row.
	if len(batches) != 12 || !slices.Equal(batches[0], []int{0}) || !slices.Equal(batches[11], []int{10}) {
		t.Fatalf("statements: %v", batches)
	}
	together := slices.Sorted(slices.Values(batches[1]))
	if !slices.Equal(together, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("second statement wrote %v", batches[1])
	}
	for i, b := range batches[2:11] {
		if !slices.Equal(b, batches[1][i:i+1]) {
			t.Errorf("retry %d wrote %v, not row %d alone", i, b, batches[1][i])
		}
	}
}

// A caller that stops waiting for the statement ahead gets its context's
// error at once, and its row is still written with the others.
func TestGroupCallerThatStopsWaiting(t *testing.T) {
	var (
		g       group[string]
		mu      sync.Mutex
		written []string
	)
	release := make(chan struct{})
	write := func(_ context.Context, rows []string) error {
		mu.Lock()
		written = append(written, rows...)
		n := len(written)
		mu.Unlock()
		if n == 1 {
			<-release
		}
		return nil
	}
	first := make(chan error, 1)
	go func() { first <- g.add(context.Background(), "ahead", write) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(written) == 1 })
	// The first row of the next statement writes it whatever its own
	// context says; the second stops waiting.
	leader := make(chan error, 1)
	go func() { leader <- g.add(context.Background(), "next", write) }()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.next != nil && len(g.next.rows) == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- g.add(ctx, "impatient", write) }()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.next.rows) == 2 })
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("caller that stopped waiting: %v", err)
	}
	close(release)
	for _, ch := range []chan error{first, leader} {
		if err := <-ch; err != nil {
			t.Error(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(written, []string{"ahead", "next", "impatient"}) {
		t.Errorf("written: %v", written)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
