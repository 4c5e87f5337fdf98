ALTER TABLE merchants DROP COLUMN webhook_secret_previous_until;
ALTER TABLE merchants DROP COLUMN webhook_secret_previous;
COMMENT ON COLUMN merchants.webhook_secret IS NULL;

-- Back to "whsec_" + text whose UTF-8 bytes are the key, wherever the key
-- bytes are valid UTF-8 without NUL: every secret the up migration
-- re-encoded, which thus comes back as it was. A key that is not text (as
-- random keys issued since usually are) cannot be written that way and is
-- left as it is; the older code would sign with a different key for it.
DO $$
DECLARE
    r   record;
    key text;
BEGIN
    FOR r IN SELECT id, webhook_secret FROM merchants
             WHERE webhook_secret ~ '^whsec_([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$'
    LOOP
        BEGIN
            key := convert_from(decode(substr(r.webhook_secret, 7), 'base64'), 'UTF8');
        EXCEPTION WHEN character_not_in_repertoire THEN
            CONTINUE;
        END;
        UPDATE merchants SET webhook_secret = 'whsec_' || key WHERE id = r.id;
    END LOOP;
END $$;
