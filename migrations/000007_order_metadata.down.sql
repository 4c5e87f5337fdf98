ALTER TABLE orders DROP COLUMN metadata;
