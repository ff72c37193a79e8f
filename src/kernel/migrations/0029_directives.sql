-- 批示 (a leader's instruction) and 催办 by hand (urging the responsible person and
-- their head) on any record a process governs: each is a record with its author, text
-- and date, addressed to people who can answer it. A 催办通知 is numbered per year.
CREATE TABLE directives (
    id {{PK}},
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX directives_record ON directives(record_kind, record_id, id);
CREATE TABLE directive_recipients (
    directive_id BIGINT NOT NULL REFERENCES directives(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    answer TEXT,
    answered_at BIGINT,
    PRIMARY KEY (directive_id, user_id)
);
CREATE INDEX directive_recipients_user ON directive_recipients(user_id, directive_id);
-- Document numbers by series and year (青督催〔2019〕1号), one upsert each.
CREATE TABLE document_numbers (
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);
