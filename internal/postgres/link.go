package postgres

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
)

type linkRow struct {
	MerchantID string         `db:"merchant_id"`
	CustomerID string         `db:"customer_id"`
	Provider   string         `db:"provider"`
	Method     string         `db:"method"`
	Refresh    []byte         `db:"refresh_token_sealed"`
	Access     []byte         `db:"access_token_sealed"`
	Expiry     sql.NullTime   `db:"access_expires_at"`
	RefusedFor pq.StringArray `db:"refused_for"`
}

func (r linkRow) link() checkout.SealedLink {
	return checkout.SealedLink{MerchantID: r.MerchantID, CustomerID: r.CustomerID, Provider: r.Provider, Method: r.Method,
		RefreshToken: r.Refresh, AccessToken: r.Access, AccessExpiry: r.Expiry.Time, RefusedFor: r.RefusedFor}
}

// epoch turns microseconds since 1970 (0: none) into a time.
func epoch(micros int64) sql.NullTime {
	if micros == 0 {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: time.UnixMicro(micros), Valid: true}
}

// splitList reads a comma-joined list ("" is none).
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

const linksOfCustomer = `
SELECT merchant_id, customer_id, provider, method, refresh_token_sealed, access_token_sealed, access_expires_at, refused_for
FROM links WHERE merchant_id = $1 AND customer_id = $2 ORDER BY provider, method`

// Links returns the customer's links with every provider.
func (d *DB) Links(ctx context.Context, merchantID, customerID string) ([]checkout.SealedLink, error) {
	var rows []linkRow
	if err := d.selectRows(ctx, &rows, linksOfCustomer, merchantID, customerID); err != nil {
		return nil, mapErr(err, "links")
	}
	out := make([]checkout.SealedLink, len(rows))
	for i, r := range rows {
		out[i] = r.link()
	}
	return out, nil
}

const saveLink = `
INSERT INTO links (merchant_id, customer_id, provider, method, refresh_token_sealed, access_token_sealed, access_expires_at, refused_for)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (merchant_id, customer_id, provider, method) DO UPDATE SET
	refresh_token_sealed = EXCLUDED.refresh_token_sealed, access_token_sealed = EXCLUDED.access_token_sealed,
	access_expires_at = EXCLUDED.access_expires_at, refused_for = EXCLUDED.refused_for, updated_at = now()`

// SaveLink stores or replaces the customer's link l, with its refusals (a
// fresh consent has none).
func (d *DB) SaveLink(ctx context.Context, l checkout.SealedLink) error {
	var exp *time.Time
	if !l.AccessExpiry.IsZero() {
		exp = &l.AccessExpiry
	}
	refused := pq.StringArray(l.RefusedFor)
	if refused == nil {
		refused = pq.StringArray{}
	}
	err := d.exec(ctx, saveLink, l.MerchantID, l.CustomerID, l.Provider, l.Method, l.RefreshToken, l.AccessToken, exp, refused)
	return mapErr(err, "link")
}

const deleteLink = `DELETE FROM links WHERE merchant_id = $1 AND customer_id = $2 AND provider = $3 AND method = $4`

// DeleteLink forgets link l (revoked at the provider).
func (d *DB) DeleteLink(ctx context.Context, l checkout.SealedLink) error {
	err := d.exec(ctx, deleteLink, l.MerchantID, l.CustomerID, l.Provider, l.Method)
	return mapErr(err, "link")
}

const refuseLink = `
UPDATE links SET refused_for = array_append(refused_for, $5), updated_at = now()
WHERE merchant_id = $1 AND customer_id = $2 AND provider = $3 AND method = $4 AND NOT ($5 = ANY (refused_for))`

// RefuseLink records that method refused link l's token.
func (d *DB) RefuseLink(ctx context.Context, l checkout.SealedLink, method string) error {
	err := d.exec(ctx, refuseLink, l.MerchantID, l.CustomerID, l.Provider, l.Method, method)
	return mapErr(err, "link")
}
