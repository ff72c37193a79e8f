-- Mechanism 6, the entrepreneur satisfaction index (企业家政务服务满意度评价指数):
-- survey campaigns with their sampling frame, areas and questions with weights,
-- invitations answered once by token, and the raw answers the index is computed from.
CREATE TABLE survey_campaigns (
    id {{PK}},
    title TEXT NOT NULL,
    -- The period the index is for: 2019, 2019-Q2…
    period TEXT NOT NULL,
    -- How the sample was drawn, in words (one third above-scale enterprises, two thirds
    -- served at approval halls…).
    frame TEXT NOT NULL,
    -- Below this many responses a unit's index is not published.
    min_sample INTEGER NOT NULL,
    -- JSON: [{code, name, weight, questions: [{code, text, weight}]}], weights summing to one.
    areas TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE survey_invitations (
    id {{PK}},
    campaign_id BIGINT NOT NULL REFERENCES survey_campaigns(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- The department whose service is rated, and the enterprise's district.
    department_id BIGINT NOT NULL REFERENCES departments(id),
    district TEXT NOT NULL,
    -- above_scale or approval_hall: the part of the frame it was drawn from.
    stratum TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- JSON {question code: score 1–5}, once answered.
    answers TEXT,
    answered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX survey_invitations_once ON survey_invitations(campaign_id, enterprise_id, department_id);
CREATE INDEX survey_invitations_answered ON survey_invitations(campaign_id, answered_at);
