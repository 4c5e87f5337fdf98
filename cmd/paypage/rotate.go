package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/postgres"
)

const rotateUsage = `usage: paypage merchant rotate-webhook-secret --id ID [--overlap 24h]

Issues the merchant a new webhook secret and prints it once, as JSON:
merchant_id, webhook_secret and previous_secret_valid_until. Until then
every webhook carries two signatures in webhook-signature, the new secret's
first, so a receiver holding either secret verifies; afterwards only the
new secret signs. Configure the receiver with the new secret within the
overlap. Rotating again within an overlap retires the older secret at once.

Flags:`

// rotateWebhookSecret runs `paypage merchant rotate-webhook-secret`.
func rotateWebhookSecret(ctx context.Context, cfg config.Config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant rotate-webhook-secret", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; help goes to stdout
	id := fs.String("id", "", "merchant id")
	overlap := fs.Duration("overlap", 24*time.Hour, "how long webhooks stay signed with the old secret too (0: not at all)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, rotateUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("merchant rotate-webhook-secret: %w (see --help)", err)
	}
	if *id == "" || fs.NArg() > 0 {
		return errors.New("merchant rotate-webhook-secret needs --id ID and no other arguments (see --help)")
	}
	var r checkout.WebhookRotation
	err := withDB(ctx, cfg, log, func(db *postgres.DB) error {
		var err error
		r, err = checkout.NewService(db, checkout.Options{Logger: log}).RotateWebhookSecret(ctx, *id, *overlap)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, r)
}
