-- 舆论监督: exposures by newspapers and broadcasters; each exposed problem is a lead whose
-- unit must respond within hours.
CREATE TABLE exposures (
    id {{PK}},
    outlet TEXT NOT NULL,
    column_name TEXT NOT NULL,
    published_on TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    response_hours INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE leads ADD COLUMN exposure_id BIGINT REFERENCES exposures(id);
ALTER TABLE leads ADD COLUMN respond_by BIGINT;

-- 工作小分队 of the people's congress and the CPPCC, their site visits and inquiries;
-- each finding becomes a lead.
CREATE TABLE work_teams (
    id {{PK}},
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    topic TEXT NOT NULL,
    members TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE team_activities (
    id {{PK}},
    team_id BIGINT NOT NULL REFERENCES work_teams(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX team_activities_team ON team_activities(team_id);
ALTER TABLE leads ADD COLUMN activity_id BIGINT REFERENCES team_activities(id);
