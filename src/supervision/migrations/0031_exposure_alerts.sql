-- When the media exposure's response deadline (hours) passed unanswered and the alert
-- went out: once per lead, by an update only one server wins.
ALTER TABLE leads ADD COLUMN respond_alerted_at BIGINT;
CREATE INDEX leads_respond_due ON leads(respond_by) WHERE respond_by IS NOT NULL AND respond_alerted_at IS NULL;
