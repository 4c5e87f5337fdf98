package postgres

import (
	"context"
	"time"

	"github.com/paypage/paypage/internal/checkout"
)

const saveLink = `
INSERT INTO amazon_links (merchant_id, customer_id, refresh_token_sealed, access_token_sealed, access_expires_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (merchant_id, customer_id) DO UPDATE SET
	refresh_token_sealed = EXCLUDED.refresh_token_sealed, access_token_sealed = EXCLUDED.access_token_sealed,
	access_expires_at = EXCLUDED.access_expires_at, updated_at = now()`

// SaveLink stores or replaces the customer's link.
func (d *DB) SaveLink(ctx context.Context, l checkout.SealedLink) error {
	var exp *time.Time
	if !l.AccessExpiry.IsZero() {
		exp = &l.AccessExpiry
	}
	_, err := d.db.ExecContext(ctx, saveLink, l.MerchantID, l.CustomerID, l.RefreshToken, l.AccessToken, exp)
	return mapErr(err, "amazon link")
}

const deleteLink = `DELETE FROM amazon_links WHERE merchant_id = $1 AND customer_id = $2`

// DeleteLink forgets the customer's link (revoked at Amazon).
func (d *DB) DeleteLink(ctx context.Context, merchantID, customerID string) error {
	_, err := d.db.ExecContext(ctx, deleteLink, merchantID, customerID)
	return mapErr(err, "amazon link")
}
