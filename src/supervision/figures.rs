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
    /// The channel code, or the unit's name.
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
                key: if group == "unit" { r.opt_text(1)?.unwrap_or_else(|| "—".into()) } else { key },
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

/// Reference places for the plain map of Qingdao: (name, lat, lon).
const PLACES: [(&str, f64, f64); 8] = [
    ("市南区", 36.066, 120.383),
    ("市北区", 36.087, 120.375),
    ("李沧区", 36.145, 120.433),
    ("崂山区", 36.107, 120.469),
    ("城阳区", 36.307, 120.396),
    ("西海岸新区", 35.960, 120.198),
    ("即墨区", 36.389, 120.447),
    ("胶州市", 36.264, 120.033),
];

/// Leads with coordinates, plotted over a few reference places; no tile server needed.
/// The plain map's area (south, north, west, east) and its drawing size.
const BOUNDS: (f64, f64, f64, f64) = (35.80, 36.50, 119.90, 120.70);
type Project = fn(f64) -> f64;
const MAP: (f64, f64, Project, Project) = (
    560.0,
    420.0,
    |lon| (lon - BOUNDS.2) / (BOUNDS.3 - BOUNDS.2) * 560.0,
    |lat| 420.0 - (lat - BOUNDS.0) / (BOUNDS.1 - BOUNDS.0) * 420.0,
);

/// The plain map (sea, district seats), open for more to be drawn on it.
fn base_map(class: &str, attributes: &str) -> String {
    use std::fmt::Write;
    let (w, h, x, y) = MAP;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" class=\"{class}\" role=\"img\" aria-label=\"map\" font-size=\"11\"{attributes}>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#eef4fb\" stroke=\"#c8c8ce\"/>"
    );
    for (name, lat, lon) in PLACES {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#999\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#666\">{name}</text>",
            x(lon),
            y(lat),
            x(lon) + 5.0,
            y(lat) - 4.0
        );
    }
    out
}

/// The plain map for a reporter to click on: `static/forms.js` turns a click into
/// latitude and longitude (from the bounds it carries) and marks the spot.
pub fn map_svg_for_picking() -> String {
    let (s, n, w, e) = BOUNDS;
    let mut out = base_map("chart pick-map", &format!(" data-bounds=\"{s},{n},{w},{e}\""));
    out.push_str("<circle class=\"spot\" r=\"7\" cx=\"-20\" cy=\"-20\" fill=\"#b3261e\" stroke=\"#fff\" stroke-width=\"2\"/></svg>");
    out
}

pub fn map_svg(points: &[Point]) -> String {
    use std::fmt::Write;
    let (_, _, x, y) = MAP;
    let (lat0, lat1, lon0, lon1) = BOUNDS;
    let mut out = base_map("chart", "");
    for p in points.iter().filter(|p| (lat0..=lat1).contains(&p.lat) && (lon0..=lon1).contains(&p.lon)) {
        let color = if p.closed { "#1e7b34" } else { "#b3261e" };
        let _ = write!(
            out,
            "<a href=\"/supervision/leads/{}\"><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{color}\" fill-opacity=\"0.8\"><title>#{}</title></circle></a>",
            p.id,
            x(p.lon),
            y(p.lat),
            p.id
        );
    }
    out.push_str("</svg>");
    out
}
