package postgres

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"

	"github.com/paypage/paypage/internal/brand"
)

// logoRow is the description of a merchant's logo as merchant queries read
// it through a LEFT JOIN: all NULL when the merchant has none.
type logoRow struct {
	LogoSHA256 sql.NullString `db:"logo_sha256"`
	LogoType   sql.NullString `db:"logo_content_type"`
	LogoSize   sql.NullInt64  `db:"logo_size"`
	LogoWidth  sql.NullInt64  `db:"logo_width"`
	LogoHeight sql.NullInt64  `db:"logo_height"`
}

// logoDescription selects a logoRow from merchant_logos l.
const logoDescription = `l.sha256 AS logo_sha256, l.content_type AS logo_content_type,
	octet_length(l.data) AS logo_size, l.width AS logo_width, l.height AS logo_height`

func (r logoRow) logo() *brand.Logo {
	if !r.LogoSHA256.Valid {
		return nil
	}
	return &brand.Logo{SHA256: r.LogoSHA256.String, ContentType: r.LogoType.String, Size: int(r.LogoSize.Int64),
		Width: int(r.LogoWidth.Int64), Height: int(r.LogoHeight.Int64)}
}

const merchantLogo = `
SELECT sha256, content_type, width, height, data FROM merchant_logos WHERE merchant_id = $1`

// MerchantLogo returns merchant id's logo with its bytes, or NotFound if
// it has none.
func (d *DB) MerchantLogo(ctx context.Context, id string) (brand.Logo, error) {
	var l brand.Logo
	err := d.queryRow(ctx, merchantLogo, id).Scan(&l.SHA256, &l.ContentType, &l.Width, &l.Height, &l.Data)
	if err != nil {
		return brand.Logo{}, mapErr(err, "logo of merchant "+id)
	}
	l.Size = len(l.Data)
	return l, nil
}

const (
	deleteLogo = `DELETE FROM merchant_logos WHERE merchant_id = $1`
	insertLogo = `
INSERT INTO merchant_logos (merchant_id, sha256, content_type, width, height, data) VALUES ($1, $2, $3, $4, $5, $6)`
)

// putLogo replaces merchant id's logo old with l (nil: none) when they
// differ. A new logo carries its bytes; an unchanged one need not.
func putLogo(ctx context.Context, tx *sqlx.Tx, id string, old, l *brand.Logo) error {
	if old == nil && l == nil || old != nil && l != nil && old.SHA256 == l.SHA256 {
		return nil
	}
	if old != nil {
		if _, err := tx.ExecContext(ctx, deleteLogo, id); err != nil {
			return mapErr(err, "logo of merchant "+id)
		}
	}
	if l == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, insertLogo, id, l.SHA256, l.ContentType, l.Width, l.Height, l.Data)
	return mapErr(err, "logo of merchant "+id)
}
