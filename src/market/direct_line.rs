//! The direct line (政企直通车): threads between key enterprises' heads and city leaders,
//! the article's WeChat groups as a channel here. A message can be marked a request: it
//! is tracked like a task on the green channel (a short deadline in working days), the
//! leader names a responder in a department of the leader's portfolio, the sweep
//! escalates it when late, and the enterprise judges the answer.

use serde::{Deserialize, Serialize};

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note, Param};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::org::people;
use crate::params;

/// Working days a direct-line request has to be answered in: the green channel.
pub const GREEN_CHANNEL_DAYS: u32 = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LineThread)]
pub struct Thread {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub leader_id: i64,
    pub leader_name: String,
    pub subject: String,
    pub created_at: i64,
    /// When its last message was written.
    pub last_at: i64,
    /// Requests not yet answered.
    pub open_requests: i64,
}

const COLUMNS: &str = "t.id, t.enterprise_id, e.name AS enterprise_name, t.leader_id, l.display_name AS leader_name, \
    t.subject, t.created_at, t.last_at, \
    (SELECT COUNT(*) FROM line_requests q WHERE q.thread_id = t.id AND q.state = 'open') AS open_requests";
const FROM: &str = "line_threads t JOIN enterprises e ON e.id = t.enterprise_id JOIN users l ON l.id = t.leader_id";

fn from_row(r: &Row) -> AppResult<Thread> {
    Ok(Thread {
        id: r.int("id")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        leader_id: r.int("leader_id")?,
        leader_name: r.text("leader_name")?,
        subject: r.text("subject")?,
        created_at: r.int("created_at")?,
        last_at: r.int("last_at")?,
        open_requests: r.int("open_requests")?,
    })
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Thread> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// How the caller takes part in a thread: the enterprise's accounts, the leader, or the
/// leader's office (the heads of the leader's departments, and the named responders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Enterprise,
    Leader,
    Office,
}

fn enterprise_of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<i64>> {
    if user.role != Role::Enterprise {
        return Ok(None);
    }
    Ok(tx
        .query_opt("SELECT enterprise_id FROM users WHERE id = $1", params![user.id])?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten())
}

fn side_of(tx: &mut Tx<'_>, user: &CurrentUser, t: &Thread) -> AppResult<Option<Side>> {
    if enterprise_of(tx, user)? == Some(t.enterprise_id) {
        return Ok(Some(Side::Enterprise));
    }
    if user.id == t.leader_id {
        return Ok(Some(Side::Leader));
    }
    if !user.role.is_government() {
        return Ok(None);
    }
    let responder = tx.count(
        "SELECT COUNT(*) FROM line_requests WHERE thread_id = $1 AND responder_id = $2",
        params![t.id, user.id],
    )? > 0;
    let head = user.role == Role::DeptHead
        && user
            .department_id
            .is_some_and(|d| people::portfolio_departments(tx, t.leader_id).map(|ds| ds.contains(&d)).unwrap_or(false));
    Ok((responder || head).then_some(Side::Office))
}

/// The thread and the caller's side in it; a thread the caller takes no part in is not
/// found.
pub fn open_thread(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<(Thread, Side)> {
    let t = find(tx, id)?;
    let side = side_of(tx, user, &t)?.ok_or(AppError::NotFound)?;
    Ok((t, side))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadFilter {
    /// Only threads with requests not yet answered.
    #[serde(default)]
    pub open: Option<bool>,
}

/// The threads the caller takes part in.
pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &ThreadFilter, p: &ListParams) -> AppResult<Page<Thread>> {
    let mut w = Where::default();
    if let Some(e) = enterprise_of(tx, user)? {
        w.and("t.enterprise_id = ?", e);
    } else if user.role.is_government() {
        let department = if user.role == Role::DeptHead { user.department_id.unwrap_or(0) } else { 0 };
        w.and_args(
            "(t.leader_id = ?1 OR EXISTS (SELECT 1 FROM line_requests q WHERE q.thread_id = t.id AND q.responder_id = ?1) \
             OR EXISTS (SELECT 1 FROM portfolios f JOIN people pe ON pe.id = f.person_id \
             WHERE pe.user_id = t.leader_id AND f.end_date IS NULL AND f.department_id = ?2))",
            vec![user.id.into(), department.into()],
        );
    } else {
        w.and_sql("1 = 0");
    }
    if f.open == Some(true) {
        w.and_sql("EXISTS (SELECT 1 FROM line_requests q WHERE q.thread_id = t.id AND q.state = 'open')");
    }
    if let Some(like) = p.like() {
        w.contains(&["t.subject", "e.name"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("t.last_at", &[("last", "t.last_at"), ("subject", "t.subject")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The city leaders an enterprise may open a thread with: those holding a portfolio now.
pub fn leaders(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(
        "SELECT DISTINCT u.id, u.display_name FROM people pe JOIN users u ON u.id = pe.user_id \
         JOIN portfolios f ON f.person_id = pe.id AND f.end_date IS NULL WHERE u.active = 1 AND u.role = 'leader' \
         ORDER BY u.id",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, r.text(1)?)))
    .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ThreadInput)]
pub struct ThreadInput {
    pub leader_id: i64,
    pub subject: String,
    /// The first message.
    pub body: String,
    /// Mark the first message a request.
    #[serde(default)]
    pub request: bool,
}

/// An enterprise's account opens a thread with a city leader.
pub fn start(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    input: &ThreadInput,
) -> AppResult<Thread> {
    let enterprise = enterprise_of(tx, user)?.ok_or(AppError::Forbidden)?;
    let subject = validate::text(&input.subject, "subject", 200)?;
    if !leaders(tx)?.iter().any(|(id, _)| *id == input.leader_id) {
        return Err(AppError::invalid("not_a_leader", "leader_id"));
    }
    let id = tx.insert(
        "INSERT INTO line_threads (enterprise_id, leader_id, subject, opened_by, created_at, last_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        params![enterprise, input.leader_id, subject, user.id, who.now],
    )?;
    let t = find(tx, id)?;
    audit::record(tx, who, Change::created("line_thread", id, &t))?;
    write(
        tx,
        who,
        user,
        calendar,
        &t,
        Side::Enterprise,
        &MessageInput { body: input.body.clone(), request: input.request },
    )?;
    find(tx, id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LineMessageInput)]
pub struct MessageInput {
    pub body: String,
    /// Mark it a request (the enterprise's side only).
    #[serde(default)]
    pub request: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LineMessage)]
pub struct Message {
    pub id: i64,
    pub author: String,
    /// `enterprise`, `leader` or `office`.
    pub side: String,
    pub body: String,
    pub created_at: i64,
    /// The request this message made, if it is one.
    pub request_id: Option<i64>,
}

/// Post a message on a thread the caller takes part in; the other side is told.
pub fn post(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    id: i64,
    input: &MessageInput,
) -> AppResult<Message> {
    let t = find(tx, id)?;
    let side = side_of(tx, user, &t)?.ok_or(AppError::Refused { code: "not_on_thread" })?;
    write(tx, who, user, calendar, &t, side, input)
}

fn write(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    t: &Thread,
    side: Side,
    input: &MessageInput,
) -> AppResult<Message> {
    let body = validate::text(&input.body, "body", 4000)?;
    if input.request && side != Side::Enterprise {
        return Err(AppError::invalid("request_by_enterprise_only", "request"));
    }
    let mid = tx.insert(
        "INSERT INTO line_messages (thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        params![t.id, user.id, body.as_str(), who.now],
    )?;
    tx.execute("UPDATE line_threads SET last_at = $1 WHERE id = $2", params![who.now, t.id])?;
    let request_id = if input.request {
        let due = calendar.add_working_days(clock::local_date(who.now), GREEN_CHANNEL_DAYS);
        Some(tx.insert(
            "INSERT INTO line_requests (thread_id, message_id, due_on, state, created_at) \
             VALUES ($1, $2, $3, 'open', $4) RETURNING id",
            params![t.id, mid, due.to_string(), who.now],
        )?)
    } else {
        None
    };
    let m = Message {
        id: mid,
        author: user.display_name.clone(),
        side: side_name(side).to_owned(),
        body,
        created_at: who.now,
        request_id,
    };
    audit::record(tx, who, Change::created("line_message", mid, &m))?;
    let others = match side {
        Side::Enterprise => {
            let mut told = vec![t.leader_id];
            told.extend(responders(tx, t.id)?);
            told
        }
        _ => enterprise_accounts(tx, t.enterprise_id)?,
    };
    let message = if request_id.is_some() { "mk-note-line-request" } else { "mk-note-line-message" };
    tell(tx, who, &others, t, message)?;
    Ok(m)
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Enterprise => "enterprise",
        Side::Leader => "leader",
        Side::Office => "office",
    }
}

fn responders(tx: &mut Tx<'_>, thread: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT DISTINCT responder_id FROM line_requests WHERE thread_id = $1 AND responder_id IS NOT NULL AND state = 'open'",
        params![thread],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

fn enterprise_accounts(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    crate::enterprises::registry::enterprise_account_ids(tx, id)
}

fn tell(tx: &mut Tx<'_>, who: &Who, users: &[i64], t: &Thread, message: &str) -> AppResult<usize> {
    let note = Note {
        kind: "direct_line",
        message,
        params: vec![
            ("subject", Param::from(t.subject.clone())),
            ("enterprise", Param::from(t.enterprise_name.clone())),
        ],
        body: String::new(),
        link: format!("/direct-line/{}", t.id),
    };
    notify::send(tx, who, users, &note)
}

/// The thread's messages after message `after` (all with 0), oldest first: what the open
/// page polls for.
pub fn messages(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, after: i64) -> AppResult<Vec<Message>> {
    let (t, _) = open_thread(tx, user, id)?;
    let rows = tx.query(
        "SELECT m.id, u.display_name, m.author_id, u.role, m.body, m.created_at, q.id \
         FROM line_messages m JOIN users u ON u.id = m.author_id LEFT JOIN line_requests q ON q.message_id = m.id \
         WHERE m.thread_id = $1 AND m.id > $2 ORDER BY m.id LIMIT 500",
        params![id, after],
    )?;
    rows.iter()
        .map(|r| {
            let side = if r.int(2)? == t.leader_id {
                Side::Leader
            } else if r.text(3)? == "enterprise" {
                Side::Enterprise
            } else {
                Side::Office
            };
            Ok(Message {
                id: r.int(0)?,
                author: r.text(1)?,
                side: side_name(side).to_owned(),
                body: r.text(4)?,
                created_at: r.int(5)?,
                request_id: r.opt_int(6)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LineRequest)]
pub struct Request {
    pub id: i64,
    pub thread_id: i64,
    pub message_id: i64,
    /// What was asked: the message's words.
    pub asked: String,
    pub due_on: String,
    pub responder_id: Option<i64>,
    pub responder_name: Option<String>,
    pub department_name: Option<String>,
    /// `open`, `answered` or `closed`.
    pub state: String,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_on: Option<String>,
    pub escalated_at: Option<i64>,
    /// `satisfied` or `unsatisfied`.
    pub judgement: Option<String>,
    pub judgement_note: Option<String>,
    /// `on_time`, `late`, `overdue` or `under_way`, as the kernel words a delivery.
    pub delivery: String,
    pub created_at: i64,
}

const REQUEST_COLUMNS: &str = "q.id, q.thread_id, q.message_id, m.body AS asked, q.due_on, q.responder_id, \
    r.display_name AS responder_name, d.name AS department_name, q.state, q.answer, q.answered_at, q.answered_on, \
    q.escalated_at, q.judgement, q.judgement_note, q.created_at";
const REQUEST_FROM: &str = "line_requests q JOIN line_messages m ON m.id = q.message_id \
    LEFT JOIN users r ON r.id = q.responder_id LEFT JOIN departments d ON d.id = q.department_id";

fn request_row(r: &Row, today: &str) -> AppResult<Request> {
    let due_on = r.text("due_on")?;
    let answered_on = r.opt_text("answered_on")?;
    Ok(Request {
        id: r.int("id")?,
        thread_id: r.int("thread_id")?,
        message_id: r.int("message_id")?,
        asked: r.text("asked")?,
        delivery: crate::kernel::registry::delivery(&due_on, answered_on.as_deref(), today).to_owned(),
        due_on,
        responder_id: r.opt_int("responder_id")?,
        responder_name: r.opt_text("responder_name")?,
        department_name: r.opt_text("department_name")?,
        state: r.text("state")?,
        answer: r.opt_text("answer")?,
        answered_at: r.opt_int("answered_at")?,
        answered_on,
        escalated_at: r.opt_int("escalated_at")?,
        judgement: r.opt_text("judgement")?,
        judgement_note: r.opt_text("judgement_note")?,
        created_at: r.int("created_at")?,
    })
}

/// The requests of a thread the caller takes part in.
pub fn requests(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, now: i64) -> AppResult<Vec<Request>> {
    open_thread(tx, user, id)?;
    let today = clock::local_date(now).to_string();
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM {REQUEST_FROM} WHERE q.thread_id = $1 ORDER BY q.id");
    tx.query(&sql, params![id])?.iter().map(|r| request_row(r, &today)).collect()
}

fn request(tx: &mut Tx<'_>, id: i64, now: i64) -> AppResult<Request> {
    let today = clock::local_date(now).to_string();
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM {REQUEST_FROM} WHERE q.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| request_row(&r, &today)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LineAssignInput)]
pub struct AssignInput {
    /// A person in a department of the leader's portfolio (分管).
    pub responder_id: i64,
}

/// The leader, or a head of one of the leader's departments, names the responder.
pub fn assign(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &AssignInput) -> AppResult<Request> {
    let before = request(tx, id, who.now)?;
    let (t, side) = open_thread(tx, user, before.thread_id)?;
    if side == Side::Enterprise || (side == Side::Office && user.role != Role::DeptHead) {
        return Err(AppError::Forbidden);
    }
    if before.state != "open" {
        return Err(AppError::conflict("request_not_open"));
    }
    let departments = people::portfolio_departments(tx, t.leader_id)?;
    let responder = tx
        .query_opt(
            "SELECT department_id FROM users WHERE id = $1 AND active = 1 \
             AND role IN ('dept_head', 'division_head', 'staff')",
            params![input.responder_id],
        )?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten();
    let Some(department) = responder.filter(|d| departments.contains(d)) else {
        return Err(AppError::invalid("responder_outside_portfolio", "responder_id"));
    };
    tx.execute(
        "UPDATE line_requests SET responder_id = $1, department_id = $2 WHERE id = $3",
        params![input.responder_id, department, id],
    )?;
    let after = request(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("assign", "line_request", id, &before.responder_id, &after.responder_id))?;
    tell(tx, who, &[input.responder_id], &t, "mk-note-line-assigned")?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LineAnswerInput)]
pub struct AnswerInput {
    pub answer: String,
}

/// The named responder (or the leader) answers; the answer is posted on the thread and
/// the enterprise is told.
pub fn answer(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    id: i64,
    input: &AnswerInput,
) -> AppResult<Request> {
    let before = request(tx, id, who.now)?;
    let (t, side) = open_thread(tx, user, before.thread_id)?;
    if side != Side::Leader && before.responder_id != Some(user.id) {
        return Err(AppError::invalid("not_the_responder", "answer"));
    }
    let text = validate::text(&input.answer, "answer", 4000)?;
    let today = clock::local_date(who.now).to_string();
    let changed = tx.execute(
        "UPDATE line_requests SET state = 'answered', answer = $1, answered_at = $2, answered_on = $3 \
         WHERE id = $4 AND state = 'open'",
        params![text.as_str(), who.now, today, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("request_not_open"));
    }
    write(tx, who, user, calendar, &t, side, &MessageInput { body: text, request: false })?;
    let after = request(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("answer", "line_request", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LineJudgementInput)]
pub struct JudgementInput {
    /// `satisfied` or `unsatisfied`.
    pub judgement: String,
    #[serde(default)]
    pub note: String,
}

/// The enterprise judges an answer. Satisfied closes the request. The first
/// unsatisfied judgement reopens it on the green channel again and tells the leader; a
/// second closes it as unsatisfied.
pub fn judge(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    id: i64,
    input: &JudgementInput,
) -> AppResult<Request> {
    let before = request(tx, id, who.now)?;
    let (t, side) = open_thread(tx, user, before.thread_id)?;
    if side != Side::Enterprise {
        return Err(AppError::Forbidden);
    }
    if !matches!(input.judgement.as_str(), "satisfied" | "unsatisfied") {
        return Err(AppError::invalid("bad_judgement", "judgement"));
    }
    let note = validate::opt_text(Some(&input.note), "note", 1000)?;
    if before.state != "answered" {
        return Err(AppError::conflict("request_not_answered"));
    }
    let reopen = input.judgement == "unsatisfied" && before.judgement.is_none();
    let changed = if reopen {
        let due = calendar.add_working_days(clock::local_date(who.now), GREEN_CHANNEL_DAYS);
        tx.execute(
            "UPDATE line_requests SET state = 'open', judgement = 'unsatisfied', judgement_note = $1, judged_at = $2, \
             due_on = $3, answered_on = NULL, escalated_at = NULL WHERE id = $4 AND state = 'answered'",
            params![note, who.now, due.to_string(), id],
        )?
    } else {
        tx.execute(
            "UPDATE line_requests SET state = 'closed', judgement = $1, judgement_note = $2, judged_at = $3 \
             WHERE id = $4 AND state = 'answered'",
            params![input.judgement.as_str(), note, who.now, id],
        )?
    };
    if changed != 1 {
        return Err(AppError::conflict("request_not_answered"));
    }
    let after = request(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("judge", "line_request", id, &before, &after))?;
    let mut told = vec![t.leader_id];
    told.extend(before.responder_id);
    let message = if input.judgement == "satisfied" { "mk-note-line-satisfied" } else { "mk-note-line-unsatisfied" };
    tell(tx, who, &told, &t, message)?;
    Ok(after)
}

/// The kernel's sweep: a request not answered by its day is escalated once, to the
/// leader and the heads of the responder's department (or of the leader's departments
/// while no one is named).
pub fn escalate_late(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let today = clock::local_date(who.now).to_string();
    let rows = tx.query(
        "SELECT id, thread_id, department_id FROM line_requests WHERE state = 'open' AND due_on < $1 \
         AND escalated_at IS NULL ORDER BY id LIMIT 200",
        params![today],
    )?;
    for r in &rows {
        let (id, thread) = (r.int(0)?, r.int(1)?);
        let t = find(tx, thread)?;
        let departments = match r.opt_int(2)? {
            Some(d) => vec![d],
            None => people::portfolio_departments(tx, t.leader_id)?,
        };
        let mut told = vec![t.leader_id];
        for d in departments {
            told.extend(people::department_heads(tx, d)?);
        }
        tell(tx, who, &told, &t, "mk-note-line-late")?;
        tx.execute("UPDATE line_requests SET escalated_at = $1 WHERE id = $2", params![who.now, id])?;
        audit::record(
            tx,
            who,
            Change { action: "escalate", kind: "line_request", id: Some(id), before: None, after: None },
        )?;
    }
    Ok(rows.len())
}

/// Requests waiting for the caller: to name a responder (the leader), to answer (the
/// responder), or to judge (the enterprise's accounts), oldest due first.
pub fn waiting(tx: &mut Tx<'_>, user: &CurrentUser, now: i64) -> AppResult<Vec<(Request, String)>> {
    let today = clock::local_date(now).to_string();
    let mut w = Where::default();
    if let Some(e) = enterprise_of(tx, user)? {
        w.and("q.state = 'answered' AND t.enterprise_id = ?", e);
    } else if user.role.is_government() {
        w.and_args(
            "q.state = 'open' AND (q.responder_id = ?1 OR (q.responder_id IS NULL AND t.leader_id = ?1))",
            vec![user.id.into()],
        );
    } else {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {REQUEST_COLUMNS}, t.subject FROM {REQUEST_FROM} JOIN line_threads t ON t.id = q.thread_id{} \
         ORDER BY q.due_on, q.id LIMIT 20",
        w.sql
    );
    tx.query(&sql, &w.args)?.iter().map(|r| Ok((request_row(r, &today)?, r.text("subject")?))).collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LineFigures)]
pub struct Figures {
    pub leader: String,
    /// The responder's department; empty while no one is named.
    pub department: String,
    pub requests: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    /// Not answered and past the day.
    pub overdue: i64,
    pub satisfied: i64,
    pub unsatisfied: i64,
}

/// Requests made in `[from, to)`, per leader and responding department: on time, late,
/// overdue, and the enterprises' judgements.
pub fn figures(tx: &mut Tx<'_>, from: i64, to: i64, now: i64) -> AppResult<Vec<Figures>> {
    let today = clock::local_date(now).to_string();
    tx.query(
        "SELECT l.display_name, COALESCE(d.name, ''), COUNT(*), \
         SUM(CASE WHEN q.answered_on IS NOT NULL AND q.answered_on <= q.due_on THEN 1 ELSE 0 END), \
         SUM(CASE WHEN q.answered_on IS NOT NULL AND q.answered_on > q.due_on THEN 1 ELSE 0 END), \
         SUM(CASE WHEN q.state = 'open' AND q.due_on < $3 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN q.judgement = 'satisfied' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN q.judgement = 'unsatisfied' THEN 1 ELSE 0 END) \
         FROM line_requests q JOIN line_threads t ON t.id = q.thread_id JOIN users l ON l.id = t.leader_id \
         LEFT JOIN departments d ON d.id = q.department_id WHERE q.created_at >= $1 AND q.created_at < $2 \
         GROUP BY l.display_name, d.name ORDER BY 1, 2",
        params![from, to, today],
    )?
    .iter()
    .map(|r| {
        Ok(Figures {
            leader: r.text(0)?,
            department: r.text(1)?,
            requests: r.int(2)?,
            answered_on_time: r.int(3)?,
            answered_late: r.int(4)?,
            overdue: r.int(5)?,
            satisfied: r.int(6)?,
            unsatisfied: r.int(7)?,
        })
    })
    .collect()
}
