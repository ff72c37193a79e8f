-- Weekly 通报 of overdue records, for any mechanism: one per series and week (the unique
-- pair is what makes one server issue it), numbered in the series' document numbers, with
-- the records it names as of its date and the people it went to.
CREATE TABLE bulletins (
    id {{PK}},
    series TEXT NOT NULL,
    week TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    items INTEGER NOT NULL,
    UNIQUE (series, week)
);
CREATE TABLE bulletin_items (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    record_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    person TEXT NOT NULL,
    deadline TEXT NOT NULL,
    working_days_overdue INTEGER NOT NULL,
    PRIMARY KEY (bulletin_id, record_id)
);
CREATE TABLE bulletin_recipients (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (bulletin_id, user_id)
);
CREATE INDEX bulletins_series ON bulletins(series, id);
