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

/// Figures grouped by `channel` or by `unit`.
pub fn figures(tx: &mut Tx<'_>, group: &str, today: &str) -> AppResult<Vec<Figures>> {
    // The day of the first feedback is compared with the deadline in China time, which
    // SQL cannot portably compute from milliseconds: fetch per lead and fold here.
    let rows = tx.query(
        "SELECT l.channel, COALESCE(d.name, '—'), l.unit_department_id, l.state, l.deadline, l.created_at, \
         (SELECT MIN(e.at) FROM workflow_events e WHERE e.kind = 'lead' AND e.record_id = l.id AND e.transition = 'feed_back') \
         FROM leads l LEFT JOIN departments d ON d.id = l.unit_department_id WHERE l.primary_id IS NULL ORDER BY l.id DESC LIMIT 100000",
        params![],
    )?;
    let mut map: std::collections::BTreeMap<String, (Figures, f64, i64)> = std::collections::BTreeMap::new();
    for r in &rows {
        let k = if group == "unit" { r.text(1)? } else { r.text(0)? };
        let e = map.entry(k.clone()).or_insert_with(|| {
            (
                Figures {
                    key: k,
                    leads: 0,
                    transferred: 0,
                    fed_back_on_time: 0,
                    resolved: 0,
                    overdue: 0,
                    response_rate: None,
                    resolution_rate: None,
                    hours_to_feedback: None,
                    judged: 0,
                    satisfied: 0,
                    satisfaction_rate: None,
                },
                0.0,
                0,
            )
        });
        let (state, deadline, created, first) = (r.text(3)?, r.opt_text(4)?, r.int(5)?, r.opt_int(6)?);
        e.0.leads += 1;
        if r.opt_int(2)?.is_some() {
            e.0.transferred += 1;
        }
        if let (Some(at), Some(d)) = (first, deadline.as_deref())
            && crate::kernel::clock::local_date(at).to_string().as_str() <= d
        {
            e.0.fed_back_on_time += 1;
        }
        if let Some(at) = first {
            e.1 += (at - created) as f64 / 3_600_000.0;
            e.2 += 1;
        }
        if state == "notified" || state == "closed" {
            e.0.resolved += 1;
        }
        if (state == "transferred" || state == "rework") && deadline.as_deref().is_some_and(|d| d < today) {
            e.0.overdue += 1;
        }
    }
    let judgements = tx.query(
        "SELECT h.channel, COALESCE(d.name, '—'), l.reporter_judgement FROM leads l \
         JOIN leads h ON h.id = COALESCE(l.primary_id, l.id) LEFT JOIN departments d ON d.id = h.unit_department_id \
         WHERE l.reporter_judgement IS NOT NULL ORDER BY l.id DESC LIMIT 100000",
        params![],
    )?;
    for r in &judgements {
        let k = if group == "unit" { r.text(1)? } else { r.text(0)? };
        if let Some(e) = map.get_mut(&k) {
            e.0.judged += 1;
            if super::judgement::counts_as_satisfied(&r.text(2)?) {
                e.0.satisfied += 1;
            }
        }
    }
    let mut out: Vec<Figures> = map
        .into_values()
        .map(|(mut f, hours, n)| {
            if f.transferred > 0 {
                f.response_rate = Some(f.fed_back_on_time as f64 / f.transferred as f64);
                f.resolution_rate = Some(f.resolved as f64 / f.transferred as f64);
            }
            f.hours_to_feedback = (n > 0).then(|| hours / n as f64);
            f.satisfaction_rate = (f.judged > 0).then(|| f.satisfied as f64 / f.judged as f64);
            f
        })
        .collect();
    out.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.key.cmp(&b.key)));
    Ok(out)
}

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
pub fn map_svg(points: &[Point]) -> String {
    use std::fmt::Write;
    let (w, h) = (560.0, 420.0);
    let (lat0, lat1, lon0, lon1) = (35.80, 36.50, 119.90, 120.70);
    let x = |lon: f64| (lon - lon0) / (lon1 - lon0) * w;
    let y = |lat: f64| h - (lat - lat0) / (lat1 - lat0) * h;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" class=\"chart\" role=\"img\" aria-label=\"map\" font-size=\"11\">\
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
