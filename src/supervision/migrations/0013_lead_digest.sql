-- A digest of what a report says (category, text, place, source), so a report repeated
-- moments apart is found by index however many leads were filed meanwhile.
ALTER TABLE leads ADD COLUMN report_digest TEXT;
CREATE INDEX leads_digest ON leads(report_digest, created_at);
