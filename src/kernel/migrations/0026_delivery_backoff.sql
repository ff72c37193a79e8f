-- A failed delivery waits before its next attempt (1, 2, 4, 8 minutes; five in all).
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT;
