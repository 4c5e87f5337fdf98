package postgres_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/paypage/paypage/internal/pgtest"
	"github.com/paypage/paypage/internal/webhook"
)

// migrateTo moves the schema of dsn to version, up or down.
func migrateTo(t *testing.T, dsn string, version uint) { pgtest.MigrateTo(t, dsn, version) }

// TestStandardWebhooksSecretsMigration stores secrets as paypage wrote them
// before migration 6, migrates up, and checks that each merchant's
// webhooks are signed with the same key as before (so a receiver set up
// with the old secret keeps verifying), that the stored secret is one the
// official library accepts, that secrets already in the new form are left
// alone, and that migrating down gives back exactly what was stored.
func TestStandardWebhooksSecretsMigration(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t, nil)
	migrateTo(t, dsn, 5)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	random32 := make([]byte, 32) // a key as paypage now issues, not valid UTF-8
	for i := range random32 {
		random32[i] = byte(0xe0 + i)
	}
	newForm := "whsec_" + base64.StdEncoding.EncodeToString(random32)
	textKey := "0123456789abcdef0123456789abcdef" // 32 key bytes that are also text
	old := map[string]string{
		// merchant create: unpadded base64url of 32 random bytes
		"issued": "whsec_" + base64.RawURLEncoding.EncodeToString(sha256.New().Sum(nil)),
		// the sandbox demo merchant: 40 hex digits, which are base64 characters too
		"demo": "whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
		// long enough for encode(..., 'base64') to break lines
		"long":    "whsec_" + strings.Repeat("a long webhook secret ", 8),
		"unicode": "whsec_ключ-ünïcode-秘密",
		"bare":    "no-prefix-secret",
	}
	for id, secret := range old {
		insertMerchant(t, db, id, secret)
	}
	insertMerchant(t, db, "newform", newForm)
	insertMerchant(t, db, "textkey", "whsec_"+base64.StdEncoding.EncodeToString([]byte(textKey)))

	migrateTo(t, dsn, 6)
	ts := time.Unix(1_750_000_000, 0)
	body := []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"o1"}}}`)
	stored := secrets(t, db)
	wellFormed := regexp.MustCompile(`^whsec_[A-Za-z0-9+/]*={0,2}$`)
	for id, before := range old {
		after := stored[id]
		if !wellFormed.MatchString(after) {
			t.Errorf("%s: %q after the migration is not whsec_ + standard base64 on one line", id, after)
		}
		// The key as paypage used it: the UTF-8 text after "whsec_".
		key := []byte(strings.TrimPrefix(before, "whsec_"))
		want := "v1," + base64.StdEncoding.EncodeToString(hmacSHA256(key, "evt_1."+"1750000000."+string(body)))
		got, err := webhook.Sign(after, "evt_1", ts, body)
		if err != nil || got != want {
			t.Errorf("%s: signature with the migrated secret %q = %q, %v; want %q as with the old key", id, after, got, err, want)
		}
		wh, err := standardwebhooks.NewWebhook(after)
		if err != nil {
			t.Errorf("%s: the official library refuses the migrated secret: %v", id, err)
			continue
		}
		if lib, _ := wh.Sign("evt_1", ts, body); lib != want {
			t.Errorf("%s: the official library signs %q, want %q", id, lib, want)
		}
	}
	if stored["newform"] != newForm || stored["textkey"] != "whsec_"+base64.StdEncoding.EncodeToString([]byte(textKey)) {
		t.Errorf("secrets already in the new form changed: %q, %q", stored["newform"], stored["textkey"])
	}
	var previous string
	var until sql.NullTime
	if err := db.QueryRow(`SELECT webhook_secret_previous, webhook_secret_previous_until FROM merchants WHERE id = 'issued'`).Scan(&previous, &until); err != nil {
		t.Fatal(err)
	}
	if previous != "" || until.Valid {
		t.Errorf("rotation columns start as %q, %v; want empty and NULL", previous, until)
	}

	migrateTo(t, dsn, 5)
	back := secrets(t, db)
	for id, before := range old {
		want := before
		if id == "bare" {
			want = "whsec_" + before // the same key to the older code, which strips the prefix
		}
		if back[id] != want {
			t.Errorf("%s: after migrating down %q, want %q", id, back[id], want)
		}
	}
	if back["newform"] != newForm {
		t.Errorf("a key that is not text changed on the way down: %q", back["newform"])
	}
	if back["textkey"] != "whsec_"+textKey {
		t.Errorf("a key that is text came down as %q, want it as text", back["textkey"])
	}
	migrateTo(t, dsn, 6)
	if again := secrets(t, db); again["newform"] != newForm || again["textkey"] != stored["textkey"] || again["issued"] != stored["issued"] {
		t.Errorf("up, down, up again: %q, %q, %q", again["newform"], again["textkey"], again["issued"])
	}
}

func insertMerchant(t *testing.T, db *sql.DB, id, secret string) {
	t.Helper()
	hash := sha256.Sum256([]byte(id))
	_, err := db.Exec(`INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password, webhook_secret)
		VALUES ($1, $1, $2, 'rk', 'user', 'pass', $3)`, id, hash[:], secret)
	if err != nil {
		t.Fatal(err)
	}
}

func secrets(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT id, webhook_secret FROM merchants`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
