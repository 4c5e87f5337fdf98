ALTER TABLE webhook_attempts DROP COLUMN next_attempt_at;
DROP TABLE order_timeline;
