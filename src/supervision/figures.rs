//! Supervision figures per channel and per unit, and the leads' places on a plain map.
//! Definitions (also on the page): response rate = leads fed back by their deadline ÷
//! leads transferred; resolution rate = leads notified or closed ÷ leads transferred;
//! overdue = leads still awaiting feedback past their deadline; time to feedback = mean
//! hours from filing to the first feedback; satisfaction rate = reporters satisfied or
//! basically satisfied ÷ reporters who judged the outcome. Linked duplicates count once,
//! on the lead that handles them, but every reporter's judgement counts. For a period,
//! the leads filed in it are counted, beside the period just before.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::period::Period;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LeadFigures)]
pub struct Figures {
    /// The channel code, or the unit's name ("" for leads not yet transferred to a unit).
    pub key: String,
    pub leads: i64,
    pub transferred: i64,
    pub fed_back_on_time: i64,
    pub resolved: i64,
    pub overdue: i64,
    pub response_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub hours_to_feedback: Option<f64>,
    /// Reporters who judged the outcome, and of them those satisfied or basically satisfied.
    pub judged: i64,
    pub satisfied: i64,
    pub satisfaction_rate: Option<f64>,
    /// For a period: the same group's figures in the period just before.
    pub previous: Option<Past>,
}

/// The counts behind one group's figures.
#[derive(Default)]
struct Counts {
    name: Option<String>,
    leads: i64,
    transferred: i64,
    fed_back_on_time: i64,
    resolved: i64,
    fed_back: i64,
    feedback_ms: i64,
    judged: i64,
    satisfied: i64,
    overdue: i64,
}

impl Counts {
    /// Add the six handling counts read from `r` starting at column `at`.
    fn handled(&mut self, r: &crate::kernel::db::Row, at: usize) -> AppResult<()> {
        self.leads += r.int(at)?;
        self.transferred += r.int(at + 1)?;
        self.fed_back_on_time += r.int(at + 2)?;
        self.resolved += r.int(at + 3)?;
        self.fed_back += r.int(at + 4)?;
        self.feedback_ms += r.int(at + 5)?;
        Ok(())
    }

    fn figures(self, key: String, previous: Option<Past>) -> Figures {
        let rate = |n: i64, of: i64| (of > 0).then(|| n as f64 / of as f64);
        Figures {
            key: self.name.unwrap_or(key),
            leads: self.leads,
            transferred: self.transferred,
            fed_back_on_time: self.fed_back_on_time,
            resolved: self.resolved,
            overdue: self.overdue,
            response_rate: rate(self.fed_back_on_time, self.transferred),
            resolution_rate: rate(self.resolved, self.transferred),
            hours_to_feedback: (self.fed_back > 0)
                .then(|| self.feedback_ms as f64 / self.fed_back as f64 / 3_600_000.0),
            judged: self.judged,
            satisfied: self.satisfied,
            satisfaction_rate: rate(self.satisfied, self.judged),
            previous,
        }
    }
}

/// The figures of the period before, beside a group's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LeadFiguresBefore)]
pub struct Past {
    pub period: String,
    pub leads: i64,
    pub response_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub overdue: i64,
}

/// The group's key as `lead_figures` keeps it: the channel code, or the unit's id as text
/// ("0" before a transfer).
fn group_key(group: &str, lead: &str) -> String {
    if group == "unit" {
        format!("CAST(COALESCE({lead}.unit_department_id, 0) AS TEXT)")
    } else {
        format!("{lead}.channel")
    }
}

/// Figures grouped by `channel` or by `unit`: of all leads, read from `lead_figures`
/// (kept by the database as leads change, see migration 0012) with the day's overdue
/// count; or of the leads filed in a period, counted from the leads, beside the period
/// just before.
pub fn figures(tx: &mut Tx<'_>, group: &str, today: &str, period: Option<&Period>) -> AppResult<Vec<Figures>> {
    let group = if group == "unit" { "unit" } else { "channel" };
    let mut out = match period {
        None => totals(tx, group, today)?.into_iter().map(|(k, c)| c.figures(k, None)).collect::<Vec<_>>(),
        Some(p) => {
            let previous = p.previous();
            let mut before = filed_in(tx, group, today, &previous)?;
            filed_in(tx, group, today, p)?
                .into_iter()
                .map(|(k, c)| {
                    let b = before.remove(&k).unwrap_or_default().figures(k.clone(), None);
                    let past = Past {
                        period: previous.key(),
                        leads: b.leads,
                        response_rate: b.response_rate,
                        resolution_rate: b.resolution_rate,
                        satisfaction_rate: b.satisfaction_rate,
                        overdue: b.overdue,
                    };
                    c.figures(k, Some(past))
                })
                .collect()
        }
    };
    out.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.key.cmp(&b.key)));
    Ok(out)
}

/// The running totals, with the day's overdue count.
fn totals(tx: &mut Tx<'_>, group: &str, today: &str) -> AppResult<BTreeMap<String, Counts>> {
    let mut all = BTreeMap::<String, Counts>::new();
    let rows = tx.query(
        "SELECT f.grp_key, MAX(d.name), CAST(SUM(f.leads) AS BIGINT), CAST(SUM(f.transferred) AS BIGINT), \
         CAST(SUM(f.fed_back_on_time) AS BIGINT), CAST(SUM(f.resolved) AS BIGINT), CAST(SUM(f.fed_back) AS BIGINT), \
         CAST(SUM(f.feedback_ms) AS BIGINT), CAST(SUM(f.judged) AS BIGINT), CAST(SUM(f.satisfied) AS BIGINT) \
         FROM lead_figures f LEFT JOIN departments d ON f.grp = 'unit' AND CAST(d.id AS TEXT) = f.grp_key \
         WHERE f.grp = $1 GROUP BY f.grp_key HAVING SUM(f.leads) > 0 OR SUM(f.judged) > 0",
        params![group],
    )?;
    for r in &rows {
        let c = all.entry(r.text(0)?).or_default();
        c.handled(r, 2)?;
        (c.judged, c.satisfied) = (r.int(8)?, r.int(9)?);
        c.name = unit_name(group, r.opt_text(1)?);
    }
    add_overdue(tx, group, today, None, &mut all)?;
    Ok(all)
}

/// A unit's name ("" for leads not yet transferred); channels keep their code.
fn unit_name(group: &str, name: Option<String>) -> Option<String> {
    (group == "unit").then(|| name.unwrap_or_default())
}

/// Counted from the leads filed in the period.
fn filed_in(tx: &mut Tx<'_>, group: &str, today: &str, period: &Period) -> AppResult<BTreeMap<String, Counts>> {
    let (from, to) = period.bounds_ms();
    let mut all = BTreeMap::<String, Counts>::new();
    let key = group_key(group, "l");
    let handled = tx.query(
        &format!(
            "SELECT {key}, MAX(d.name), {HANDLED} FROM leads l LEFT JOIN departments d ON d.id = l.unit_department_id \
             WHERE l.created_at >= $1 AND l.created_at < $2 GROUP BY {key}"
        ),
        params![from, to],
    )?;
    for r in &handled {
        let c = all.entry(r.text(0)?).or_default();
        c.handled(r, 2)?;
        c.name = unit_name(group, r.opt_text(1)?);
    }
    // A reporter's judgement counts for the unit that handled the lead, linked or not.
    let handler = group_key(group, "h");
    let judged = tx.query(
        &format!(
            "SELECT {handler}, MAX(d.name), {JUDGED} FROM leads l JOIN leads h ON h.id = COALESCE(l.primary_id, l.id) \
             LEFT JOIN departments d ON d.id = h.unit_department_id \
             WHERE l.reporter_judgement IS NOT NULL AND l.created_at >= $1 AND l.created_at < $2 GROUP BY {handler}"
        ),
        params![from, to],
    )?;
    for r in &judged {
        let c = all.entry(r.text(0)?).or_default();
        (c.judged, c.satisfied) = (r.int(2)?, r.int(3)?);
        c.name = unit_name(group, r.opt_text(1)?);
    }
    add_overdue(tx, group, today, Some((from, to)), &mut all)?;
    all.retain(|_, c| c.leads > 0 || c.judged > 0);
    Ok(all)
}

/// Leads still awaiting feedback past their deadline, of those filed in `filed` if given.
fn add_overdue(
    tx: &mut Tx<'_>,
    group: &str,
    today: &str,
    filed: Option<(i64, i64)>,
    all: &mut BTreeMap<String, Counts>,
) -> AppResult<()> {
    let key = group_key(group, "leads");
    let (range, args) = match filed {
        Some((from, to)) => (" AND created_at >= $2 AND created_at < $3", params![today, from, to].to_vec()),
        None => ("", params![today].to_vec()),
    };
    let rows = tx.query(
        &format!(
            "SELECT {key}, COUNT(*) FROM leads WHERE state IN ('transferred', 'rework') \
             AND deadline < $1 AND primary_id IS NULL{range} GROUP BY {key}"
        ),
        &args,
    )?;
    for r in &rows {
        if let Some(c) = all.get_mut(&r.text(0)?) {
            c.overdue = r.int(1)?;
        }
    }
    Ok(())
}

/// Count `lead_figures` again from the leads (after a bulk load with its triggers off).
pub fn recount(tx: &mut Tx<'_>) -> AppResult<()> {
    tx.execute("DELETE FROM lead_figures", &[])?;
    let insert = "INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, \
                  fed_back, feedback_ms, judged, satisfied)";
    let statements = [
        format!("{insert} SELECT 'channel', l.channel, 0, {HANDLED}, {JUDGED} FROM leads l GROUP BY l.channel"),
        format!(
            "{insert} SELECT 'unit', {unit}, 0, {HANDLED}, 0, 0 FROM leads l WHERE l.primary_id IS NULL GROUP BY {unit}",
            unit = group_key("unit", "l")
        ),
        format!(
            "{insert} SELECT 'unit', {unit}, 0, 0, 0, 0, 0, 0, 0, {JUDGED} \
             FROM leads l JOIN leads h ON h.id = COALESCE(l.primary_id, l.id) \
             WHERE l.reporter_judgement IS NOT NULL GROUP BY {unit} \
             ON CONFLICT (grp, grp_key, part) DO UPDATE SET judged = excluded.judged, satisfied = excluded.satisfied",
            unit = group_key("unit", "h")
        ),
    ];
    for sql in statements {
        tx.execute(&sql, &[])?;
    }
    Ok(())
}

/// The handling counts of migration 0012: leads, transferred, fed back on time,
/// resolved, fed back, and the time to feedback. Linked duplicates count once.
const HANDLED: &str = "CAST(SUM(CASE WHEN l.primary_id IS NULL THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.primary_id IS NULL AND l.unit_department_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.primary_id IS NULL AND l.fed_back_on_time = 1 THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.primary_id IS NULL AND l.state IN ('notified', 'closed') THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN l.first_feedback_at - l.created_at ELSE 0 END) AS BIGINT)";

/// The reporters who judged the outcome, and those satisfied or basically satisfied.
const JUDGED: &str = "CAST(SUM(CASE WHEN l.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN l.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS BIGINT)";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub id: i64,
    pub lat: f64,
    pub lon: f64,
    pub closed: bool,
}

pub fn points(tx: &mut Tx<'_>) -> AppResult<Vec<Point>> {
    tx.query(
        "SELECT id, lat, lon, state FROM leads WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY id DESC LIMIT 5000",
        &[],
    )?
    .iter()
    .map(|r| Ok(Point { id: r.int(0)?, lat: r.real(1)?, lon: r.real(2)?, closed: r.text(3)? == "closed" }))
    .collect()
}
