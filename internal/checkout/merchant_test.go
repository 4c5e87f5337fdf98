package checkout

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// decodeSecret reads a webhook secret as the Standard Webhooks libraries do.
func decodeSecret(t *testing.T, secret string) []byte {
	t.Helper()
	b64, ok := strings.CutPrefix(secret, "whsec_")
	key, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil {
		t.Fatalf("secret %q is not whsec_ + standard base64: %v", secret, err)
	}
	return key
}

func TestIssuedWebhookSecretIsStandardWebhooksForm(t *testing.T) {
	c, err := IssueCredentials("acme")
	if err != nil {
		t.Fatal(err)
	}
	if key := decodeSecret(t, c.WebhookSecret); len(key) != 32 {
		t.Errorf("key of %q is %d bytes, want 32", c.WebhookSecret, len(key))
	}
	if key := []byte{0xfb, 0xff, 0x00}; !bytes.Equal(decodeSecret(t, EncodeWebhookSecret(key)), key) {
		t.Errorf("EncodeWebhookSecret does not round-trip: %q", EncodeWebhookSecret(key))
	}
}

func TestRotateWebhookSecret(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var logs bytes.Buffer
	var gotID, gotSecret string
	var gotUntil time.Time
	var gotChange MerchantChange
	store := &fakeStore{RotateSecretFn: func(_ context.Context, id, secret string, until time.Time, c MerchantChange) error {
		if id != "acme" {
			return errs.E(errs.NotFound, "", "merchant not found")
		}
		gotID, gotSecret, gotUntil, gotChange = id, secret, until, c
		return nil
	}}
	svc := NewService(store, Options{Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	r, err := svc.RotateWebhookSecret(context.Background(), "ops", "acme", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r.MerchantID != "acme" || r.WebhookSecret != gotSecret || gotID != "acme" {
		t.Errorf("rotation = %+v, stored %s %q", r, gotID, gotSecret)
	}
	if key := decodeSecret(t, r.WebhookSecret); len(key) != 32 {
		t.Errorf("new key is %d bytes, want 32", len(key))
	}
	if want := now.Add(24 * time.Hour); !r.PreviousValidUntil.Equal(want) || !gotUntil.Equal(want) {
		t.Errorf("previous valid until %s (stored %s), want %s", r.PreviousValidUntil, gotUntil, want)
	}
	if c := gotChange; c.MerchantID != "acme" || c.Action != ActionRotateWebhookSecret || c.Actor != "ops" || !c.At.Equal(now) ||
		c.Changes["webhook_secret"] != "rotated" || c.Changes["previous_webhook_secret_valid_until"] != now.Add(24*time.Hour) {
		t.Errorf("audit entry = %+v, want acme's webhook secret rotated by ops now, without the secret", c)
	}
	if line := logs.String(); !strings.Contains(line, "merchant_id=acme") || !strings.Contains(line, "rotated") ||
		strings.Contains(line, strings.TrimPrefix(r.WebhookSecret, "whsec_")) {
		t.Errorf("audit line = %q, want the merchant and the rotation without the secret", line)
	}

	if _, err := svc.RotateWebhookSecret(context.Background(), "ops", "nobody", time.Hour); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v, want NotFound", err)
	}
	if _, err := svc.RotateWebhookSecret(context.Background(), "ops", "acme", -time.Second); !errs.Is(err, errs.Invalid) {
		t.Errorf("negative overlap: %v, want Invalid", err)
	}
	if _, err := svc.RotateWebhookSecret(context.Background(), " ", "acme", time.Hour); !errs.Is(err, errs.Invalid) {
		t.Errorf("no actor: %v, want Invalid", err)
	}
}

// Two sandbox servers on one database, each on its own port, both ensure
// the demo merchant: the second must not take away the first's prefixes,
// or the first server's shop could no longer send shoppers back.
func TestEnsureMerchantKeepsOtherServersPrefixes(t *testing.T) {
	stored := map[string]Merchant{}
	store := &fakeStore{
		MerchantByIDFn: func(_ context.Context, id string) (Merchant, error) {
			if m, ok := stored[id]; ok {
				return m, nil
			}
			return Merchant{}, errs.E(errs.NotFound, "", "merchant not found")
		},
		UpsertMerchantFn: func(_ context.Context, m Merchant) error { stored[m.ID] = m; return nil },
	}
	svc := NewService(store, Options{})
	c, err := IssueCredentials("demo")
	if err != nil {
		t.Fatal(err)
	}
	ensure := func(base string) {
		t.Helper()
		shop := base + "/sandbox/shop/"
		if err := svc.EnsureMerchant(context.Background(), NewMerchant{ID: "demo", Name: "Demo Shop",
			ReturnURLPrefixes: []string{shop}, DefaultReturnURL: shop + "return"}, c); err != nil {
			t.Fatal(err)
		}
	}
	ensure("http://localhost:8080")
	ensure("http://localhost:8081")
	ensure("http://localhost:8080") // the first restarts
	got := stored["demo"].ReturnURLPrefixes
	want := []string{"http://localhost:8081/sandbox/shop/", "http://localhost:8080/sandbox/shop/"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("prefixes %q, want %q", got, want)
	}
	if d := stored["demo"].DefaultReturnURL; d != "http://localhost:8080/sandbox/shop/return" {
		t.Errorf("default return URL %q, want the last server's", d)
	}
	for i := range 20 {
		ensure("http://localhost:" + strconv.Itoa(9000+i))
	}
	if n := len(stored["demo"].ReturnURLPrefixes); n != maxEnsuredPrefixes {
		t.Errorf("%d prefixes kept, want at most %d", n, maxEnsuredPrefixes)
	}
}
