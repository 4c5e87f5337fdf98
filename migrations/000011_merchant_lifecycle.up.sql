-- An API key rotation keeps the replaced key's hash for a grace period, so
-- a merchant can switch its servers to the new key without failed calls.
ALTER TABLE merchants ADD COLUMN api_key_hash_previous bytea;
ALTER TABLE merchants ADD COLUMN api_key_hash_previous_until timestamptz;
COMMENT ON COLUMN merchants.api_key_hash_previous IS 'SHA-256 of the API key the last rotation replaced; NULL if never rotated.';
COMMENT ON COLUMN merchants.api_key_hash_previous_until IS 'Until when the replaced API key (api_key_hash_previous) is still accepted; NULL if never rotated.';

-- Every change made to a merchant, written in the transaction of the change.
-- No foreign key: the trail outlives a merchant deleted by hand.
CREATE TABLE merchant_audit (
    id           bigserial PRIMARY KEY,
    merchant_id  text NOT NULL,
    action       text NOT NULL CHECK (action IN ('create', 'update', 'rotate-api-key', 'rotate-response-key', 'rotate-webhook-secret')),
    actor        text NOT NULL CHECK (actor <> ''),
    changes      jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchant_audit_merchant_at ON merchant_audit (merchant_id, at);

COMMENT ON TABLE merchant_audit IS 'Who changed which merchant, when and how: one row per create, update or rotation, written in the same transaction as the change.';
COMMENT ON COLUMN merchant_audit.actor IS 'Who made the change: the --actor of the command, by default the OS user that ran it.';
COMMENT ON COLUMN merchant_audit.changes IS 'The fields set, by name, with their new values; a secret (API key, response key, webhook secret or password) appears only as "issued" or "rotated", never its value.';
