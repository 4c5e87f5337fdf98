-- The simulator asks, on every instruments and eligibility answer, whether
-- a pending charge of the customer's phone is due to settle. By phone alone
-- that read every charge the phone ever made, which grows without end for
-- a QA persona used all day; by phone and status it reads only the pending
-- ones. The new index serves lookups by phone alone as the old one did.
CREATE INDEX charges_phone_status ON amazonpay_sandbox.charges (phone, status);
DROP INDEX amazonpay_sandbox.charges_phone;
