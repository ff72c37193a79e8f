-- Each co-department's own part of a task's feedback (协办单位反馈), one per department,
-- replaced until the task is finished.
CREATE TABLE task_co_feedback (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    body TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (task_id, department_id)
);
