//! Execution figures per department and per person: on-time rate, overdue count and
//! average cycle time. Definitions are shown on the page with the figures.

use serde::Serialize;

use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// Open tasks past their deadline now.
    pub overdue: i64,
    /// Mean days from assignment to feedback.
    pub avg_cycle_days: Option<f64>,
}

/// Figures grouped by `group`: `department` (lead department) or `person` (responsible).
pub fn figures(tx: &mut Tx<'_>, group: &str, today: &str, running: &[String]) -> AppResult<Vec<Figures>> {
    let (key, name, join) = match group {
        "person" => ("t.assignee_id", "g.display_name", "users g ON g.id = t.assignee_id"),
        _ => ("t.lead_department_id", "g.name", "departments g ON g.id = t.lead_department_id"),
    };
    let running_list = if running.is_empty() {
        "''".to_owned()
    } else {
        running.iter().map(|s| format!("'{}'", s.replace('\'', ""))).collect::<Vec<_>>().join(", ")
    };
    let sql = format!(
        "SELECT {key}, {name}, COUNT(*), \
         SUM(CASE WHEN t.feedback_at IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN t.met_deadline = 1 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN t.state IN ({running_list}) AND t.deadline < $1 THEN 1 ELSE 0 END), \
         CAST(AVG(CASE WHEN t.feedback_at IS NOT NULL THEN (t.feedback_at - t.created_at) / 86400000.0 END) AS DOUBLE PRECISION) \
         FROM tasks t JOIN {join} GROUP BY {key}, {name} ORDER BY COUNT(*) DESC, {name} LIMIT 500"
    );
    tx.query(&sql, params![today])?
        .iter()
        .map(|r| {
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
                avg_cycle_days: match r.real(6) {
                    Ok(v) if fed_back > 0 => Some(v),
                    _ => None,
                },
            })
        })
        .collect()
}
