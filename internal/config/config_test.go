package config

import (
	"strings"
	"testing"
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
