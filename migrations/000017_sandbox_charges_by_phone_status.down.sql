CREATE INDEX charges_phone ON amazonpay_sandbox.charges (phone);
DROP INDEX amazonpay_sandbox.charges_phone_status;
