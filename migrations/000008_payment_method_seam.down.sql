-- Back to one Amazon link per customer: the shared link wins; a method's
-- own link is kept only where no shared one exists.
DELETE FROM links l WHERE l.method <> '' AND EXISTS (
    SELECT 1 FROM links s WHERE s.merchant_id = l.merchant_id AND s.customer_id = l.customer_id
        AND s.provider = l.provider AND s.method = '');
DELETE FROM links l WHERE l.method <> '' AND EXISTS (
    SELECT 1 FROM links o WHERE o.merchant_id = l.merchant_id AND o.customer_id = l.customer_id
        AND o.provider = l.provider AND o.method <> '' AND o.method < l.method);
ALTER TABLE links DROP CONSTRAINT links_pkey;
ALTER TABLE links DROP COLUMN refused_for, DROP COLUMN method, DROP COLUMN provider;
ALTER TABLE links ADD CONSTRAINT amazon_links_pkey PRIMARY KEY (merchant_id, customer_id);
ALTER TABLE links RENAME TO amazon_links;
COMMENT ON TABLE amazon_links IS 'Amazon Pay accounts linked per (merchant, customer). Tokens are AES-GCM sealed with a key derived from PAYPAGE_SECRET_KEY.';

ALTER TABLE refunds RENAME COLUMN provider_ref TO amazon_refund_id;

ALTER TABLE attempts DROP COLUMN method, DROP COLUMN method_type, DROP COLUMN provider;
ALTER TABLE attempts RENAME COLUMN action_url TO amazon_pay_url;
ALTER TABLE attempts RENAME COLUMN provider_ref TO amazon_charge_id;
COMMENT ON TABLE attempts IS 'Payment attempts (Juspay transactions) of an order. charge_id is the Amazon idempotency key, stored before the charge call; state is the single-use OAuth state of a consent redirect.';
