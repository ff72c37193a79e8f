-- Mechanism 4: plans (作战方案) of the offensives and of districts' and departments'
-- policies, in text versions; hearings and annual inquiries with their people, the
-- questions and answers, the commitments handed over as tasks, corrections of what was
-- published, and the panel's votes.
CREATE TABLE plans (
    id {{PK}},
    -- offensive (攻势) or policy (a district's or department's).
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    leader_id BIGINT NOT NULL REFERENCES users(id),
    -- The district or department whose policy it is (none for the city's offensives).
    owner_department_id BIGINT REFERENCES departments(id),
    state TEXT NOT NULL,
    -- The version defended at the last hearing, and the matter its commitments go under.
    defended_version INTEGER,
    matter_id BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX plans_state ON plans(state, id);
CREATE TABLE plan_departments (
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (plan_id, department_id)
);
CREATE INDEX plan_departments_department ON plan_departments(department_id);
CREATE TABLE plan_goals (
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    position INTEGER NOT NULL,
    goal TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (plan_id, position)
);
-- Versions are never changed; a revision is a new version.
CREATE TABLE plan_versions (
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, version)
);
CREATE TABLE hearings (
    id {{PK}},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    -- hearing (答辩会) or inquiry (年度公开质询).
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    live_url TEXT NOT NULL DEFAULT '',
    -- The plan version defended (a hearing) or the year questioned (an inquiry).
    plan_version INTEGER,
    year INTEGER,
    -- An inquiry's implementation report, as typed, and its delivery figures as computed
    -- from the commitments' tasks when it was published.
    report TEXT NOT NULL DEFAULT '',
    figures TEXT,
    state TEXT NOT NULL,
    -- Raised by each change of time, place or status (iCalendar SEQUENCE).
    sequence INTEGER NOT NULL DEFAULT 0,
    organised_by BIGINT NOT NULL REFERENCES users(id),
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hearings_plan ON hearings(plan_id, starts_at);
CREATE INDEX hearings_starts ON hearings(starts_at);
CREATE TABLE hearing_people (
    id {{PK}},
    hearing_id BIGINT NOT NULL REFERENCES hearings(id),
    -- chair, team, participant or panel.
    role TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hearing_people_hearing ON hearing_people(hearing_id, role);
CREATE INDEX hearing_people_user ON hearing_people(user_id);
CREATE TABLE hearing_questions (
    id {{PK}},
    hearing_id BIGINT NOT NULL REFERENCES hearings(id),
    asked_by BIGINT REFERENCES users(id),
    asker_name TEXT NOT NULL,
    -- What the asker is: entrepreneur, expert, leader, district, department, public, panel.
    asker_kind TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,
    question TEXT NOT NULL,
    -- The paragraph (from 1) of the defended version it is about.
    anchor INTEGER,
    -- pending (to be moderated), rejected, open, answered.
    state TEXT NOT NULL,
    reason TEXT,
    answered_by BIGINT REFERENCES users(id),
    answer TEXT,
    answered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hearing_questions_hearing ON hearing_questions(hearing_id, id);
CREATE INDEX hearing_questions_updated ON hearing_questions(updated_at, id);
CREATE TABLE hearing_commitments (
    id {{PK}},
    question_id BIGINT NOT NULL REFERENCES hearing_questions(id),
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    content TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    assignee_id BIGINT NOT NULL REFERENCES users(id),
    deadline TEXT NOT NULL,
    task_id BIGINT,
    delivered_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hearing_commitments_plan ON hearing_commitments(plan_id, id);
CREATE INDEX hearing_commitments_task ON hearing_commitments(task_id);
CREATE INDEX hearing_commitments_updated ON hearing_commitments(updated_at, id);
-- A published question or answer changes only by a correction, shown with the earlier text.
CREATE TABLE hearing_corrections (
    id {{PK}},
    question_id BIGINT NOT NULL REFERENCES hearing_questions(id),
    -- question or answer.
    part TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at BIGINT NOT NULL
);
CREATE INDEX hearing_corrections_question ON hearing_corrections(question_id, id);
-- The inquiry panel's satisfaction vote, one per member.
CREATE TABLE hearing_votes (
    hearing_id BIGINT NOT NULL REFERENCES hearings(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- satisfied, fairly_satisfied, dissatisfied.
    vote TEXT NOT NULL,
    voted_at BIGINT NOT NULL,
    PRIMARY KEY (hearing_id, user_id)
);
-- A person's own calendar feed, subscribed to by a secret in its address.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
