//! 协办: each co-department of a task gives its own part of the feedback, which the
//! lead department reads before it feeds back and the deciding leader sees beside it.
//! Co-departments are told of the task when it is assigned.

use serde::{Deserialize, Serialize};

use super::tasks::{self, Task, View};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::validate;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoPart {
    pub department_id: i64,
    pub department_name: String,
    /// None while the department has not given its part.
    pub body: Option<String>,
    pub author_name: Option<String>,
    pub at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CoPartInput {
    pub body: String,
}

/// Each co-department's part, in the task's order of co-departments.
pub fn parts(tx: &mut Tx<'_>, t: &Task) -> AppResult<Vec<CoPart>> {
    let given = tx.query(
        "SELECT f.department_id, f.body, u.display_name, f.at FROM task_co_feedback f JOIN users u ON u.id = f.author_id \
         WHERE f.task_id = $1",
        params![t.id],
    )?;
    let mut out = Vec::new();
    for (d, name) in &t.co_departments {
        let g = given.iter().find(|r| r.int(0).ok() == Some(*d));
        out.push(CoPart {
            department_id: *d,
            department_name: name.clone(),
            body: g.map(|r| r.text(1)).transpose()?,
            author_name: g.map(|r| r.text(2)).transpose()?,
            at: g.map(|r| r.int(3)).transpose()?,
        });
    }
    Ok(out)
}

/// The co-department `user` answers for on task `t`, if any: government staff of one.
pub fn department_of(user: &CurrentUser, t: &Task) -> Option<i64> {
    user.department_id.filter(|d| user.role.is_government() && t.co_departments.iter().any(|(c, _)| c == d))
}

/// Give (or replace) the caller's department's part, while the task is open.
pub fn give(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &CoPartInput,
    v: &View,
) -> AppResult<CoPart> {
    let t = tasks::get(tx, user, id, v)?;
    let d = department_of(user, &t).ok_or(AppError::Forbidden)?;
    if v.process.is_final(&t.state) {
        return Err(AppError::conflict("illegal_transition"));
    }
    let body = validate::text(&input.body, "body", 4000)?;
    let before = parts(tx, &t)?.into_iter().find(|p| p.department_id == d).and_then(|p| p.body);
    tx.execute(
        "INSERT INTO task_co_feedback (task_id, department_id, body, author_id, at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (task_id, department_id) DO UPDATE SET body = $3, author_id = $4, at = $5",
        params![id, d, body.as_str(), user.id, who.now],
    )?;
    audit::record(
        tx,
        who,
        Change::updated(
            "co_feedback",
            "task",
            id,
            &serde_json::json!({ "body": before }),
            &serde_json::json!({ "department_id": d, "body": body }),
        ),
    )?;
    let name = t.co_departments.iter().find(|(c, _)| *c == d).map(|(_, n)| n.clone()).unwrap_or_default();
    let mut to = vec![t.assignee_id];
    to.extend(tasks::department_heads(tx, t.lead_department_id)?);
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "task",
            message: "co-note-co-part",
            params: vec![("department", name.as_str().into()), ("title", t.title.as_str().into())],
            body: body.clone(),
            link: format!("/tasks/{id}"),
        },
    )?;
    parts(tx, &t)?.into_iter().find(|p| p.department_id == d).ok_or(AppError::NotFound)
}

/// Tell the co-departments' heads of a task just assigned.
pub fn tell_co_departments(tx: &mut Tx<'_>, who: &Who, t: &Task) -> AppResult<()> {
    let mut to = Vec::new();
    for (d, _) in &t.co_departments {
        to.extend(tasks::department_heads(tx, *d)?);
    }
    if to.is_empty() {
        return Ok(());
    }
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "task",
            message: "co-note-co-task",
            params: vec![("title", t.title.as_str().into()), ("lead", t.lead_department_name.as_str().into())],
            body: t.description.clone(),
            link: format!("/tasks/{}", t.id),
        },
    )?;
    Ok(())
}
