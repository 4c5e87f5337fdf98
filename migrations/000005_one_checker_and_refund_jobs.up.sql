-- checking_until is the claim of whoever is asking Amazon about a pending
-- charge right now (a page load, a 2FA return, a reconciler), so that one
-- asks at a time; it ends with the next change of the attempt, or by
-- itself at the time it names.
ALTER TABLE attempts ADD COLUMN checking_until timestamptz NOT NULL DEFAULT '-infinity';

-- Refunds in MANUAL_REVIEW are still asked about (hourly), in case Amazon
-- answers after all.
DROP INDEX refunds_pending;
CREATE INDEX refunds_due ON refunds (next_check_at) WHERE status IN ('PENDING', 'MANUAL_REVIEW');

-- One automatic refund per attempt, whatever runs it and how often.
CREATE UNIQUE INDEX refunds_one_automatic ON refunds (attempt_id) WHERE automatic;

COMMENT ON COLUMN attempts.checking_until IS 'End of the current claim to ask Amazon about this pending charge; -infinity when nobody is asking.';
COMMENT ON COLUMN refunds.next_check_at IS 'When the reconciler next sends (not yet acknowledged by Amazon) or reads (acknowledged) this refund.';
