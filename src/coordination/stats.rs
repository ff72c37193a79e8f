//! Execution figures per department and per person: on-time rate, overdue count and
//! average cycle time. They are kept in `task_stats` as tasks are assigned and fed back,
//! so the page costs the same at a hundred tasks and at a million; the overdue counts
//! are refreshed by the scheduler. Definitions are shown on the page with the figures.
//! For a period (a week, month, quarter, year or range), the tasks assigned in it are
//! counted from the tasks themselves, beside the period just before.

use serde::Serialize;

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::db::{Tx, Value, Where};
use crate::kernel::error::AppResult;
use crate::kernel::period::Period;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TaskFigures)]
pub struct Figures {
    pub id: i64,
    pub name: String,
    /// Tasks assigned.
    pub tasks: i64,
    /// Tasks whose feedback is in.
    pub fed_back: i64,
    /// Of those, fed back by the deadline.
    pub on_time: i64,
    /// on_time / fed_back, or none when nothing was fed back yet.
    pub on_time_rate: Option<f64>,
    /// Open tasks past their deadline, as of the scheduler's last run.
    pub overdue: i64,
    /// Mean days from assignment to feedback.
    pub avg_cycle_days: Option<f64>,
    /// For a period: the same group's figures in the period just before.
    pub previous: Option<Past>,
}

/// The two groupings, with the task column that names the group.
const DIMENSIONS: [(&str, &str); 2] = [("department", "lead_department_id"), ("person", "assignee_id")];

/// Count a new task.
pub fn task_added(tx: &mut Tx<'_>, department: i64, person: i64) -> AppResult<()> {
    for (dim, key) in [("department", department), ("person", person)] {
        tx.execute(
            "INSERT INTO task_stats (dimension, key, tasks) VALUES ($1, $2, 1) \
             ON CONFLICT (dimension, key) DO UPDATE SET tasks = task_stats.tasks + 1",
            params![dim, key],
        )?;
    }
    Ok(())
}

/// Move an open task's count from one responsible person to another.
pub fn task_moved(tx: &mut Tx<'_>, from: i64, to: i64) -> AppResult<()> {
    tx.execute("UPDATE task_stats SET tasks = tasks - 1 WHERE dimension = 'person' AND key = $1", params![from])?;
    tx.execute(
        "INSERT INTO task_stats (dimension, key, tasks) VALUES ('person', $1, 1) \
         ON CONFLICT (dimension, key) DO UPDATE SET tasks = task_stats.tasks + 1",
        params![to],
    )?;
    Ok(())
}

/// Count (sign 1) or uncount (sign -1, when a task is returned) one feedback.
pub fn feedback(
    tx: &mut Tx<'_>,
    department: i64,
    person: i64,
    on_time: bool,
    cycle_ms: i64,
    sign: i64,
) -> AppResult<()> {
    for (dim, key) in [("department", department), ("person", person)] {
        tx.execute(
            "UPDATE task_stats SET fed_back = fed_back + $1, on_time = on_time + $2, cycle_ms = cycle_ms + $3 \
             WHERE dimension = $4 AND key = $5",
            params![sign, sign * i64::from(on_time), sign * cycle_ms, dim, key],
        )?;
    }
    Ok(())
}

/// Recount everything from the tasks (after bulk loads).
pub fn rebuild(tx: &mut Tx<'_>) -> AppResult<()> {
    tx.execute("DELETE FROM task_stats", &[])?;
    for (dim, col) in DIMENSIONS {
        let sql = format!(
            "INSERT INTO task_stats (dimension, key, tasks, fed_back, on_time, cycle_ms) \
             SELECT '{dim}', {col}, COUNT(*), \
             SUM(CASE WHEN feedback_at IS NOT NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN met_deadline = 1 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN feedback_at IS NOT NULL THEN feedback_at - created_at ELSE 0 END) \
             FROM tasks GROUP BY {col}"
        );
        tx.execute(&sql, &[])?;
    }
    Ok(())
}

/// Recount the open tasks past their deadline, per group (the scheduler's job).
pub fn refresh_overdue(tx: &mut Tx<'_>, today: &str, running: &[String]) -> AppResult<usize> {
    if running.is_empty() {
        return Ok(0);
    }
    let marks: Vec<String> = (0..running.len()).map(|i| format!("${}", i + 2)).collect();
    let mut args: Vec<Value> = vec![today.into()];
    args.extend(running.iter().map(|s| Value::from(s.as_str())));
    tx.execute("UPDATE task_stats SET overdue = 0 WHERE overdue <> 0", &[])?;
    for (dim, col) in DIMENSIONS {
        let sql = format!(
            "SELECT {col}, COUNT(*) FROM tasks WHERE deadline < $1 AND state IN ({}) GROUP BY {col}",
            marks.join(", ")
        );
        for r in tx.query(&sql, &args)? {
            tx.execute(
                "UPDATE task_stats SET overdue = $1 WHERE dimension = $2 AND key = $3",
                params![r.int(1)?, dim, r.int(0)?],
            )?;
        }
    }
    Ok(0)
}

/// Whose per-person figures `reader` may see: everyone's for leaders and administrators,
/// their department's for its heads, their division's for its head, otherwise their own.
fn persons_seen(reader: &CurrentUser, w: &mut Where) {
    match reader.role {
        Role::Leader => {}
        Role::DeptHead if reader.department_id.is_some() => {
            w.and("g.department_id = ?", reader.department_id);
        }
        Role::DivisionHead if reader.division_id.is_some() => {
            w.and("g.division_id = ?", reader.division_id);
        }
        _ => {
            w.and("g.id = ?", reader.id);
        }
    }
}

/// Which tasks a figures request counts, and what "open" means for its overdue count.
pub struct Scope<'a> {
    /// Tasks assigned in this period; all tasks when none.
    pub period: Option<&'a Period>,
    pub today: &'a str,
    /// The task process's running states.
    pub running: &'a [String],
}

/// Figures grouped by `group`: `department` (lead department) or `person` (responsible,
/// only those `reader` may see), the 500 groups with the most tasks. For a period, the
/// tasks assigned in it are counted, and each group carries its figures for the period
/// just before.
pub fn figures(tx: &mut Tx<'_>, reader: &CurrentUser, group: &str, scope: &Scope<'_>) -> AppResult<Vec<Figures>> {
    let Some(period) = scope.period else { return all_time(tx, reader, group) };
    let previous = period.previous();
    let before: std::collections::HashMap<i64, Figures> =
        assigned_in(tx, reader, group, &previous, scope)?.into_iter().map(|f| (f.id, f)).collect();
    let mut now = assigned_in(tx, reader, group, period, scope)?;
    for f in &mut now {
        f.previous = Some(before.get(&f.id).map_or_else(|| Past::none(&previous), |b| Past::of(&previous, b)));
    }
    Ok(now)
}

/// The figures of the period before, beside a group's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TaskFiguresBefore)]
pub struct Past {
    pub period: String,
    pub tasks: i64,
    pub on_time_rate: Option<f64>,
    pub overdue: i64,
    pub avg_cycle_days: Option<f64>,
}

impl Past {
    fn of(period: &Period, f: &Figures) -> Past {
        Past {
            period: period.key(),
            tasks: f.tasks,
            on_time_rate: f.on_time_rate,
            overdue: f.overdue,
            avg_cycle_days: f.avg_cycle_days,
        }
    }
    fn none(period: &Period) -> Past {
        Past { period: period.key(), tasks: 0, on_time_rate: None, overdue: 0, avg_cycle_days: None }
    }
}

fn grouping(group: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match group {
        "person" => ("person", "assignee_id", "users g ON g.id = ", "g.display_name"),
        _ => ("department", "lead_department_id", "departments g ON g.id = ", "g.name"),
    }
}

/// Counted from the tasks assigned in the period.
fn assigned_in(
    tx: &mut Tx<'_>,
    reader: &CurrentUser,
    group: &str,
    period: &Period,
    scope: &Scope<'_>,
) -> AppResult<Vec<Figures>> {
    let (dim, col, join, name) = grouping(group);
    let (from, to) = period.bounds_ms();
    let mut w = Where::default();
    w.and("t.created_at >= ?", from);
    w.and("t.created_at < ?", to);
    if dim == "person" {
        persons_seen(reader, &mut w);
    }
    let mut args = w.args;
    args.push(scope.today.into());
    let today = args.len();
    let running: Vec<String> = scope
        .running
        .iter()
        .map(|state| {
            args.push(state.as_str().into());
            format!("${}", args.len())
        })
        .collect();
    let open = if running.is_empty() { "1 = 0".to_owned() } else { format!("t.state IN ({})", running.join(", ")) };
    let sql = format!(
        "SELECT t.{col}, MAX({name}), COUNT(*), \
         SUM(CASE WHEN t.feedback_at IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN t.met_deadline = 1 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN {open} AND t.deadline < ${today} THEN 1 ELSE 0 END), \
         CAST(SUM(CASE WHEN t.feedback_at IS NOT NULL THEN t.feedback_at - t.created_at ELSE 0 END) AS BIGINT) \
         FROM tasks t JOIN {join}t.{col}{} GROUP BY t.{col} ORDER BY COUNT(*) DESC, t.{col} LIMIT 500",
        w.sql
    );
    tx.query(&sql, &args)?.iter().map(read_figures).collect()
}

/// The running totals kept in `task_stats`.
fn all_time(tx: &mut Tx<'_>, reader: &CurrentUser, group: &str) -> AppResult<Vec<Figures>> {
    let (dim, _, join, name) = grouping(group);
    let mut w = Where::default();
    w.and("s.dimension = ?", dim);
    if dim == "person" {
        persons_seen(reader, &mut w);
    }
    let sql = format!(
        "SELECT s.key, {name}, s.tasks, s.fed_back, s.on_time, s.overdue, s.cycle_ms FROM task_stats s JOIN {join}s.key{} \
         ORDER BY s.tasks DESC, s.key LIMIT 500",
        w.sql
    );
    tx.query(&sql, &w.args)?.iter().map(read_figures).collect()
}

/// A row of (group id, name, tasks, fed back, on time, overdue, cycle ms).
fn read_figures(r: &crate::kernel::db::Row) -> AppResult<Figures> {
    let fed_back = r.int(3)?;
    let on_time = r.int(4)?;
    Ok(Figures {
        id: r.int(0)?,
        name: r.text(1)?,
        tasks: r.int(2)?,
        fed_back,
        on_time,
        on_time_rate: (fed_back > 0).then(|| on_time as f64 / fed_back as f64),
        overdue: r.int(5)?,
        avg_cycle_days: (fed_back > 0).then(|| r.int(6).unwrap_or(0) as f64 / fed_back as f64 / 86_400_000.0),
        previous: None,
    })
}
