package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.DataDir != "./.data" || c.Mode != ModeSandbox || c.DatabaseURL != "" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestProductionRefusesSandboxDefaults(t *testing.T) {
	_, err := Load(env(map[string]string{"PAYPAGE_MODE": "production"}))
	if err == nil {
		t.Fatal("production started without secrets")
	}
	for _, want := range []string{"PAYPAGE_SECRET_KEY", "AMAZONPAY_SECRET_KEY", "https"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	_, err = Load(env(map[string]string{
		"PAYPAGE_MODE": "production", "PAYPAGE_BASE_URL": "https://pay.example", "PAYPAGE_SECRET_KEY": strings.Repeat("k", 32),
		"AMAZONPAY_BASE_URL": "https://pay.example/sandbox/amazonpay", "AMAZONPAY_LWA_URL": "https://pay.example/sandbox/amazonpay/lwa",
		"AMAZONPAY_MERCHANT_ID": "m", "AMAZONPAY_ACCESS_KEY": "a", "AMAZONPAY_SECRET_KEY": "s", "AMAZONPAY_CLIENT_ID": "c", "AMAZONPAY_CLIENT_SECRET": "x",
	}))
	if err == nil || !strings.Contains(err.Error(), "simulator") {
		t.Fatalf("production accepted the simulator: %v", err)
	}
}

func TestBadValues(t *testing.T) {
	for _, m := range []map[string]string{{"PAYPAGE_MODE": "dev"}, {"PAYPAGE_BASE_URL": "localhost:8080"}} {
		if _, err := Load(env(m)); err == nil {
			t.Errorf("%v accepted", m)
		}
	}
}

func TestSecretKeyKeptInDataDir(t *testing.T) {
	dir := t.TempDir()
	c, _ := Load(env(map[string]string{"PAYPAGE_DATA_DIR": dir}))
	if err := c.EnsureSecretKey(); err != nil || len(c.SecretKey) < 32 {
		t.Fatalf("EnsureSecretKey: %v %q", err, c.SecretKey)
	}
	d, _ := Load(env(map[string]string{"PAYPAGE_DATA_DIR": dir}))
	if err := d.EnsureSecretKey(); err != nil || d.SecretKey != c.SecretKey {
		t.Fatalf("second load got another key")
	}
	for _, line := range c.Redacted() {
		if strings.Contains(line, c.SecretKey) {
			t.Errorf("secret in redacted dump: %s", line)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(env(map[string]string{"PAYPAGE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.0/24"}))
	if err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.0/24" {
		t.Fatalf("proxies %v: %v", c.TrustedProxies, err)
	}
	if _, err := Load(env(map[string]string{"PAYPAGE_TRUSTED_PROXIES": "10.0.0.1"})); err == nil || !strings.Contains(err.Error(), "PAYPAGE_TRUSTED_PROXIES") {
		t.Errorf("a bare address was accepted: %v", err)
	}
}

func TestSandboxRedirectURIs(t *testing.T) {
	c, err := Load(env(map[string]string{"PAYPAGE_SANDBOX_REDIRECT_URIS": "http://a.test:8080/amazonpay/consent, ,https://b.test/amazonpay/consent"}))
	if err != nil || len(c.SandboxRedirectURIs) != 2 || c.SandboxRedirectURIs[1] != "https://b.test/amazonpay/consent" {
		t.Fatalf("redirect URIs %q: %v", c.SandboxRedirectURIs, err)
	}
	if _, err := Load(env(map[string]string{"PAYPAGE_SANDBOX_REDIRECT_URIS": "/amazonpay/consent"})); err == nil || !strings.Contains(err.Error(), "PAYPAGE_SANDBOX_REDIRECT_URIS") {
		t.Errorf("a relative URL was accepted: %v", err)
	}
}

func TestOpsAddr(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.OpsAddr != "127.0.0.1:9464" || c.Pprof {
		t.Fatalf("default ops %q pprof %t: %v", c.OpsAddr, c.Pprof, err)
	}
	if c, err = Load(env(map[string]string{"PAYPAGE_OPS_ADDR": "off"})); err != nil || c.OpsAddr != "" {
		t.Errorf("off: %q %v", c.OpsAddr, err)
	}
	for _, m := range []map[string]string{
		{"PAYPAGE_OPS_ADDR": "9464"}, {"PAYPAGE_OPS_ADDR": ":8080"}, {"PAYPAGE_PPROF": "yes"},
		{"PAYPAGE_PPROF": "1", "PAYPAGE_OPS_ADDR": "off"},
	} {
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "PAYPAGE_") {
			t.Errorf("%v: %v", m, err)
		}
	}
}

// production is a complete production environment; tests change fields.
func production() map[string]string {
	return map[string]string{
		"PAYPAGE_MODE": "production", "PAYPAGE_BASE_URL": "https://pay.example", "PAYPAGE_SECRET_KEY": strings.Repeat("k", 32),
		"DATABASE_URL":       "postgres://paypage@db/paypage",
		"AMAZONPAY_BASE_URL": "https://amazonpay.amazon.in", "AMAZONPAY_LWA_URL": "https://api.amazon.in",
		"AMAZONPAY_AUTHORIZE_URL": "https://www.amazon.in/ap/oa",
		"AMAZONPAY_MERCHANT_ID":   "m", "AMAZONPAY_ACCESS_KEY": "a", "AMAZONPAY_SECRET_KEY": "s", "AMAZONPAY_CLIENT_ID": "c", "AMAZONPAY_CLIENT_SECRET": "x",
	}
}

func TestProduction(t *testing.T) {
	c, err := Load(env(production()))
	if err != nil {
		t.Fatal(err)
	}
	if c.AmazonPay.AuthorizeURL != "https://www.amazon.in/ap/oa" {
		t.Errorf("AMAZONPAY_AUTHORIZE_URL: %q", c.AmazonPay.AuthorizeURL)
	}
	for name, value := range map[string]string{
		"AMAZONPAY_BASE_URL": "http://amazonpay.amazon.in", "AMAZONPAY_LWA_URL": "api.amazon.in",
		"AMAZONPAY_AUTHORIZE_URL": "http://www.amazon.in/ap/oa",
	} {
		m := production()
		m[name] = value
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), name+" must be an absolute https URL") {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	m := production()
	delete(m, "DATABASE_URL")
	if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "PAYPAGE_EMBEDDED_DB=1") {
		t.Errorf("production without a database: %v", err)
	}
	m["PAYPAGE_EMBEDDED_DB"] = "1"
	if c, err := Load(env(m)); err != nil || !c.EmbeddedDB {
		t.Errorf("PAYPAGE_EMBEDDED_DB=1: %v", err)
	}
}

// TestDatabaseCommandsNeedNoAmazon: migrate and merchant commands run in
// production with only the database configured, but still need that.
func TestDatabaseCommandsNeedNoAmazon(t *testing.T) {
	only := map[string]string{"PAYPAGE_MODE": "production", "DATABASE_URL": "postgres://paypage@db/paypage"}
	if _, err := LoadForDatabase(env(only)); err != nil {
		t.Errorf("database-only production config refused: %v", err)
	}
	if _, err := Load(env(only)); err == nil || !strings.Contains(err.Error(), "AMAZONPAY_MERCHANT_ID") {
		t.Errorf("serve accepted no Amazon credentials: %v", err)
	}
	if _, err := LoadForDatabase(env(map[string]string{"PAYPAGE_MODE": "production"})); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("database commands ran without DATABASE_URL: %v", err)
	}
	if _, err := LoadForDatabase(env(map[string]string{"PAYPAGE_MODE": "prod"})); err == nil || !strings.Contains(err.Error(), "PAYPAGE_MODE") {
		t.Errorf("bad mode accepted: %v", err)
	}
}

func TestPool(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.Pool != (Pool{MaxConns: 20, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}) {
		t.Fatalf("default pool %+v: %v", c.Pool, err)
	}
	c, err = Load(env(map[string]string{"PAYPAGE_DB_MAX_CONNS": "50", "PAYPAGE_DB_CONN_MAX_LIFETIME": "1h", "PAYPAGE_DB_CONN_MAX_IDLE_TIME": "0"}))
	if err != nil || c.Pool != (Pool{MaxConns: 50, MaxLifetime: time.Hour}) {
		t.Fatalf("pool %+v: %v", c.Pool, err)
	}
	for name, value := range map[string]string{"PAYPAGE_DB_MAX_CONNS": "0", "PAYPAGE_DB_CONN_MAX_LIFETIME": "30", "PAYPAGE_DB_CONN_MAX_IDLE_TIME": "-1m"} {
		if _, err := Load(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
}

func TestPrefetchMaxInFlight(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.PrefetchMaxInFlight != 16 {
		t.Fatalf("default %d: %v", c.PrefetchMaxInFlight, err)
	}
	for value, want := range map[string]int{"0": 0, "1": 1, "64": 64, "1024": 1024} {
		if c, err := Load(env(map[string]string{"PAYPAGE_PREFETCH_MAX_IN_FLIGHT": value})); err != nil || c.PrefetchMaxInFlight != want {
			t.Errorf("%s: %d %v", value, c.PrefetchMaxInFlight, err)
		}
	}
	for _, value := range []string{"-1", "1025", "8.5", "many"} {
		if _, err := Load(env(map[string]string{"PAYPAGE_PREFETCH_MAX_IN_FLIGHT": value})); err == nil || !strings.Contains(err.Error(), "PAYPAGE_PREFETCH_MAX_IN_FLIGHT") {
			t.Errorf("%s accepted: %v", value, err)
		}
	}
	if c, _ := Load(env(map[string]string{"PAYPAGE_PREFETCH_MAX_IN_FLIGHT": "7"})); !slices.Contains(c.Redacted(), "PAYPAGE_PREFETCH_MAX_IN_FLIGHT=7") {
		t.Errorf("dump %v", c.Redacted())
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte(strings.Repeat("f", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"PAYPAGE_SECRET_KEY_FILE": file}))
	if err != nil || c.SecretKey != strings.Repeat("f", 40) {
		t.Fatalf("secret from file %q: %v", c.SecretKey, err)
	}
	missing := filepath.Join(dir, "missing")
	_, err = LoadForDatabase(env(map[string]string{"AMAZONPAY_CLIENT_SECRET_FILE": missing}))
	if err == nil || !strings.Contains(err.Error(), "AMAZONPAY_CLIENT_SECRET_FILE") || !strings.Contains(err.Error(), missing) {
		t.Errorf("unreadable secret file: %v", err)
	}
}

func TestSandboxFaultKnobs(t *testing.T) {
	for v, want := range map[string]float64{"0": 0, "0.25": 0.25, "5%": 0.05, "100%": 1, "1": 1} {
		c, err := Load(func(k string) string {
			if k == "PAYPAGE_SANDBOX_FAULTS" {
				return v
			}
			if k == "PAYPAGE_SANDBOX_LATENCY" {
				return "150ms"
			}
			return ""
		})
		if err != nil || c.SandboxFaults != want || c.SandboxLatency != 150*time.Millisecond {
			t.Errorf("%q: %v %v %v", v, c.SandboxFaults, c.SandboxLatency, err)
		}
	}
	for _, v := range []string{"-0.1", "1.5", "150%", "lots", "NaN"} {
		if _, err := Load(func(k string) string {
			if k == "PAYPAGE_SANDBOX_FAULTS" {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), "PAYPAGE_SANDBOX_FAULTS") {
			t.Errorf("%q accepted: %v", v, err)
		}
	}
	if _, err := Load(func(k string) string {
		if k == "PAYPAGE_SANDBOX_LATENCY" {
			return "2m"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "PAYPAGE_SANDBOX_LATENCY") {
		t.Errorf("2m latency accepted: %v", err)
	}
}

// In the sandbox, setting only PAYPAGE_ADDR moves the base URL with it, so
// the printed links and Amazon's return URLs reach the listener.
func TestSandboxBaseURLFollowsTheAddress(t *testing.T) {
	for _, tt := range []struct{ addr, base, want string }{
		{":9090", "", "http://localhost:9090"},
		{"0.0.0.0:9090", "", "http://localhost:9090"},
		{"127.0.0.1:7000", "", "http://127.0.0.1:7000"},
		{":9090", "http://qa.example:8000", "http://qa.example:8000"},
		{"", "", "http://localhost:8080"},
	} {
		c, err := Load(func(k string) string {
			switch k {
			case "PAYPAGE_ADDR":
				return tt.addr
			case "PAYPAGE_BASE_URL":
				return tt.base
			}
			return ""
		})
		if err != nil || c.BaseURL != tt.want || c.BaseURLDerived != (tt.base == "" && tt.want != "http://localhost:8080") {
			t.Errorf("addr %q base %q: %q derived %v (%v), want %q", tt.addr, tt.base, c.BaseURL, c.BaseURLDerived, err, tt.want)
		}
		if err == nil && !strings.HasPrefix(c.AmazonPay.BaseURL, tt.want) {
			t.Errorf("addr %q: the simulator's URL %q does not follow", tt.addr, c.AmazonPay.BaseURL)
		}
	}
}
