-- The optional second factor (TOTP, RFC 6238): a person's confirmed secret, the one being
-- set up, and the last time step accepted (a code is good once). The roles the security
-- administrator requires it of.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
CREATE TABLE second_factor_roles (
    role TEXT PRIMARY KEY,
    required_by TEXT NOT NULL,
    required_at BIGINT NOT NULL
);
