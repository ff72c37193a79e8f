CREATE FUNCTION project_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('project', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_search AFTER INSERT OR UPDATE OF title, enterprise_id, event_id, platform_id, sector, district, state, department_id, responsible_id ON projects FOR EACH ROW EXECUTE FUNCTION project_search_enqueue();
