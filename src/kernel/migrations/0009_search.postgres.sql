CREATE TABLE search_queue (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL
);
-- Identifies this database to an index directory, so an index built from another
-- database is never trusted.
CREATE TABLE search_state (id INTEGER PRIMARY KEY, database_id TEXT NOT NULL);
INSERT INTO search_state (id, database_id) VALUES (1, md5(random()::text || clock_timestamp()::text));

CREATE FUNCTION search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'leads' THEN
        INSERT INTO search_queue (kind, record_id) VALUES ('lead', NEW.id);
    ELSIF TG_TABLE_NAME = 'matters' THEN
        INSERT INTO search_queue (kind, record_id) VALUES ('matter', NEW.id);
        -- A task's visibility follows its matter's.
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO search_queue (kind, record_id) SELECT 'task', id FROM tasks WHERE matter_id = NEW.id;
        END IF;
    ELSIF TG_TABLE_NAME = 'tasks' THEN
        -- A matter is visible to its tasks' assignees.
        INSERT INTO search_queue (kind, record_id) VALUES ('task', NEW.id), ('matter', NEW.matter_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_search AFTER INSERT OR UPDATE OF description, address, outcome, state, channel, unit_department_id, category_code ON leads FOR EACH ROW EXECUTE FUNCTION search_enqueue();
CREATE TRIGGER matters_search AFTER INSERT OR UPDATE OF title, description, kickoff_decisions, state, visibility, department_id, leader_id, opened_by ON matters FOR EACH ROW EXECUTE FUNCTION search_enqueue();
CREATE TRIGGER tasks_search AFTER INSERT OR UPDATE OF title, description, state, lead_department_id, assignee_id, matter_id ON tasks FOR EACH ROW EXECUTE FUNCTION search_enqueue();
