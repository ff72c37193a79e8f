-- Settings an administrator changes without a rebuild (thresholds, periods).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 约谈: a recorded interview of a division head whose division scored at the bottom.
CREATE TABLE interviews (
    id {{PK}},
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    head_name TEXT NOT NULL,
    period TEXT NOT NULL,
    held_on TEXT NOT NULL,
    interviewer TEXT NOT NULL,
    said TEXT NOT NULL,
    agreed TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX interviews_division ON interviews(division_id, period);

-- 调整: a department head's decision on a division at the bottom K periods in a row.
CREATE TABLE adjustments (
    id {{PK}},
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    periods TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX adjustments_division ON adjustments(division_id);
