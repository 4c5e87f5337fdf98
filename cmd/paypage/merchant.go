package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/postgres"
)

const merchantUsage = `usage: paypage merchant <command> [flags]

Commands:
  create                 create a merchant; prints its credentials once, as JSON
  list                   list merchants: id, name, methods, created (--json for all settings)
  show --id ID           print a merchant's settings as JSON, never a secret
  update --id ID ...     change settings; only the flags given change
  rotate-api-key --id ID [--grace 24h]
                         issue a new API key; the old one works for the grace
  rotate-response-key --id ID
                         issue a new response key; returns are signed with it at once
  rotate-webhook-secret --id ID [--overlap 24h]
                         issue a new webhook secret; both sign for the overlap

Every change is recorded in the merchant_audit table with who made it
(--actor, by default the OS user) and when. Running servers see a change
within 10 seconds, the life of their merchant cache, and a changed logo
gets a new URL, so no browser keeps showing the old one.

Run "paypage merchant <command> --help" for a command's flags.`

// merchantCommand runs `paypage merchant <command>`.
func merchantCommand(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		return fmt.Errorf("merchant needs a command\n%s", merchantUsage)
	}
	cmd, args := args[0], args[1:]
	var run func(context.Context, config.Config, []string, func(string) string, io.Writer, *slog.Logger) error
	switch cmd {
	case "create":
		run = createMerchant
	case "list":
		run = listMerchants
	case "show":
		run = showMerchant
	case "update":
		run = updateMerchant
	case "rotate-api-key":
		run = rotateAPIKey
	case "rotate-response-key":
		run = rotateResponseKey
	case "rotate-webhook-secret":
		run = rotateWebhookSecret
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, merchantUsage)
		return nil
	default:
		return fmt.Errorf("unknown merchant command %q\n%s", cmd, merchantUsage)
	}
	return flagErrors("merchant "+cmd, run(ctx, cfg, args, getenv, stdout, log))
}

// parseFlags parses args into fs. On --help it prints usage and the flags
// on stdout and reports help, so that the command exits 0 having done
// nothing else; a parse error names the flag and points to --help.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) (help bool, err error) {
	fs.SetOutput(io.Discard) // errors are returned; help goes to stdout
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return true, nil
		}
		return false, fmt.Errorf("%s: %w (see --help)", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("%s: unexpected argument %q (see --help)", fs.Name(), fs.Arg(0))
	}
	return false, nil
}

// needID refuses a command run without --id.
func needID(fs *flag.FlagSet, id string) error {
	if id == "" {
		return fmt.Errorf("%s needs --id ID (see --help)", fs.Name())
	}
	return nil
}

// actorFlag adds --actor, by default the OS user running the command.
func actorFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("actor", osUser(getenv), "who makes the change, for the audit trail (default: the OS user)")
}

// osUser names the OS user, from the user database or else $USER.
func osUser(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return getenv("USER")
}

// flagErrors writes the fields of an invalid-input error as the flags they
// came from, so that the message names what to fix.
func flagErrors(cmd string, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = "--" + f.Field + ": " + f.Message
	}
	return fmt.Errorf("%s: %s", cmd, strings.Join(msgs, "; "))
}

// service runs fn with a merchant service on the database.
func service(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(*checkout.Service) error) error {
	return withDB(ctx, cfg, log, func(db *postgres.DB) error {
		return fn(checkout.NewService(db, checkout.Options{Logger: log, Timeline: db, Webhooks: db}))
	})
}

const createUsage = `usage: paypage merchant create --id ID --name NAME --return-url-prefix URL [...] [--default-return-url URL]
       [--webhook-url URL] [--return-method GET|POST] [--methods paylater,balance]
       [--logo FILE] [--brand-color HEX] [--support-email E] [--support-phone P] [--actor NAME]

Creates a merchant and prints its credentials once, as JSON: merchant_id,
api_key, response_key, webhook_username, webhook_password, webhook_secret.
Only hashes or the values needed to sign are kept; none is shown again.

--name is the display name shoppers see on the payment page; --display-name
is the same setting under another name. --logo is a PNG, JPEG or WebP file
of at most 64 KB and 1024x1024 pixels, judged by its content, kept in the
database and served from paypage's own origin. --brand-color colours the
buttons and accent and is refused unless white text on it has WCAG
contrast of at least 4.5:1. --support-email and --support-phone are shown
to shoppers when a payment fails, is declined or cannot be made.

Flags:`

func createMerchant(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant create", flag.ContinueOnError)
	var nm checkout.NewMerchant
	var prefixes stringList
	fs.StringVar(&nm.ID, "id", "", "merchant id (1-64 of A-Z a-z 0-9 _ -)")
	brandF := addBrandFlags(fs, false)
	fs.Var(&prefixes, "return-url-prefix", "allowed return URL prefix (repeatable)")
	fs.StringVar(&nm.DefaultReturnURL, "default-return-url", "", "return URL for sessions that name none")
	fs.StringVar(&nm.WebhookURL, "webhook-url", "", "where webhooks are sent")
	fs.StringVar(&nm.ReturnMethod, "return-method", "GET", "GET or POST")
	methods := fs.String("methods", "paylater,balance", "payment methods to offer, comma-separated: paylater, balance")
	fs.IntVar(&nm.MaxFailedAttempts, "max-failed-attempts", checkout.DefaultMaxFailedAttempts, "failed attempts on an order after which its page offers no retry, only paying another way (1-25)")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, createUsage, stdout); help || err != nil {
		return err
	}
	nm.ReturnURLPrefixes = prefixes
	if nm.MaxFailedAttempts == 0 {
		nm.MaxFailedAttempts = -1 // given as 0: refused, not taken as the default
	}
	var err error
	if nm.Methods, err = methodNames(*methods); err != nil {
		return err
	}
	if err := brandF.applyCreate(fs, &nm); err != nil {
		return err
	}
	var creds checkout.Credentials
	err = service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		creds, err = svc.CreateMerchant(ctx, *actor, nm)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, creds)
}

const listUsage = `usage: paypage merchant list [--json]

Lists the merchants by id: a table of id, name, methods and when created,
or with --json an array of their settings as "merchant show" prints them.
Never a secret.

Flags:`

func listMerchants(ctx context.Context, cfg config.Config, args []string, _ func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array of settings instead of a table")
	if help, err := parseFlags(fs, args, listUsage, stdout); help || err != nil {
		return err
	}
	var ms []checkout.Merchant
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		ms, err = svc.Merchants(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]checkout.MerchantSettings, len(ms))
		for i, m := range ms {
			out[i] = settings(m)
		}
		return printJSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tMETHODS\tCREATED")
	for _, m := range ms {
		methods := strings.Join(settings(m).Methods, ",")
		if methods == "" {
			methods = "all"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Name, methods, m.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

// settings is what the commands show of m, with its methods named as
// --methods names them.
func settings(m checkout.Merchant) checkout.MerchantSettings {
	s := m.Settings()
	for i, name := range s.Methods {
		for f, n := range methodFlags {
			if n == name {
				s.Methods[i] = f
			}
		}
	}
	return s
}

const showUsage = `usage: paypage merchant show --id ID

Prints the merchant's settings as JSON: merchant_id, name,
return_url_prefixes, default_return_url, webhook_url, webhook_username,
return_method, methods (as --methods names; empty offers all),
brand_color, support_email, support_phone, logo (its sha256 fingerprint,
content_type, size in bytes, width and height, or null), created_at, and
while a rotation's grace lasts, until when the previous API key or
webhook secret still works. Never a secret or a hash.

Flags:`

func showMerchant(ctx context.Context, cfg config.Config, args []string, _ func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant show", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	if help, err := parseFlags(fs, args, showUsage, stdout); help || err != nil {
		return err
	}
	if err := needID(fs, *id); err != nil {
		return err
	}
	var m checkout.Merchant
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		m, err = svc.MerchantByID(ctx, *id)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, settings(m))
}

const updateUsage = `usage: paypage merchant update --id ID [--name NAME] [--return-url-prefix URL [...]] [--default-return-url URL]
       [--webhook-url URL] [--return-method GET|POST] [--methods paylater,balance]
       [--logo FILE | --remove-logo] [--brand-color HEX] [--support-email E] [--support-phone P] [--actor NAME]

Changes the settings named by the flags given and leaves the others; the
result must pass the checks of create (so the default return URL must
still start with a return URL prefix). --return-url-prefix replaces the
whole list; an empty --default-return-url, --webhook-url, --brand-color,
--support-email or --support-phone clears it, and --logo "" or
--remove-logo removes the logo. --name (or --display-name) and the
branding flags follow the rules of create. Prints the settings as
"merchant show" does. Running servers use them within 10 seconds.

Flags:`

func updateMerchant(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("merchant update", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	brandF := addBrandFlags(fs, true)
	var prefixes stringList
	fs.Var(&prefixes, "return-url-prefix", "allowed return URL prefix (repeatable; replaces the list)")
	defaultURL := fs.String("default-return-url", "", "return URL for sessions that name none (empty: none)")
	webhookURL := fs.String("webhook-url", "", "where webhooks are sent (empty: none)")
	returnMethod := fs.String("return-method", "", "GET or POST")
	methods := fs.String("methods", "", "payment methods to offer, comma-separated: paylater, balance")
	maxFailed := fs.Int("max-failed-attempts", 0, "failed attempts on an order after which its page offers no retry (1-25)")
	actor := actorFlag(fs, getenv)
	if help, err := parseFlags(fs, args, updateUsage, stdout); help || err != nil {
		return err
	}
	if err := needID(fs, *id); err != nil {
		return err
	}
	var u checkout.MerchantUpdate
	set := visited(fs)
	if set["return-url-prefix"] {
		list := []string(prefixes)
		u.ReturnURLPrefixes = &list
	}
	if set["default-return-url"] {
		u.DefaultReturnURL = defaultURL
	}
	if set["webhook-url"] {
		u.WebhookURL = webhookURL
	}
	if set["return-method"] {
		u.ReturnMethod = returnMethod
	}
	if set["max-failed-attempts"] {
		u.MaxFailedAttempts = maxFailed
	}
	if set["methods"] {
		names, err := methodNames(*methods)
		if err != nil {
			return err
		}
		u.Methods = &names
	}
	if err := brandF.applyUpdate(set, &u); err != nil {
		return err
	}
	if u == (checkout.MerchantUpdate{}) {
		return errors.New("merchant update needs at least one of --name, --return-url-prefix, --default-return-url, --webhook-url, --return-method, --methods, " +
			"--logo, --remove-logo, --brand-color, --support-email, --support-phone (see --help)")
	}
	var m checkout.Merchant
	err := service(ctx, cfg, log, func(svc *checkout.Service) error {
		var err error
		m, err = svc.UpdateMerchant(ctx, *actor, *id, u)
		return err
	})
	if err != nil {
		return err
	}
	return printJSON(stdout, settings(m))
}
