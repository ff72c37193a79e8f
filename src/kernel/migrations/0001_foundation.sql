CREATE TABLE departments (
    id {{PK}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    is_economic INTEGER NOT NULL DEFAULT 0,
    parent_id BIGINT REFERENCES departments(id),
    visibility TEXT NOT NULL DEFAULT 'public',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX departments_kind ON departments(kind, active);

CREATE TABLE divisions (
    id {{PK}},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'general',
    visibility TEXT NOT NULL DEFAULT 'public',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (department_id, name)
);

CREATE TABLE posts (
    id {{PK}},
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    title TEXT NOT NULL,
    quota INTEGER NOT NULL,
    is_head INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX posts_division ON posts(division_id);

CREATE TABLE users (
    id {{PK}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    division_id BIGINT REFERENCES divisions(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    lang TEXT NOT NULL DEFAULT 'zh',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE people (
    id {{PK}},
    name TEXT NOT NULL,
    leader_title TEXT,
    user_id BIGINT UNIQUE REFERENCES users(id),
    visibility TEXT NOT NULL DEFAULT 'internal',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE assignments (
    id {{PK}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    post_id BIGINT NOT NULL REFERENCES posts(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX assignments_post ON assignments(post_id, end_date);
CREATE INDEX assignments_person ON assignments(person_id, end_date);

CREATE TABLE portfolios (
    id {{PK}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX portfolios_person ON portfolios(person_id, end_date);

CREATE TABLE sessions (
    id {{PK}},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    id {{PK}},
    part BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (part, seq)
);
CREATE INDEX audit_record ON audit_log(record_kind, record_id);
CREATE INDEX audit_actor ON audit_log(actor_id, id);
CREATE INDEX audit_at ON audit_log(at);

-- The newest entry of each partition's chain, so that cutting off the tail is detected.
CREATE TABLE audit_heads (
    part BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_heads (part, seq, hash) VALUES
 (0, 0, 'genesis'), (1, 0, 'genesis'), (2, 0, 'genesis'), (3, 0, 'genesis'),
 (4, 0, 'genesis'), (5, 0, 'genesis'), (6, 0, 'genesis'), (7, 0, 'genesis'),
 (8, 0, 'genesis'), (9, 0, 'genesis'), (10, 0, 'genesis'), (11, 0, 'genesis'),
 (12, 0, 'genesis'), (13, 0, 'genesis'), (14, 0, 'genesis'), (15, 0, 'genesis');
