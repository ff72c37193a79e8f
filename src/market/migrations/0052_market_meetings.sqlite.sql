CREATE TRIGGER documents_search_insert AFTER INSERT ON documents BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('document', NEW.id);
END;
CREATE TRIGGER documents_search_update AFTER UPDATE OF number, title, body, classification ON documents BEGIN
    INSERT INTO search_queue (kind, record_id) VALUES ('document', NEW.id);
END;
INSERT INTO search_queue (kind, record_id) SELECT 'document', id FROM documents;
