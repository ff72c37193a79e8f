-- Desks: functions a department holds that mechanisms look up by name, such as the
-- office that speaks for a supervision channel ('channel:congress' is the people's
-- congress office). One department per desk; set by administrators.
CREATE TABLE department_desks (
    desk TEXT PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX department_desks_department ON department_desks(department_id);
