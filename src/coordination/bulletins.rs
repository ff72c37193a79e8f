//! The weekly 通报 of overdue tasks: from 08:00 on the first working day of each week,
//! one numbered notice (青督报〔2019〕1号) names every task past its deadline — its lead
//! department, responsible person, deadline and working days overdue — and goes to those
//! departments' heads, the deciding leaders and the supervision office. Its page is laid
//! out as a 公文 that prints on A4.

use chrono::{Datelike, Timelike};
use serde::Serialize;

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::params;

/// Bulletins are issued from this local hour on.
const ISSUE_HOUR: u32 = 8;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueTask {
    pub task_id: i64,
    pub title: String,
    pub department: String,
    pub person: String,
    pub deadline: String,
    pub working_days_overdue: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: i64,
    /// ISO week, e.g. `2019-W16`.
    pub week: String,
    /// 青督报〔2019〕1号.
    pub number: String,
    pub issued_at: i64,
    pub tasks: Vec<OverdueTask>,
}

/// Issue this week's bulletin if it is due and not yet issued (a scheduler sweep).
pub fn sweep(tx: &mut Tx<'_>, who: &Who, cal: &WorkCalendar) -> AppResult<usize> {
    let local = clock::to_local(who.now);
    let today = local.date_naive();
    if local.hour() < ISSUE_HOUR || !cal.is_working_day(today) {
        return Ok(0);
    }
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    if (0..today.weekday().num_days_from_monday())
        .any(|d| cal.is_working_day(monday + chrono::Duration::days(i64::from(d))))
    {
        return Ok(0);
    }
    let iso = today.iso_week();
    let week = format!("{}-W{:02}", iso.year(), iso.week());
    if tx.query_opt("SELECT 1 FROM overdue_bulletins WHERE week = $1", params![week.as_str()])?.is_some() {
        return Ok(0);
    }
    let Some(process) = crate::kernel::workflow::current(tx, &super::TASK)? else { return Ok(0) };
    let mut w = crate::kernel::db::Where::default();
    w.and("t.deadline < ?", today.to_string());
    let running: Vec<&str> = process.timing.running.iter().map(String::as_str).collect();
    let marks = w.marks(&running);
    w.and_sql(&format!("t.state IN ({marks})"));
    let rows = tx.query(
        &format!(
            "SELECT t.id, t.title, d.name, u.display_name, t.deadline, t.lead_department_id, m.leader_id \
             FROM tasks t JOIN departments d ON d.id = t.lead_department_id JOIN users u ON u.id = t.assignee_id \
             JOIN matters m ON m.id = t.matter_id{} ORDER BY d.code, t.deadline, t.id LIMIT 500",
            w.sql
        ),
        &w.args,
    )?;
    let inserted = tx.execute(
        "INSERT INTO overdue_bulletins (week, number, issued_at, tasks) VALUES ($1, '', $2, $3) ON CONFLICT (week) DO NOTHING",
        params![week.as_str(), who.now, rows.len() as i64],
    )?;
    if inserted != 1 {
        return Ok(0);
    }
    let id = tx.query_one("SELECT id FROM overdue_bulletins WHERE week = $1", params![week.as_str()])?.int(0)?;
    if rows.is_empty() {
        return Ok(0);
    }
    // Numbered only once this server has the week and there is something to report, so
    // the numbers have no gaps.
    let year = i64::from(today.year());
    let seq = crate::kernel::workflow::directives::next_number(tx, "overdue-tasks", year)?;
    let number = format!("青督报〔{year}〕{seq}号");
    tx.execute("UPDATE overdue_bulletins SET number = $1 WHERE id = $2", params![number.as_str(), id])?;
    let mut to = crate::accounts::service::active_with_role(tx, crate::kernel::access::Role::Supervisor)?;
    for r in &rows {
        let deadline = r.text(4)?;
        let overdue = clock::parse_date(&deadline).map_or(0, |d| cal.working_days_between(d, today));
        tx.execute(
            "INSERT INTO overdue_bulletin_tasks (bulletin_id, task_id, title, department, person, deadline, working_days_overdue) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![id, r.int(0)?, r.text(1)?, r.text(2)?, r.text(3)?, deadline.as_str(), overdue],
        )?;
        to.extend(super::tasks::department_heads(tx, r.int(5)?)?);
        to.push(r.int(6)?);
    }
    to.sort_unstable();
    to.dedup();
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "escalation",
            message: "co-note-bulletin",
            params: vec![("number", number.as_str().into()), ("count", rows.len().to_string().into())],
            body: String::new(),
            link: format!("/coordination/bulletins/{id}"),
        },
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "issue",
            kind: "overdue_bulletin",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "number": number, "tasks": rows.len() })),
        },
    )?;
    Ok(1)
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> AppResult<Bulletin> {
    let r = tx
        .query_opt("SELECT id, week, number, issued_at FROM overdue_bulletins WHERE id = $1", params![id])?
        .ok_or(AppError::NotFound)?;
    let tasks = tx
        .query(
            "SELECT task_id, title, department, person, deadline, working_days_overdue FROM overdue_bulletin_tasks \
             WHERE bulletin_id = $1 ORDER BY department, deadline, task_id",
            params![id],
        )?
        .iter()
        .map(|t| {
            Ok(OverdueTask {
                task_id: t.int("task_id")?,
                title: t.text("title")?,
                department: t.text("department")?,
                person: t.text("person")?,
                deadline: t.text("deadline")?,
                working_days_overdue: t.int("working_days_overdue")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Bulletin {
        id: r.int("id")?,
        week: r.text("week")?,
        number: r.text("number")?,
        issued_at: r.int("issued_at")?,
        tasks,
    })
}

/// The latest bulletins that named overdue tasks, newest first, as (id, number, tasks).
pub fn recent(tx: &mut Tx<'_>, limit: i64) -> AppResult<Vec<(i64, String, i64)>> {
    tx.query(
        "SELECT id, number, tasks FROM overdue_bulletins WHERE tasks > 0 ORDER BY id DESC LIMIT $1",
        params![limit],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, r.text(1)?, r.int(2)?)))
    .collect()
}
