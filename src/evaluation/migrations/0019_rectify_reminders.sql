-- The kernel's deadline engine reminds the unit of a bad review's rectification deadline
-- and tells the supervisors once it has passed, once each, marked here.
ALTER TABLE ratings ADD COLUMN rectify_reminded_at BIGINT;
ALTER TABLE ratings ADD COLUMN rectify_escalated_at BIGINT;
CREATE INDEX ratings_rectify_deadline ON ratings(rectify_deadline, id) WHERE rectify_deadline IS NOT NULL;
