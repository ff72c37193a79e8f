-- Notifications are stored as a message id and its parameters and rendered in the
-- reader's language when read; title and title_en stay for the rows written before.
ALTER TABLE notifications ADD COLUMN message TEXT;
ALTER TABLE notifications ADD COLUMN params TEXT;
