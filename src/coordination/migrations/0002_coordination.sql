ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;

-- Administrators' additions to the shipped working-day calendar (next year's notice).
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    working INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Administrators' replacements of shipped process definitions.
CREATE TABLE process_overrides (
    kind TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE workflow_events (
    id {{PK}},
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    transition TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    note TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX workflow_events_record ON workflow_events(kind, record_id);

CREATE TABLE notifications (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);

CREATE TABLE outbox (
    id {{PK}},
    notification_id BIGINT NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, id);

CREATE TABLE attachments (
    id {{PK}},
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);

CREATE TABLE matters (
    id {{PK}},
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    leader_id BIGINT NOT NULL REFERENCES users(id),
    opened_by BIGINT NOT NULL REFERENCES users(id),
    department_id BIGINT REFERENCES departments(id),
    visibility TEXT NOT NULL DEFAULT 'internal',
    state TEXT NOT NULL,
    kickoff_attendees TEXT NOT NULL DEFAULT '',
    kickoff_decisions TEXT NOT NULL DEFAULT '',
    kickoff_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX matters_leader ON matters(leader_id, state);

CREATE TABLE tasks (
    id {{PK}},
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    assignee_id BIGINT NOT NULL REFERENCES users(id),
    lead_department_id BIGINT NOT NULL REFERENCES departments(id),
    deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    feedback_at BIGINT,
    met_deadline INTEGER,
    reminded_at BIGINT,
    escalated_at BIGINT
);
CREATE INDEX tasks_assignee ON tasks(assignee_id, state);
CREATE INDEX tasks_department ON tasks(lead_department_id, state);
CREATE INDEX tasks_matter ON tasks(matter_id);
CREATE INDEX tasks_due ON tasks(state, deadline);

CREATE TABLE task_codepartments (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (task_id, department_id)
);
CREATE INDEX task_codepartments_department ON task_codepartments(department_id);

-- Progress reports, reminders, escalations and extension decisions, in order.
CREATE TABLE task_updates (
    id {{PK}},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    progress INTEGER,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX task_updates_task ON task_updates(task_id, id);

CREATE TABLE task_extensions (
    id {{PK}},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    old_deadline TEXT NOT NULL,
    requested_deadline TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_note TEXT
);
CREATE INDEX task_extensions_task ON task_extensions(task_id, state);
