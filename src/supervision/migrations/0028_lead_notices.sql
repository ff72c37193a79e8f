-- 通报: the numbered notice of a lead's outcome (青督通〔2019〕1号), sent to the unit and
-- to the office of the channel the lead came from. Numbers run per year.
CREATE TABLE notice_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE notices (
    id {{PK}},
    number TEXT NOT NULL UNIQUE,
    lead_id BIGINT NOT NULL REFERENCES leads(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_by BIGINT REFERENCES users(id),
    issued_at BIGINT NOT NULL
);
CREATE INDEX notices_lead ON notices(lead_id);
CREATE TABLE notice_recipients (
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (notice_id, department_id)
);
