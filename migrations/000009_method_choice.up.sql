-- Which methods show: per merchant (empty: every method paypage offers)
-- and per order, Juspay's payment_filter as the session gave it (NULL:
-- none).
ALTER TABLE merchants ADD COLUMN methods text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN merchants.methods IS 'The payment methods (Juspay payment_method names) this merchant offers; empty offers every method paypage is configured with.';

ALTER TABLE orders ADD COLUMN payment_filter jsonb CHECK (payment_filter IS NULL OR jsonb_typeof(payment_filter) = 'object');
COMMENT ON COLUMN orders.payment_filter IS 'Juspay''s payment_filter of the session (allowDefaultOptions, options[]), normalised; NULL when none was given.';
