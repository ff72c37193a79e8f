-- The weekly 通报 of overdue tasks: one per ISO week (the unique week is what makes one
-- server issue it), numbered 青督报〔year〕N号, with the tasks it names as of its date.
CREATE TABLE overdue_bulletins (
    id {{PK}},
    week TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    tasks INTEGER NOT NULL
);
CREATE TABLE overdue_bulletin_tasks (
    bulletin_id BIGINT NOT NULL REFERENCES overdue_bulletins(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    title TEXT NOT NULL,
    department TEXT NOT NULL,
    person TEXT NOT NULL,
    deadline TEXT NOT NULL,
    working_days_overdue INTEGER NOT NULL,
    PRIMARY KEY (bulletin_id, task_id)
);
