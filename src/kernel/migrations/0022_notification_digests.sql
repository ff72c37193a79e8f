-- Notes a person takes as a daily digest are marked once they have gone into one.
ALTER TABLE notifications ADD COLUMN digested_at BIGINT;
