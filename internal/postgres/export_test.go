package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// TxGet is txGet for the package's external tests.
func (d *DB) TxGet(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	return d.txGet(ctx, tx, dest, query, args...)
}
