-- After this many failed attempts on one order the payment page stops
-- offering retries and sends the shopper back to pay another way.
ALTER TABLE merchants ADD COLUMN max_failed_attempts integer NOT NULL DEFAULT 3
    CHECK (max_failed_attempts BETWEEN 1 AND 25);
COMMENT ON COLUMN merchants.max_failed_attempts IS 'Failed attempts after which an order''s payment page offers no retry, only "Pay another way" back to the merchant (1 to 25, default 3). A hard decline stops retries at once.';

-- The simulator's 2FA page lets a customer re-enter a mistyped OTP.
ALTER TABLE amazonpay_sandbox.charges ADD COLUMN otp_tries integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN amazonpay_sandbox.charges.otp_tries IS 'Wrong one-time passwords entered on the 2FA page so far; the charge fails at the third.';
