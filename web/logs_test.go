package web_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/faultproxy"
	"github.com/paypage/paypage/internal/pgtest"
)

// syncBuffer is a log destination many goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs whole sandbox payments, a returning customer's
// and a refund, with Amazon's answers broken every way the fault proxy
// knows, and reads everything logged at debug level (the server's logger
// and slog's default alike) for tokens, keys, secrets and the shopper's
// contact details. Not parallel: it takes over slog's default.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(log)

	ln, base := apptest.Listen(t)
	proxy, err := faultproxy.New(base + config.SandboxPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	s := apptest.StartLogging(t, pgtest.NewDatabase(t, apptest.Migrate), ln, map[string]string{
		"AMAZONPAY_BASE_URL": proxy.URL, "AMAZONPAY_LWA_URL": proxy.URL + "/lwa", "AMAZONPAY_TIMEOUT": "2s",
		"PAYPAGE_SANDBOX_PENDING_DELAY": "1s",
	}, log)
	api := merchantAPI{base: s.URL, merchantID: s.Demo.MerchantID, apiKey: s.Demo.APIKey}
	const phone, email = "9000000001", "log-shopper@example.com"

	pay := func(orderID string) {
		var session struct {
			Links struct {
				Web string `json:"web"`
			} `json:"payment_links"`
		}
		if _, err := api.call("POST", "/session", map[string]any{"order_id": orderID, "amount": "120.00", "currency": "INR",
			"customer_id": "cust-logs", "customer_phone": phone, "customer_email": email,
			"return_url": s.URL + "/sandbox/shop/return"}, &session); err != nil {
			t.Fatal(err)
		}
		b := apptest.NewBrowser()
		loc, err := b.Get(session.Links.Web)
		for step := 0; err == nil && step < 20; step++ {
			switch {
			case strings.Contains(loc, "/sandbox/shop/return"):
				return
			case loc != "":
				loc, err = b.Get(loc)
			case b.Has("pay-button"):
				loc, err = b.Submit("pay-button", nil)
			case b.Has("consent-allow"):
				loc, err = b.Submit("consent-allow", nil)
			case b.Has("retry-button"):
				loc, err = b.Submit("retry-button", nil)
			case b.Has("check-again"):
				s.Settle(t)
				loc, err = b.Get(b.Href("check-again"))
			default:
				return // an error page: the logs are what this test reads
			}
		}
		if err != nil {
			t.Logf("order %s: %v", orderID, err)
		}
	}

	// First payment: the token exchange, the instruments listing and the
	// charge each break once; the client's retries and the reconciler
	// carry on.
	proxy.Next(routeToken, faultproxy.DropBefore)
	proxy.Next("GET /v1/payments/instruments", faultproxy.DropBefore, faultproxy.Status500)
	proxy.Next(routeCharge, faultproxy.DropAfter, faultproxy.Status500After)
	pay("logs-1")
	pay("logs-1b")
	// The returning customer's stored link: its listing and refresh break.
	for _, f := range faultproxy.Faults() {
		proxy.Next("GET /v1/payments/instruments", f)
		proxy.Next(routeToken, f)
		proxy.Next(routeChargeStatus, f)
	}
	for i := range 4 {
		pay(fmt.Sprintf("logs-%d", i+2))
	}
	proxy.SetChooser(func(faultproxy.Call) faultproxy.Fault { return faultproxy.DropBefore })
	_, _ = api.call("POST", "/orders/logs-1/refunds", map[string]any{"unique_request_id": "rf-logs", "amount": "10.00"}, nil)
	s.Settle(t)
	proxy.SetChooser(nil)
	s.Settle(t)
	s.Stop()

	text := logs.String()
	if len(text) == 0 {
		t.Fatal("nothing logged")
	}
	t.Logf("faults injected: %s; %d log lines", proxy.Summary(), strings.Count(text, "\n"))
	secrets := map[string]*regexp.Regexp{
		"an Amazon access token":  regexp.MustCompile(`Atza(\||%7C)`),
		"an Amazon refresh token": regexp.MustCompile(`Atzr(\||%7C)`),
		"a merchant API key":      regexp.MustCompile(`pk_|` + regexp.QuoteMeta(s.Demo.APIKey)),
		"a webhook secret":        regexp.MustCompile(`whsec_|` + regexp.QuoteMeta(s.Demo.WebhookSecret)),
		"a response key":          regexp.MustCompile(`rk_|` + regexp.QuoteMeta(s.Demo.ResponseKey)),
		"the webhook password":    regexp.MustCompile(regexp.QuoteMeta(s.Demo.WebhookPassword)),
		"the LWA client secret":   regexp.MustCompile(regexp.QuoteMeta(config.SandboxClientSecret)),
		"the Amazon secret key":   regexp.MustCompile(regexp.QuoteMeta(config.SandboxSecretKey)),
		"the shopper's phone":     regexp.MustCompile(phone),
		"the shopper's email":     regexp.MustCompile(regexp.QuoteMeta(email)),
		"the paypage secret key":  regexp.MustCompile(regexp.QuoteMeta(s.Config.SecretKey)),
	}
	for what, re := range secrets {
		for _, line := range strings.Split(text, "\n") {
			if re.MatchString(line) {
				t.Errorf("the log holds %s: %s", what, line)
				break
			}
		}
	}
}
