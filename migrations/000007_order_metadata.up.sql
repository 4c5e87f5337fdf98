-- The merchant's metadata.* session fields, echoed in the order object's
-- metadata as Juspay does.
ALTER TABLE orders ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(metadata) = 'object');

COMMENT ON COLUMN orders.metadata IS 'The metadata.* fields of the create request, keys without the "metadata." prefix, string values.';
