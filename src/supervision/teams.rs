//! Work teams (工作小分队) of the people's congress and the CPPCC. The supervision office
//! forms a team and gives it member accounts; the office or the members record the
//! team's site visits and inquiries, and each finding is filed as a lead of the team's
//! channel. An inquiry (工作质询) names the unit questioned and records each question with
//! its asker; the answer is recorded on the spot or given later in writing by the unit's
//! heads, and the members are told.

use serde::{Deserialize, Serialize};

use super::leads::{self, LeadInput};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::validate;
use crate::kernel::workflow::Process;
use crate::params;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TeamInput {
    pub name: String,
    /// `congress` (人大) or `cppcc` (政协).
    pub body: String,
    pub topic: String,
    /// Members' names, one per line or separated by 、 or commas.
    pub members: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub body: String,
    pub topic: String,
    pub members: Vec<String>,
    /// The members with accounts, who record the team's own visits and inquiries.
    pub accounts: Vec<TeamMember>,
    pub activities: Vec<Activity>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: i64,
    pub asker: String,
    pub question: String,
    /// None until answered.
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    /// `visit` (现场调研督导) or `inquiry` (工作质询).
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub subject: String,
    /// The unit an inquiry questioned.
    pub unit_department_id: Option<i64>,
    pub unit_name: Option<String>,
    pub questions: Vec<Question>,
    pub recorded_by: String,
    /// The leads its findings became.
    pub lead_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct QuestionInput {
    /// Who asked (a member's name).
    pub asker: String,
    pub question: String,
    /// The answer given on the spot, if any.
    #[serde(default)]
    pub answer: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub subject: String,
    /// Each finding becomes a lead.
    #[serde(default)]
    pub findings: Vec<String>,
    /// Category of the findings' leads.
    #[serde(default)]
    pub category: String,
    /// For an inquiry: the unit questioned…
    #[serde(default)]
    pub unit_department_id: Option<i64>,
    /// …and its questions.
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub user_id: i64,
}

pub fn create_team(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &TeamInput) -> AppResult<Team> {
    if !leads::is_office(user) {
        return Err(AppError::Forbidden);
    }
    if !["congress", "cppcc"].contains(&input.body.as_str()) {
        return Err(AppError::invalid("bad_value", "body"));
    }
    let name = leads::plain(&input.name, "name", 80)?;
    let topic = leads::plain(&input.topic, "topic", 200)?;
    let members: Vec<String> = input
        .members
        .split(['\n', ',', '，', '、'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| leads::plain(m, "members", 40))
        .collect::<AppResult<_>>()?;
    if members.is_empty() {
        return Err(AppError::invalid("required", "members"));
    }
    let id = tx.insert(
        "INSERT INTO work_teams (name, body, topic, members, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![name, input.body.as_str(), topic, members.join("\n"), who.actor.as_str(), who.now],
    )?;
    let t = team(tx, id)?;
    audit::record(tx, who, Change::created("work_team", id, &t))?;
    Ok(t)
}

/// Give a team a member account (the office).
pub fn add_member(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &MemberInput) -> AppResult<Team> {
    if !leads::is_office(user) {
        return Err(AppError::Forbidden);
    }
    team(tx, id)?;
    tx.query_opt("SELECT 1 FROM users WHERE id = $1 AND active = 1", params![input.user_id])?
        .ok_or_else(|| AppError::invalid("unknown_person", "user_id"))?;
    tx.execute(
        "INSERT INTO work_team_members (team_id, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (team_id, user_id) DO NOTHING",
        params![id, input.user_id, who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "add_member",
            kind: "work_team",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "user_id": input.user_id })),
        },
    )?;
    team(tx, id)
}

fn is_member(tx: &mut Tx<'_>, team: i64, user: i64) -> AppResult<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM work_team_members WHERE team_id = $1 AND user_id = $2", params![team, user])?
        .is_some())
}

/// Whether `user` records the team's activities: the office, or one of its members.
pub fn may_record(tx: &mut Tx<'_>, user: &CurrentUser, team: i64) -> AppResult<bool> {
    Ok(leads::is_office(user) || is_member(tx, team, user.id)?)
}

fn questions(tx: &mut Tx<'_>, activity: i64) -> AppResult<Vec<Question>> {
    tx.query(
        "SELECT id, asker, question, answer, answered_by, answered_at FROM inquiry_questions WHERE activity_id = $1 ORDER BY id",
        params![activity],
    )?
    .iter()
    .map(|q| {
        Ok(Question {
            id: q.int("id")?,
            asker: q.text("asker")?,
            question: q.text("question")?,
            answer: q.opt_text("answer")?,
            answered_by: q.opt_text("answered_by")?,
            answered_at: q.opt_int("answered_at")?,
        })
    })
    .collect()
}

pub fn team(tx: &mut Tx<'_>, id: i64) -> AppResult<Team> {
    let r = tx
        .query_opt("SELECT id, name, body, topic, members FROM work_teams WHERE id = $1", params![id])?
        .ok_or(AppError::NotFound)?;
    let acts = tx.query(
        "SELECT a.id, a.kind, a.held_on, a.place, a.subject, a.unit_department_id, d.name AS unit_name, \
         COALESCE(u.display_name, a.created_by) AS recorded_by FROM team_activities a \
         LEFT JOIN departments d ON d.id = a.unit_department_id LEFT JOIN users u ON u.username = a.created_by \
         WHERE a.team_id = $1 ORDER BY a.held_on, a.id",
        params![id],
    )?;
    let mut activities = Vec::new();
    for a in &acts {
        let aid = a.int("id")?;
        let lead_ids = tx
            .query("SELECT id FROM leads WHERE activity_id = $1 ORDER BY id", params![aid])?
            .iter()
            .map(|r| r.int(0))
            .collect::<Result<_, _>>()?;
        activities.push(Activity {
            id: aid,
            kind: a.text("kind")?,
            held_on: a.text("held_on")?,
            place: a.text("place")?,
            subject: a.text("subject")?,
            unit_department_id: a.opt_int("unit_department_id")?,
            unit_name: a.opt_text("unit_name")?,
            questions: questions(tx, aid)?,
            recorded_by: a.text("recorded_by")?,
            lead_ids,
        });
    }
    let accounts = tx
        .query(
            "SELECT m.user_id, u.display_name FROM work_team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = $1 ORDER BY m.added_at, m.user_id",
            params![id],
        )?
        .iter()
        .map(|m| Ok(TeamMember { user_id: m.int("user_id")?, name: m.text("display_name")? }))
        .collect::<AppResult<_>>()?;
    Ok(Team {
        id: r.int("id")?,
        name: r.text("name")?,
        body: r.text("body")?,
        topic: r.text("topic")?,
        members: r.text("members")?.lines().map(str::to_owned).collect(),
        accounts,
        activities,
    })
}

pub fn teams(tx: &mut Tx<'_>) -> AppResult<Vec<Team>> {
    let ids: Vec<i64> = tx
        .query("SELECT id FROM work_teams ORDER BY id DESC LIMIT 200", &[])?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    ids.into_iter().map(|id| team(tx, id)).collect()
}

/// Record a site visit or work inquiry (the office or a member); each finding is filed as
/// a lead of the team's channel, and an inquiry's unit is told of its questions.
pub fn record_activity(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    process: &Process,
    id: i64,
    input: &ActivityInput,
) -> AppResult<Team> {
    let t = team(tx, id)?;
    if !may_record(tx, user, id)? {
        return Err(AppError::Forbidden);
    }
    if !["visit", "inquiry"].contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let held_on = validate::date(&input.held_on, "held_on")?.to_string();
    let place = leads::plain(&input.place, "place", 200)?;
    let subject = leads::plain(&input.subject, "subject", 200)?;
    let findings: Vec<&String> = input.findings.iter().filter(|f| !f.trim().is_empty()).collect();
    if findings.len() > 20 {
        return Err(AppError::invalid("too_long", "findings"));
    }
    let asked: Vec<&QuestionInput> = input.questions.iter().filter(|q| !q.question.trim().is_empty()).collect();
    // Questions are put to a unit, which answers them.
    let unit = match (input.kind.as_str(), input.unit_department_id) {
        ("inquiry", Some(unit)) => {
            crate::org::departments::find(tx, unit)
                .map_err(|_| AppError::invalid("bad_value", "unit_department_id"))?;
            Some(unit)
        }
        _ if !asked.is_empty() => return Err(AppError::invalid("required", "unit_department_id")),
        _ => None,
    };
    if asked.len() > 50 {
        return Err(AppError::invalid("too_long", "questions"));
    }
    let aid = tx.insert(
        "INSERT INTO team_activities (team_id, kind, held_on, place, subject, unit_department_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params![id, input.kind.as_str(), held_on, place.as_str(), subject.as_str(), unit, who.actor.as_str(), who.now],
    )?;
    let mut unanswered = 0;
    for q in asked {
        let asker = leads::plain(&q.asker, "questions", 40)?;
        let question = leads::plain(&q.question, "questions", 1000)?;
        let answer =
            Some(q.answer.trim()).filter(|a| !a.is_empty()).map(|a| leads::plain(a, "questions", 4000)).transpose()?;
        unanswered += usize::from(answer.is_none());
        tx.execute(
            "INSERT INTO inquiry_questions (activity_id, asker, question, answer, answered_by, answered_at) VALUES ($1, $2, $3, $4, $5, $6)",
            params![aid, asker, question, answer.clone(), answer.as_ref().map(|_| user.display_name.clone()), answer.as_ref().map(|_| who.now)],
        )?;
    }
    audit::record(
        tx,
        who,
        Change {
            action: "record",
            kind: "team_activity",
            id: Some(aid),
            before: None,
            after: Some(
                serde_json::json!({ "team": id, "kind": input.kind, "unit": unit, "questions": input.questions.len() }),
            ),
        },
    )?;
    if let (Some(unit), true) = (unit, unanswered > 0) {
        let heads = leads::unit_heads(tx, unit)?;
        notify::send(
            tx,
            who,
            &heads,
            &Note {
                kind: "lead",
                message: "sv-note-inquiry-questions",
                params: vec![("team", t.name.as_str().into()), ("count", unanswered.to_string().into())],
                body: subject.clone(),
                link: "/supervision/teams".into(),
            },
        )?;
    }
    for f in findings {
        let lead = LeadInput {
            channel: t.body.clone(),
            category: input.category.clone(),
            description: f.clone(),
            address: place.clone(),
            reporter_name: t.name.clone(),
            ..Default::default()
        };
        let filed = leads::file(tx, who, process, &lead, "staff", None)?;
        tx.execute("UPDATE leads SET activity_id = $1 WHERE id = $2", params![aid, filed.id])?;
    }
    team(tx, id)
}

/// Whether `user` answers the questions put to `unit`: its heads, or the office.
pub fn may_answer(user: &CurrentUser, unit: Option<i64>) -> bool {
    leads::is_office(user)
        || (matches!(user.role, Role::DeptHead | Role::DivisionHead) && unit.is_some() && user.department_id == unit)
}

/// Answer an inquiry's question in writing, once; the team's members are told.
pub fn answer(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &AnswerInput) -> AppResult<Question> {
    let r = tx
        .query_opt(
            "SELECT q.activity_id, q.answer, a.unit_department_id, a.team_id, w.name FROM inquiry_questions q \
             JOIN team_activities a ON a.id = q.activity_id JOIN work_teams w ON w.id = a.team_id WHERE q.id = $1",
            params![id],
        )?
        .ok_or(AppError::NotFound)?;
    if !may_answer(user, r.opt_int("unit_department_id")?) {
        return Err(AppError::Forbidden);
    }
    if r.opt_text("answer")?.is_some() {
        return Err(AppError::conflict("already_answered"));
    }
    let text = leads::plain(&input.answer, "answer", 4000)?;
    tx.execute(
        "UPDATE inquiry_questions SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answer IS NULL",
        params![text.as_str(), user.display_name.as_str(), who.now, id],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "answer",
            kind: "inquiry_question",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "answer": text })),
        },
    )?;
    let team_id = r.int("team_id")?;
    let members: Vec<i64> = team(tx, team_id)?.accounts.iter().map(|m| m.user_id).collect();
    notify::send(
        tx,
        who,
        &members,
        &Note {
            kind: "lead",
            message: "sv-note-inquiry-answered",
            params: vec![("team", r.text("name")?.into())],
            body: text.clone(),
            link: "/supervision/teams".into(),
        },
    )?;
    questions(tx, r.int("activity_id")?)?.into_iter().find(|q| q.id == id).ok_or(AppError::NotFound)
}
