CREATE TABLE refunds (
    id                 text PRIMARY KEY,
    order_id           text NOT NULL REFERENCES orders (id),
    attempt_id         text NOT NULL REFERENCES attempts (id),
    unique_request_id  text NOT NULL,
    amazon_refund_id   text NOT NULL DEFAULT '',
    amount             bigint NOT NULL CHECK (amount > 0),
    status             text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCESS', 'FAILURE', 'MANUAL_REVIEW')),
    automatic          boolean NOT NULL DEFAULT false,
    error_code         text NOT NULL DEFAULT '',
    error_message      text NOT NULL DEFAULT '',
    next_check_at      timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, unique_request_id)
);

CREATE INDEX refunds_pending ON refunds (next_check_at) WHERE status = 'PENDING';

COMMENT ON TABLE refunds IS 'Refunds of charged attempts. id is also the Amazon refundId. The sum of non-FAILURE refunds of an order never exceeds its charged amount (checked on the locked order row).';

CREATE TABLE events (
    id          text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES merchants (id),
    order_id    text NOT NULL REFERENCES orders (id),
    event_name  text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX events_order ON events (order_id, created_at);

COMMENT ON TABLE events IS 'Outbox: one row per order or refund state change, written in the same transaction as the change. payload is the webhook body as it will be sent.';

CREATE TABLE webhook_deliveries (
    event_id         text PRIMARY KEY REFERENCES events (id),
    url              text NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text NOT NULL DEFAULT '',
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';

COMMENT ON TABLE webhook_deliveries IS 'One webhook delivery per event to the order''s webhook URL (or the merchant''s). Workers claim due rows with FOR UPDATE SKIP LOCKED.';

CREATE TABLE webhook_attempts (
    id           bigserial PRIMARY KEY,
    event_id     text NOT NULL REFERENCES webhook_deliveries (event_id),
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code  integer,
    latency_ms   integer NOT NULL,
    error        text NOT NULL DEFAULT ''
);

CREATE INDEX webhook_attempts_event ON webhook_attempts (event_id);

COMMENT ON TABLE webhook_attempts IS 'Every HTTP attempt of a webhook delivery, for support and metrics.';

-- watch is true while a sent charge has no final answer from Amazon, even
-- when the attempt was closed (expired order): the reconciler keeps asking
-- so that a late success is refunded.
ALTER TABLE attempts ADD COLUMN watch boolean NOT NULL DEFAULT false;
ALTER TABLE attempts ADD COLUMN next_check_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX attempts_watch ON attempts (next_check_at) WHERE watch;
CREATE INDEX attempts_awaiting_consent ON attempts (created_at) WHERE status = 'AWAITING_CONSENT';
