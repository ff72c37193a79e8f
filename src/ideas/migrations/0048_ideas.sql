-- Mechanism 3: enterprises' ideas, their evaluation by an independent third party, and
-- the support packages (一业一策 / 一企一策) whose measures are delivered as tasks.
CREATE TABLE ideas (
    id {{PK}},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    submitted_by BIGINT NOT NULL REFERENCES users(id),
    field TEXT NOT NULL,
    industry TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    -- The department whose market-allocation promotion division triages it.
    department_id BIGINT NOT NULL REFERENCES departments(id),
    state TEXT NOT NULL,
    -- The last submitted version (0: never submitted).
    version INTEGER NOT NULL DEFAULT 0,
    -- The day more was asked by.
    more_due TEXT,
    -- The evaluator's deadline, for the kernel's reminders and escalations.
    deadline TEXT,
    reminded_at BIGINT,
    escalated_at BIGINT,
    submitted_at BIGINT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ideas_enterprise ON ideas(enterprise_id, id);
CREATE INDEX ideas_department ON ideas(department_id, state);
CREATE INDEX ideas_submitted ON ideas(submitted_at);
CREATE TABLE idea_items (
    id {{PK}},
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    amount_fen BIGINT,
    scope TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES departments(id),
    confidential INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idea_items_idea ON idea_items(idea_id, position);
CREATE INDEX idea_items_department ON idea_items(department_id);
-- Each submission as it was sent, for the differences between versions.
CREATE TABLE idea_versions (
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (idea_id, version)
);
-- The published evaluation criteria and weights, one row per version.
CREATE TABLE idea_criteria (
    version INTEGER PRIMARY KEY,
    criteria TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
INSERT INTO idea_criteria (version, criteria, published_by, published_at) VALUES (1,
 '[{"id":"market","name":"市场前景","weight":30},{"id":"cluster","name":"产业带动与集聚","weight":25},{"id":"innovation","name":"技术与模式创新","weight":20},{"id":"resources","name":"资源要素可得","weight":15},{"id":"risk","name":"风险可控","weight":10}]',
 'system', 0);
CREATE TABLE idea_commissions (
    id {{PK}},
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    -- The evaluator institution's record in the enterprise registry.
    evaluator_id BIGINT NOT NULL REFERENCES enterprises(id),
    commissioned_by BIGINT NOT NULL REFERENCES users(id),
    deadline TEXT NOT NULL,
    -- open, reported, recused or withdrawn.
    state TEXT NOT NULL,
    criteria_version INTEGER NOT NULL,
    feasibility TEXT,
    scores TEXT,
    -- The weighted total, in hundredths of a point.
    total_centi BIGINT,
    reasoning TEXT,
    conditions TEXT,
    item_opinions TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL,
    reported_at BIGINT
);
CREATE INDEX idea_commissions_idea ON idea_commissions(idea_id, id);
CREATE INDEX idea_commissions_evaluator ON idea_commissions(evaluator_id, state);
-- Who opened an idea or its report, and when.
CREATE TABLE idea_opens (
    id {{PK}},
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    what TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX idea_opens_idea ON idea_opens(idea_id, id);
CREATE TABLE support_packages (
    id {{PK}},
    -- industry (一业一策) or enterprise (一企一策).
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    industry TEXT NOT NULL,
    summary TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    leader_id BIGINT NOT NULL REFERENCES users(id),
    drafted_by BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL,
    matter_id BIGINT,
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX support_packages_state ON support_packages(state, id);
CREATE TABLE package_ideas (
    package_id BIGINT NOT NULL REFERENCES support_packages(id),
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    PRIMARY KEY (package_id, idea_id)
);
CREATE UNIQUE INDEX package_ideas_idea ON package_ideas(idea_id);
CREATE TABLE package_measures (
    id {{PK}},
    package_id BIGINT NOT NULL REFERENCES support_packages(id),
    position INTEGER NOT NULL,
    content TEXT NOT NULL,
    resources TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES departments(id),
    assignee_id BIGINT NOT NULL REFERENCES users(id),
    deadline TEXT NOT NULL,
    confidential INTEGER NOT NULL DEFAULT 0,
    task_id BIGINT,
    delivered_on TEXT
);
CREATE INDEX package_measures_package ON package_measures(package_id, position);
CREATE INDEX package_measures_task ON package_measures(task_id);
