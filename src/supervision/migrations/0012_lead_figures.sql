-- Supervision figures kept as leads change, not folded per page view. Each lead adds its
-- contribution to its channel's and its unit's row (triggers subtract the old and add the
-- new one on every change that matters); only the overdue count, which depends on the
-- day, is counted live (over running leads, by index). Each group is spread over eight
-- rows (`part`, the lead's id modulo 8) so concurrent filings do not queue on one row
-- lock; readers add the parts up.
CREATE TABLE lead_figures (
    grp TEXT NOT NULL,
    grp_key TEXT NOT NULL,
    part INTEGER NOT NULL,
    leads BIGINT NOT NULL DEFAULT 0,
    transferred BIGINT NOT NULL DEFAULT 0,
    fed_back_on_time BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    fed_back BIGINT NOT NULL DEFAULT 0,
    feedback_ms BIGINT NOT NULL DEFAULT 0,
    judged BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grp, grp_key, part)
);
ALTER TABLE leads ADD COLUMN first_feedback_at BIGINT;
ALTER TABLE leads ADD COLUMN fed_back_on_time INTEGER NOT NULL DEFAULT 0;
CREATE INDEX leads_due ON leads(state, deadline);
UPDATE leads SET first_feedback_at = (SELECT MIN(e.at) FROM workflow_events e
    WHERE e.kind = 'lead' AND e.record_id = leads.id AND e.transition = 'feed_back');
