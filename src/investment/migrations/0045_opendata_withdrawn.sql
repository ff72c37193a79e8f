-- The open catalogue's sync lists the records withdrawn since a time; these partial
-- indexes hold only those (the datasets' `withdrawn` conditions, word for word).
CREATE INDEX enterprises_withdrawn ON enterprises(updated_at, id) WHERE merged_into IS NOT NULL;
CREATE INDEX projects_withdrawn ON projects(updated_at, id) WHERE state IN ('negotiating', 'dropped');
