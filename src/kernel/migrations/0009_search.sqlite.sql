CREATE TABLE search_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL
);
-- Identifies this database to an index directory, so an index built from another
-- database is never trusted.
CREATE TABLE search_state (id INTEGER PRIMARY KEY, database_id TEXT NOT NULL);
INSERT INTO search_state (id, database_id) VALUES (1, lower(hex(randomblob(16))));

CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('lead', NEW.id);
END;
CREATE TRIGGER leads_search_update AFTER UPDATE OF description, address, outcome, state, channel, unit_department_id, category_code ON leads BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('lead', NEW.id);
END;
CREATE TRIGGER matters_search_insert AFTER INSERT ON matters BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('matter', NEW.id);
END;
-- A task's visibility follows its matter's.
CREATE TRIGGER matters_search_update AFTER UPDATE OF title, description, kickoff_decisions, state, visibility, department_id, leader_id, opened_by ON matters BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('matter', NEW.id);
    INSERT INTO search_queue (kind, record_id) SELECT 'task', id FROM tasks WHERE matter_id = NEW.id;
END;
-- A matter is visible to its tasks' assignees.
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('task', NEW.id), ('matter', NEW.matter_id);
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description, state, lead_department_id, assignee_id, matter_id ON tasks BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('task', NEW.id), ('matter', NEW.matter_id);
END;
