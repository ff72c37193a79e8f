-- The scheduler reminds a unit before its feedback deadline and tells the supervision
-- office when it passes, once each; the marks are kept on the lead.
ALTER TABLE leads ADD COLUMN reminded_at BIGINT;
ALTER TABLE leads ADD COLUMN overdue_at BIGINT;
