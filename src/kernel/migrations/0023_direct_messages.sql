-- Messages to people who have no account (a person served, a reporter, an outside
-- office) go through the same outbox, with their own subject and body and no inbox
-- note. The dialect files make `notification_id` optional and add those columns.

-- The browsers a person has signed in from (a random cookie, only its digest kept), so
-- that a rating sent from the rated member's own browser is recognised and refused.
CREATE TABLE user_devices (
    device_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (device_hash, user_id)
);
CREATE INDEX user_devices_user ON user_devices(user_id);
