package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
)

const webhookUsage = `usage: paypage webhook <command> [flags]

Commands:
  replay   send an event's webhook again, with the same webhook-id

Run "paypage webhook <command> --help" for a command's flags.`

// webhookCommand runs `paypage webhook <command>`.
func webhookCommand(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		return fmt.Errorf("webhook needs a command\n%s", webhookUsage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "replay":
		return flagErrors("webhook replay", replayWebhook(ctx, cfg, args, getenv, stdout, log))
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, webhookUsage)
		return nil
	}
	return fmt.Errorf("unknown webhook command %q\n%s", cmd, webhookUsage)
}

const replayUsage = `usage: paypage webhook replay --event evt_... [--actor NAME]

Queues the event's webhook for delivery again, with the same webhook-id, as
Standard Webhooks asks providers to offer: a receiver that already
processed it can tell it is a repeat. It goes to the order's (or the
merchant's) webhook URL as it is now, with a fresh retry schedule; a
running server sends it within its poll interval. Prints the event queued,
as JSON: event_id, event_name, merchant_id and order_id.

Flags:`

// replayWebhook runs `paypage webhook replay`.
func replayWebhook(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("webhook replay", flag.ContinueOnError)
	event := fs.String("event", "", "the event's id (evt_...), the webhook-id of its deliveries")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, replayUsage, stdout); help || err != nil {
		return err
	}
	if *event == "" {
		return fmt.Errorf("webhook replay needs --event evt_... (see --help)")
	}
	var r checkout.WebhookReplay
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		r, err = svc.ReplayWebhook(ctx, *actor, *event)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, r)
}
