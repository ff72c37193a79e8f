-- When each password was set, for security.password_max_days (expiry). Existing accounts
-- count from their last change.
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;
UPDATE users SET password_changed_at = updated_at;
