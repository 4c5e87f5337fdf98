DROP INDEX refunds_one_automatic;
DROP INDEX refunds_due;
CREATE INDEX refunds_pending ON refunds (next_check_at) WHERE status = 'PENDING';
ALTER TABLE attempts DROP COLUMN checking_until;
