ALTER TABLE amazonpay_sandbox.charges DROP COLUMN otp_tries;
ALTER TABLE merchants DROP COLUMN max_failed_attempts;
