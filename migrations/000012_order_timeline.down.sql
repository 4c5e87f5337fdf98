DROP INDEX webhook_attempts_event_at;
ALTER TABLE webhook_attempts DROP COLUMN next_attempt_at;
DROP TABLE order_timeline;
