-- Indexes that let the default orderings of lists walk an index instead of sorting.
CREATE INDEX tasks_deadline ON tasks(deadline, id);
CREATE INDEX matters_updated ON matters(updated_at, id);

-- Execution figures per lead department and per responsible person, maintained as
-- tasks are assigned and fed back; `overdue` is refreshed by the scheduler.
CREATE TABLE task_stats (
    dimension TEXT NOT NULL,
    key BIGINT NOT NULL,
    tasks BIGINT NOT NULL DEFAULT 0,
    fed_back BIGINT NOT NULL DEFAULT 0,
    on_time BIGINT NOT NULL DEFAULT 0,
    cycle_ms BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, key)
);
CREATE INDEX task_stats_tasks ON task_stats(dimension, tasks);

-- A matter's task counts (progress, overdue) by state, without touching other matters.
CREATE INDEX tasks_matter_state ON tasks(matter_id, state);
