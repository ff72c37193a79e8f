-- Mechanism 1b: the people served rate each member of a division on four dimensions.

-- A service given by one member of staff, which may be rated once.
CREATE TABLE interactions (
    id {{PK}},
    staff_id BIGINT NOT NULL REFERENCES users(id),
    division_id BIGINT REFERENCES divisions(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    ref_kind TEXT,
    ref_id BIGINT,
    summary TEXT NOT NULL,
    served_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX interactions_staff ON interactions(staff_id, id);

-- The one-time link given to the person served; only its digest is kept.
CREATE TABLE invitations (
    id {{PK}},
    interaction_id BIGINT NOT NULL UNIQUE REFERENCES interactions(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE ratings (
    id {{PK}},
    interaction_id BIGINT NOT NULL UNIQUE REFERENCES interactions(id),
    staff_id BIGINT NOT NULL REFERENCES users(id),
    division_id BIGINT REFERENCES divisions(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    attitude INTEGER NOT NULL,
    style INTEGER NOT NULL,
    efficiency INTEGER NOT NULL,
    competence INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    rater_name TEXT NOT NULL DEFAULT '',
    rater_contact TEXT NOT NULL DEFAULT '',
    rater_user_id BIGINT REFERENCES users(id),
    bad INTEGER NOT NULL,
    -- The bad-review process's state; 'none' for a rating that is not a bad review.
    state TEXT NOT NULL,
    counted INTEGER NOT NULL DEFAULT 1,
    rectify_deadline TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ratings_staff ON ratings(staff_id, id);
CREATE INDEX ratings_division_bad ON ratings(division_id, bad, state);

-- Scores per member and period ('2019-04', '2019-Q2', '2019'), kept as ratings arrive.
CREATE TABLE rating_scores (
    period TEXT NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES users(id),
    division_id BIGINT,
    department_id BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    attitude BIGINT NOT NULL DEFAULT 0,
    style BIGINT NOT NULL DEFAULT 0,
    efficiency BIGINT NOT NULL DEFAULT 0,
    competence BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, staff_id)
);
CREATE INDEX rating_scores_division ON rating_scores(period, division_id);
CREATE INDEX rating_scores_department ON rating_scores(period, department_id);
