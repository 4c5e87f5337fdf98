package web

import (
	"net/http"
	"net/http/pprof"

	"github.com/paypage/paypage/internal/metrics"
)

// OpsHandler serves what operators scrape and inspect, on PAYPAGE_OPS_ADDR
// rather than the public listener: /metrics and, when withPprof is set
// (PAYPAGE_PPROF=1), Go's profiler under /debug/pprof/. It carries no
// authentication, so it belongs on a loopback or private address.
func OpsHandler(m *metrics.Metrics, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
