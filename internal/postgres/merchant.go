package postgres

import (
	"context"
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
)

type merchantRow struct {
	ID                string         `db:"id"`
	Name              string         `db:"name"`
	APIKeyHash        []byte         `db:"api_key_hash"`
	ResponseKey       string         `db:"response_key"`
	WebhookUsername   string         `db:"webhook_username"`
	WebhookPassword   string         `db:"webhook_password"`
	WebhookSecret     string         `db:"webhook_secret"`
	WebhookURL        string         `db:"webhook_url"`
	ReturnURLPrefixes pq.StringArray `db:"return_url_prefixes"`
	DefaultReturnURL  string         `db:"default_return_url"`
	ReturnMethod      string         `db:"return_method"`
	CreatedAt         time.Time      `db:"created_at"`
	Methods           pq.StringArray `db:"methods"`
}

func (r merchantRow) merchant() checkout.Merchant {
	return checkout.Merchant{
		ID: r.ID, Name: r.Name, APIKeyHash: r.APIKeyHash, ResponseKey: r.ResponseKey,
		WebhookUsername: r.WebhookUsername, WebhookPassword: r.WebhookPassword, WebhookSecret: r.WebhookSecret,
		WebhookURL: r.WebhookURL, ReturnURLPrefixes: r.ReturnURLPrefixes, DefaultReturnURL: r.DefaultReturnURL,
		ReturnMethod: r.ReturnMethod, CreatedAt: r.CreatedAt, Methods: r.Methods,
	}
}

const merchantColumns = `id, name, api_key_hash, response_key, webhook_username, webhook_password,
	webhook_secret, webhook_url, return_url_prefixes, default_return_url, return_method, created_at, methods`

const insertMerchant = `
INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password,
	webhook_secret, webhook_url, return_url_prefixes, default_return_url, return_method, methods)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

// CreateMerchant stores a new merchant; an existing id is a Conflict.
func (d *DB) CreateMerchant(ctx context.Context, m checkout.Merchant) error {
	_, err := d.db.ExecContext(ctx, insertMerchant, merchantArgs(m)...)
	return mapErr(err, "merchant "+m.ID)
}

const upsertMerchant = insertMerchant + `
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, api_key_hash = EXCLUDED.api_key_hash,
	response_key = EXCLUDED.response_key, webhook_username = EXCLUDED.webhook_username,
	webhook_password = EXCLUDED.webhook_password, webhook_secret = EXCLUDED.webhook_secret,
	webhook_url = EXCLUDED.webhook_url, return_url_prefixes = EXCLUDED.return_url_prefixes,
	default_return_url = EXCLUDED.default_return_url, return_method = EXCLUDED.return_method,
	methods = EXCLUDED.methods`

// UpsertMerchant creates the merchant or overwrites its settings and keys.
func (d *DB) UpsertMerchant(ctx context.Context, m checkout.Merchant) error {
	_, err := d.db.ExecContext(ctx, upsertMerchant, merchantArgs(m)...)
	return mapErr(err, "merchant "+m.ID)
}

func merchantArgs(m checkout.Merchant) []any {
	return []any{m.ID, m.Name, m.APIKeyHash, m.ResponseKey, m.WebhookUsername, m.WebhookPassword,
		m.WebhookSecret, m.WebhookURL, pq.StringArray(m.ReturnURLPrefixes), m.DefaultReturnURL, m.ReturnMethod,
		nonNil(m.Methods)}
}

const merchantByID = `SELECT ` + merchantColumns + ` FROM merchants WHERE id = $1`

// MerchantByID returns the merchant with id, or NotFound.
func (d *DB) MerchantByID(ctx context.Context, id string) (checkout.Merchant, error) {
	var r merchantRow
	if err := d.get(ctx, &r, merchantByID, id); err != nil {
		return checkout.Merchant{}, mapErr(err, "merchant")
	}
	return r.merchant(), nil
}

// rotateWebhookSecret keeps the replaced secret beside the new one. A
// rotation within an earlier one's overlap drops that earlier secret, so
// webhooks never carry more than two signatures.
const rotateWebhookSecret = `
UPDATE merchants
SET webhook_secret_previous = webhook_secret, webhook_secret = $2, webhook_secret_previous_until = $3
WHERE id = $1
RETURNING id`

// RotateWebhookSecret makes secret the merchant's webhook secret and keeps
// the one it replaces for signing until previousUntil; an unknown merchant
// is NotFound.
func (d *DB) RotateWebhookSecret(ctx context.Context, id, secret string, previousUntil time.Time) error {
	var got string
	if err := d.get(ctx, &got, rotateWebhookSecret, id, secret, previousUntil); err != nil {
		return mapErr(err, "merchant")
	}
	return nil
}

// nonNil stores a nil list as an empty array.
func nonNil(l []string) pq.StringArray {
	if l == nil {
		return pq.StringArray{}
	}
	return pq.StringArray(l)
}
