-- Mechanism 6: enterprise-support policies with their clauses, eligibility rules and
-- promises; enterprises' applications tracked against the promised deadline; law firms
-- under contract, their service cases and their non-fulfilment notices (督促函).
CREATE TABLE policies (
    id {{PK}},
    title TEXT NOT NULL,
    -- The 发文字号 of the document that issued it, where there is one.
    document_number TEXT NOT NULL DEFAULT '',
    issuer_department_id BIGINT NOT NULL REFERENCES departments(id),
    responsible_department_id BIGINT NOT NULL REFERENCES departments(id),
    -- JSON list of {number, text}.
    clauses TEXT NOT NULL,
    -- JSON list of {field, op, values}: who it applies to, as data.
    rules TEXT NOT NULL,
    -- What is promised, in words, and the amount where it is money (fen).
    promise TEXT NOT NULL,
    amount_fen BIGINT,
    -- Working days from application to delivery.
    delivery_days INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX policies_department ON policies(responsible_department_id, id);
CREATE TABLE policy_applications (
    id {{PK}},
    policy_id BIGINT NOT NULL REFERENCES policies(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    -- JSON of the answers given where the registry did not settle a rule.
    answers TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- applied, then delivered or refused.
    state TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES users(id),
    decided_on TEXT,
    reminded_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX policy_applications_once ON policy_applications(policy_id, enterprise_id);
CREATE INDEX policy_applications_due ON policy_applications(state, due_on);
CREATE INDEX policy_applications_enterprise ON policy_applications(enterprise_id);
CREATE TABLE law_firms (
    id {{PK}},
    -- The firm's own record in the enterprise registry; its accounts are linked to it.
    enterprise_id BIGINT NOT NULL UNIQUE REFERENCES enterprises(id),
    -- JSON list of its lawyers' names.
    lawyers TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE TABLE firm_contracts (
    id {{PK}},
    firm_id BIGINT NOT NULL REFERENCES law_firms(id),
    scope TEXT NOT NULL,
    -- JSON list of districts covered.
    districts TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    budget_fen BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX firm_contracts_firm ON firm_contracts(firm_id);
CREATE TABLE service_cases (
    id {{PK}},
    firm_id BIGINT REFERENCES law_firms(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- publicity, applicability, oversight, evaluation or rights.
    kind TEXT NOT NULL,
    policy_id BIGINT REFERENCES policies(id),
    request TEXT NOT NULL,
    -- requested (by the enterprise, no firm yet), open, closed.
    state TEXT NOT NULL,
    minutes INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX service_cases_firm ON service_cases(firm_id, id);
CREATE INDEX service_cases_enterprise ON service_cases(enterprise_id, id);
CREATE TABLE policy_notices (
    id {{PK}},
    firm_id BIGINT NOT NULL REFERENCES law_firms(id),
    application_id BIGINT NOT NULL REFERENCES policy_applications(id),
    -- The clause's number, as the policy numbers it.
    clause TEXT NOT NULL,
    facts TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    -- The department's deadline, and the leader in charge's once escalated.
    due_on TEXT NOT NULL,
    leader_due_on TEXT,
    -- open, escalated (to the leader in charge), referred (a lead of mechanism 7),
    -- then delivered or explained.
    state TEXT NOT NULL,
    response TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    late INTEGER NOT NULL DEFAULT 0,
    responded_by BIGINT REFERENCES users(id),
    responded_at BIGINT,
    escalated_at BIGINT,
    lead_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX policy_notices_due ON policy_notices(state, due_on);
CREATE INDEX policy_notices_department ON policy_notices(department_id, id);
CREATE INDEX policy_notices_firm ON policy_notices(firm_id, id);
