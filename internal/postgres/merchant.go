package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
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
	MaxFailedAttempts int            `db:"max_failed_attempts"`
	APIKeyPrevious    []byte         `db:"api_key_hash_previous"`
	APIKeyUntil       sql.NullTime   `db:"api_key_hash_previous_until"`
	WebhookUntil      sql.NullTime   `db:"webhook_secret_previous_until"`
	BrandColor        string         `db:"brand_color"`
	SupportEmail      string         `db:"support_email"`
	SupportPhone      string         `db:"support_phone"`
	logoRow
}

func (r merchantRow) merchant() checkout.Merchant {
	return checkout.Merchant{
		ID: r.ID, Name: r.Name, APIKeyHash: r.APIKeyHash, ResponseKey: r.ResponseKey,
		WebhookUsername: r.WebhookUsername, WebhookPassword: r.WebhookPassword, WebhookSecret: r.WebhookSecret,
		WebhookURL: r.WebhookURL, ReturnURLPrefixes: r.ReturnURLPrefixes, DefaultReturnURL: r.DefaultReturnURL,
		ReturnMethod: r.ReturnMethod, CreatedAt: r.CreatedAt, Methods: r.Methods, MaxFailedAttempts: r.MaxFailedAttempts,
		APIKeyHashPrevious: r.APIKeyPrevious, APIKeyPreviousUntil: r.APIKeyUntil.Time, WebhookPreviousUntil: r.WebhookUntil.Time,
		Brand: checkout.Brand{Color: r.BrandColor, SupportEmail: r.SupportEmail, SupportPhone: r.SupportPhone, Logo: r.logo()},
	}
}

// selectMerchants reads merchants (m) with the description of their logo,
// not its bytes; a query adds its WHERE and ORDER BY.
const selectMerchants = `SELECT m.id, m.name, m.api_key_hash, m.response_key, m.webhook_username, m.webhook_password,
	m.webhook_secret, m.webhook_url, m.return_url_prefixes, m.default_return_url, m.return_method, m.created_at, m.methods,
	m.api_key_hash_previous, m.api_key_hash_previous_until, m.webhook_secret_previous_until, m.max_failed_attempts,
	m.brand_color, m.support_email, m.support_phone, ` + logoDescription + `
FROM merchants m LEFT JOIN merchant_logos l ON l.merchant_id = m.id`

const insertMerchant = `
INSERT INTO merchants (id, name, api_key_hash, response_key, webhook_username, webhook_password,
	webhook_secret, webhook_url, return_url_prefixes, default_return_url, return_method, methods,
	brand_color, support_email, support_phone, max_failed_attempts)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

// CreateMerchant stores a new merchant with its audit entry c; an existing
// id is a Conflict.
func (d *DB) CreateMerchant(ctx context.Context, m checkout.Merchant, c checkout.MerchantChange) error {
	return d.Transact(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, insertMerchant, merchantArgs(m)...); err != nil {
			return mapErr(err, "merchant "+m.ID)
		}
		if err := putLogo(ctx, tx, m.ID, nil, m.Brand.Logo); err != nil {
			return err
		}
		return insertAudit(ctx, tx, c)
	})
}

const upsertMerchant = insertMerchant + `
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, api_key_hash = EXCLUDED.api_key_hash,
	response_key = EXCLUDED.response_key, webhook_username = EXCLUDED.webhook_username,
	webhook_password = EXCLUDED.webhook_password, webhook_secret = EXCLUDED.webhook_secret,
	webhook_url = EXCLUDED.webhook_url, return_url_prefixes = EXCLUDED.return_url_prefixes,
	default_return_url = EXCLUDED.default_return_url, return_method = EXCLUDED.return_method,
	methods = EXCLUDED.methods, max_failed_attempts = EXCLUDED.max_failed_attempts`

// UpsertMerchant creates the merchant or overwrites its settings and keys,
// keeping the brand of an existing one (set through merchant update).
func (d *DB) UpsertMerchant(ctx context.Context, m checkout.Merchant) error {
	_, err := d.db.ExecContext(ctx, upsertMerchant, merchantArgs(m)...)
	return mapErr(err, "merchant "+m.ID)
}

func merchantArgs(m checkout.Merchant) []any {
	return []any{m.ID, m.Name, m.APIKeyHash, m.ResponseKey, m.WebhookUsername, m.WebhookPassword,
		m.WebhookSecret, m.WebhookURL, pq.StringArray(m.ReturnURLPrefixes), m.DefaultReturnURL, m.ReturnMethod,
		nonNil(m.Methods), m.Brand.Color, m.Brand.SupportEmail, m.Brand.SupportPhone, storedMaxFailed(m.MaxFailedAttempts)}
}

// storedMaxFailed stores an unset max_failed_attempts as the default.
func storedMaxFailed(n int) int {
	if n <= 0 {
		return checkout.DefaultMaxFailedAttempts
	}
	return n
}

const merchantByID = selectMerchants + ` WHERE m.id = $1`

// MerchantByID returns the merchant with id, or NotFound.
func (d *DB) MerchantByID(ctx context.Context, id string) (checkout.Merchant, error) {
	var r merchantRow
	if err := d.get(ctx, &r, merchantByID, id); err != nil {
		return checkout.Merchant{}, mapErr(err, "merchant")
	}
	return r.merchant(), nil
}

const merchants = selectMerchants + ` ORDER BY m.id`

// Merchants returns every merchant, by id.
func (d *DB) Merchants(ctx context.Context) ([]checkout.Merchant, error) {
	var rows []merchantRow
	if err := d.db.SelectContext(ctx, &rows, merchants); err != nil {
		return nil, mapErr(err, "merchants")
	}
	out := make([]checkout.Merchant, len(rows))
	for i, r := range rows {
		out[i] = r.merchant()
	}
	return out, nil
}

const lockMerchant = merchantByID + ` FOR UPDATE OF m`

const updateMerchantSettings = `
UPDATE merchants
SET name = $2, return_url_prefixes = $3, default_return_url = $4, webhook_url = $5, return_method = $6, methods = $7,
	brand_color = $8, support_email = $9, support_phone = $10, max_failed_attempts = $11
WHERE id = $1`

// UpdateMerchant locks merchant id, stores the settings apply makes of it
// with the audit entry apply returns, and returns the merchant as stored.
// An unknown merchant is NotFound; an error from apply is returned as is.
func (d *DB) UpdateMerchant(ctx context.Context, id string,
	apply func(checkout.Merchant) (checkout.Merchant, checkout.MerchantChange, error)) (checkout.Merchant, error) {
	var out checkout.Merchant
	err := d.Transact(ctx, func(tx *sqlx.Tx) error {
		var r merchantRow
		if err := d.txGet(ctx, tx, &r, lockMerchant, id); err != nil {
			return mapErr(err, "merchant "+id)
		}
		old := r.merchant()
		m, c, err := apply(old)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, updateMerchantSettings, id, m.Name, pq.StringArray(m.ReturnURLPrefixes),
			m.DefaultReturnURL, m.WebhookURL, m.ReturnMethod, nonNil(m.Methods),
			m.Brand.Color, m.Brand.SupportEmail, m.Brand.SupportPhone, storedMaxFailed(m.MaxFailedAttempts))
		if err != nil {
			return mapErr(err, "merchant "+id)
		}
		if err := putLogo(ctx, tx, id, old.Brand.Logo, m.Brand.Logo); err != nil {
			return err
		}
		out = m
		return insertAudit(ctx, tx, c)
	})
	return out, err
}

// rotateAPIKey keeps the replaced hash beside the new one. A rotation within
// an earlier one's grace drops that earlier key, so at most two work.
const rotateAPIKey = `
UPDATE merchants
SET api_key_hash_previous = api_key_hash, api_key_hash = $2, api_key_hash_previous_until = $3
WHERE id = $1`

// RotateAPIKey makes hash the merchant's API key hash and keeps the one it
// replaces, accepted until previousUntil, writing audit entry c with it; an
// unknown merchant is NotFound.
func (d *DB) RotateAPIKey(ctx context.Context, id string, hash []byte, previousUntil time.Time, c checkout.MerchantChange) error {
	return d.changeMerchant(ctx, id, c, rotateAPIKey, id, hash, previousUntil)
}

const rotateResponseKey = `UPDATE merchants SET response_key = $2 WHERE id = $1`

// RotateResponseKey makes key the merchant's response key, writing audit
// entry c with it; an unknown merchant is NotFound.
func (d *DB) RotateResponseKey(ctx context.Context, id, key string, c checkout.MerchantChange) error {
	return d.changeMerchant(ctx, id, c, rotateResponseKey, id, key)
}

// rotateWebhookSecret keeps the replaced secret beside the new one. A
// rotation within an earlier one's overlap drops that earlier secret, so
// webhooks never carry more than two signatures.
const rotateWebhookSecret = `
UPDATE merchants
SET webhook_secret_previous = webhook_secret, webhook_secret = $2, webhook_secret_previous_until = $3
WHERE id = $1`

// RotateWebhookSecret makes secret the merchant's webhook secret and keeps
// the one it replaces for signing until previousUntil, writing audit entry
// c with it; an unknown merchant is NotFound.
func (d *DB) RotateWebhookSecret(ctx context.Context, id, secret string, previousUntil time.Time, c checkout.MerchantChange) error {
	return d.changeMerchant(ctx, id, c, rotateWebhookSecret, id, secret, previousUntil)
}

// changeMerchant runs update, which must touch merchant id's row, and
// writes audit entry c in the same transaction.
func (d *DB) changeMerchant(ctx context.Context, id string, c checkout.MerchantChange, update string, args ...any) error {
	return d.Transact(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return mapErr(err, "merchant "+id)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return mapErr(orNoRows(err), "merchant "+id)
		}
		return insertAudit(ctx, tx, c)
	})
}

// orNoRows is err, or sql.ErrNoRows when an update touched no row.
func orNoRows(err error) error {
	if err != nil {
		return err
	}
	return sql.ErrNoRows
}

const insertMerchantAudit = `
INSERT INTO merchant_audit (merchant_id, action, actor, changes, at) VALUES ($1, $2, $3, $4, $5)`

func insertAudit(ctx context.Context, tx *sqlx.Tx, c checkout.MerchantChange) error {
	var changes driver.Value = "{}"
	if c.Changes != nil {
		var err error
		if changes, err = jsonText(c.Changes); err != nil {
			return errs.Wrap(err, "merchant audit changes")
		}
	}
	_, err := tx.ExecContext(ctx, insertMerchantAudit, c.MerchantID, c.Action, c.Actor, changes, c.At)
	return mapErr(err, "merchant audit")
}

// nonNil stores a nil list as an empty array.
func nonNil(l []string) pq.StringArray {
	if l == nil {
		return pq.StringArray{}
	}
	return pq.StringArray(l)
}
