-- Mechanism 2 — 平台法推进"双招双引": platforms and the cohorts entrusted to them, events
-- with their meetings and follow-up contacts, and the projects they bring, amounts in fen.
CREATE TABLE platforms (
    id {{PK}},
    name TEXT NOT NULL,
    -- enterprise, intermediary, conference, exhibition, forum
    kind TEXT NOT NULL,
    aggregates TEXT NOT NULL DEFAULT '',
    sectors TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES departments(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX platforms_by_time ON platforms(updated_at, id);
-- A cohort of enterprises a platform is entrusted with (e.g. upgrading the city's
-- new-generation IT enterprises), what is opened to them, and who qualified when.
CREATE TABLE cohorts (
    id {{PK}},
    platform_id BIGINT NOT NULL REFERENCES platforms(id),
    name TEXT NOT NULL,
    opened TEXT NOT NULL DEFAULT '',
    entrusted_on TEXT NOT NULL,
    target INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX cohorts_platform ON cohorts(platform_id);
CREATE TABLE cohort_members (
    cohort_id BIGINT NOT NULL REFERENCES cohorts(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    joined_on TEXT NOT NULL,
    qualified_on TEXT,
    PRIMARY KEY (cohort_id, enterprise_id)
);
CREATE TABLE events (
    id {{PK}},
    name TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    organisers TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES departments(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX events_by_time ON events(updated_at, id);
CREATE TABLE event_platforms (
    event_id BIGINT NOT NULL REFERENCES events(id),
    platform_id BIGINT NOT NULL REFERENCES platforms(id),
    PRIMARY KEY (event_id, platform_id)
);
-- 会前会后对接: the meetings before and after an event.
CREATE TABLE event_meetings (
    id {{PK}},
    event_id BIGINT NOT NULL REFERENCES events(id),
    -- before, after
    timing TEXT NOT NULL,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX event_meetings_event ON event_meetings(event_id, held_on);
-- The follow-up pipeline: each enterprise met at an event, with the person responsible.
CREATE TABLE event_contacts (
    id {{PK}},
    event_id BIGINT NOT NULL REFERENCES events(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    responsible_id BIGINT NOT NULL REFERENCES users(id),
    next_step TEXT NOT NULL DEFAULT '',
    -- following, project, closed
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, enterprise_id)
);
CREATE INDEX event_contacts_responsible ON event_contacts(responsible_id, status);
CREATE TABLE projects (
    id {{PK}},
    title TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    event_id BIGINT REFERENCES events(id),
    platform_id BIGINT REFERENCES platforms(id),
    sector TEXT NOT NULL,
    district TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    state TEXT NOT NULL,
    negotiating_on TEXT NOT NULL,
    signed_on TEXT,
    landed_on TEXT,
    producing_on TEXT,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    responsible_id BIGINT NOT NULL REFERENCES users(id),
    -- The next stage change is expected by this date; past it the project has stalled.
    deadline TEXT,
    reminded_at BIGINT,
    escalated_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_by_time ON projects(updated_at, id);
CREATE INDEX projects_event ON projects(event_id);
CREATE INDEX projects_platform ON projects(platform_id);
CREATE INDEX projects_state_deadline ON projects(state, deadline);
CREATE INDEX projects_responsible ON projects(responsible_id, state);
CREATE INDEX projects_enterprise ON projects(enterprise_id);
-- The open catalogue syncs enterprises by the time they changed.
CREATE INDEX enterprises_by_time ON enterprises(updated_at, id);
