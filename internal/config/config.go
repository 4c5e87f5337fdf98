// Package config reads paypage's configuration from the environment into one
// typed struct, fills defaults, and validates it before anything starts.
// Secrets may also come from files named by the matching *_FILE variable.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Modes paypage runs in.
const (
	ModeSandbox    = "sandbox"
	ModeProduction = "production"
)

// Config is everything paypage reads from its environment.
type Config struct {
	Addr    string // PAYPAGE_ADDR
	BaseURL string // PAYPAGE_BASE_URL, without a trailing slash
	// BaseURLDerived is true when PAYPAGE_BASE_URL was not set and the
	// sandbox took it from PAYPAGE_ADDR's port, so links match the
	// listener.
	BaseURLDerived bool
	DatabaseURL    string // DATABASE_URL; empty starts the embedded PostgreSQL
	DataDir        string // PAYPAGE_DATA_DIR
	Mode           string // PAYPAGE_MODE
	SecretKey      string // PAYPAGE_SECRET_KEY; generated and kept in DataDir in sandbox mode
	AmazonPay      AmazonPay
	// SandboxPendingDelay is how long the simulator's pending personas stay
	// pending (PAYPAGE_SANDBOX_PENDING_DELAY, a Go duration, default 20s).
	SandboxPendingDelay time.Duration
	// SandboxLatency is added to every simulator answer
	// (PAYPAGE_SANDBOX_LATENCY, a Go duration, default 0); SandboxFaults
	// is the share of its payments API and token answers that fail, half
	// as 500s and half by timing out (PAYPAGE_SANDBOX_FAULTS, 0 to 1 or a
	// percentage such as 5%, default 0).
	SandboxLatency time.Duration
	SandboxFaults  float64
	// SandboxRedirectURIs are the consent return URLs that the standalone
	// simulator (paypage amazonpay-sandbox) accepts, one per paypage
	// instance that uses it (PAYPAGE_SANDBOX_REDIRECT_URIS, comma-separated;
	// empty: this configuration's own consent return URL).
	SandboxRedirectURIs []string
	// TrustedProxies are the networks (CIDR) of load balancers whose
	// X-Forwarded-For header names the shopper's address
	// (PAYPAGE_TRUSTED_PROXIES, comma-separated; empty trusts none).
	TrustedProxies []*net.IPNet
	// UnsentChargeGrace is how long a charge that Amazon has no record of
	// stays pending before it counts as never made
	// (PAYPAGE_UNSENT_CHARGE_GRACE, default 2m).
	UnsentChargeGrace time.Duration
	// AmazonCallTimeout bounds one Amazon Pay charge, refund or status
	// call made for a shopper or a refund (AMAZONPAY_TIMEOUT, default 20s);
	// a call that runs out leaves its payment pending and is asked about
	// again.
	AmazonCallTimeout time.Duration
	// PrefetchMaxInFlight bounds the sessions whose Amazon answers one
	// instance fetches in the background at once
	// (PAYPAGE_PREFETCH_MAX_IN_FLIGHT, default 16; 0 turns prefetch off).
	// Beyond it a session is not prefetched and its page asks Amazon.
	PrefetchMaxInFlight int
	// OpsAddr is where /metrics and, with Pprof, Go's profiler answer, away
	// from the public listener (PAYPAGE_OPS_ADDR, default 127.0.0.1:9464;
	// "off" serves neither there).
	OpsAddr string
	// Pprof serves net/http/pprof on OpsAddr (PAYPAGE_PPROF=1).
	Pprof bool
	// EmbeddedDB is the explicit opt-in to the embedded PostgreSQL in
	// production (PAYPAGE_EMBEDDED_DB=1), where an empty DATABASE_URL is
	// otherwise refused. The sandbox uses it whenever DATABASE_URL is empty.
	EmbeddedDB bool
	// Pool sizes the connection pool to PostgreSQL.
	Pool Pool
	// DBPooler is PAYPAGE_DB_POOLER: "transaction" behind PgBouncer in
	// pool_mode=transaction (or a pooler like it), else empty or "session".
	DBPooler string
}

// Pool sizes and ages the database connection pool.
type Pool struct {
	MaxConns    int           // PAYPAGE_DB_MAX_CONNS, default 20; also the idle pool's size
	MaxLifetime time.Duration // PAYPAGE_DB_CONN_MAX_LIFETIME, default 30m; 0 keeps connections forever
	MaxIdleTime time.Duration // PAYPAGE_DB_CONN_MAX_IDLE_TIME, default 5m
}

// AmazonPay holds the Amazon Pay India credentials and endpoints. In sandbox
// mode, empty values point at the built-in simulator.
type AmazonPay struct {
	BaseURL string // AMAZONPAY_BASE_URL
	LWAURL  string // AMAZONPAY_LWA_URL, the token host
	// AuthorizeURL is the full consent page URL, on another host than the
	// token's at Amazon (AMAZONPAY_AUTHORIZE_URL; empty: LWAURL + /ap/oa,
	// which is where the simulator serves it).
	AuthorizeURL string
	MerchantID   string // AMAZONPAY_MERCHANT_ID
	AccessKey    string // AMAZONPAY_ACCESS_KEY
	SecretKey    string // AMAZONPAY_SECRET_KEY
	ClientID     string // AMAZONPAY_CLIENT_ID
	ClientSecret string // AMAZONPAY_CLIENT_SECRET
	// Balance are the Amazon Pay Balance seller's credentials, which Amazon
	// issues apart from Pay Later's (AMAZONPAY_BALANCE_MERCHANT_ID,
	// _ACCESS_KEY, _SECRET_KEY). In sandbox mode they default to the Pay
	// Later ones; in production, without them the balance is not offered.
	Balance Seller
}

// Seller is one Amazon Pay seller's credentials.
type Seller struct {
	MerchantID string
	AccessKey  string
	SecretKey  string
}

// Set reports whether all three credentials are given.
func (s Seller) Set() bool { return s.MerchantID != "" && s.AccessKey != "" && s.SecretKey != "" }

// SandboxPath is where the Amazon Pay simulator is mounted in sandbox mode.
const SandboxPath = "/sandbox/amazonpay"

// maxPrefetchInFlight caps PAYPAGE_PREFETCH_MAX_IN_FLIGHT: each prefetch
// holds Amazon connections and a database connection for a moment.
const maxPrefetchInFlight = 1024

// Sandbox reports whether paypage runs against its built-in simulator.
func (c Config) Sandbox() bool { return c.Mode == ModeSandbox }

// Load reads the configuration through getenv (os.Getenv in production,
// a map in tests), applies defaults and validates the result for serving:
// everything, Amazon Pay credentials included.
func Load(getenv func(string) string) (Config, error) {
	c, err := load(getenv)
	if err != nil {
		return c, err
	}
	return c, c.validate(true)
}

// LoadForDatabase is Load for commands that only use the database
// (migrate, merchant ..., config-dump): it does not ask for Amazon Pay
// credentials or the secret key, even in production.
func LoadForDatabase(getenv func(string) string) (Config, error) {
	c, err := load(getenv)
	if err != nil {
		return c, err
	}
	return c, c.validate(false)
}

func load(getenv func(string) string) (Config, error) {
	var unreadable []string
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		if file := strings.TrimSpace(getenv(name + "_FILE")); file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				unreadable = append(unreadable, fmt.Sprintf("%s_FILE: cannot read %s: %v", name, file, errors.Unwrap(err)))
				return def
			}
			return strings.TrimSpace(string(b))
		}
		return def
	}
	c := Config{
		Addr:        get("PAYPAGE_ADDR", ":8080"),
		BaseURL:     strings.TrimRight(get("PAYPAGE_BASE_URL", "http://localhost:8080"), "/"),
		DatabaseURL: get("DATABASE_URL", ""),
		DBPooler:    get("PAYPAGE_DB_POOLER", ""),
		DataDir:     get("PAYPAGE_DATA_DIR", "./.data"),
		Mode:        get("PAYPAGE_MODE", ModeSandbox),
		SecretKey:   get("PAYPAGE_SECRET_KEY", ""),
		AmazonPay: AmazonPay{
			BaseURL:      get("AMAZONPAY_BASE_URL", ""),
			LWAURL:       get("AMAZONPAY_LWA_URL", ""),
			AuthorizeURL: get("AMAZONPAY_AUTHORIZE_URL", ""),
			MerchantID:   get("AMAZONPAY_MERCHANT_ID", ""),
			AccessKey:    get("AMAZONPAY_ACCESS_KEY", ""),
			SecretKey:    get("AMAZONPAY_SECRET_KEY", ""),
			ClientID:     get("AMAZONPAY_CLIENT_ID", ""),
			ClientSecret: get("AMAZONPAY_CLIENT_SECRET", ""),
			Balance: Seller{
				MerchantID: get("AMAZONPAY_BALANCE_MERCHANT_ID", ""),
				AccessKey:  get("AMAZONPAY_BALANCE_ACCESS_KEY", ""),
				SecretKey:  get("AMAZONPAY_BALANCE_SECRET_KEY", ""),
			},
		},
	}
	if len(unreadable) > 0 {
		return c, errors.New("configuration: " + strings.Join(unreadable, "; "))
	}
	if c.OpsAddr = get("PAYPAGE_OPS_ADDR", "127.0.0.1:9464"); c.OpsAddr == "off" {
		c.OpsAddr = ""
	}
	switch v := get("PAYPAGE_PPROF", "0"); v {
	case "0", "1":
		c.Pprof = v == "1"
	default:
		return c, fmt.Errorf("configuration: PAYPAGE_PPROF must be 0 or 1, not %q", v)
	}
	if c.Pprof && c.OpsAddr == "" {
		return c, fmt.Errorf("configuration: PAYPAGE_PPROF=1 needs PAYPAGE_OPS_ADDR: the profiler is served only there")
	}
	switch v := get("PAYPAGE_EMBEDDED_DB", "0"); v {
	case "0", "1":
		c.EmbeddedDB = v == "1"
	default:
		return c, fmt.Errorf("configuration: PAYPAGE_EMBEDDED_DB must be 0 or 1, not %q", v)
	}
	var err error
	if c.Pool.MaxConns, err = strconv.Atoi(get("PAYPAGE_DB_MAX_CONNS", "20")); err != nil || c.Pool.MaxConns < 1 {
		return c, fmt.Errorf("configuration: PAYPAGE_DB_MAX_CONNS must be a whole number of connections, at least 1")
	}
	if c.Pool.MaxLifetime, err = time.ParseDuration(get("PAYPAGE_DB_CONN_MAX_LIFETIME", "30m")); err != nil || c.Pool.MaxLifetime < 0 {
		return c, fmt.Errorf("configuration: PAYPAGE_DB_CONN_MAX_LIFETIME must be a duration such as 30m (0: no limit)")
	}
	if c.Pool.MaxIdleTime, err = time.ParseDuration(get("PAYPAGE_DB_CONN_MAX_IDLE_TIME", "5m")); err != nil || c.Pool.MaxIdleTime < 0 {
		return c, fmt.Errorf("configuration: PAYPAGE_DB_CONN_MAX_IDLE_TIME must be a duration such as 5m (0: no limit)")
	}
	if c.SandboxLatency, err = time.ParseDuration(get("PAYPAGE_SANDBOX_LATENCY", "0s")); err != nil || c.SandboxLatency < 0 || c.SandboxLatency > time.Minute {
		return c, fmt.Errorf("configuration: PAYPAGE_SANDBOX_LATENCY must be a duration from 0 to 1m such as 150ms")
	}
	if c.SandboxFaults, err = parseShare(get("PAYPAGE_SANDBOX_FAULTS", "0")); err != nil {
		return c, fmt.Errorf("configuration: PAYPAGE_SANDBOX_FAULTS must be a share from 0 to 1 or a percentage such as 5%%")
	}
	if c.SandboxPendingDelay, err = time.ParseDuration(get("PAYPAGE_SANDBOX_PENDING_DELAY", "20s")); err != nil || c.SandboxPendingDelay <= 0 {
		return c, fmt.Errorf("configuration: PAYPAGE_SANDBOX_PENDING_DELAY must be a positive duration such as 20s")
	}
	if c.UnsentChargeGrace, err = time.ParseDuration(get("PAYPAGE_UNSENT_CHARGE_GRACE", "2m")); err != nil || c.UnsentChargeGrace <= 0 {
		return c, fmt.Errorf("configuration: PAYPAGE_UNSENT_CHARGE_GRACE must be a positive duration such as 2m")
	}
	if c.AmazonCallTimeout, err = time.ParseDuration(get("AMAZONPAY_TIMEOUT", "20s")); err != nil || c.AmazonCallTimeout <= 0 {
		return c, fmt.Errorf("configuration: AMAZONPAY_TIMEOUT must be a positive duration such as 20s")
	}
	if c.PrefetchMaxInFlight, err = strconv.Atoi(get("PAYPAGE_PREFETCH_MAX_IN_FLIGHT", "16")); err != nil ||
		c.PrefetchMaxInFlight < 0 || c.PrefetchMaxInFlight > maxPrefetchInFlight {
		return c, fmt.Errorf("configuration: PAYPAGE_PREFETCH_MAX_IN_FLIGHT must be a whole number from 0 (no prefetch) to %d", maxPrefetchInFlight)
	}
	for _, cidr := range strings.Split(get("PAYPAGE_TRUSTED_PROXIES", ""), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return c, fmt.Errorf("configuration: PAYPAGE_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", cidr)
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	for _, uri := range strings.Split(get("PAYPAGE_SANDBOX_REDIRECT_URIS", ""), ",") {
		if uri = strings.TrimSpace(uri); uri == "" {
			continue
		}
		if u, err := url.Parse(uri); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("configuration: PAYPAGE_SANDBOX_REDIRECT_URIS: %q is not an absolute http(s) URL", uri)
		}
		c.SandboxRedirectURIs = append(c.SandboxRedirectURIs, uri)
	}
	if c.Sandbox() {
		if strings.TrimSpace(getenv("PAYPAGE_BASE_URL")) == "" {
			if base, ok := baseURLFor(c.Addr); ok && base != c.BaseURL {
				c.BaseURL, c.BaseURLDerived = base, true
			}
		}
		c.AmazonPay.fillSandboxDefaults(c.BaseURL)
	}
	return c, nil
}

// baseURLFor is the sandbox's base URL for listen address addr: its port
// on localhost (or on the host it names).
func baseURLFor(addr string) (string, bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "", false
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), true
}

// Sandbox credentials shared with the built-in simulator. They are public
// and useless anywhere else.
const (
	SandboxMerchantID   = "A2PAYPAGESANDBOX"
	SandboxAccessKey    = "AKIAPAYPAGESANDBOX01"
	SandboxSecretKey    = "paypage-sandbox-secret-key-not-secret"
	SandboxClientID     = "amzn1.application-oa2-client.paypagesandbox0000000000000001"
	SandboxClientSecret = "paypage-sandbox-client-secret-not-secret"
)

func (a *AmazonPay) fillSandboxDefaults(baseURL string) {
	fill := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	fill(&a.BaseURL, baseURL+SandboxPath)
	fill(&a.LWAURL, baseURL+SandboxPath+"/lwa")
	fill(&a.MerchantID, SandboxMerchantID)
	fill(&a.AccessKey, SandboxAccessKey)
	fill(&a.SecretKey, SandboxSecretKey)
	fill(&a.ClientID, SandboxClientID)
	fill(&a.ClientSecret, SandboxClientSecret)
	fill(&a.Balance.MerchantID, a.MerchantID)
	fill(&a.Balance.AccessKey, a.AccessKey)
	fill(&a.Balance.SecretKey, a.SecretKey)
}

// validate checks the configuration; amazon adds what only serving needs
// (the secret key and the Amazon Pay credentials and endpoints).
func (c Config) validate(amazon bool) error {
	var problems []string
	switch c.Mode {
	case ModeSandbox, ModeProduction:
	default:
		problems = append(problems, fmt.Sprintf("PAYPAGE_MODE must be %q or %q, not %q", ModeSandbox, ModeProduction, c.Mode))
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		problems = append(problems, fmt.Sprintf("PAYPAGE_BASE_URL must be an absolute http(s) URL such as https://pay.example.com, not %q", c.BaseURL))
	}
	if c.OpsAddr != "" {
		if _, _, err := net.SplitHostPort(c.OpsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("PAYPAGE_OPS_ADDR must be host:port such as 127.0.0.1:9464 (or off), not %q", c.OpsAddr))
		} else if c.OpsAddr == c.Addr {
			problems = append(problems, "PAYPAGE_OPS_ADDR must differ from PAYPAGE_ADDR: metrics never share the public listener")
		}
	}
	if c.Mode == ModeProduction && c.DatabaseURL == "" && !c.EmbeddedDB {
		problems = append(problems, "DATABASE_URL must be set in production (or PAYPAGE_EMBEDDED_DB=1 to run the embedded PostgreSQL in the data directory on purpose)")
	}
	if c.Mode == ModeProduction && amazon {
		if len(c.SecretKey) < 32 {
			problems = append(problems, "PAYPAGE_SECRET_KEY must be set to at least 32 characters in production (for example: openssl rand -hex 32)")
		}
		if u != nil && u.Scheme != "https" {
			problems = append(problems, "PAYPAGE_BASE_URL must use https in production")
		}
		a := c.AmazonPay
		for name, v := range map[string]string{
			"AMAZONPAY_BASE_URL": a.BaseURL, "AMAZONPAY_LWA_URL": a.LWAURL,
			"AMAZONPAY_MERCHANT_ID": a.MerchantID, "AMAZONPAY_ACCESS_KEY": a.AccessKey,
			"AMAZONPAY_SECRET_KEY": a.SecretKey, "AMAZONPAY_CLIENT_ID": a.ClientID,
			"AMAZONPAY_CLIENT_SECRET": a.ClientSecret,
		} {
			if v == "" {
				problems = append(problems, name+" must be set in production")
			}
		}
		if b := a.Balance; !b.Set() && (b.MerchantID != "" || b.AccessKey != "" || b.SecretKey != "") {
			problems = append(problems, "AMAZONPAY_BALANCE_MERCHANT_ID, AMAZONPAY_BALANCE_ACCESS_KEY and AMAZONPAY_BALANCE_SECRET_KEY must be set together (or none, to leave Amazon Pay Balance out)")
		}
		if strings.Contains(a.BaseURL, SandboxPath) || strings.Contains(a.LWAURL, SandboxPath) || strings.Contains(a.AuthorizeURL, SandboxPath) {
			problems = append(problems, "AMAZONPAY_BASE_URL, AMAZONPAY_LWA_URL and AMAZONPAY_AUTHORIZE_URL must point at Amazon, not the built-in simulator, in production")
		}
		for _, v := range []struct{ name, value string }{
			{"AMAZONPAY_BASE_URL", a.BaseURL}, {"AMAZONPAY_LWA_URL", a.LWAURL}, {"AMAZONPAY_AUTHORIZE_URL", a.AuthorizeURL},
		} {
			if v.value == "" {
				continue
			}
			if u, err := url.Parse(v.value); err != nil || u.Scheme != "https" || u.Host == "" {
				problems = append(problems, fmt.Sprintf("%s must be an absolute https URL in production, not %q", v.name, v.value))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

// EnsureSecretKey fills an empty SecretKey in sandbox mode with one kept in
// DataDir/secret.key, generating it on first use, so cookies and stored
// tokens stay readable across restarts.
func (c *Config) EnsureSecretKey() error {
	if c.SecretKey != "" {
		return nil
	}
	if c.Mode != ModeSandbox {
		return errors.New("configuration: PAYPAGE_SECRET_KEY must be set")
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		c.SecretKey = strings.TrimSpace(string(b))
		return nil
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return fmt.Errorf("configuration: create %s: %w", c.DataDir, err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	key := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return fmt.Errorf("configuration: write %s: %w", path, err)
	}
	c.SecretKey = key
	return nil
}

// Redacted returns the configuration as name=value lines with secrets hidden,
// for `paypage config-dump` and start-up logs.
func (c Config) Redacted() []string {
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return "(set)"
	}
	dsn := c.DatabaseURL
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			dsn = u.String()
		}
	} else if err != nil {
		dsn = hide(dsn)
	}
	a := c.AmazonPay
	return []string{
		"PAYPAGE_ADDR=" + c.Addr, "PAYPAGE_BASE_URL=" + c.BaseURL, "DATABASE_URL=" + dsn,
		"PAYPAGE_DATA_DIR=" + c.DataDir, "PAYPAGE_MODE=" + c.Mode, "PAYPAGE_SECRET_KEY=" + hide(c.SecretKey),
		"AMAZONPAY_BASE_URL=" + a.BaseURL, "AMAZONPAY_LWA_URL=" + a.LWAURL, "AMAZONPAY_AUTHORIZE_URL=" + a.AuthorizeURL,
		"AMAZONPAY_MERCHANT_ID=" + a.MerchantID,
		"AMAZONPAY_ACCESS_KEY=" + hide(a.AccessKey), "AMAZONPAY_SECRET_KEY=" + hide(a.SecretKey),
		"AMAZONPAY_CLIENT_ID=" + a.ClientID, "AMAZONPAY_CLIENT_SECRET=" + hide(a.ClientSecret),
		"AMAZONPAY_BALANCE_MERCHANT_ID=" + a.Balance.MerchantID, "AMAZONPAY_BALANCE_ACCESS_KEY=" + hide(a.Balance.AccessKey),
		"AMAZONPAY_BALANCE_SECRET_KEY=" + hide(a.Balance.SecretKey),
		"PAYPAGE_SANDBOX_PENDING_DELAY=" + c.SandboxPendingDelay.String(),
		"PAYPAGE_SANDBOX_LATENCY=" + c.SandboxLatency.String(),
		"PAYPAGE_SANDBOX_FAULTS=" + strconv.FormatFloat(c.SandboxFaults, 'g', -1, 64),
		"PAYPAGE_SANDBOX_REDIRECT_URIS=" + strings.Join(c.SandboxRedirectURIs, ","),
		"PAYPAGE_UNSENT_CHARGE_GRACE=" + c.UnsentChargeGrace.String(),
		"AMAZONPAY_TIMEOUT=" + c.AmazonCallTimeout.String(),
		"PAYPAGE_PREFETCH_MAX_IN_FLIGHT=" + strconv.Itoa(c.PrefetchMaxInFlight),
		"PAYPAGE_TRUSTED_PROXIES=" + proxies(c.TrustedProxies),
		"PAYPAGE_EMBEDDED_DB=" + map[bool]string{false: "0", true: "1"}[c.EmbeddedDB],
		"PAYPAGE_DB_MAX_CONNS=" + strconv.Itoa(c.Pool.MaxConns), "PAYPAGE_DB_CONN_MAX_LIFETIME=" + c.Pool.MaxLifetime.String(),
		"PAYPAGE_DB_CONN_MAX_IDLE_TIME=" + c.Pool.MaxIdleTime.String(),
		"PAYPAGE_OPS_ADDR=" + c.OpsAddr, "PAYPAGE_PPROF=" + map[bool]string{false: "0", true: "1"}[c.Pprof],
	}
}

func proxies(ns []*net.IPNet) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.String()
	}
	return strings.Join(out, ",")
}

// parseShare reads a share of requests: a number from 0 to 1, or a
// percentage from 0% to 100%.
func parseShare(v string) (float64, error) {
	scale := 1.0
	if p, ok := strings.CutSuffix(v, "%"); ok {
		v, scale = p, 100
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f/scale > 1 || f != f {
		return 0, fmt.Errorf("share %q", v)
	}
	return f / scale, nil
}
