-- What happened to each order, in order, for merchants and QA: status
-- changes (written in the transaction of the change), provider calls and
-- the return to the merchant. Webhook tries stay in webhook_attempts, which
-- the timeline reads through events.
CREATE TABLE order_timeline (
    id       bigserial PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (id),
    at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind     text NOT NULL CHECK (kind IN ('status', 'provider_call', 'return')),
    fields   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object')
);
CREATE INDEX order_timeline_order_at ON order_timeline (order_id, at, id);

COMMENT ON TABLE order_timeline IS 'One row per status change, provider call or return to the merchant of an order. fields holds neutral facts only: statuses, operation, HTTP status, latency, the provider''s codes; never tokens, signatures, phone numbers or email addresses.';

ALTER TABLE webhook_attempts ADD COLUMN next_attempt_at timestamptz;
COMMENT ON COLUMN webhook_attempts.next_attempt_at IS 'When the next try of the delivery was due after this one; NULL when this try delivered it or was the last.';
