//! 研究论证: a research task ends in a research report — the background, the conclusions
//! (one per line) and the recommended measures — written by the responsible person and
//! revised until it is sent (`submit_report`, which needs a report), then adopted by the
//! deciding leader (`adopt`, which finishes the task) or sent back to be revised.

use serde::{Deserialize, Serialize};

use super::tasks::{self, Task, View};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::params;

/// The guard of `submit_report`: a report has been written.
pub const REPORT_WRITTEN: &str = "report_written";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub background: String,
    pub conclusions: Vec<String>,
    pub recommendations: String,
    pub author_name: String,
    pub written_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    pub background: String,
    /// One conclusion per line.
    pub conclusions: String,
    #[serde(default)]
    pub recommendations: String,
}

pub fn of(tx: &mut Tx<'_>, task: i64) -> AppResult<Option<Report>> {
    tx.query_opt(
        "SELECT r.background, r.conclusions, r.recommendations, u.display_name, r.written_at \
         FROM research_reports r JOIN users u ON u.id = r.author_id WHERE r.task_id = $1",
        params![task],
    )?
    .map(|r| {
        Ok(Report {
            background: r.text("background")?,
            conclusions: r.text("conclusions")?.lines().map(str::to_owned).collect(),
            recommendations: r.text("recommendations")?,
            author_name: r.text("display_name")?,
            written_at: r.int("written_at")?,
        })
    })
    .transpose()
}

/// Whether the responsible person may write the report now: a research task of theirs,
/// before it is sent.
pub fn may_write(user: &CurrentUser, t: &Task, v: &View) -> bool {
    t.kind == "research" && user.id == t.assignee_id && v.process.runs_deadline(&t.state)
}

/// Write (or revise) the report of research task `id`.
pub fn write(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &ReportInput,
    v: &View,
) -> AppResult<Report> {
    let t = tasks::get(tx, user, id, v)?;
    if t.kind != "research" {
        return Err(AppError::conflict("not_research_task"));
    }
    if user.id != t.assignee_id {
        return Err(AppError::Forbidden);
    }
    if !v.process.runs_deadline(&t.state) {
        return Err(AppError::conflict("illegal_transition"));
    }
    let background = validate::text(&input.background, "background", 4000)?;
    let conclusions: Vec<&str> = input.conclusions.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if conclusions.is_empty() {
        return Err(AppError::invalid("required", "conclusions"));
    }
    let conclusions = validate::text(&conclusions.join("\n"), "conclusions", 8000)?;
    let recommendations =
        validate::opt_text(Some(&input.recommendations), "recommendations", 4000)?.unwrap_or_default();
    let before = of(tx, id)?;
    tx.execute(
        "INSERT INTO research_reports (task_id, background, conclusions, recommendations, author_id, written_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id) DO UPDATE SET background = $2, conclusions = $3, \
         recommendations = $4, author_id = $5, written_at = $6",
        params![id, background.as_str(), conclusions.as_str(), recommendations.as_str(), user.id, who.now],
    )?;
    audit::record(
        tx,
        who,
        Change::updated(
            "research_report",
            "task",
            id,
            &serde_json::json!(before.map(|b| b.conclusions)),
            &serde_json::json!({ "background": background, "conclusions": conclusions, "recommendations": recommendations }),
        ),
    )?;
    of(tx, id)?.ok_or(AppError::NotFound)
}

/// What a research task hands back to the record it came from: its conclusions.
pub fn summary(tx: &mut Tx<'_>, task: i64) -> AppResult<Option<String>> {
    Ok(of(tx, task)?.map(|r| r.conclusions.join("；")))
}
