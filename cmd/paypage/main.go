// Command paypage is the hosted checkout page server. Subcommands:
//
//	paypage [serve]            run the server (the default)
//	paypage migrate            apply database migrations and exit
//	paypage merchant create    create a merchant and print its credentials as JSON
//	paypage merchant list | show | update
//	                           list, show or change merchants, never showing a secret
//	paypage merchant rotate-api-key | rotate-response-key | rotate-webhook-secret
//	                           issue a merchant a new secret, print it as JSON
//	paypage amazonpay-sandbox  run the Amazon Pay simulator on its own
//	paypage config-dump        print the configuration with secrets hidden
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/paypage/paypage/internal/logging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The same warning with the same error is logged once every 30 seconds,
	// with a count of the repeats left out, so an outage does not bury
	// everything else.
	log := slog.New(logging.Dedup(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}), 30*time.Second))
	if err := dispatch(ctx, os.Args[1:], os.Getenv, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "paypage:", err)
		os.Exit(1)
	}
}
