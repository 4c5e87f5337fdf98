package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/web"
)

// Helpers for the tests that kill paypage or its PostgreSQL and look at
// what is left afterwards.

// amazonInTest runs the Amazon Pay simulator in the test process, so that
// it outlives a kill -9 of paypage, and returns it with the environment
// that points a paypage serving at addr to it.
func amazonInTest(t *testing.T, addr string, pendingDelay time.Duration) (*sandbox.Simulator, []string) {
	t.Helper()
	sim := sandbox.New(sandbox.Options{
		Prefix: config.SandboxPath, RedirectURIs: []string{"http://" + addr + web.ConsentReturnPath}, PendingDelay: pendingDelay,
	})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, []string{
		"AMAZONPAY_BASE_URL=" + srv.URL + config.SandboxPath, "AMAZONPAY_LWA_URL=" + srv.URL + config.SandboxPath + "/lwa",
	}
}

// apiClient bounds every merchant API call, so that none outlives a test
// that is killing servers under it.
var apiClient = &http.Client{Timeout: 20 * time.Second}

// merchantAPI calls paypage's merchant API as one merchant. A failed call
// comes back as status 0 rather than failing the test, so that goroutines
// and calls racing a kill can use it.
type merchantAPI struct {
	base, merchantID, apiKey string
}

// demoAPI is the API as the demo merchant whose key s printed in its banner.
func demoAPI(t *testing.T, s *server) merchantAPI {
	t.Helper()
	key := regexp.MustCompile(`api_key=(\S+)`).FindStringSubmatch(s.stdout.String())
	if key == nil {
		t.Fatalf("no api key in banner:\n%s", s.stdout)
	}
	return merchantAPI{base: s.base, merchantID: "demo", apiKey: key[1]}
}

func (m merchantAPI) call(method, path string, body any) (int, map[string]any) {
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, m.base+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-merchantid", m.merchantID)
	req.SetBasicAuth(m.apiKey, "")
	resp, err := apiClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
