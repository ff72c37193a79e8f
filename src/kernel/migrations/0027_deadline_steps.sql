-- Later escalation steps and repeated reminders of an overdue record, one row each per
-- deadline: inserted once (a second server's insert changes nothing), so each goes out
-- once, and a step missed while the server was down goes out on the next run.
CREATE TABLE deadline_steps (
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    step TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (kind, record_id, deadline, step)
);
