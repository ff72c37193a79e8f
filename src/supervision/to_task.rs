//! A lead that needs top-down coordination (a work team's finding, a repeated complaint)
//! becomes a task in one of the deciding leader's open matters; the lead keeps its own
//! procedure, links to the task and shows how it stands, and is fed back with the task's
//! accepted feedback once the task is done.

use serde::Deserialize;

use super::leads;
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::{Environment, TaskPort, TaskRequest};
use crate::params;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LeadTaskInput {
    /// An open matter the caller decides or opened.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub matter_id: i64,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub assignee_id: i64,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub lead_department_id: i64,
    /// A date (YYYY-MM-DD)…
    #[serde(default)]
    pub deadline: Option<String>,
    /// …or a number of working days from today.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub working_days: Option<i64>,
}

pub fn assign_as_task(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &LeadTaskInput,
    (port, env): (&TaskPort, &Environment),
) -> AppResult<serde_json::Value> {
    let lead = leads::get(tx, user, id)?;
    if lead.primary_id.is_some() {
        return Err(AppError::Conflict { code: "lead_linked", field: None });
    }
    if lead.task_id.is_some() {
        return Err(AppError::Conflict { code: "already_a_task", field: None });
    }
    let channel = super::channel_name(crate::kernel::i18n::Lang::Zh, &lead.channel);
    let request = TaskRequest {
        matter_id: input.matter_id,
        title: format!("线索 #{}：{}", lead.id, lead.description.chars().take(40).collect::<String>()),
        description: format!("{}\n地点：{}\n来源：{channel} · {}", lead.description, lead.address, lead.category_name),
        assignee_id: input.assignee_id,
        lead_department_id: input.lead_department_id,
        deadline: input.deadline.clone(),
        working_days: input.working_days,
    };
    let created = (port.create)(tx, who, user, &request, env)?;
    let task_id = created["id"].as_i64().ok_or_else(|| AppError::internal("the task port answered no id"))?;
    tx.execute("UPDATE leads SET task_id = $1, updated_at = $2 WHERE id = $3", params![task_id, who.now, lead.id])?;
    audit::record(
        tx,
        who,
        Change::updated(
            "to_task",
            "lead",
            lead.id,
            &serde_json::json!({ "task_id": null }),
            &serde_json::json!({ "task_id": task_id, "matter_id": input.matter_id }),
        ),
    )?;
    Ok(created)
}

/// Told by the task seam that task `task_id` is done: the lead it was made from, if it is
/// waiting for its unit's feedback, is fed back with the task's feedback.
pub fn task_done(tx: &mut Tx<'_>, who: &Who, task_id: i64, feedback: &str) -> AppResult<()> {
    let Some(r) = tx.query_opt(
        "SELECT id FROM leads WHERE task_id = $1 AND state IN ('transferred', 'rework') AND primary_id IS NULL",
        params![task_id],
    )?
    else {
        return Ok(());
    };
    let Some(process) = crate::kernel::workflow::current(tx, &super::LEAD)? else { return Ok(()) };
    let calendar = crate::kernel::calendar::load(tx)?;
    let note = format!("协调任务 #{task_id} 已办结：{feedback}");
    leads::feed_back_from_task(tx, who, &process, &calendar, r.int(0)?, &note)?;
    Ok(())
}
