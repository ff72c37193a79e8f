-- A rating comes from the person served, never from the member rated.
-- Who was served: 'user:<id>' for an account, 'contact:<digest>' for a phone or e-mail
-- address; one invitation per service and person served.
ALTER TABLE interactions ADD COLUMN served_key TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN served_user_id BIGINT REFERENCES users(id);
UPDATE interactions SET served_key = 'legacy:' || CAST(id AS TEXT);
CREATE UNIQUE INDEX interactions_one_per_service ON interactions(ref_kind, ref_id, served_key) WHERE ref_kind IS NOT NULL;
CREATE INDEX interactions_served ON interactions(division_id, served_key);

-- The one-time code sent with the link to the person served (its digest), the wrong
-- codes tried, and where the invitation was sent, masked.
ALTER TABLE invitations ADD COLUMN code_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN sent_to TEXT NOT NULL DEFAULT '';

-- Invitations issued per member per day, counted in one statement so that two at once
-- cannot both pass the limit.
CREATE TABLE invitation_quota (
    staff_id BIGINT NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    issued INTEGER NOT NULL,
    PRIMARY KEY (staff_id, day)
);

-- Ratings refused because they came from the member rated or their division (own
-- session, own browser, own contact details); shown on the scoreboard.
CREATE TABLE rating_refusals (
    id {{PK}},
    interaction_id BIGINT NOT NULL REFERENCES interactions(id),
    staff_id BIGINT NOT NULL REFERENCES users(id),
    division_id BIGINT,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rating_refusals_division ON rating_refusals(division_id, created_at);
