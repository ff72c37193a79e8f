-- A person holds a post, and a leader a portfolio, at most once at a time: the checks in
-- code run under row locks, and these indexes stand behind them.
CREATE UNIQUE INDEX assignments_open_once ON assignments(person_id, post_id) WHERE end_date IS NULL;
CREATE UNIQUE INDEX portfolios_open_once ON portfolios(person_id, department_id) WHERE end_date IS NULL;
