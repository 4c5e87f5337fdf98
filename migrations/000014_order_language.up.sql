-- The payment page's language as the merchant's session asked for it
-- (a code such as 'hi'); '' leaves it to the shopper's browser.
ALTER TABLE orders ADD COLUMN language text NOT NULL DEFAULT ''
    CHECK (language IN ('', 'en', 'hi', 'bn', 'mr', 'te', 'ta', 'gu', 'kn'));
COMMENT ON COLUMN orders.language IS 'The payment page language from the session (en, hi, bn, mr, te, ta, gu, kn); empty: chosen from the shopper''s browser.';
