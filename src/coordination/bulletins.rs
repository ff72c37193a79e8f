//! The weekly 通报 of overdue tasks (a kernel bulletin series): from 08:00 on the first
//! working day of each week, one numbered notice (青督报〔2019〕1号) names every task past
//! its deadline — its lead department, responsible person, deadline and working days
//! overdue — and goes to those departments' heads, the deciding leaders and the
//! supervision office. Its page is laid out as a 公文 that prints on A4.

use crate::kernel::audit::Who;
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::workflow::bulletins::{self, Item, Series};

pub static SERIES: Series =
    Series { key: "overdue-tasks", prefix: "青督报", message: "co-note-bulletin", page: "/coordination/bulletins/" };

/// Issue this week's bulletin if it is due and not yet issued (a scheduler sweep).
pub fn sweep(tx: &mut Tx<'_>, who: &Who, env: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let cal: &WorkCalendar = &env.calendar;
    let Some(week) = bulletins::due_week(who.now, cal) else { return Ok(0) };
    if tx
        .query_opt(
            "SELECT 1 FROM bulletins WHERE series = $1 AND week = $2",
            crate::params![SERIES.key, week.as_str()],
        )?
        .is_some()
    {
        return Ok(0);
    }
    let Some(process) = crate::kernel::workflow::current(tx, &super::TASK)? else { return Ok(0) };
    let today = clock::local_date(who.now);
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
    let mut items = Vec::with_capacity(rows.len());
    let mut to = crate::accounts::service::active_with_role(tx, crate::kernel::access::Role::Supervisor)?;
    for r in &rows {
        let deadline = r.text(4)?;
        items.push(Item {
            record_id: r.int(0)?,
            title: r.text(1)?,
            unit: r.text(2)?,
            person: r.text(3)?,
            working_days_overdue: bulletins::working_days_overdue(cal, &deadline, today),
            deadline,
        });
        to.extend(super::tasks::department_heads(tx, r.int(5)?)?);
        to.push(r.int(6)?);
    }
    Ok(bulletins::issue(tx, who, &SERIES, &week, &items, &to)?.map_or(0, |_| 1))
}
