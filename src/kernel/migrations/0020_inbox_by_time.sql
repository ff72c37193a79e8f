-- The inbox is read newest first by when each note was written.
CREATE INDEX notifications_by_time ON notifications(user_id, created_at, id);
