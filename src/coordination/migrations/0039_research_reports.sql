-- A research task (研究论证) ends in a research report with its conclusions, written by the
-- responsible person and revised until it is sent; the leader adopts it or sends it back.
CREATE TABLE research_reports (
    task_id BIGINT PRIMARY KEY REFERENCES tasks(id),
    background TEXT NOT NULL,
    -- One conclusion per line.
    conclusions TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    written_at BIGINT NOT NULL
);
