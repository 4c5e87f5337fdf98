package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
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
	Metadata            stringMap      `db:"metadata"`
	PaymentFilter       filterJSON     `db:"payment_filter"`
	Language            string         `db:"language"`
}

func (r orderRow) order() checkout.Order {
	o := checkout.Order{
		ID: r.ID, MerchantID: r.MerchantID, OrderID: r.OrderID, Amount: money.Paise(r.Amount),
		Currency: r.Currency, CustomerID: r.CustomerID, CustomerEmail: r.CustomerEmail,
		CustomerPhone: r.CustomerPhone, FirstName: r.FirstName, LastName: r.LastName,
		Description: r.Description, ReturnURL: r.ReturnURL, WebhookURL: r.WebhookURL,
		PaymentPageClientID: r.PaymentPageClientID, Status: checkout.Status(r.Status),
		ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Metadata: r.Metadata,
		PaymentFilter: r.PaymentFilter.f, Language: r.Language,
	}
	copy(o.UDF[:], r.UDF)
	return o
}

const orderColumns = `id, merchant_id, order_id, amount, currency, customer_id, customer_email,
	customer_phone, first_name, last_name, description, return_url, webhook_url,
	payment_page_client_id, udf, status, expires_at, created_at, updated_at, metadata, payment_filter, language`

// insertOrder relies on the (merchant_id, order_id) unique constraint, so
// concurrent identical creates make exactly one row; the losers get nothing
// back from RETURNING and read the winner's row.
const insertOrder = `
INSERT INTO orders (id, merchant_id, order_id, amount, currency, customer_id, customer_email,
	customer_phone, first_name, last_name, description, return_url, webhook_url,
	payment_page_client_id, udf, status, expires_at, metadata, payment_filter, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
ON CONFLICT (merchant_id, order_id) DO NOTHING
RETURNING created_at, updated_at`

// InsertOrder stores o, or returns the merchant's existing order with the
// same order_id and created false.
func (d *DB) InsertOrder(ctx context.Context, o checkout.Order) (checkout.Order, bool, error) {
	// Only the stamps come back: the rest is what was sent.
	err := d.queryRow(ctx, insertOrder, o.ID, o.MerchantID, o.OrderID, int64(o.Amount),
		o.Currency, o.CustomerID, o.CustomerEmail, o.CustomerPhone, o.FirstName, o.LastName,
		o.Description, o.ReturnURL, o.WebhookURL, o.PaymentPageClientID, pq.StringArray(o.UDF[:]),
		string(o.Status), o.ExpiresAt, stringMap(o.Metadata), filterJSON{o.PaymentFilter}, o.Language).Scan(&o.CreatedAt, &o.UpdatedAt)
	if err == nil {
		return o, true, nil
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
	if err := d.get(ctx, &r, orderByMerchantOrderID, merchantID, orderID); err != nil {
		return checkout.Order{}, mapErr(err, "order")
	}
	return r.order(), nil
}

const orderByID = `SELECT ` + orderColumns + ` FROM orders WHERE id = $1`

// OrderByID returns an order by paypage's id.
func (d *DB) OrderByID(ctx context.Context, id string) (checkout.Order, error) {
	var r orderRow
	if err := d.get(ctx, &r, orderByID, id); err != nil {
		return checkout.Order{}, mapErr(err, "order")
	}
	return r.order(), nil
}

// pageRecords reads everything the payment page needs in one statement:
// the order, its merchant, its newest attempt and the customer's Amazon
// links, the last two through outer joins because either may be missing,
// and the providers' answers kept with the order.
const pageRecords = `
SELECT o.id, o.merchant_id, o.order_id, o.amount, o.currency, o.customer_id, o.customer_email,
	o.customer_phone, o.first_name, o.last_name, o.description, o.return_url, o.webhook_url,
	o.payment_page_client_id, o.udf, o.status, o.expires_at, o.created_at, o.updated_at, o.metadata, o.payment_filter, o.language,
	m.id, m.name, m.api_key_hash, m.response_key, m.webhook_username, m.webhook_password,
	m.webhook_secret, m.webhook_url, m.return_url_prefixes, m.default_return_url, m.return_method, m.created_at, m.methods, m.max_failed_attempts,
	` + prefixedAttemptColumns + `,
	l.providers, l.methods, l.refresh, l.access, l.expiry, l.refused,
	` + offersOfOrder + `
FROM orders o
JOIN merchants m ON m.id = o.merchant_id
LEFT JOIN LATERAL (
	SELECT ` + attemptColumns + ` FROM attempts WHERE attempts.order_id = o.id ORDER BY seq DESC LIMIT 1
) a ON true
LEFT JOIN LATERAL (
	SELECT array_agg(provider ORDER BY provider, method) AS providers,
		array_agg(method ORDER BY provider, method) AS methods,
		array_agg(refresh_token_sealed ORDER BY provider, method) AS refresh,
		array_agg(COALESCE(access_token_sealed, ''::bytea) ORDER BY provider, method) AS access,
		array_agg(COALESCE((extract(epoch FROM access_expires_at) * 1000000)::bigint, 0) ORDER BY provider, method) AS expiry,
		array_agg(array_to_string(refused_for, ',') ORDER BY provider, method) AS refused
	FROM links WHERE links.merchant_id = o.merchant_id AND links.customer_id = o.customer_id
) l ON true
WHERE o.id = $1`

// PageRecords returns the order with id, its merchant, its newest attempt,
// the customer's links and the answers kept with the order, or NotFound.
func (d *DB) PageRecords(ctx context.Context, id string) (checkout.PageRecords, error) {
	var (
		o orderRow
		m merchantRow
		a struct {
			id, orderID, txnID, chargeID, status                  sql.NullString
			providerRef, actionURL, authType, errCode, errMessage sql.NullString
			state, method, methodType, provider                   sql.NullString
			seq, amount                                           sql.NullInt64
			linked                                                sql.NullBool
			chargeSentAt, createdAt, updatedAt                    sql.NullTime
		}
		providers, methods, refused pq.StringArray
		refresh, access             pq.ByteaArray
		expiry                      pq.Int64Array
		offers                      = cachedOffers{orderID: id}
	)
	err := d.queryRow(ctx, pageRecords, id).Scan(
		&o.ID, &o.MerchantID, &o.OrderID, &o.Amount, &o.Currency, &o.CustomerID, &o.CustomerEmail,
		&o.CustomerPhone, &o.FirstName, &o.LastName, &o.Description, &o.ReturnURL, &o.WebhookURL,
		&o.PaymentPageClientID, &o.UDF, &o.Status, &o.ExpiresAt, &o.CreatedAt, &o.UpdatedAt, &o.Metadata, &o.PaymentFilter, &o.Language,
		&m.ID, &m.Name, &m.APIKeyHash, &m.ResponseKey, &m.WebhookUsername, &m.WebhookPassword,
		&m.WebhookSecret, &m.WebhookURL, &m.ReturnURLPrefixes, &m.DefaultReturnURL, &m.ReturnMethod, &m.CreatedAt, &m.Methods, &m.MaxFailedAttempts,
		&a.id, &a.orderID, &a.seq, &a.txnID, &a.chargeID, &a.status, &a.linked, &a.state, &a.amount,
		&a.providerRef, &a.actionURL, &a.authType, &a.errCode, &a.errMessage, &a.chargeSentAt,
		&a.createdAt, &a.updatedAt, &a.method, &a.methodType, &a.provider,
		&providers, &methods, &refresh, &access, &expiry, &refused, &offers,
	)
	if err != nil {
		return checkout.PageRecords{}, mapErr(err, "order")
	}
	p := checkout.PageRecords{Order: o.order(), Merchant: m.merchant(), Offers: offers.offers}
	if a.id.Valid {
		latest := attemptRow{
			ID: a.id.String, OrderID: a.orderID.String, Seq: int(a.seq.Int64), TxnID: a.txnID.String,
			ChargeID: a.chargeID.String, Status: a.status.String, Linked: a.linked.Bool, State: a.state,
			Method: a.method.String, MethodType: a.methodType.String, Provider: a.provider.String,
			Amount: a.amount.Int64, ProviderRef: a.providerRef.String, ActionURL: a.actionURL.String,
			AuthType: a.authType.String, ErrorCode: a.errCode.String, ErrorMessage: a.errMessage.String,
			ChargeSentAt: a.chargeSentAt, CreatedAt: a.createdAt.Time, UpdatedAt: a.updatedAt.Time,
		}.attempt()
		p.Latest = &latest
	}
	for i := range providers {
		if i >= len(methods) || i >= len(refresh) || i >= len(access) || i >= len(expiry) || i >= len(refused) {
			break
		}
		p.Links = append(p.Links, linkRow{
			MerchantID: o.MerchantID, CustomerID: o.CustomerID, Provider: providers[i], Method: methods[i],
			Refresh: refresh[i], Access: access[i], Expiry: epoch(expiry[i]), RefusedFor: splitList(refused[i]),
		}.link())
	}
	return p, nil
}

// stringMap stores a map of strings as a jsonb object.
type stringMap map[string]string

// Value implements driver.Valuer.
func (m stringMap) Value() (driver.Value, error) {
	if m == nil {
		return "{}", nil
	}
	return jsonText(map[string]string(m))
}

// Scan implements sql.Scanner.
func (m *stringMap) Scan(src any) error {
	*m = nil
	_, err := scanJSON(src, (*map[string]string)(m))
	return err
}

// filterJSON stores an order's payment filter as jsonb (NULL: none).
type filterJSON struct{ f *checkout.PaymentFilter }

// Value implements driver.Valuer.
func (j filterJSON) Value() (driver.Value, error) {
	if j.f == nil {
		return nil, nil
	}
	return jsonText(j.f)
}

// Scan implements sql.Scanner.
func (j *filterJSON) Scan(src any) error {
	f := new(checkout.PaymentFilter)
	ok, err := scanJSON(src, f)
	if j.f = nil; ok && err == nil {
		j.f = f
	}
	return err
}

// jsonText encodes v for a jsonb argument. It answers text, not bytes: with
// binary_parameters (transaction pooling) lib/pq sends bytes in binary
// format, which jsonb reads differently.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// scanJSON decodes a jsonb column's value src into dst, reporting false
// for NULL.
func scanJSON(src, dst any) (bool, error) {
	switch v := src.(type) {
	case nil:
		return false, nil
	case []byte:
		return true, json.Unmarshal(v, dst)
	case string:
		return true, json.Unmarshal([]byte(v), dst)
	}
	return false, fmt.Errorf("jsonb: cannot scan %T", src)
}
