-- Mechanism 5, second part: the questions in a market-allocation division's remit, each
-- classified as the article does; economic meetings with 列席 seats for association
-- heads; and the direct line between key enterprises and city leaders.
CREATE TABLE market_questions (
    id {{PK}},
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    -- to_market (市场能干的交给市场), cultivate (培育市场) or failure (市场失灵).
    class TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- Handed to an association (to_market), or a platform named in words.
    association_id BIGINT REFERENCES associations(id),
    platform TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX market_questions_division ON market_questions(division_id, id);
CREATE TABLE economic_meetings (
    id {{PK}},
    -- party (党委经济工作会议) or government (政府经济工作会议).
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    convener_id BIGINT NOT NULL REFERENCES users(id),
    -- The matter its decisions are tasks under, opened with the first.
    matter_id BIGINT,
    -- planned, then held once the attendance is recorded.
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX economic_meetings_start ON economic_meetings(starts_at);
CREATE TABLE meeting_items (
    id {{PK}},
    meeting_id BIGINT NOT NULL REFERENCES economic_meetings(id),
    seq INTEGER NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX meeting_items_meeting ON meeting_items(meeting_id, seq);
CREATE TABLE meeting_invitees (
    id {{PK}},
    meeting_id BIGINT NOT NULL REFERENCES economic_meetings(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- The association a 列席 head speaks for.
    association_id BIGINT REFERENCES associations(id),
    -- member (出席) or observer (列席); both may speak.
    seat TEXT NOT NULL,
    -- NULL until the attendance is recorded.
    attended INTEGER,
    invited_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX meeting_invitees_person ON meeting_invitees(meeting_id, user_id);
CREATE INDEX meeting_invitees_association ON meeting_invitees(association_id);
CREATE TABLE meeting_speeches (
    id {{PK}},
    meeting_id BIGINT NOT NULL REFERENCES economic_meetings(id),
    item_id BIGINT NOT NULL REFERENCES meeting_items(id),
    invitee_id BIGINT NOT NULL REFERENCES meeting_invitees(id),
    summary TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_speeches_meeting ON meeting_speeches(meeting_id, id);
CREATE TABLE meeting_decisions (
    id {{PK}},
    meeting_id BIGINT NOT NULL REFERENCES economic_meetings(id),
    item_id BIGINT REFERENCES meeting_items(id),
    text TEXT NOT NULL,
    -- The task it became, through the kernel's task seam.
    task_id BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions(meeting_id, id);
-- The direct line (直通车): a thread between an enterprise's accounts and a city leader.
CREATE TABLE line_threads (
    id {{PK}},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    leader_id BIGINT NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX line_threads_enterprise ON line_threads(enterprise_id, last_at);
CREATE INDEX line_threads_leader ON line_threads(leader_id, last_at);
CREATE TABLE line_messages (
    id {{PK}},
    thread_id BIGINT NOT NULL REFERENCES line_threads(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX line_messages_thread ON line_messages(thread_id, id);
-- A message marked as a request, tracked like a task on the green channel.
CREATE TABLE line_requests (
    id {{PK}},
    thread_id BIGINT NOT NULL REFERENCES line_threads(id),
    message_id BIGINT NOT NULL UNIQUE REFERENCES line_messages(id),
    due_on TEXT NOT NULL,
    -- The named responder in one of the leader's departments, once assigned.
    responder_id BIGINT REFERENCES users(id),
    department_id BIGINT REFERENCES departments(id),
    -- open, answered, then closed when the enterprise judges it.
    state TEXT NOT NULL,
    answer TEXT,
    answered_at BIGINT,
    answered_on TEXT,
    escalated_at BIGINT,
    -- satisfied or unsatisfied, by the enterprise.
    judgement TEXT,
    judgement_note TEXT,
    judged_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX line_requests_thread ON line_requests(thread_id);
CREATE INDEX line_requests_open ON line_requests(state, due_on);
CREATE INDEX line_requests_responder ON line_requests(responder_id, state);
