package sandbox

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// maxHold bounds how long a request chosen to time out is held, should its
// caller never give up.
const maxHold = 2 * time.Minute

// chaos wraps next with Options.Latency and Options.Faults: every answer
// waits Latency first, and a Faults share of payments API and token
// requests gets, before anything is done for it, either a 500 without
// Amazon's signature (as a failing edge would answer) or no answer at all.
func (s *Simulator) chaos(next http.Handler) http.Handler {
	latency, faults := s.opts.Latency, s.opts.Faults
	if latency <= 0 && faults <= 0 {
		return next
	}
	api := s.opts.Prefix + "/v1/payments/"
	token := s.opts.Prefix + LWAPath + "/auth/o2/token"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wait(r, latency) {
			return
		}
		if faults > 0 && (strings.HasPrefix(r.URL.Path, api) || r.URL.Path == token) && rand.Float64() < faults {
			if rand.IntN(2) == 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"code":"InternalServerError","message":"Injected fault (PAYPAGE_SANDBOX_FAULTS)."}`))
				return
			}
			// Read the body first: only then does the server notice the
			// caller giving up and end the request.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
			wait(r, maxHold)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// wait sleeps d unless the request ends first, and reports whether it
// is still wanted.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
