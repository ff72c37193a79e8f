-- A note may carry one small file for its e-mail (an invitation's iCalendar event).
ALTER TABLE notifications ADD COLUMN attachment_name TEXT;
ALTER TABLE notifications ADD COLUMN attachment_type TEXT;
ALTER TABLE notifications ADD COLUMN attachment TEXT;
