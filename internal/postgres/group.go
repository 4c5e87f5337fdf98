package postgres

import (
	"context"
	"sync"
)

// group writes rows that arrive at about the same time in one statement
// (group commit): the first caller writes its row at once, rows that come
// while that statement runs gather, and the first of them writes them all
// together when it ends. Every caller waits for its own row's statement
// and gets its own error: when a statement of several rows fails, each is
// written again alone, so one bad row costs the others nothing. It is for
// the best-effort rows every provider answer writes (timeline entries,
// kept offers): under load one statement and one commit carry many.
type group[T any] struct {
	mu      sync.Mutex
	next    *batch[T] // rows gathering for the statement after the current one
	writing bool      // a statement is running
}

// batch is the rows of one statement.
type batch[T any] struct {
	rows []T
	turn chan struct{} // closed when its first caller may write it
	done chan struct{} // closed when it is written
	errs []error       // each row's, once done
}

// add writes row with write, alone or with the rows gathered beside it.
// A caller whose ctx ends while it waits for another's statement gets
// ctx's error, and its row may still be written.
func (g *group[T]) add(ctx context.Context, row T, write func(ctx context.Context, rows []T) error) error {
	g.mu.Lock()
	b := g.next
	if b == nil {
		b = &batch[T]{turn: make(chan struct{}), done: make(chan struct{})}
		g.next = b
	}
	b.rows = append(b.rows, row)
	mine := len(b.rows) - 1
	first := mine == 0
	if first && !g.writing {
		g.writing = true
		close(b.turn)
	}
	g.mu.Unlock()
	if !first {
		select {
		case <-b.done:
			return b.errs[mine]
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// The first caller writes the batch, under its own ctx, once the
	// statement before it has ended: the others wait on it.
	<-b.turn
	g.mu.Lock()
	g.next = nil
	rows := b.rows
	g.mu.Unlock()
	defer func() {
		close(b.done)
		g.mu.Lock()
		if g.next != nil {
			close(g.next.turn)
		} else {
			g.writing = false
		}
		g.mu.Unlock()
	}()
	b.errs = make([]error, len(rows))
	if err := write(ctx, rows); err != nil {
		if len(rows) == 1 {
			b.errs[0] = err
		} else {
			for i := range rows {
				b.errs[i] = write(ctx, rows[i:i+1])
			}
		}
	}
	return b.errs[0]
}
