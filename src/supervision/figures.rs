//! Supervision figures per channel and per unit, and the leads' places on a plain map.
//! Definitions (also on the page): response rate = leads fed back by their deadline ÷
//! leads transferred; resolution rate = leads notified or closed ÷ leads transferred;
//! overdue = leads still awaiting feedback past their deadline; time to feedback = mean
//! hours from filing to the first feedback; satisfaction rate = reporters satisfied or
//! basically satisfied ÷ reporters who judged the outcome. Linked duplicates count once,
//! on the lead that handles them, but every reporter's judgement counts.

use serde::Serialize;

use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
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
}

/// Figures grouped by `channel` or by `unit`, read from `lead_figures` (kept by the
/// database as leads change, see migration 0012) with the day's overdue count.
pub fn figures(tx: &mut Tx<'_>, group: &str, today: &str) -> AppResult<Vec<Figures>> {
    let group = if group == "unit" { "unit" } else { "channel" };
    let overdue_key = if group == "unit" { "CAST(COALESCE(unit_department_id, 0) AS TEXT)" } else { "channel" };
    let overdue: std::collections::HashMap<String, i64> = tx
        .query(
            &format!(
                "SELECT {overdue_key}, COUNT(*) FROM leads WHERE state IN ('transferred', 'rework') \
                 AND deadline < $1 AND primary_id IS NULL GROUP BY {overdue_key}"
            ),
            params![today],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect::<AppResult<_>>()?;
    let rows = tx.query(
        "SELECT f.grp_key, MAX(d.name), CAST(SUM(f.leads) AS BIGINT), CAST(SUM(f.transferred) AS BIGINT), \
         CAST(SUM(f.fed_back_on_time) AS BIGINT), CAST(SUM(f.resolved) AS BIGINT), CAST(SUM(f.fed_back) AS BIGINT), \
         CAST(SUM(f.feedback_ms) AS BIGINT), CAST(SUM(f.judged) AS BIGINT), CAST(SUM(f.satisfied) AS BIGINT) \
         FROM lead_figures f LEFT JOIN departments d ON f.grp = 'unit' AND CAST(d.id AS TEXT) = f.grp_key \
         WHERE f.grp = $1 GROUP BY f.grp_key HAVING SUM(f.leads) > 0 OR SUM(f.judged) > 0",
        params![group],
    )?;
    let mut out = rows
        .iter()
        .map(|r| {
            let key = r.text(0)?;
            let (transferred, fed_back, judged) = (r.int(3)?, r.int(6)?, r.int(8)?);
            let rate = |n: i64, of: i64| (of > 0).then(|| n as f64 / of as f64);
            Ok(Figures {
                overdue: overdue.get(&key).copied().unwrap_or(0),
                key: if group == "unit" { r.opt_text(1)?.unwrap_or_default() } else { key },
                leads: r.int(2)?,
                transferred,
                fed_back_on_time: r.int(4)?,
                resolved: r.int(5)?,
                response_rate: rate(r.int(4)?, transferred),
                resolution_rate: rate(r.int(5)?, transferred),
                hours_to_feedback: (fed_back > 0).then(|| r.int(7).unwrap_or(0) as f64 / fed_back as f64 / 3_600_000.0),
                judged,
                satisfied: r.int(9)?,
                satisfaction_rate: rate(r.int(9)?, judged),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    out.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.key.cmp(&b.key)));
    Ok(out)
}

/// Count `lead_figures` again from the leads (after a bulk load with its triggers off).
pub fn recount(tx: &mut Tx<'_>) -> AppResult<()> {
    tx.execute("DELETE FROM lead_figures", &[])?;
    for sql in RECOUNT {
        tx.execute(sql, &[])?;
    }
    Ok(())
}

/// The same statements as migration 0012's backfill.
const RECOUNT: [&str; 3] = [
    "INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'channel', l.channel, 0,
    SUM(CASE WHEN l.primary_id IS NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.fed_back_on_time = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN l.first_feedback_at - l.created_at ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM leads l GROUP BY l.channel",
    "INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'unit', CAST(COALESCE(l.unit_department_id, 0) AS TEXT), 0,
    SUM(CASE WHEN l.primary_id IS NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.fed_back_on_time = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN l.first_feedback_at - l.created_at ELSE 0 END),
    0, 0
FROM leads l WHERE l.primary_id IS NULL GROUP BY COALESCE(l.unit_department_id, 0)",
    "INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'unit', CAST(COALESCE(h.unit_department_id, 0) AS TEXT), 0, 0, 0, 0, 0, 0, 0,
    SUM(CASE WHEN l.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM leads l JOIN leads h ON h.id = COALESCE(l.primary_id, l.id)
WHERE l.reporter_judgement IS NOT NULL GROUP BY COALESCE(h.unit_department_id, 0)
ON CONFLICT (grp, grp_key, part) DO UPDATE SET judged = excluded.judged, satisfied = excluded.satisfied",
];

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
