CREATE TABLE outbox_direct (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT REFERENCES notifications(id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_at BIGINT,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_direct (id, notification_id, channel, address, created_at, sent_at, attempts, last_error, claimed_at)
    SELECT id, notification_id, channel, address, created_at, sent_at, attempts, last_error, claimed_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_direct RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox(sent_at, id);
