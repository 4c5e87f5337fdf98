DROP TABLE merchant_audit;
ALTER TABLE merchants DROP COLUMN api_key_hash_previous_until;
ALTER TABLE merchants DROP COLUMN api_key_hash_previous;
