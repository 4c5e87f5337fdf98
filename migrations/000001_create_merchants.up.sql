CREATE TABLE merchants (
    id                   text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    name                 text NOT NULL,
    api_key_hash         bytea NOT NULL UNIQUE,
    response_key         text NOT NULL,
    webhook_username     text NOT NULL,
    webhook_password     text NOT NULL,
    webhook_secret       text NOT NULL,
    webhook_url          text NOT NULL DEFAULT '',
    return_url_prefixes  text[] NOT NULL DEFAULT '{}',
    default_return_url   text NOT NULL DEFAULT '',
    return_method        text NOT NULL DEFAULT 'GET' CHECK (return_method IN ('GET', 'POST')),
    created_at           timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE merchants IS 'Merchants that call the API. API keys are kept only as SHA-256 hashes; the response key and webhook secrets are needed to sign and so are kept as issued.';
