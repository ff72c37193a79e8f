-- Mechanism 5: industry associations and chambers kept like departments, and official
-- documents dispatched to departments and associations alike with read receipts.
CREATE TABLE associations (
    id {{PK}},
    -- The association's own record (社会团体 credit code) in the enterprise registry;
    -- its accounts are the accounts linked to that record.
    enterprise_id BIGINT NOT NULL UNIQUE REFERENCES enterprises(id),
    -- association (行业协会) or chamber (商会).
    kind TEXT NOT NULL,
    -- JSON list of the industries it speaks for.
    industries TEXT NOT NULL,
    -- The market-allocation promotion division that works with it.
    division_id BIGINT REFERENCES divisions(id),
    head_name TEXT NOT NULL,
    secretary_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX associations_division ON associations(division_id);
CREATE TABLE association_members (
    association_id BIGINT NOT NULL REFERENCES associations(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (association_id, enterprise_id)
);
CREATE INDEX association_members_enterprise ON association_members(enterprise_id);
CREATE TABLE documents (
    id {{PK}},
    -- 发文字号: 青政发〔2019〕12号, unique per issuing department.
    number TEXT NOT NULL,
    issuer_department_id BIGINT NOT NULL REFERENCES departments(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- public (公开) or internal (内部); 涉密 documents are not kept here.
    classification TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    -- The day every recipient should have read it by.
    read_by TEXT NOT NULL,
    issued_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX documents_number ON documents(issuer_department_id, number);
CREATE INDEX documents_issuer ON documents(issuer_department_id, id);
-- One row per receiving account: a department or an association.
CREATE TABLE document_recipients (
    id {{PK}},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    department_id BIGINT REFERENCES departments(id),
    association_id BIGINT REFERENCES associations(id),
    delivered_at BIGINT NOT NULL,
    first_read_at BIGINT,
    acknowledged_at BIGINT,
    acknowledged_by BIGINT REFERENCES users(id),
    feedback TEXT,
    feedback_at BIGINT,
    feedback_by BIGINT REFERENCES users(id),
    reminded_at BIGINT
);
CREATE UNIQUE INDEX document_recipients_department ON document_recipients(document_id, department_id);
CREATE UNIQUE INDEX document_recipients_association ON document_recipients(document_id, association_id);
CREATE INDEX document_recipients_unread ON document_recipients(first_read_at, reminded_at);
CREATE INDEX document_recipients_by_department ON document_recipients(department_id, document_id);
CREATE INDEX document_recipients_by_association ON document_recipients(association_id, document_id);
-- Read receipts: who of a receiving account opened the document, first time only.
CREATE TABLE document_reads (
    recipient_id BIGINT NOT NULL REFERENCES document_recipients(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (recipient_id, user_id)
);
