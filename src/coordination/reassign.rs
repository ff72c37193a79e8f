//! 改派: the lead department's head (or the deciding leader) hands an open task to
//! another person of the lead department — when the responsible person leaves their post
//! (the unfit-staff pool, a transfer) or cannot carry it. The per-person figures follow
//! the task.

use serde::Deserialize;

use super::tasks::{self, Task, View};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::registry::Choices;
use crate::kernel::validate;
use crate::params;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReassignInput {
    /// The new responsible person, of the lead department.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub assignee_id: i64,
    /// Why (shown on the task's record).
    #[serde(default)]
    pub note: String,
}

/// Whether `user` may hand task `t` to someone else.
pub fn may(user: &CurrentUser, t: &Task, v: &View) -> bool {
    let rel = tasks::relations(user, t);
    (rel.contains(&"lead_head") || rel.contains(&"leader")) && !v.process.is_final(&t.state)
}

pub fn reassign(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &ReassignInput,
    v: &View,
) -> AppResult<Task> {
    let t = tasks::get(tx, user, id, v)?;
    if !may(user, &t, v) {
        return Err(if v.process.is_final(&t.state) {
            AppError::conflict("illegal_transition")
        } else {
            AppError::Forbidden
        });
    }
    if input.assignee_id == t.assignee_id {
        return Err(AppError::invalid("same_assignee", "assignee_id"));
    }
    let to = tx
        .query_opt(
            "SELECT display_name FROM users WHERE id = $1 AND active = 1 AND department_id = $2 \
             AND role IN ('staff', 'division_head', 'dept_head')",
            params![input.assignee_id, t.lead_department_id],
        )?
        .ok_or_else(|| AppError::invalid("not_in_lead_department", "assignee_id"))?
        .text(0)?;
    let note = validate::opt_text(Some(&input.note), "note", 1000)?.unwrap_or_default();
    let moved = tx.execute(
        "UPDATE tasks SET assignee_id = $1, updated_at = $2 WHERE id = $3 AND assignee_id = $4",
        params![input.assignee_id, who.now, id, t.assignee_id],
    )?;
    if moved != 1 {
        return Err(AppError::conflict("changed_meanwhile"));
    }
    super::stats::task_moved(tx, t.assignee_id, input.assignee_id)?;
    let body = if note.is_empty() {
        format!("{} → {to}", t.assignee_name)
    } else {
        format!("{} → {to}：{note}", t.assignee_name)
    };
    tx.execute(
        "INSERT INTO task_updates (task_id, kind, body, actor, at) VALUES ($1, 'reassigned', $2, $3, $4)",
        params![id, body.as_str(), who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change::updated(
            "reassign",
            "task",
            id,
            &serde_json::json!({ "assignee_id": t.assignee_id }),
            &serde_json::json!({ "assignee_id": input.assignee_id, "note": note }),
        ),
    )?;
    notify::send(
        tx,
        who,
        &[input.assignee_id, t.assignee_id],
        &Note {
            kind: "task",
            message: "co-note-reassigned",
            params: vec![
                ("title", t.title.as_str().into()),
                ("from", t.assignee_name.as_str().into()),
                ("to", to.as_str().into()),
            ],
            body: note,
            link: format!("/tasks/{id}"),
        },
    )?;
    tasks::get(tx, user, id, v)
}

/// The open tasks `user` is responsible for, as (id, title), for the task seam.
pub fn open_of(tx: &mut Tx<'_>, user: i64, v: &View) -> AppResult<Choices> {
    let finals: Vec<&str> = v.process.states.iter().filter(|s| s.is_final).map(|s| s.id.as_str()).collect();
    let mut w = crate::kernel::db::Where::default();
    w.and("assignee_id = ?", user);
    let marks = w.marks(&finals);
    w.and_sql(&format!("state NOT IN ({marks})"));
    tx.query(&format!("SELECT id, title FROM tasks{} ORDER BY deadline, id LIMIT 200", w.sql), &w.args)?
        .iter()
        .map(|r| Ok((r.int(0)?.to_string(), r.text(1)?)))
        .collect()
}
