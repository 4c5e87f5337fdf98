CREATE TABLE orders (
    id                     text PRIMARY KEY,
    merchant_id            text NOT NULL REFERENCES merchants (id),
    order_id               text NOT NULL CHECK (order_id ~ '^[A-Za-z0-9_-]{1,21}$'),
    amount                 bigint NOT NULL CHECK (amount > 0),
    currency               text NOT NULL,
    customer_id            text NOT NULL,
    customer_email         text NOT NULL DEFAULT '',
    customer_phone         text NOT NULL DEFAULT '',
    first_name             text NOT NULL DEFAULT '',
    last_name              text NOT NULL DEFAULT '',
    description            text NOT NULL DEFAULT '',
    return_url             text NOT NULL,
    webhook_url            text NOT NULL DEFAULT '',
    payment_page_client_id text NOT NULL DEFAULT '',
    udf                    text[] NOT NULL DEFAULT '{}',
    status                 text NOT NULL DEFAULT 'NEW',
    expires_at             timestamptz NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, order_id)
);

COMMENT ON TABLE orders IS 'Order sessions created through POST /session. Amounts are paise. status changes only through the guarded transition in internal/checkout.';
COMMENT ON COLUMN orders.udf IS 'udf1..udf10 in order; missing ones are empty strings.';
