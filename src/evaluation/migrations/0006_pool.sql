-- 不胜任工作人员池: members returned by their division, trained, assessed, reassigned.
CREATE TABLE pool_cases (
    id {{PK}},
    staff_id BIGINT NOT NULL REFERENCES users(id),
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    proposed_by BIGINT NOT NULL REFERENCES users(id),
    reasons TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    plan_kind TEXT,
    host_enterprise TEXT NOT NULL DEFAULT '',
    mentor TEXT NOT NULL DEFAULT '',
    start_date TEXT,
    end_date TEXT,
    response TEXT NOT NULL DEFAULT '',
    reassigned_division_id BIGINT REFERENCES divisions(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX pool_cases_department ON pool_cases(department_id, state);
CREATE INDEX pool_cases_staff ON pool_cases(staff_id);

CREATE TABLE pool_assessments (
    id {{PK}},
    case_id BIGINT NOT NULL REFERENCES pool_cases(id),
    assessed_on TEXT NOT NULL,
    assessor TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX pool_assessments_case ON pool_assessments(case_id);
