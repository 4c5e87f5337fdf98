// Package logging holds paypage's slog handler wrappers. Dedup keeps an
// error storm (Amazon down, the database restarting) from flooding the log
// with the same line: it leaves out repeats and says how many it left out.
// What is logged, and how it is formatted, stays the caller's.
package logging

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// maxKeys bounds the lines Dedup remembers; past it, lines whose window
// has run out are forgotten.
const maxKeys = 1024

// Dedup wraps next so that a warning or error carrying an "error"
// attribute is logged once per window for each message and error text:
// repeats inside the window are counted and left out, and the first one
// after it is logged with repeated=K, the number left out. Other records
// pass through unchanged.
func Dedup(next slog.Handler, window time.Duration) slog.Handler {
	return &dedup{next: next, s: &dedupState{window: window, now: time.Now, seen: map[string]*seenLine{}}}
}

type dedup struct {
	next slog.Handler
	s    *dedupState // shared by the handlers WithAttrs and WithGroup derive
}

type dedupState struct {
	mu     sync.Mutex
	window time.Duration
	now    func() time.Time
	seen   map[string]*seenLine
}

type seenLine struct {
	at      time.Time // when it was last logged
	skipped int       // repeats left out since
}

func (d *dedup) Enabled(ctx context.Context, l slog.Level) bool { return d.next.Enabled(ctx, l) }

func (d *dedup) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return d.next.Handle(ctx, r)
	}
	var errText string
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			errText, found = a.Value.String(), true
			return false
		}
		return true
	})
	if !found {
		return d.next.Handle(ctx, r)
	}
	if skipped, log := d.s.see(r.Level.String() + "\x00" + r.Message + "\x00" + errText); !log {
		return nil
	} else if skipped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", skipped))
	}
	return d.next.Handle(ctx, r)
}

// see records one occurrence of key and reports whether to log it and how
// many repeats were left out before it.
func (s *dedupState) see(key string) (skipped int, log bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	line := s.seen[key]
	if line != nil && now.Sub(line.at) < s.window {
		line.skipped++
		return 0, false
	}
	if line != nil {
		skipped = line.skipped
	}
	if line == nil && len(s.seen) >= maxKeys {
		for k, l := range s.seen {
			if now.Sub(l.at) >= s.window {
				delete(s.seen, k)
			}
		}
	}
	s.seen[key] = &seenLine{at: now}
	return skipped, true
}

func (d *dedup) WithAttrs(as []slog.Attr) slog.Handler {
	return &dedup{next: d.next.WithAttrs(as), s: d.s}
}

func (d *dedup) WithGroup(name string) slog.Handler {
	return &dedup{next: d.next.WithGroup(name), s: d.s}
}
