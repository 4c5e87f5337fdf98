ALTER TABLE orders DROP COLUMN payment_filter;
ALTER TABLE merchants DROP COLUMN methods;
