-- Who holds shares in an enterprise, as the registry knows it. Two records are tied when
-- they share a holder, or when one holds the other.
CREATE TABLE enterprise_shareholders (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, name_key)
);
CREATE INDEX enterprise_shareholders_key ON enterprise_shareholders(name_key);
-- Ties an organisation that must stay independent (an evaluator, a law firm) declares to
-- an enterprise: ownership, shared people, or a contract signed on a day.
CREATE TABLE declared_ties (
    id {{PK}},
    organisation_id BIGINT NOT NULL REFERENCES enterprises(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    contract_on TEXT,
    declared_by TEXT NOT NULL,
    declared_at BIGINT NOT NULL
);
CREATE INDEX declared_ties_pair ON declared_ties(organisation_id, enterprise_id);
-- An organisation's accounts (evaluators, law firms, associations) speak for its record.
CREATE INDEX users_enterprise ON users(enterprise_id);
