CREATE FUNCTION document_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('document', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER documents_search AFTER INSERT OR UPDATE OF number, title, body, classification ON documents FOR EACH ROW EXECUTE FUNCTION document_search_enqueue();
INSERT INTO search_queue (kind, record_id) SELECT 'document', id FROM documents;
