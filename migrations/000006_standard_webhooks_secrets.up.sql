-- Webhook secrets take the Standard Webhooks form: "whsec_" + standard
-- base64 of the key bytes, the HMAC key being the decoded bytes. Secrets
-- were "whsec_" + text whose UTF-8 bytes were the key, so each one is
-- re-encoded to keep its key: a receiver already configured with the old
-- secret keeps verifying, and the stored value is one the official
-- libraries accept. Only rows not in the form paypage now issues (32 key
-- bytes, 44 base64 characters) change; paypage never issued a secret of
-- that shape before. encode(..., 'base64') breaks lines every 76
-- characters, so the newlines are removed.
UPDATE merchants
SET webhook_secret = 'whsec_' || translate(
        encode(convert_to(regexp_replace(webhook_secret, '^whsec_', ''), 'UTF8'), 'base64'),
        E'\n', '')
WHERE webhook_secret !~ '^whsec_[A-Za-z0-9+/]{43}=$';

-- A rotation keeps the replaced secret for an overlap window, during which
-- every webhook is signed with both.
ALTER TABLE merchants ADD COLUMN webhook_secret_previous text NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN webhook_secret_previous_until timestamptz;

COMMENT ON COLUMN merchants.webhook_secret IS 'Standard Webhooks signing secret: whsec_ + standard base64 of the HMAC-SHA256 key bytes.';
COMMENT ON COLUMN merchants.webhook_secret_previous IS 'The secret the last rotation replaced, in the same form; empty if never rotated.';
COMMENT ON COLUMN merchants.webhook_secret_previous_until IS 'Until when webhooks are also signed with webhook_secret_previous (the rotation overlap); NULL if never rotated.';
