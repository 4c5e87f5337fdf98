DROP TABLE merchant_logos;
ALTER TABLE merchants DROP COLUMN support_phone;
ALTER TABLE merchants DROP COLUMN support_email;
ALTER TABLE merchants DROP COLUMN brand_color;
