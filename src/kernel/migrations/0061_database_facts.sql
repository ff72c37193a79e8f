-- Facts fixed for a database's life, such as the cryptography suite it was written under.
-- A database that already has audit entries was written under the standard suite.
CREATE TABLE database_facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO database_facts (name, value) SELECT 'crypto', 'standard' WHERE EXISTS (SELECT 1 FROM audit_log);
