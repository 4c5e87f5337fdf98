package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
)

const rotateAPIKeyUsage = `usage: paypage merchant rotate-api-key --id ID [--grace 24h] [--actor NAME]

Issues the merchant a new API key and prints it once, as JSON: merchant_id,
api_key and previous_api_key_valid_until. The old key keeps working until
then (the grace, at most 168h; 0 ends it at once), so the merchant's
servers can move to the new key without failed calls. Running servers
accept the new key within 10 seconds. Rotating again within a grace
retires the older key at once: at most two keys work.

Flags:`

// rotateAPIKey runs `paypage merchant rotate-api-key`.
func rotateAPIKey(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant rotate-api-key", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	grace := fs.Duration("grace", 24*time.Hour, "how long the old key keeps working (0: not at all; at most 168h)")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, rotateAPIKeyUsage, stdout); help || err != nil {
		return err
	}
	if err := needID(fs, *id); err != nil {
		return err
	}
	var r checkout.APIKeyRotation
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		r, err = svc.RotateAPIKey(ctx, *actor, *id, *grace)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, r)
}

const rotateResponseKeyUsage = `usage: paypage merchant rotate-response-key --id ID [--actor NAME]

Issues the merchant a new response key and prints it once, as JSON:
merchant_id and response_key. There is no overlap: every return signed
after this (on running servers, within 10 seconds) uses the new key, and
the old one verifies none of them. Give the merchant the new key at once;
a return signed just before still carries the old key's signature.

Flags:`

// rotateResponseKey runs `paypage merchant rotate-response-key`.
func rotateResponseKey(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant rotate-response-key", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, rotateResponseKeyUsage, stdout); help || err != nil {
		return err
	}
	if err := needID(fs, *id); err != nil {
		return err
	}
	var r checkout.ResponseKeyRotation
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		r, err = svc.RotateResponseKey(ctx, *actor, *id)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, r)
}

const rotateUsage = `usage: paypage merchant rotate-webhook-secret --id ID [--overlap 24h] [--actor NAME]

Issues the merchant a new webhook secret and prints it once, as JSON:
merchant_id, webhook_secret and previous_secret_valid_until. Until then
every webhook carries two signatures in webhook-signature, the new secret's
first, so a receiver holding either secret verifies; afterwards only the
new secret signs. Configure the receiver with the new secret within the
overlap. Rotating again within an overlap retires the older secret at once.

Flags:`

// rotateWebhookSecret runs `paypage merchant rotate-webhook-secret`.
func rotateWebhookSecret(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant rotate-webhook-secret", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	overlap := fs.Duration("overlap", 24*time.Hour, "how long webhooks stay signed with the old secret too (0: not at all)")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, rotateUsage, stdout); help || err != nil {
		return err
	}
	if err := needID(fs, *id); err != nil {
		return err
	}
	var r checkout.WebhookRotation
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		r, err = svc.RotateWebhookSecret(ctx, *actor, *id, *overlap)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, r)
}
