package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/paypage/paypage/internal/amazonpay/balance"
	"github.com/paypage/paypage/internal/amazonpay/paylater"
	"github.com/paypage/paypage/internal/app"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/postgres"
)

const usage = `usage: paypage [serve | migrate | merchant <command> | webhook <command> | amazonpay-sandbox | config-dump] [flags]`

// dispatch runs one subcommand.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	cfg, err := loadConfig(cmd, getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		setMemoryLimit(getenv)
		return serve(ctx, cfg, stdout, log)
	case "migrate":
		return migrate(ctx, cfg, stdout, log)
	case "merchant":
		return merchantCommand(ctx, cfg, args, getenv, stdout, log)
	case "webhook":
		return webhookCommand(ctx, cfg, args, getenv, stdout, log)
	case "amazonpay-sandbox":
		return runSandbox(ctx, cfg, args, stdout, log)
	case "config-dump":
		fmt.Fprintln(stdout, strings.Join(cfg.Redacted(), "\n"))
		return nil
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// defaultMemoryLimit is the Go runtime's soft memory limit for serve when
// GOMEMLIMIT is not set. The server's live heap is a few MiB (pages are
// small and streamed), so without a limit the garbage collector lets the
// heap grow to twice what load left behind and RSS follows it; under the
// limit it collects sooner instead. It is soft: a heap that truly needs
// more gets it, at the cost of more frequent collections.
const defaultMemoryLimit = 40 << 20

// setMemoryLimit applies defaultMemoryLimit unless the operator chose one
// with GOMEMLIMIT (which the runtime has already read).
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func serve(ctx context.Context, cfg config.Config, stdout io.Writer, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close(context.Background())
	printBanner(stdout, a)
	return a.Serve(ctx, ln)
}

func printBanner(w io.Writer, a *app.App) {
	base := a.Config.BaseURL
	fmt.Fprintf(w, "\npaypage is running in %s mode at %s\n", a.Config.Mode, base)
	if a.Config.BaseURLDerived {
		fmt.Fprintf(w, "  (PAYPAGE_BASE_URL is not set: taken from PAYPAGE_ADDR=%s; set it if shoppers reach paypage another way)\n", a.Config.Addr)
	}
	if a.Config.Sandbox() {
		fmt.Fprintf(w, "  Demo shop (start here): %s%s/\n", base, app.DemoShopPath)
		fmt.Fprintf(w, "  Payment page:           %s/orders/<id>/payment-page (the demo shop or POST /session gives the link)\n", base)
		fmt.Fprintf(w, "  Amazon Pay simulator:   %s%s/\n", base, config.SandboxPath)
		fmt.Fprintf(w, "  Demo merchant:          merchant_id=%s\n", a.Demo.MerchantID)
		fmt.Fprintf(w, "                          api_key=%s\n", a.Demo.APIKey)
		fmt.Fprintf(w, "                          response_key=%s\n", a.Demo.ResponseKey)
		fmt.Fprintf(w, "                          webhook_secret=%s\n", a.Demo.WebhookSecret)
		fmt.Fprintf(w, "  Try: curl -s -u %s: -H 'x-merchantid: %s' %s/orders/<order_id>\n", a.Demo.APIKey, a.Demo.MerchantID, base)
	}
	if ops := a.Config.OpsAddr; ops != "" {
		fmt.Fprintf(w, "  Metrics: http://%s/metrics (PAYPAGE_OPS_ADDR)\n", ops)
	}
	fmt.Fprintf(w, "  Health: %s/healthz  Ready: %s/readyz   (Ctrl-C stops the server and its database)\n\n", base, base)
}

// withDB runs fn on the migrated database, stopping the embedded cluster
// afterwards if this command started it (a running server keeps its own).
func withDB(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(*postgres.DB) error) error {
	db, cluster, err := app.OpenDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		if cluster != nil {
			_ = cluster.Stop(context.Background())
		}
	}()
	return fn(db)
}

func migrate(ctx context.Context, cfg config.Config, stdout io.Writer, log *slog.Logger) error {
	return withDB(ctx, cfg, log, func(db *postgres.DB) error {
		v, dirty, _, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "schema at version %d (dirty=%t)\n", v, dirty)
		return nil
	})
}

// methodFlags are the --methods names of the payment methods.
var methodFlags = map[string]string{"paylater": paylater.Name, "balance": balance.Name}

// methodNames turns --methods into payment_method names.
func methodNames(list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		name, ok := methodFlags[strings.TrimSpace(f)]
		if !ok {
			return nil, fmt.Errorf("--methods: %q is not a payment method (paylater, balance)", strings.TrimSpace(f))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// stringList collects a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// printJSON prints what a merchant command made, as indented JSON.
func printJSON(stdout io.Writer, v any) error {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
