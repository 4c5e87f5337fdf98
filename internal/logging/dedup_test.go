package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestDedup(t *testing.T) {
	var out bytes.Buffer
	h := Dedup(slog.NewTextHandler(&out, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}), 10*time.Second).(*dedup)
	now := time.Unix(1_700_000_000, 0)
	h.s.now = func() time.Time { return now }
	log := slog.New(h).With("component", "reconcile")
	down := errors.New("amazonpay: transport error: connection refused")

	for i := range 5 {
		log.Warn("status read failed", "order_id", i, "error", down)
	}
	log.Warn("status read failed", "error", errors.New("another error"))
	log.Info("request", "error", down) // below warnings: never left out
	log.Info("request", "error", down)
	log.Error("no error attribute")
	log.Error("no error attribute")
	now = now.Add(11 * time.Second)
	log.Warn("status read failed", "order_id", 9, "error", down)
	log.Warn("status read failed", "order_id", 10, "error", down)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`level=WARN msg="status read failed" component=reconcile order_id=0 error="amazonpay: transport error: connection refused"`,
		`level=WARN msg="status read failed" component=reconcile error="another error"`,
		`level=INFO msg=request component=reconcile error="amazonpay: transport error: connection refused"`,
		`level=INFO msg=request component=reconcile error="amazonpay: transport error: connection refused"`,
		`level=ERROR msg="no error attribute" component=reconcile`,
		`level=ERROR msg="no error attribute" component=reconcile`,
		`level=WARN msg="status read failed" component=reconcile order_id=9 error="amazonpay: transport error: connection refused" repeated=4`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestDedupForgetsOldLines(t *testing.T) {
	h := Dedup(slog.DiscardHandler, time.Second).(*dedup)
	now := time.Unix(0, 0)
	h.s.now = func() time.Time { return now }
	for i := range 3 * maxKeys {
		if i%maxKeys == 0 {
			now = now.Add(2 * time.Second)
		}
		h.s.see(string(rune(i)))
	}
	if n := len(h.s.seen); n > maxKeys {
		t.Errorf("remembers %d lines, bound %d", n, maxKeys)
	}
}
