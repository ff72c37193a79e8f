-- Sessions end after a spell without use (security.idle_minutes) as well as at their
-- absolute end; last_seen is refreshed at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN idle_until BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen = created_at, idle_until = expires_at;
