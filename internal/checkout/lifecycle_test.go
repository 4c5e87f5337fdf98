package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// lifecycleMerchant is a valid stored merchant for the update rules.
func lifecycleMerchant(t *testing.T) Merchant {
	t.Helper()
	c, err := IssueCredentials("acme")
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildMerchant(NewMerchant{ID: "acme", Name: "Acme", ReturnURLPrefixes: []string{"https://acme.example/"},
		DefaultReturnURL: "https://acme.example/done", WebhookURL: "https://acme.example/hooks", Methods: []string{"TESTWALLET"}}, c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fieldOf returns the first field an Invalid error names.
func fieldOf(err error) string {
	var e *errs.Error
	if !errs.Is(err, errs.Invalid) || !errors.As(err, &e) || len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Field
}

func TestApplyUpdateChangesOnlyTheGivenSettings(t *testing.T) {
	m := lifecycleMerchant(t)
	got, changes, err := ApplyUpdate(m, MerchantUpdate{Name: ptr(" Acme Ltd "), ReturnMethod: ptr("post")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Ltd" || got.ReturnMethod != ReturnPOST {
		t.Errorf("name %q, return method %q; want them changed", got.Name, got.ReturnMethod)
	}
	if got.DefaultReturnURL != m.DefaultReturnURL || got.WebhookURL != m.WebhookURL || !slices.Equal(got.ReturnURLPrefixes, m.ReturnURLPrefixes) ||
		!slices.Equal(got.Methods, m.Methods) || got.ResponseKey != m.ResponseKey || string(got.APIKeyHash) != string(m.APIKeyHash) ||
		got.WebhookSecret != m.WebhookSecret {
		t.Errorf("settings not given or secrets changed: %+v", got)
	}
	if len(changes) != 2 || changes["name"] != "Acme Ltd" || changes["return_method"] != ReturnPOST {
		t.Errorf("changes = %v, want name and return_method with their new values", changes)
	}

	// A new list replaces the old one, and clearing a URL is a change.
	got, changes, err = ApplyUpdate(m, MerchantUpdate{ReturnURLPrefixes: ptr([]string{"https://new.example/", "https://acme.example/"}),
		WebhookURL: ptr(""), Methods: ptr([]string{})})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.ReturnURLPrefixes, []string{"https://new.example/", "https://acme.example/"}) || got.WebhookURL != "" || len(got.Methods) != 0 {
		t.Errorf("after replacing lists: %+v", got)
	}
	if b, _ := json.Marshal(changes); string(b) != `{"methods":[],"return_url_prefixes":["https://new.example/","https://acme.example/"],"webhook_url":""}` {
		t.Errorf("changes = %s", b)
	}
}

func TestApplyUpdateKeepsTheRulesOfCreate(t *testing.T) {
	m := lifecycleMerchant(t)
	for _, tt := range []struct {
		name  string
		u     MerchantUpdate
		field string
	}{
		{"nothing", MerchantUpdate{}, "update"},
		{"blank name", MerchantUpdate{Name: ptr("  ")}, "name"},
		{"no prefixes", MerchantUpdate{ReturnURLPrefixes: ptr([]string{})}, "return-url-prefix"},
		{"bad prefix", MerchantUpdate{ReturnURLPrefixes: ptr([]string{"https://acme.example/?q"})}, "return-url-prefix"},
		// The stored default return URL must still match the new prefixes.
		{"prefixes leave the default out", MerchantUpdate{ReturnURLPrefixes: ptr([]string{"https://other.example/"})}, "default-return-url"},
		{"default outside the prefixes", MerchantUpdate{DefaultReturnURL: ptr("https://evil.example/")}, "default-return-url"},
		{"bad webhook URL", MerchantUpdate{WebhookURL: ptr("not a url")}, "webhook-url"},
		{"bad return method", MerchantUpdate{ReturnMethod: ptr("PUT")}, "return-method"},
		{"method twice", MerchantUpdate{Methods: ptr([]string{"A", "A"})}, "methods"},
	} {
		if _, _, err := ApplyUpdate(m, tt.u); fieldOf(err) != tt.field {
			t.Errorf("%s: %v, want Invalid naming %s", tt.name, err, tt.field)
		}
	}
}

func TestUpdateMerchantRecordsTheChangeAndDropsTheCache(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	stored := lifecycleMerchant(t)
	reads := 0
	var got MerchantChange
	f := &fakeStore{
		MerchantByIDFn: func(context.Context, string) (Merchant, error) { reads++; return stored, nil },
		UpdateMerchantFn: func(_ context.Context, id string, apply func(Merchant) (Merchant, MerchantChange, error)) (Merchant, error) {
			if id != "acme" {
				return Merchant{}, errs.E(errs.NotFound, "", "merchant not found")
			}
			m, c, err := apply(stored)
			if err != nil {
				return Merchant{}, err
			}
			stored, got = m, c
			return m, nil
		},
	}
	svc := NewService(f, Options{Now: func() time.Time { return now }, Logger: quiet})
	ctx := context.Background()
	if _, err := svc.merchant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	m, err := svc.UpdateMerchant(ctx, "ops", "acme", MerchantUpdate{Name: ptr("Acme Ltd")})
	if err != nil || m.Name != "Acme Ltd" {
		t.Fatalf("update = %+v, %v", m, err)
	}
	if got.MerchantID != "acme" || got.Action != ActionUpdate || got.Actor != "ops" || !got.At.Equal(now) || got.Changes["name"] != "Acme Ltd" {
		t.Errorf("audit entry = %+v", got)
	}
	if cached, _ := svc.merchant(ctx, "acme"); cached.Name != "Acme Ltd" || reads != 2 {
		t.Errorf("after the update the service sees %q after %d reads; want the new name, read again", cached.Name, reads)
	}
	if _, err := svc.UpdateMerchant(ctx, "ops", "nobody", MerchantUpdate{Name: ptr("X")}); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
	if _, err := svc.UpdateMerchant(ctx, "", "acme", MerchantUpdate{Name: ptr("X")}); fieldOf(err) != "actor" {
		t.Errorf("no actor: %v", err)
	}
}

// Until its grace ends a replaced key works beside the new one; after that,
// and for any other key, Authenticate refuses, cached record or not.
func TestAuthenticateAcceptsThePreviousKeyDuringItsGrace(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	stored := lifecycleMerchant(t)
	oldKey := "pk_old"
	stored.APIKeyHash = HashAPIKey(oldKey)
	var change MerchantChange
	f := &fakeStore{
		MerchantByIDFn: func(context.Context, string) (Merchant, error) { return stored, nil },
		RotateAPIKeyFn: func(_ context.Context, id string, hash []byte, until time.Time, c MerchantChange) error {
			if id != "acme" {
				return errs.E(errs.NotFound, "", "merchant not found")
			}
			stored.APIKeyHashPrevious, stored.APIKeyHash, stored.APIKeyPreviousUntil, change = stored.APIKeyHash, hash, until, c
			return nil
		},
	}
	svc := NewService(f, Options{Now: func() time.Time { return now }, Logger: quiet})
	ctx := context.Background()
	if _, err := svc.Authenticate(ctx, "acme", oldKey); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	r, err := svc.RotateAPIKey(ctx, "ops", "acme", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.APIKey, "pk_") || r.MerchantID != "acme" || !r.PreviousValidUntil.Equal(now.Add(time.Hour)) {
		t.Errorf("rotation = %+v", r)
	}
	if change.Action != ActionRotateAPIKey || change.Actor != "ops" || change.Changes["api_key"] != "rotated" || len(change.Changes) != 2 {
		t.Errorf("audit entry = %+v", change)
	}
	if b, _ := json.Marshal(change.Changes); strings.Contains(string(b), r.APIKey) {
		t.Errorf("audit changes carry the key: %s", b)
	}
	for _, key := range []string{r.APIKey, oldKey} {
		if _, err := svc.Authenticate(ctx, "acme", key); err != nil {
			t.Errorf("within the grace, %q: %v", key, err)
		}
	}
	now = now.Add(time.Hour) // the grace ends, the record still cached
	if _, err := svc.Authenticate(ctx, "acme", oldKey); errs.CodeOf(err) != "access_denied" {
		t.Errorf("old key after the grace: %v, want access_denied", err)
	}
	if _, err := svc.Authenticate(ctx, "acme", r.APIKey); err != nil {
		t.Errorf("new key after the grace: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "acme", "pk_other"); errs.CodeOf(err) != "access_denied" {
		t.Errorf("another key: %v", err)
	}

	for _, g := range []time.Duration{-time.Second, MaxAPIKeyGrace + time.Second} {
		if _, err := svc.RotateAPIKey(ctx, "ops", "acme", g); fieldOf(err) != "grace" {
			t.Errorf("grace %s: %v, want Invalid naming grace", g, err)
		}
	}
	if _, err := svc.RotateAPIKey(ctx, "ops", "nobody", time.Hour); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
}

// A merchant never rotated has no previous key; an empty key matches none.
func TestAuthenticateWithoutAPreviousKey(t *testing.T) {
	stored := lifecycleMerchant(t)
	stored.APIKeyPreviousUntil = time.Now().Add(time.Hour) // grace without a key must not let anything in
	svc := NewService(&fakeStore{MerchantByIDFn: func(context.Context, string) (Merchant, error) { return stored, nil }}, Options{Logger: quiet})
	for _, key := range []string{"x", "pk_"} {
		if _, err := svc.Authenticate(context.Background(), "acme", key); errs.CodeOf(err) != "access_denied" {
			t.Errorf("%q: %v", key, err)
		}
	}
}

func TestRotateResponseKeyAndCreateAudit(t *testing.T) {
	var rotated, created MerchantChange
	var key string
	f := &fakeStore{
		RotateRespKeyFn: func(_ context.Context, id, k string, c MerchantChange) error { key, rotated = k, c; return nil },
		CreateMerchantFn: func(_ context.Context, m Merchant, c MerchantChange) error {
			created = c
			return nil
		},
	}
	svc := NewService(f, Options{Logger: quiet})
	ctx := context.Background()
	r, err := svc.RotateResponseKey(ctx, "ops", "acme")
	if err != nil || r.ResponseKey != key || !strings.HasPrefix(key, "rk_") || r.MerchantID != "acme" {
		t.Fatalf("rotation = %+v, stored %q, %v", r, key, err)
	}
	if rotated.Action != ActionRotateResponseKey || rotated.Actor != "ops" || len(rotated.Changes) != 1 || rotated.Changes["response_key"] != "rotated" {
		t.Errorf("audit entry = %+v", rotated)
	}
	if _, err := svc.RotateResponseKey(ctx, "", "acme"); fieldOf(err) != "actor" {
		t.Errorf("no actor: %v", err)
	}

	creds, err := svc.CreateMerchant(ctx, "ops", NewMerchant{ID: "acme", Name: "Acme", ReturnURLPrefixes: []string{"https://acme.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(created.Changes)
	if created.Action != ActionCreate || created.Actor != "ops" || created.Changes["name"] != "Acme" || created.Changes["api_key"] != "issued" {
		t.Errorf("audit entry = %+v", created)
	}
	for _, secret := range []string{creds.APIKey, creds.ResponseKey, creds.WebhookPassword, strings.TrimPrefix(creds.WebhookSecret, "whsec_")} {
		if strings.Contains(string(b), secret) {
			t.Errorf("audit changes %s carry a secret", b)
		}
	}
	if _, err := svc.CreateMerchant(ctx, " ", NewMerchant{ID: "acme"}); fieldOf(err) != "actor" {
		t.Errorf("no actor: %v", err)
	}
}

func TestSettingsShowNoSecret(t *testing.T) {
	m := lifecycleMerchant(t)
	m.APIKeyHashPrevious = []byte("previous-hash")
	m.APIKeyPreviousUntil = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := json.Marshal(m.Settings())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{m.ResponseKey, m.WebhookPassword, strings.TrimPrefix(m.WebhookSecret, "whsec_"), "hash"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("settings %s show a secret", b)
		}
	}
	if !strings.Contains(string(b), `"previous_api_key_valid_until":"2030-01-01T00:00:00Z"`) || strings.Contains(string(b), "previous_webhook") {
		t.Errorf("settings %s: want the API key's grace and no webhook secret grace", b)
	}
}
