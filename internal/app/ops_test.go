package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
)

// TestOpsListener: the running server answers /metrics on
// PAYPAGE_OPS_ADDR, and the profiler only with PAYPAGE_PPROF=1.
func TestOpsListener(t *testing.T) {
	s := apptest.Start(t, map[string]string{"PAYPAGE_OPS_ADDR": "127.0.0.1:0", "PAYPAGE_PPROF": "1"})
	if resp, err := http.Get(s.URL + "/healthz"); err == nil {
		resp.Body.Close()
	}
	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		addr = s.OpsAddr()
	}
	if addr == "" || addr == strings.TrimPrefix(s.URL, "http://") {
		t.Fatalf("operator's listener at %q", addr)
	}
	for path, want := range map[string]string{"/metrics": "paypage_http_requests_total", "/debug/pprof/": "goroutine"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("ops %s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	// The public listener never serves the profiler.
	resp, err := http.Get(s.URL + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("public /debug/pprof/: %d", resp.StatusCode)
	}
}
