//! Deadline extensions (延期): asked for by the responsible person before the deadline,
//! granted or refused by the deciding leader.

use serde::{Deserialize, Serialize};

use super::tasks::{self, View};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::validate;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Extension {
    pub id: i64,
    pub task_id: i64,
    pub old_deadline: String,
    pub requested_deadline: String,
    pub reason: String,
    /// `pending`, `granted` or `refused`.
    pub state: String,
    pub requested_by: String,
    /// The requester's name.
    pub requested_by_name: String,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExtensionRequest {
    /// The new deadline, YYYY-MM-DD.
    pub deadline: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExtensionDecision {
    #[serde(deserialize_with = "crate::kernel::web::de::flag")]
    pub grant: bool,
    #[serde(default)]
    pub note: String,
}

const COLUMNS: &str = concat!(
    "id, task_id, old_deadline, requested_deadline, reason, state, requested_by, decided_by, decision_note, decided_at, ",
    crate::name_of!("requested_by"),
    " AS requested_by_name, ",
    crate::name_of!("decided_by"),
    " AS decided_by_name"
);

fn from_row(r: &Row) -> AppResult<Extension> {
    Ok(Extension {
        id: r.int("id")?,
        task_id: r.int("task_id")?,
        old_deadline: r.text("old_deadline")?,
        requested_deadline: r.text("requested_deadline")?,
        reason: r.text("reason")?,
        state: r.text("state")?,
        requested_by: r.text("requested_by")?,
        requested_by_name: r.text("requested_by_name")?,
        decided_by: r.opt_text("decided_by")?,
        decided_by_name: r.opt_text("decided_by_name")?,
        decision_note: r.opt_text("decision_note")?,
        decided_at: r.opt_int("decided_at")?,
    })
}

pub fn of_task(tx: &mut Tx<'_>, task: i64) -> AppResult<Vec<Extension>> {
    let sql = format!("SELECT {COLUMNS} FROM task_extensions WHERE task_id = $1 ORDER BY id");
    tx.query(&sql, params![task])?.iter().map(from_row).collect()
}

pub fn request(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    task: i64,
    input: &ExtensionRequest,
    v: &View,
) -> AppResult<Extension> {
    let t = tasks::get(tx, user, task, v)?;
    if !tasks::relations(user, &t).contains(&"assignee") {
        return Err(AppError::Forbidden);
    }
    if !v.process.runs_deadline(&t.state) {
        return Err(AppError::conflict("illegal_transition"));
    }
    if v.today.to_string() > t.deadline {
        return Err(AppError::conflict("extension_too_late"));
    }
    let new = validate::date(&input.deadline, "deadline")?;
    if new.to_string() <= t.deadline {
        return Err(AppError::invalid("extension_not_later", "deadline"));
    }
    let reason = validate::text(&input.reason, "reason", 2000)?;
    if tx.count("SELECT COUNT(*) FROM task_extensions WHERE task_id = $1 AND state = 'pending'", params![task])? > 0 {
        return Err(AppError::conflict("extension_pending"));
    }
    let id = tx.insert(
        "INSERT INTO task_extensions (task_id, old_deadline, requested_deadline, reason, state, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id",
        params![task, t.deadline.as_str(), new.to_string(), reason, who.actor.as_str(), who.now],
    )?;
    let e = find(tx, id)?;
    audit::record(tx, who, Change::created("task_extension", id, &e))?;
    notify::send(
        tx,
        who,
        &[t.leader_id],
        &Note {
            kind: "task",
            message: "co-note-extension-asked",
            params: vec![
                ("title", t.title.as_str().into()),
                ("from", t.deadline.as_str().into()),
                ("to", e.requested_deadline.as_str().into()),
            ],
            body: e.reason.clone(),
            link: format!("/tasks/{task}"),
        },
    )?;
    Ok(e)
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Extension> {
    let sql = format!("SELECT {COLUMNS} FROM task_extensions WHERE id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn decide(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &ExtensionDecision,
    v: &View,
) -> AppResult<Extension> {
    let before = find(tx, id)?;
    let t = tasks::get(tx, user, before.task_id, v)?;
    if !tasks::relations(user, &t).contains(&"leader") {
        return Err(AppError::Forbidden);
    }
    if before.state != "pending" {
        return Err(AppError::conflict("already_decided"));
    }
    let note = validate::opt_text(Some(&input.note), "note", 2000)?;
    let state = if input.grant { "granted" } else { "refused" };
    tx.execute(
        "UPDATE task_extensions SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5",
        params![state, who.actor.as_str(), who.now, note, id],
    )?;
    if input.grant {
        let new = v.calendar.roll_forward(validate::date(&before.requested_deadline, "deadline")?);
        tx.execute(
            "UPDATE tasks SET deadline = $1, reminded_at = NULL, escalated_at = NULL, updated_at = $2 WHERE id = $3",
            params![new.to_string(), who.now, t.id],
        )?;
    }
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated(state, "task_extension", id, &before, &after))?;
    notify::send(
        tx,
        who,
        &[t.assignee_id],
        &Note {
            kind: "task",
            message: if input.grant { "co-note-extension-granted" } else { "co-note-extension-refused" },
            params: vec![("title", t.title.as_str().into()), ("to", after.requested_deadline.as_str().into())],
            body: after.decision_note.clone().unwrap_or_default(),
            link: format!("/tasks/{}", t.id),
        },
    )?;
    Ok(after)
}
