-- A lead (for example a work team's finding) that a leader turns into a coordination task
-- in one of their matters.
ALTER TABLE leads ADD COLUMN task_id BIGINT REFERENCES tasks(id);
