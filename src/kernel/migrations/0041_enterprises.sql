-- The enterprise registry (企业库), shared by every mechanism that deals with enterprises:
-- one record per enterprise, keyed by its unified social credit code where known. A
-- merged duplicate points at the record it was merged into; each merge can be undone.
CREATE TABLE enterprises (
    id {{PK}},
    uscc TEXT UNIQUE,
    name TEXT NOT NULL,
    -- The name without spaces, brackets, 有限公司 / 股份: how duplicates are found.
    name_key TEXT NOT NULL,
    legal_representative TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    size TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    registered_on TEXT,
    address TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    merged_into BIGINT REFERENCES enterprises(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enterprises_name_key ON enterprises(name_key);
CREATE INDEX enterprises_phone ON enterprises(contact_phone);
CREATE TABLE enterprise_merges (
    id {{PK}},
    kept_id BIGINT NOT NULL REFERENCES enterprises(id),
    merged_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- The credit code moved from the merged record to the kept one, if any.
    moved_uscc TEXT,
    merged_by TEXT NOT NULL,
    merged_at BIGINT NOT NULL,
    undone_at BIGINT
);
CREATE INDEX enterprise_merges_kept ON enterprise_merges(kept_id, id);
