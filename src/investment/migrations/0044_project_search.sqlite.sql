CREATE TRIGGER projects_search_insert AFTER INSERT ON projects BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('project', NEW.id);
END;
CREATE TRIGGER projects_search_update AFTER UPDATE OF title, enterprise_id, event_id, platform_id, sector, district, state, department_id, responsible_id ON projects BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('project', NEW.id);
END;
