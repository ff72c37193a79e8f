-- 回访 confirmed by the rater: where the invitation went (kept only to ask the rater
-- about the rectification, never shown), and each call-back with its one-time link and
-- code, and the rater's answer.
ALTER TABLE interactions ADD COLUMN reply_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN reply_address TEXT NOT NULL DEFAULT '';
CREATE TABLE callbacks (
    id {{PK}},
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    token_hash TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL DEFAULT '',
    code_failures INTEGER NOT NULL DEFAULT 0,
    fix TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    satisfied INTEGER,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX callbacks_rating ON callbacks(rating_id);
