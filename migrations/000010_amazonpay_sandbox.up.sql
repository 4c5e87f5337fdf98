-- The Amazon Pay simulator's state (internal/amazonpay/sandbox), in its own
-- schema so that paypage's tables never mix with Amazon's. Every sandbox
-- instance on this database, and the standalone paypage amazonpay-sandbox,
-- share it: one Amazon, which a restart does not forget.
CREATE SCHEMA amazonpay_sandbox;
COMMENT ON SCHEMA amazonpay_sandbox IS 'State of the Amazon Pay simulator (sandbox mode only): customers, links, charges, refunds.';

CREATE TABLE amazonpay_sandbox.accounts (
    phone   text PRIMARY KEY,
    outcome integer NOT NULL,
    credit  bigint NOT NULL,
    balance bigint NOT NULL
);
COMMENT ON TABLE amazonpay_sandbox.accounts IS 'A customer by phone: its outcome script and the Pay Later credit and balance available now (paise).';

CREATE TABLE amazonpay_sandbox.auth_codes (
    code         text PRIMARY KEY,
    client_id    text NOT NULL,
    redirect_uri text NOT NULL,
    phone        text NOT NULL,
    balance_only boolean NOT NULL,
    expires      timestamptz NOT NULL
);
CREATE INDEX auth_codes_expires ON amazonpay_sandbox.auth_codes (expires);
COMMENT ON TABLE amazonpay_sandbox.auth_codes IS 'Login with Amazon authorization codes; single use, deleted when exchanged.';

CREATE TABLE amazonpay_sandbox.refresh_grants (
    token        text PRIMARY KEY,
    phone        text NOT NULL,
    balance_only boolean NOT NULL,
    revoked      boolean NOT NULL DEFAULT false
);
CREATE INDEX refresh_grants_phone ON amazonpay_sandbox.refresh_grants (phone);
COMMENT ON TABLE amazonpay_sandbox.refresh_grants IS 'Links: refresh tokens, by customer.';

CREATE TABLE amazonpay_sandbox.access_grants (
    token        text PRIMARY KEY,
    phone        text NOT NULL,
    refresh      text NOT NULL REFERENCES amazonpay_sandbox.refresh_grants (token),
    balance_only boolean NOT NULL,
    expires      timestamptz NOT NULL
);
CREATE INDEX access_grants_phone ON amazonpay_sandbox.access_grants (phone);
CREATE INDEX access_grants_expires ON amazonpay_sandbox.access_grants (expires);
COMMENT ON TABLE amazonpay_sandbox.access_grants IS 'Access tokens issued under a refresh token; deleted once expired.';

CREATE TABLE amazonpay_sandbox.charges (
    merchant_id  text NOT NULL,
    charge_id    text NOT NULL,
    amazon_id    text NOT NULL UNIQUE,
    phone        text NOT NULL,
    instrument   text NOT NULL,
    callback_url text NOT NULL,
    custom_data  text NOT NULL,
    amount       bigint NOT NULL,
    approved     bigint NOT NULL,
    refunded     bigint NOT NULL,
    held         bigint NOT NULL,
    top_up       bigint NOT NULL,
    status       text NOT NULL,
    reason_code  text NOT NULL,
    reason_desc  text NOT NULL,
    created      timestamptz NOT NULL,
    updated      timestamptz NOT NULL,
    resolve_at   timestamptz,
    resolve_to   text NOT NULL,
    needs_otp    boolean NOT NULL,
    needs_top_up boolean NOT NULL,
    deadline     timestamptz,
    refund_seq   integer NOT NULL,
    PRIMARY KEY (merchant_id, charge_id)
);
CREATE INDEX charges_pending ON amazonpay_sandbox.charges (status) WHERE status = 'CapturePending';
CREATE INDEX charges_phone ON amazonpay_sandbox.charges (phone);
COMMENT ON TABLE amazonpay_sandbox.charges IS 'Charges, one per seller and merchant chargeId; pending ones settle lazily when next read.';

CREATE TABLE amazonpay_sandbox.refunds (
    merchant_id text NOT NULL,
    refund_id   text NOT NULL,
    amazon_id   text NOT NULL UNIQUE,
    charge_id   text NOT NULL,
    amount      bigint NOT NULL,
    status      text NOT NULL,
    created     timestamptz NOT NULL,
    updated     timestamptz NOT NULL,
    resolve_at  timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, refund_id),
    FOREIGN KEY (merchant_id, charge_id) REFERENCES amazonpay_sandbox.charges (merchant_id, charge_id)
);
CREATE INDEX refunds_pending ON amazonpay_sandbox.refunds (status) WHERE status = 'Pending';
COMMENT ON TABLE amazonpay_sandbox.refunds IS 'Refunds, one per seller and merchant refundId, each against a charge of the same seller.';

CREATE SEQUENCE amazonpay_sandbox.amazon_id_seq;
