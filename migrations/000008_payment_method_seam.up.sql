-- Payment methods behind one seam: attempts record which method and
-- provider they used and the provider's reference and page; refunds the
-- provider's reference; links are kept per provider (and per method, for a
-- method that refused the provider's shared link). Existing rows are Amazon
-- Pay Later's and keep every value.
ALTER TABLE attempts RENAME COLUMN amazon_charge_id TO provider_ref;
ALTER TABLE attempts RENAME COLUMN amazon_pay_url TO action_url;
ALTER TABLE attempts
    ADD COLUMN method      text NOT NULL DEFAULT 'AMAZONPAYLATER',
    ADD COLUMN method_type text NOT NULL DEFAULT 'CONSUMER_FINANCE',
    ADD COLUMN provider    text NOT NULL DEFAULT 'AMAZONPAY';
ALTER TABLE attempts
    ALTER COLUMN method DROP DEFAULT,
    ALTER COLUMN method_type DROP DEFAULT,
    ALTER COLUMN provider DROP DEFAULT;

COMMENT ON TABLE attempts IS 'Payment attempts (Juspay transactions) of an order, each with one method (payment_method, payment_method_type) of one provider. charge_id is the provider idempotency key, stored before the charge call; provider_ref is the provider''s id of the charge and action_url its page for the shopper (2FA, top-up); state is the single-use OAuth state of a consent redirect.';

ALTER TABLE refunds RENAME COLUMN amazon_refund_id TO provider_ref;

ALTER TABLE amazon_links RENAME TO links;
ALTER TABLE links
    ADD COLUMN provider    text NOT NULL DEFAULT 'AMAZONPAY',
    ADD COLUMN method      text NOT NULL DEFAULT '',
    ADD COLUMN refused_for text[] NOT NULL DEFAULT '{}';
ALTER TABLE links ALTER COLUMN provider DROP DEFAULT;
ALTER TABLE links DROP CONSTRAINT amazon_links_pkey;
ALTER TABLE links ADD PRIMARY KEY (merchant_id, customer_id, provider, method);

COMMENT ON TABLE links IS 'Customers'' links with a payment provider per (merchant, customer, provider): method is empty for the link the provider''s methods share, or names a method that refused the shared link (listed in refused_for) and linked again for itself. Tokens are AES-GCM sealed with a key derived from PAYPAGE_SECRET_KEY.';
