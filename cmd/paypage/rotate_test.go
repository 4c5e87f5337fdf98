package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/postgres"
)

// TestMerchantRotateWebhookSecret runs `paypage merchant create` and then
// `paypage merchant rotate-webhook-secret` as the binary would, on a
// shared test database.
func TestMerchantRotateWebhookSecret(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t, apptest.Migrate), "PAYPAGE_DATA_DIR": t.TempDir()}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := dispatch(t.Context(), args, func(k string) string { return env[k] }, &out, log)
		return out.String(), err
	}

	out, err := run("merchant", "rotate-webhook-secret", "--help")
	if err != nil || !strings.Contains(out, "usage: paypage merchant rotate-webhook-secret --id ID") || !strings.Contains(out, "-overlap") {
		t.Errorf("--help = %v, printed:\n%s", err, out)
	}

	out, err = run("merchant", "create", "--id", "acme", "--name", "Acme", "--return-url-prefix", "https://acme.example/")
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]string
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("merchant create printed %q: %v", out, err)
	}

	start := time.Now()
	out, err = run("merchant", "rotate-webhook-secret", "--id", "acme", "--overlap", "2h")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		MerchantID string    `json:"merchant_id"`
		Secret     string    `json:"webhook_secret"`
		Until      time.Time `json:"previous_secret_valid_until"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("rotate-webhook-secret printed %q: %v", out, err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Secret, "whsec_"))
	if r.MerchantID != "acme" || !strings.HasPrefix(r.Secret, "whsec_") || err != nil || len(key) != 32 || r.Secret == creds["webhook_secret"] {
		t.Errorf("rotation printed %+v; want acme's new whsec_ secret of 32 key bytes", r)
	}
	if lo, hi := start.Add(2*time.Hour-time.Second), time.Now().Add(2*time.Hour); r.Until.Before(lo) || r.Until.After(hi) {
		t.Errorf("previous secret valid until %s, want two hours from now", r.Until)
	}
	if audit := logs.String(); !strings.Contains(audit, "webhook secret rotated") || !strings.Contains(audit, "merchant_id=acme") ||
		strings.Contains(audit, strings.TrimPrefix(r.Secret, "whsec_")) || strings.Contains(audit, strings.TrimPrefix(creds["webhook_secret"], "whsec_")) {
		t.Errorf("audit log = %q, want the rotation of acme and no secret", audit)
	}

	// The store keeps both, so the dispatcher signs with both.
	err = withDB(t.Context(), mustConfig(t, env), log, func(db *postgres.DB) error {
		var row struct {
			Secret   string    `db:"webhook_secret"`
			Previous string    `db:"webhook_secret_previous"`
			Until    time.Time `db:"webhook_secret_previous_until"`
		}
		if err := db.SQL().Get(&row, `SELECT webhook_secret, webhook_secret_previous, webhook_secret_previous_until FROM merchants WHERE id = 'acme'`); err != nil {
			return err
		}
		if row.Secret != r.Secret || row.Previous != creds["webhook_secret"] || !row.Until.Equal(r.Until) {
			t.Errorf("stored %q, previous %q until %s; want the printed secret and the created one until %s", row.Secret, row.Previous, row.Until, r.Until)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := run("merchant", "rotate-webhook-secret", "--id", "nobody"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown merchant: %v", err)
	}
	if _, err := run("merchant", "rotate-webhook-secret"); err == nil {
		t.Error("no --id accepted")
	}
	if _, err := run("merchant", "rotate-webhook-secret", "--id", "acme", "--overlap", "-1h"); err == nil {
		t.Error("negative overlap accepted")
	}
}

func mustConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
