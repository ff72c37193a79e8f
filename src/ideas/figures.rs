//! The mechanism's figures for a period: ideas by stage and field, working days from
//! submission to decision and the share adopted, measures delivered on time per
//! department, and each evaluator's turnaround.

use serde::Serialize;

use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Tx, Where};
use crate::kernel::error::AppResult;
use crate::kernel::period::Period;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageCount {
    pub field: String,
    pub state: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Decisions {
    /// Ideas decided (adopted or declined) in the period.
    pub decided: i64,
    pub adopted: i64,
    /// Adopted of decided, in percent (one decimal); none when nothing was decided.
    pub adopted_share: Option<f64>,
    /// Mean working days from first submission to decision (one decimal).
    pub mean_working_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentDelivery {
    pub department_name: String,
    pub measures: i64,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    pub under_way: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Turnaround {
    pub evaluator_name: String,
    pub reported: i64,
    /// Reports sent after their deadline.
    pub late: i64,
    pub open: i64,
    /// Mean working days from commission to report (one decimal).
    pub mean_working_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = IdeaFigures)]
pub struct Figures {
    /// The period as asked (`2019`, `2019-Q2`…), or empty for all time.
    pub period: String,
    pub by_stage: Vec<StageCount>,
    pub decisions: Decisions,
    pub delivery: Vec<DepartmentDelivery>,
    pub evaluators: Vec<Turnaround>,
}

fn within(w: &mut Where, column: &str, period: Option<&Period>) {
    if let Some(p) = period {
        let (from, to) = p.bounds_ms();
        let (a, b) = (w.push(from), w.push(to));
        w.and_sql(&format!("{column} >= {a} AND {column} < {b}"));
    }
}

fn mean(values: &[i64]) -> Option<f64> {
    (!values.is_empty()).then(|| (values.iter().sum::<i64>() as f64 / values.len() as f64 * 10.0).round() / 10.0)
}

fn working_days(calendar: &WorkCalendar, from: i64, to: i64) -> i64 {
    calendar.working_days_between(clock::local_date(from), clock::local_date(to))
}

pub fn figures(tx: &mut Tx<'_>, calendar: &WorkCalendar, period: Option<&Period>, now: i64) -> AppResult<Figures> {
    let mut w = Where::default();
    w.and_sql("i.submitted_at IS NOT NULL");
    within(&mut w, "i.submitted_at", period);
    let by_stage = tx
        .query(
            &format!(
                "SELECT i.field, i.state, COUNT(*) FROM ideas i{} GROUP BY i.field, i.state ORDER BY i.field",
                w.sql
            ),
            &w.args,
        )?
        .iter()
        .map(|r| Ok(StageCount { field: r.text(0)?, state: r.text(1)?, count: r.int(2)? }))
        .collect::<AppResult<_>>()?;

    let mut w = Where::default();
    w.and_sql("i.decided_at IS NOT NULL AND i.submitted_at IS NOT NULL");
    within(&mut w, "i.decided_at", period);
    let decided = tx.query(&format!("SELECT i.state, i.submitted_at, i.decided_at FROM ideas i{}", w.sql), &w.args)?;
    let mut days = Vec::new();
    let mut adopted = 0;
    for r in &decided {
        if r.text(0)? == "adopted" {
            adopted += 1;
        }
        days.push(working_days(calendar, r.int(1)?, r.int(2)?));
    }
    let n = decided.len() as i64;
    let decisions = Decisions {
        decided: n,
        adopted,
        adopted_share: (n > 0).then(|| (adopted as f64 * 1000.0 / n as f64).round() / 10.0),
        mean_working_days: mean(&days),
    };

    let today = clock::local_date(now).to_string();
    let mut w = Where::default();
    w.and_sql("p.state = 'approved'");
    within(&mut w, "p.approved_at", period);
    let rows = tx.query(
        &format!(
            "SELECT d.name, m.deadline, m.delivered_on FROM package_measures m \
             JOIN support_packages p ON p.id = m.package_id JOIN departments d ON d.id = m.department_id{} \
             ORDER BY d.name",
            w.sql
        ),
        &w.args,
    )?;
    let mut delivery: Vec<DepartmentDelivery> = Vec::new();
    for r in rows {
        let name = r.text(0)?;
        let state = super::packages::delivery(&r.text(1)?, r.opt_text(2)?.as_deref(), &today);
        if delivery.last().is_none_or(|d| d.department_name != name) {
            delivery.push(DepartmentDelivery {
                department_name: name,
                measures: 0,
                on_time: 0,
                late: 0,
                overdue: 0,
                under_way: 0,
            });
        }
        if let Some(d) = delivery.last_mut() {
            d.measures += 1;
            match state {
                "on_time" => d.on_time += 1,
                "late" => d.late += 1,
                "overdue" => d.overdue += 1,
                _ => d.under_way += 1,
            }
        }
    }

    let mut w = Where::default();
    within(&mut w, "c.created_at", period);
    let rows = tx.query(
        &format!(
            "SELECT e.name, c.state, c.created_at, c.reported_at, c.deadline FROM idea_commissions c \
             JOIN enterprises e ON e.id = c.evaluator_id{} ORDER BY e.name",
            w.sql
        ),
        &w.args,
    )?;
    let mut evaluators: Vec<(Turnaround, Vec<i64>)> = Vec::new();
    for r in rows {
        let name = r.text(0)?;
        if evaluators.last().is_none_or(|(t, _)| t.evaluator_name != name) {
            let t = Turnaround { evaluator_name: name, reported: 0, late: 0, open: 0, mean_working_days: None };
            evaluators.push((t, Vec::new()));
        }
        let Some((t, days)) = evaluators.last_mut() else { continue };
        match (r.text(1)?.as_str(), r.opt_int(3)?) {
            ("reported", Some(at)) => {
                t.reported += 1;
                days.push(working_days(calendar, r.int(2)?, at));
                if clock::local_date(at).to_string() > r.text(4)? {
                    t.late += 1;
                }
            }
            ("open", _) => t.open += 1,
            _ => {}
        }
    }
    let evaluators = evaluators
        .into_iter()
        .map(|(mut t, days)| {
            t.mean_working_days = mean(&days);
            t
        })
        .collect();
    Ok(Figures { period: period.map(Period::key).unwrap_or_default(), by_stage, decisions, delivery, evaluators })
}
