-- Work teams have member accounts, who record their own visits and inquiries; an inquiry
-- (工作质询) names the unit questioned and records each question, and its answer — given on
-- the spot or later in writing by the unit.
CREATE TABLE work_team_members (
    team_id BIGINT NOT NULL REFERENCES work_teams(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX work_team_members_user ON work_team_members(user_id);
ALTER TABLE team_activities ADD COLUMN unit_department_id BIGINT REFERENCES departments(id);
CREATE TABLE inquiry_questions (
    id {{PK}},
    activity_id BIGINT NOT NULL REFERENCES team_activities(id),
    asker TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT
);
CREATE INDEX inquiry_questions_activity ON inquiry_questions(activity_id, id);
