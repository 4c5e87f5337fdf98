package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/postgres"
	"github.com/paypage/paypage/web"
)

// runSandbox serves the Amazon Pay simulator alone, for QA environments that
// share one simulator between several paypage instances. Its state is in
// the database paypage uses (DATABASE_URL, or the embedded cluster), so it
// is the same Amazon as every sandbox instance's built-in simulator there.
func runSandbox(ctx context.Context, cfg config.Config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("amazonpay-sandbox", flag.ContinueOnError)
	addr := fs.String("addr", ":8081", "listen address")
	pending := fs.Duration("pending-delay", cfg.SandboxPendingDelay, "how long pending personas stay pending")
	latency := fs.Duration("latency", cfg.SandboxLatency, "added to every answer (PAYPAGE_SANDBOX_LATENCY)")
	faults := fs.Float64("faults", cfg.SandboxFaults, "share of API and token answers that fail, 0 to 1 (PAYPAGE_SANDBOX_FAULTS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *faults < 0 || *faults > 1 || *latency < 0 {
		return fmt.Errorf("--faults must be from 0 to 1 and --latency not negative")
	}
	redirects := cfg.SandboxRedirectURIs
	if len(redirects) == 0 {
		redirects = []string{cfg.BaseURL + web.ConsentReturnPath}
	}
	return withDB(ctx, cfg, log, func(db *postgres.DB) error {
		return serveSandbox(ctx, db, cfg, *addr, redirects, sandbox.Options{
			PendingDelay: *pending, Latency: *latency, Faults: *faults}, stdout, log)
	})
}

// serveSandbox serves the simulator on addr until ctx ends, with its state
// in db and knobs from opts.
func serveSandbox(ctx context.Context, db *postgres.DB, cfg config.Config, addr string, redirects []string,
	knobs sandbox.Options, stdout io.Writer, log *slog.Logger) error {
	sim := sandbox.New(sandbox.Options{
		DB: db.SQL().DB, Prefix: config.SandboxPath, MerchantID: cfg.AmazonPay.MerchantID,
		AccessKey: cfg.AmazonPay.AccessKey, SecretKey: cfg.AmazonPay.SecretKey,
		ClientID: cfg.AmazonPay.ClientID, ClientSecret: cfg.AmazonPay.ClientSecret,
		BalanceMerchantID: cfg.AmazonPay.Balance.MerchantID, BalanceAccessKey: cfg.AmazonPay.Balance.AccessKey,
		BalanceSecretKey: cfg.AmazonPay.Balance.SecretKey,
		RedirectURIs:     redirects, PendingDelay: knobs.PendingDelay, Latency: knobs.Latency, Faults: knobs.Faults,
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	fmt.Fprintf(stdout, "Amazon Pay simulator on %s\n  AMAZONPAY_BASE_URL=http://<this host>:%d%s\n  AMAZONPAY_LWA_URL=http://<this host>:%d%s/lwa\n",
		ln.Addr(), ln.Addr().(*net.TCPAddr).Port, config.SandboxPath, ln.Addr().(*net.TCPAddr).Port, config.SandboxPath)
	fmt.Fprintf(stdout, "  consent returns only to (PAYPAGE_SANDBOX_REDIRECT_URIS): %s\n", strings.Join(redirects, ", "))
	fmt.Fprintf(stdout, "  personas, URLs and settings: http://<this host>:%d%s/\n", ln.Addr().(*net.TCPAddr).Port, config.SandboxPath)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("amazon pay simulator stopped")
	return nil
}
