package postgres

import (
	"context"
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
)

type orderRow struct {
	ID                  string         `db:"id"`
	MerchantID          string         `db:"merchant_id"`
	OrderID             string         `db:"order_id"`
	Amount              int64          `db:"amount"`
	Currency            string         `db:"currency"`
	CustomerID          string         `db:"customer_id"`
	CustomerEmail       string         `db:"customer_email"`
	CustomerPhone       string         `db:"customer_phone"`
	FirstName           string         `db:"first_name"`
	LastName            string         `db:"last_name"`
	Description         string         `db:"description"`
	ReturnURL           string         `db:"return_url"`
	WebhookURL          string         `db:"webhook_url"`
	PaymentPageClientID string         `db:"payment_page_client_id"`
	UDF                 pq.StringArray `db:"udf"`
	Status              string         `db:"status"`
	ExpiresAt           time.Time      `db:"expires_at"`
	CreatedAt           time.Time      `db:"created_at"`
	UpdatedAt           time.Time      `db:"updated_at"`
}

func (r orderRow) order() checkout.Order {
	o := checkout.Order{
		ID: r.ID, MerchantID: r.MerchantID, OrderID: r.OrderID, Amount: money.Paise(r.Amount),
		Currency: r.Currency, CustomerID: r.CustomerID, CustomerEmail: r.CustomerEmail,
		CustomerPhone: r.CustomerPhone, FirstName: r.FirstName, LastName: r.LastName,
		Description: r.Description, ReturnURL: r.ReturnURL, WebhookURL: r.WebhookURL,
		PaymentPageClientID: r.PaymentPageClientID, Status: checkout.Status(r.Status),
		ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	copy(o.UDF[:], r.UDF)
	return o
}

const orderColumns = `id, merchant_id, order_id, amount, currency, customer_id, customer_email,
	customer_phone, first_name, last_name, description, return_url, webhook_url,
	payment_page_client_id, udf, status, expires_at, created_at, updated_at`

// insertOrder relies on the (merchant_id, order_id) unique constraint, so
// concurrent identical creates make exactly one row; the losers get nothing
// back from RETURNING and read the winner's row.
const insertOrder = `
INSERT INTO orders (id, merchant_id, order_id, amount, currency, customer_id, customer_email,
	customer_phone, first_name, last_name, description, return_url, webhook_url,
	payment_page_client_id, udf, status, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (merchant_id, order_id) DO NOTHING
RETURNING ` + orderColumns

// InsertOrder stores o, or returns the merchant's existing order with the
// same order_id and created false.
func (d *DB) InsertOrder(ctx context.Context, o checkout.Order) (checkout.Order, bool, error) {
	var r orderRow
	err := d.db.GetContext(ctx, &r, insertOrder, o.ID, o.MerchantID, o.OrderID, int64(o.Amount),
		o.Currency, o.CustomerID, o.CustomerEmail, o.CustomerPhone, o.FirstName, o.LastName,
		o.Description, o.ReturnURL, o.WebhookURL, o.PaymentPageClientID, pq.StringArray(o.UDF[:]),
		string(o.Status), o.ExpiresAt)
	if err == nil {
		return r.order(), true, nil
	}
	if mapped := mapErr(err, "order"); !isNotFound(mapped) {
		return checkout.Order{}, false, mapped
	}
	existing, err := d.OrderByMerchantOrderID(ctx, o.MerchantID, o.OrderID)
	return existing, false, err
}

const orderByMerchantOrderID = `SELECT ` + orderColumns + ` FROM orders WHERE merchant_id = $1 AND order_id = $2`

// OrderByMerchantOrderID returns the merchant's order by its own id.
func (d *DB) OrderByMerchantOrderID(ctx context.Context, merchantID, orderID string) (checkout.Order, error) {
	var r orderRow
	if err := d.db.GetContext(ctx, &r, orderByMerchantOrderID, merchantID, orderID); err != nil {
		return checkout.Order{}, mapErr(err, "order")
	}
	return r.order(), nil
}

const orderByID = `SELECT ` + orderColumns + ` FROM orders WHERE id = $1`

// OrderByID returns an order by paypage's id.
func (d *DB) OrderByID(ctx context.Context, id string) (checkout.Order, error) {
	var r orderRow
	if err := d.db.GetContext(ctx, &r, orderByID, id); err != nil {
		return checkout.Order{}, mapErr(err, "order")
	}
	return r.order(), nil
}
