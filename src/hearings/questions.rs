//! Questions and answers: asked in the session by those invited, or beforehand by the
//! public and enterprises (moderated, a rejection's reason shown to the asker); anchored
//! to a paragraph of the version defended; answered by a named member of the team, the
//! answer carrying commitments that become tasks under the plan's matter. Once published,
//! a question or answer changes only by a correction shown with the earlier text. The
//! inquiry panel votes once each.

use serde::{Deserialize, Serialize};

use super::sessions::{self, Hearing};
use super::{diff, plans};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::{Environment, MatterRequest, TaskPort, TaskRequest};
use crate::kernel::{clock, validate};
use crate::params;

pub const ASKER_KINDS: [&str; 7] = ["entrepreneur", "expert", "leader", "district", "department", "public", "panel"];
pub const VOTES: [&str; 3] = ["satisfied", "fairly_satisfied", "dissatisfied"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Correction {
    /// `question` or `answer`.
    pub part: String,
    pub before: String,
    pub after: String,
    pub reason: String,
    pub corrected_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commitment {
    pub id: i64,
    pub question_id: i64,
    pub content: String,
    pub department_id: i64,
    pub department_name: String,
    pub assignee_id: i64,
    pub assignee_name: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    pub task_id: Option<i64>,
    pub delivered_on: Option<String>,
    /// `on_time`, `late`, `overdue` or `under_way`.
    pub delivery: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HearingQuestion)]
pub struct Question {
    pub id: i64,
    pub hearing_id: i64,
    /// The asker's name, or 匿名 when a private person asked not to be named.
    pub asker_name: String,
    pub asker_kind: String,
    pub anonymous: bool,
    pub question: String,
    pub anchor: Option<i64>,
    /// `pending`, `rejected`, `open` or `answered`.
    pub state: String,
    /// Why it was rejected (shown to the asker).
    pub reason: Option<String>,
    pub answered_by_name: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub commitments: Vec<Commitment>,
    pub corrections: Vec<Correction>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = HearingQuestionInput)]
pub struct QuestionInput {
    pub question: String,
    /// The paragraph (from 1) of the defended version it is about.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub anchor: Option<i64>,
    /// What the asker is: `entrepreneur`, `expert`, `leader`, `district`, `department`,
    /// `public` or `panel` (by the account's role when not given).
    #[serde(default)]
    pub asker_kind: Option<String>,
    /// A private person may ask not to be named in the published record.
    #[serde(default)]
    pub anonymous: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CommitmentInput {
    pub content: String,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub department_id: i64,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub assignee_id: i64,
    /// `YYYY-MM-DD`, after today.
    pub deadline: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = HearingAnswerInput)]
pub struct AnswerInput {
    pub answer: String,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Moderation {
    /// `accept` or `reject` (with a reason).
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CorrectionInput {
    /// `question` or `answer`.
    pub part: String,
    pub text: String,
    pub reason: String,
}

const COLUMNS: &str = "q.id, q.hearing_id, q.asker_name, q.asker_kind, q.anonymous, q.question, q.anchor, q.state, \
    q.reason, u.display_name AS answered_by_name, q.answer, q.answered_at, q.created_at, q.asked_by";

fn from_row(r: &Row) -> AppResult<Question> {
    let anonymous = r.bool("anonymous")?;
    Ok(Question {
        id: r.int("id")?,
        hearing_id: r.int("hearing_id")?,
        asker_name: if anonymous { "匿名".to_owned() } else { r.text("asker_name")? },
        asker_kind: r.text("asker_kind")?,
        anonymous,
        question: r.text("question")?,
        anchor: r.opt_int("anchor")?,
        state: r.text("state")?,
        reason: r.opt_text("reason")?,
        answered_by_name: r.opt_text("answered_by_name")?,
        answer: r.opt_text("answer")?,
        answered_at: r.opt_int("answered_at")?,
        commitments: Vec::new(),
        corrections: Vec::new(),
        created_at: r.int("created_at")?,
    })
}

fn commitments_where(tx: &mut Tx<'_>, condition: &str, id: i64, now: i64) -> AppResult<Vec<Commitment>> {
    let today = clock::local_date(now).to_string();
    let sql = format!(
        "SELECT c.id, c.question_id, c.content, c.department_id, d.name, c.assignee_id, u.display_name, c.deadline, \
         c.task_id, c.delivered_on FROM hearing_commitments c JOIN departments d ON d.id = c.department_id \
         JOIN users u ON u.id = c.assignee_id WHERE {condition} = $1 ORDER BY c.id"
    );
    tx.query(&sql, params![id])?
        .iter()
        .map(|r| {
            let (deadline, delivered_on) = (r.text(7)?, r.opt_text(9)?);
            Ok(Commitment {
                id: r.int(0)?,
                question_id: r.int(1)?,
                content: r.text(2)?,
                department_id: r.int(3)?,
                department_name: r.text(4)?,
                assignee_id: r.int(5)?,
                assignee_name: r.text(6)?,
                delivery: crate::kernel::registry::delivery(&deadline, delivered_on.as_deref(), &today).to_owned(),
                deadline,
                task_id: r.opt_int(8)?,
                delivered_on,
            })
        })
        .collect()
}

/// Every commitment made on a plan, in its hearings.
pub fn commitments_of_plan(tx: &mut Tx<'_>, plan: i64, now: i64) -> AppResult<Vec<Commitment>> {
    commitments_where(tx, "c.plan_id", plan, now)
}

/// How a plan's commitments stand: computed from their tasks, never typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delivery {
    pub commitments: i64,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    pub under_way: i64,
}

pub fn delivery(tx: &mut Tx<'_>, plan: i64, now: i64) -> AppResult<Delivery> {
    let mut d = Delivery::default();
    for c in commitments_of_plan(tx, plan, now)? {
        d.commitments += 1;
        match c.delivery.as_str() {
            "on_time" => d.on_time += 1,
            "late" => d.late += 1,
            "overdue" => d.overdue += 1,
            _ => d.under_way += 1,
        }
    }
    Ok(d)
}

/// The questions of a hearing the caller may read: the public sees the accepted ones;
/// the organiser, chair and team all; an asker their own, with the reason of a rejection.
pub fn of_hearing(tx: &mut Tx<'_>, user: Option<&CurrentUser>, h: &Hearing, now: i64) -> AppResult<Vec<Question>> {
    let handles = match user {
        Some(u) => {
            let organiser = sessions::organiser(tx, h.id)?;
            sessions::relations(u, h, organiser).iter().any(|r| matches!(*r, "organiser" | "chair" | "team"))
                || u.role == Role::Leader
        }
        None => false,
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM hearing_questions q LEFT JOIN users u ON u.id = q.answered_by WHERE q.hearing_id = $1 \
         AND ($2 = 1 OR q.state IN ('open', 'answered') OR q.asked_by = $3) ORDER BY q.id"
    );
    let rows = tx.query(&sql, params![h.id, handles as i64, user.map_or(0, |u| u.id)])?;
    let mut out = Vec::new();
    for r in rows {
        let mut q = from_row(&r)?;
        q.commitments = commitments_where(tx, "c.question_id", q.id, now)?;
        q.corrections = corrections(tx, q.id)?;
        out.push(q);
    }
    Ok(out)
}

fn corrections(tx: &mut Tx<'_>, question: i64) -> AppResult<Vec<Correction>> {
    tx.query(
        "SELECT part, before, after, reason, corrected_at FROM hearing_corrections WHERE question_id = $1 ORDER BY id",
        params![question],
    )?
    .iter()
    .map(|r| {
        Ok(Correction {
            part: r.text(0)?,
            before: r.text(1)?,
            after: r.text(2)?,
            reason: r.text(3)?,
            corrected_at: r.int(4)?,
        })
    })
    .collect()
}

fn find(tx: &mut Tx<'_>, id: i64, now: i64) -> AppResult<(Question, Option<i64>)> {
    let sql =
        format!("SELECT {COLUMNS} FROM hearing_questions q LEFT JOIN users u ON u.id = q.answered_by WHERE q.id = $1");
    let r = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let mut q = from_row(&r)?;
    q.commitments = commitments_where(tx, "c.question_id", id, now)?;
    q.corrections = corrections(tx, id)?;
    Ok((q, r.opt_int("asked_by")?))
}

/// Ask a question: in the session, those invited (on the record at once); beforehand,
/// anyone signed in (to be moderated). A paragraph it points at must exist.
pub fn ask(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, hearing: i64, input: &QuestionInput) -> AppResult<Question> {
    let h = sessions::find(tx, hearing)?;
    let relations = sessions::relations(user, &h, sessions::organiser(tx, hearing)?);
    let invited = relations.iter().any(|r| matches!(*r, "participant" | "panel" | "chair"));
    let state = match (h.state.as_str(), invited) {
        ("in_session", true) => "open",
        ("scheduled", _) => "pending",
        ("in_session", false) => return Err(AppError::Conflict { code: "only_invited_in_session", field: None }),
        _ => return Err(AppError::Conflict { code: "questions_closed", field: None }),
    };
    if relations.contains(&"team") {
        return Err(AppError::Conflict { code: "team_does_not_ask", field: None });
    }
    let kind = match input.asker_kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) if ASKER_KINDS.contains(&k) => k,
        Some(_) => return Err(AppError::invalid("bad_value", "asker_kind")),
        None => default_kind(user),
    };
    let question = validate::text(&input.question, "question", 4000)?;
    if let Some(anchor) = input.anchor {
        let version = h.plan_version.ok_or_else(|| AppError::invalid("no_such_passage", "anchor"))?;
        let body = plans::version(tx, h.plan_id, version)?.body;
        if anchor < 1 || anchor as usize > diff::paragraphs(&body).len() {
            return Err(AppError::invalid("no_such_passage", "anchor"));
        }
    }
    // Only a private person may stay unnamed; officials and enterprises ask in their name.
    let anonymous = input.anonymous && user.role == Role::Public;
    let id = tx.insert(
        "INSERT INTO hearing_questions (hearing_id, asked_by, asker_name, asker_kind, anonymous, question, anchor, state, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![hearing, user.id, user.display_name.as_str(), kind, anonymous, question, input.anchor, state, who.now],
    )?;
    let (q, _) = find(tx, id, who.now)?;
    audit::record(tx, who, Change::created("hearing_question", id, &q))?;
    Ok(q)
}

fn default_kind(user: &CurrentUser) -> &'static str {
    match user.role {
        Role::Enterprise => "entrepreneur",
        Role::Leader => "leader",
        Role::DeptHead | Role::DivisionHead | Role::Staff => "department",
        _ => "public",
    }
}

fn handles(tx: &mut Tx<'_>, user: &CurrentUser, h: &Hearing) -> AppResult<bool> {
    let organiser = sessions::organiser(tx, h.id)?;
    Ok(sessions::relations(user, h, organiser).iter().any(|r| matches!(*r, "organiser" | "chair")))
}

/// The organiser or chair takes a question asked beforehand on the record, or rejects it
/// with a reason the asker reads.
pub fn moderate(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &Moderation) -> AppResult<Question> {
    let (before, _) = find(tx, id, who.now)?;
    let h = sessions::find(tx, before.hearing_id)?;
    if !handles(tx, user, &h)? {
        return Err(AppError::Forbidden);
    }
    if before.state != "pending" {
        return Err(AppError::Conflict { code: "not_pending", field: None });
    }
    let (state, reason) = match input.decision.as_str() {
        "accept" => ("open", None),
        "reject" => ("rejected", Some(validate::text(&input.reason, "reason", 1000)?)),
        _ => return Err(AppError::invalid("bad_value", "decision")),
    };
    tx.execute(
        "UPDATE hearing_questions SET state = $1, reason = $2, updated_at = $3 WHERE id = $4 AND state = 'pending'",
        params![state, reason, who.now, id],
    )?;
    let (after, _) = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("moderate", "hearing_question", id, &before, &after))?;
    Ok(after)
}

/// A member of the defense team answers, in the session or before the record is
/// published; the answer's commitments become tasks under the plan's matter, assigned in
/// the name of the plan's lead leader.
pub fn answer(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &AnswerInput,
    (port, env): (&TaskPort, &Environment),
) -> AppResult<Question> {
    let (before, _) = find(tx, id, who.now)?;
    let h = sessions::find(tx, before.hearing_id)?;
    if !h.people.iter().any(|p| p.role == "team" && p.user_id == Some(user.id)) {
        return Err(AppError::invalid("not_on_the_team", "answered_by"));
    }
    if !matches!(h.state.as_str(), "in_session" | "closed") {
        return Err(AppError::Conflict { code: "not_in_session", field: None });
    }
    if before.state != "open" {
        return Err(AppError::Conflict { code: "not_open", field: None });
    }
    let answer = validate::text(&input.answer, "answer", 8000)?;
    let today = clock::local_date(who.now);
    let mut checked = Vec::new();
    for c in &input.commitments {
        let content = validate::text(&c.content, "commitments", 1000)?;
        match clock::parse_date(&c.deadline) {
            Some(d) if d > today => {}
            _ => return Err(AppError::invalid_detail("commitment_needs_deadline", "commitments", content)),
        }
        checked.push((content, c));
    }
    let changed = tx.execute(
        "UPDATE hearing_questions SET state = 'answered', answered_by = $1, answer = $2, answered_at = $3, updated_at = $3 \
         WHERE id = $4 AND state = 'open'",
        params![user.id, answer, who.now, id],
    )?;
    if changed != 1 {
        return Err(AppError::Conflict { code: "not_open", field: None });
    }
    if !checked.is_empty() {
        let plan = plans::find(tx, h.plan_id)?;
        let leader = crate::accounts::service::find(tx, plan.leader_id)?.as_current();
        let matter = match plan.matter_id {
            Some(m) => m,
            None => {
                let request = MatterRequest {
                    title: format!("{}：答辩承诺事项", plan.title),
                    description: format!("{}在公开答辩、质询中作出的承诺", plan.title),
                };
                let m = (port.open_matter)(tx, who, &leader, &request, env)?;
                tx.execute("UPDATE plans SET matter_id = $1 WHERE id = $2", params![m, plan.id])?;
                m
            }
        };
        for (content, c) in checked {
            let task = TaskRequest {
                matter_id: matter,
                title: format!("答辩承诺：{}", content.chars().take(60).collect::<String>()),
                description: format!("{}\n问：{}\n答：{}", content, before.question, input.answer.trim()),
                assignee_id: c.assignee_id,
                lead_department_id: c.department_id,
                deadline: Some(c.deadline.clone()),
                working_days: None,
            };
            let created = (port.create)(tx, who, &leader, &task, env)?;
            let task_id = created["id"].as_i64().ok_or_else(|| AppError::internal("the task port answered no id"))?;
            tx.execute(
                "INSERT INTO hearing_commitments (question_id, plan_id, content, department_id, assignee_id, deadline, \
                 task_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                params![id, plan.id, content, c.department_id, c.assignee_id, c.deadline.as_str(), task_id, who.now],
            )?;
        }
    }
    let (after, _) = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("answer", "hearing_question", id, &before, &after))?;
    Ok(after)
}

/// Correct a published question or answer: the earlier text stays, shown as corrected.
pub fn correct(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &CorrectionInput,
) -> AppResult<Question> {
    let (before, _) = find(tx, id, who.now)?;
    let h = sessions::find(tx, before.hearing_id)?;
    if !handles(tx, user, &h)? {
        return Err(AppError::Forbidden);
    }
    if h.state != "published" {
        return Err(AppError::Conflict { code: "not_published", field: None });
    }
    let (column, earlier) = match input.part.as_str() {
        "question" => ("question", Some(before.question.clone())),
        "answer" => ("answer", before.answer.clone()),
        _ => return Err(AppError::invalid("bad_value", "part")),
    };
    let earlier = earlier.ok_or_else(|| AppError::invalid("not_answered", "part"))?;
    let text = validate::text(&input.text, "text", 8000)?;
    let reason = validate::text(&input.reason, "reason", 500)?;
    tx.execute(
        &format!("UPDATE hearing_questions SET {column} = $1, updated_at = $2 WHERE id = $3"),
        params![text.as_str(), who.now, id],
    )?;
    tx.execute(
        "INSERT INTO hearing_corrections (question_id, part, before, after, reason, corrected_by, corrected_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![id, input.part.as_str(), earlier, text, reason, who.actor.as_str(), who.now],
    )?;
    let (after, _) = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("correct", "hearing_question", id, &before, &after))?;
    Ok(after)
}

/// The answerer rewords their answer before the record is published; a published record
/// changes only by a correction.
pub fn edit_answer(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &AnswerInput,
) -> AppResult<Question> {
    let (before, _) = find(tx, id, who.now)?;
    let h = sessions::find(tx, before.hearing_id)?;
    if h.state == "published" {
        return Err(AppError::Conflict { code: "published_use_correction", field: None });
    }
    let answered_by = tx
        .query_opt("SELECT answered_by FROM hearing_questions WHERE id = $1", params![id])?
        .and_then(|r| r.opt_int(0).ok().flatten());
    if answered_by != Some(user.id) {
        return Err(AppError::Forbidden);
    }
    if !input.commitments.is_empty() {
        return Err(AppError::invalid("commitments_are_kept", "commitments"));
    }
    let answer = validate::text(&input.answer, "answer", 8000)?;
    tx.execute(
        "UPDATE hearing_questions SET answer = $1, updated_at = $2 WHERE id = $3",
        params![answer, who.now, id],
    )?;
    let (after, _) = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("edit_answer", "hearing_question", id, &before, &after))?;
    Ok(after)
}

/// The inquiry panel's vote: once per member, only the panel.
pub fn vote(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, hearing: i64, vote: &str) -> AppResult<Votes> {
    let h = sessions::find(tx, hearing)?;
    if h.kind != "inquiry" {
        return Err(AppError::Conflict { code: "not_an_inquiry", field: None });
    }
    if !h.people.iter().any(|p| p.role == "panel" && p.user_id == Some(user.id)) {
        return Err(AppError::invalid("not_on_panel", "vote"));
    }
    if !matches!(h.state.as_str(), "in_session" | "closed") {
        return Err(AppError::Conflict { code: "not_in_session", field: None });
    }
    if !VOTES.contains(&vote) {
        return Err(AppError::invalid("bad_value", "vote"));
    }
    tx.execute(
        "INSERT INTO hearing_votes (hearing_id, user_id, vote, voted_at) VALUES ($1, $2, $3, $4)",
        params![hearing, user.id, vote, who.now],
    )
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict { .. } => AppError::Conflict { code: "already_voted", field: None },
        other => other,
    })?;
    audit::record(tx, who, Change::created("hearing_vote", hearing, &serde_json::json!({ "vote": vote })))?;
    votes(tx, hearing)
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Votes {
    pub satisfied: i64,
    pub fairly_satisfied: i64,
    pub dissatisfied: i64,
    /// Members of the panel, voted or not.
    pub panel: i64,
    /// (满意 + 基本满意) ÷ votes, in percent with one decimal.
    pub satisfaction: Option<f64>,
}

pub fn votes(tx: &mut Tx<'_>, hearing: i64) -> AppResult<Votes> {
    let mut v = Votes::default();
    for r in
        tx.query("SELECT vote, COUNT(*) FROM hearing_votes WHERE hearing_id = $1 GROUP BY vote", params![hearing])?
    {
        let n = r.int(1)?;
        match r.text(0)?.as_str() {
            "satisfied" => v.satisfied = n,
            "fairly_satisfied" => v.fairly_satisfied = n,
            _ => v.dissatisfied = n,
        }
    }
    v.panel = tx.count(
        "SELECT COUNT(*) FROM hearing_people WHERE hearing_id = $1 AND role = 'panel' AND user_id IS NOT NULL",
        params![hearing],
    )?;
    let total = v.satisfied + v.fairly_satisfied + v.dissatisfied;
    v.satisfaction =
        (total > 0).then(|| ((v.satisfied + v.fairly_satisfied) as f64 * 1000.0 / total as f64).round() / 10.0);
    Ok(v)
}

/// Told by the task seam that a task is done: the commitment it delivers is delivered.
pub fn task_done(tx: &mut Tx<'_>, who: &Who, task_id: i64, _: &str) -> AppResult<()> {
    let today = clock::local_date(who.now).to_string();
    let Some(r) = tx.query_opt(
        "SELECT id FROM hearing_commitments WHERE task_id = $1 AND delivered_on IS NULL",
        params![task_id],
    )?
    else {
        return Ok(());
    };
    let id = r.int(0)?;
    tx.execute(
        "UPDATE hearing_commitments SET delivered_on = $1, updated_at = $2 WHERE id = $3",
        params![today.as_str(), who.now, id],
    )?;
    audit::record(
        tx,
        who,
        Change::updated(
            "delivered",
            "hearing_commitment",
            id,
            &serde_json::json!({ "delivered_on": null }),
            &serde_json::json!({ "delivered_on": today, "task_id": task_id }),
        ),
    )?;
    Ok(())
}
