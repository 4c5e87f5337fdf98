DROP INDEX attempts_awaiting_consent;
DROP INDEX attempts_watch;
ALTER TABLE attempts DROP COLUMN next_check_at;
ALTER TABLE attempts DROP COLUMN watch;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE events;
DROP TABLE refunds;
