-- Repeats of an unread note are counted on it rather than stored again, and each person
-- chooses, per kind of note, whether it also goes out by e-mail and SMS.
ALTER TABLE notifications ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
