CREATE TABLE attempts (
    id                 text PRIMARY KEY,
    order_id           text NOT NULL REFERENCES orders (id),
    seq                integer NOT NULL CHECK (seq BETWEEN 1 AND 25),
    txn_id             text NOT NULL,
    charge_id          text NOT NULL UNIQUE,
    status             text NOT NULL,
    linked             boolean NOT NULL,
    state              text UNIQUE,
    amount             bigint NOT NULL CHECK (amount > 0),
    amazon_charge_id   text NOT NULL DEFAULT '',
    amazon_pay_url     text NOT NULL DEFAULT '',
    auth_type          text NOT NULL DEFAULT '',
    error_code         text NOT NULL DEFAULT '',
    error_message      text NOT NULL DEFAULT '',
    charge_sent_at     timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, seq)
);

-- At most one attempt in flight per order, whatever the application does.
CREATE UNIQUE INDEX attempts_one_in_flight ON attempts (order_id) WHERE status IN ('AWAITING_CONSENT', 'PENDING');
CREATE INDEX attempts_pending ON attempts (updated_at) WHERE status IN ('AWAITING_CONSENT', 'PENDING');

COMMENT ON TABLE attempts IS 'Payment attempts (Juspay transactions) of an order. charge_id is the Amazon idempotency key, stored before the charge call; state is the single-use OAuth state of a consent redirect.';

CREATE TABLE amazon_links (
    merchant_id          text NOT NULL REFERENCES merchants (id),
    customer_id          text NOT NULL,
    refresh_token_sealed bytea NOT NULL,
    access_token_sealed  bytea,
    access_expires_at    timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, customer_id)
);

COMMENT ON TABLE amazon_links IS 'Amazon Pay accounts linked per (merchant, customer). Tokens are AES-GCM sealed with a key derived from PAYPAGE_SECRET_KEY.';
