-- Each change of a process definition, numbered per kind (the shipped one is version 0),
-- so records under the old and the new definition can be compared.
CREATE TABLE process_versions (
    id {{PK}},
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    UNIQUE (kind, version)
);
