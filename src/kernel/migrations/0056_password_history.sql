-- The hashes of a person's earlier passwords, so a new one may not repeat the last few
-- (security.password_history).
CREATE TABLE password_history (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
