//! What each platform, event, sector, district or department multiplied (the platform's
//! "multiplication effect"): in a period, the projects that began negotiating, were signed
//! (and for how much), landed and went into production, with the period before beside
//! them. Without a period, every project so far. Dropped projects do not count.

use serde::Serialize;

use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::period::Period;
use crate::params;

/// What the figures can be grouped by.
pub const GROUPS: [&str; 5] = ["platform", "event", "sector", "district", "department"];

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Projects that began negotiating.
    pub started: i64,
    pub signed: i64,
    /// The amount signed, in fen.
    pub signed_fen: i64,
    pub landed: i64,
    pub producing: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// The group's id (platform, event, department), when it has one.
    pub id: Option<i64>,
    /// Its name; empty for projects attributed to none.
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// The same figures in the period before, when a period was asked for.
    pub previous: Option<Counts>,
}

fn grouping(group: &str) -> AppResult<(&'static str, &'static str)> {
    Ok(match group {
        "platform" => ("p.platform_id", "COALESCE(pl.name, '')"),
        "event" => ("p.event_id", "COALESCE(ev.name, '')"),
        "department" => ("p.department_id", "d.name"),
        "sector" => ("CAST(NULL AS BIGINT)", "p.sector"),
        "district" => ("CAST(NULL AS BIGINT)", "p.district"),
        _ => return Err(AppError::invalid("bad_value", "group")),
    })
}

fn counts(tx: &mut Tx<'_>, group: &str, first: &str, last: &str) -> AppResult<Vec<(Option<i64>, String, Counts)>> {
    let (id, name) = grouping(group)?;
    let within = |col: &str| format!("CAST(SUM(CASE WHEN {col} >= $1 AND {col} <= $2 THEN 1 ELSE 0 END) AS BIGINT)");
    let sql = format!(
        "SELECT {id} AS gid, {name} AS gname, {} AS started, {} AS signed, \
         CAST(SUM(CASE WHEN p.signed_on >= $1 AND p.signed_on <= $2 THEN p.amount_fen ELSE 0 END) AS BIGINT) AS signed_fen, \
         {} AS landed, {} AS producing \
         FROM projects p JOIN departments d ON d.id = p.department_id LEFT JOIN events ev ON ev.id = p.event_id \
         LEFT JOIN platforms pl ON pl.id = p.platform_id WHERE p.state <> 'dropped' GROUP BY {}",
        within("p.negotiating_on"),
        within("p.signed_on"),
        within("p.landed_on"),
        within("p.producing_on"),
        if id.starts_with("CAST(NULL") { name.to_owned() } else { format!("{id}, {name}") },
    );
    tx.query(&sql, params![first, last])?
        .iter()
        .map(|r| {
            Ok((
                r.opt_int("gid")?,
                r.text("gname")?,
                Counts {
                    started: r.int("started")?,
                    signed: r.int("signed")?,
                    signed_fen: r.int("signed_fen")?,
                    landed: r.int("landed")?,
                    producing: r.int("producing")?,
                },
            ))
        })
        .collect()
}

/// The figures grouped by `group`, in `period` (with the period before) or all time,
/// largest signed amount first; groups with nothing in either period are left out.
pub fn figures(tx: &mut Tx<'_>, group: &str, period: Option<&Period>) -> AppResult<Vec<FigureRow>> {
    let bounds = |p: &Period| (p.first.to_string(), p.last().to_string());
    let (first, last) = period.map_or(("0000-01-01".to_owned(), "9999-12-31".to_owned()), bounds);
    let now = counts(tx, group, &first, &last)?;
    let before = match period {
        Some(p) => {
            let (f, l) = bounds(&p.previous());
            Some(counts(tx, group, &f, &l)?)
        }
        None => None,
    };
    let empty = |c: &Counts| c.started + c.signed + c.landed + c.producing == 0;
    let mut rows: Vec<FigureRow> = now
        .into_iter()
        .map(|(id, name, counts)| {
            let previous = before.as_ref().map(|b| {
                b.iter().find(|(i, n, _)| *i == id && *n == name).map(|(_, _, c)| c.clone()).unwrap_or_default()
            });
            FigureRow { id, name, counts, previous }
        })
        .filter(|r| !empty(&r.counts) || r.previous.as_ref().is_some_and(|c| !empty(c)))
        .collect();
    rows.sort_by(|a, b| b.counts.signed_fen.cmp(&a.counts.signed_fen).then(b.counts.started.cmp(&a.counts.started)));
    Ok(rows)
}

/// How many projects stand in each stage now, as (state, count, amount in fen).
pub fn by_stage(tx: &mut Tx<'_>) -> AppResult<Vec<(String, i64, i64)>> {
    tx.query("SELECT state, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM projects GROUP BY state", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?, r.int(2)?)))
        .collect()
}
