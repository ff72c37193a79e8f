//! Scores per member and period, kept in `rating_scores` as ratings arrive (and taken
//! back when an appeal voids one), so a scoreboard reads a handful of rows however many
//! ratings there are.
//!
//! Formulas (also shown on the pages): a member's score in a period is the mean, over
//! their counted ratings, of the four levels added up (4–20). A division head's
//! organisational/execution score is **the sum of the members' scores** (the article's
//! rule); beside it stand the per-member average (the sum divided by the members rated)
//! and the number of ratings, so small and large divisions can be read fairly.

use serde::Serialize;

use crate::kernel::db::{Tx, Value};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::period::{Kind, Period};
use crate::params;

/// The month, quarter and year a moment falls in: `2019-04`, `2019-Q2`, `2019`, the
/// periods kept in `rating_scores`.
pub fn periods(at: i64) -> [String; 3] {
    [Kind::Month, Kind::Quarter, Kind::Year].map(|k| Period::at(k, at).key())
}

/// Check a period written by a person (any of [`Period`]'s forms) and write it back.
pub fn parse_period(s: &str) -> AppResult<String> {
    Period::parse(s).map(|p| p.key())
}

/// Consequences are decided per month, quarter or year only.
pub fn decision_period(s: &str) -> AppResult<String> {
    let p = Period::parse(s)?;
    if p.is_calendar_span() { Ok(p.key()) } else { Err(AppError::invalid("period_not_for_decisions", "period")) }
}

/// The members' scores of a checked period as a table of (staff_id, division_id,
/// department_id, n, attitude, style, efficiency, competence): the running totals for a
/// month, quarter or year, counted from the ratings for a week or a range.
fn members_of(period: &str) -> AppResult<(&'static str, Vec<Value>)> {
    let p = Period::parse(period)?;
    if p.is_calendar_span() {
        return Ok((
            "(SELECT staff_id, division_id, department_id, n, attitude, style, efficiency, competence \
             FROM rating_scores WHERE period = $1)",
            vec![Value::from(p.key())],
        ));
    }
    let (from, to) = p.bounds_ms();
    Ok((
        "(SELECT staff_id, MAX(division_id) AS division_id, MAX(department_id) AS department_id, COUNT(*) AS n, \
         SUM(attitude) AS attitude, SUM(style) AS style, SUM(efficiency) AS efficiency, SUM(competence) AS competence \
         FROM ratings WHERE counted = 1 AND created_at >= $1 AND created_at < $2 GROUP BY staff_id)",
        vec![Value::from(from), Value::from(to)],
    ))
}

/// Count (sign 1) or take back (sign -1) one rating made at `at`.
pub fn add(
    tx: &mut Tx<'_>,
    at: i64,
    staff: i64,
    division: Option<i64>,
    department: i64,
    levels: [i64; 4],
    sign: i64,
) -> AppResult<()> {
    let [a, s, e, c] = levels.map(|l| l * sign);
    for period in periods(at) {
        tx.execute(
            "INSERT INTO rating_scores (period, staff_id, division_id, department_id, n, attitude, style, efficiency, competence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (period, staff_id) DO UPDATE SET \
             n = rating_scores.n + $5, attitude = rating_scores.attitude + $6, style = rating_scores.style + $7, \
             efficiency = rating_scores.efficiency + $8, competence = rating_scores.competence + $9, \
             division_id = $3, department_id = $4",
            params![period, staff, division, department, sign, a, s, e, c],
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberScore {
    pub staff_id: i64,
    pub name: String,
    pub ratings: i64,
    /// Mean level per dimension (1–5): attitude, style, efficiency, competence.
    pub dimensions: [f64; 4],
    /// Mean of the four levels added up (4–20).
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scoreboard {
    pub period: String,
    pub division_id: i64,
    pub members: Vec<MemberScore>,
    /// The head's organisational/execution score: the sum of the members' scores.
    pub sum_score: f64,
    /// The sum divided by the members rated.
    pub average_score: f64,
    pub ratings: i64,
    /// Ratings refused in the period because they came from the division itself (its
    /// members' sessions, browsers or contact details).
    pub refused_attempts: i64,
    /// People served (one phone, address or account) who gave the division three or more
    /// top scores (20/20) in the period: worth a look.
    pub repeated_top_scores: i64,
    /// The period just before, for comparison.
    pub previous: PastScore,
}

/// A division's sum score and ratings in the period before the one shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PastScore {
    pub period: String,
    pub sum_score: f64,
    pub ratings: i64,
}

/// A division's standing in the period before the one shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PastRank {
    pub period: String,
    /// 0 when it was not ranked then.
    pub rank: i64,
    pub sum_score: f64,
    pub ratings: i64,
}

/// The anomaly counts of a division's period (see [`Scoreboard`]).
fn anomalies(tx: &mut Tx<'_>, division: i64, period: &str) -> AppResult<(i64, i64)> {
    let (from, to) = Period::parse(period)?.bounds_ms();
    let refused = tx
        .query_one(
            "SELECT COUNT(*) FROM rating_refusals WHERE division_id = $1 AND created_at >= $2 AND created_at < $3",
            params![division, from, to],
        )?
        .int(0)?;
    let repeated = tx
        .query_one(
            "SELECT COUNT(*) FROM (SELECT i.served_key FROM ratings r JOIN interactions i ON i.id = r.interaction_id \
             WHERE r.division_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
             AND r.attitude + r.style + r.efficiency + r.competence = 20 AND i.served_key NOT LIKE 'legacy:%' \
             GROUP BY i.served_key HAVING COUNT(*) >= 3) repeated",
            params![division, from, to],
        )?
        .int(0)?;
    Ok((refused, repeated))
}

pub fn scoreboard(tx: &mut Tx<'_>, division: i64, period: &str) -> AppResult<Scoreboard> {
    let members = members_scored(tx, division, period)?;
    let sum_score: f64 = members.iter().map(|m| m.score).sum();
    let average_score = if members.is_empty() { 0.0 } else { sum_score / members.len() as f64 };
    let ratings = members.iter().map(|m| m.ratings).sum();
    let (refused_attempts, repeated_top_scores) = anomalies(tx, division, period)?;
    let previous_period = Period::parse(period)?.previous().key();
    let before = members_scored(tx, division, &previous_period)?;
    Ok(Scoreboard {
        period: period.to_owned(),
        division_id: division,
        members,
        sum_score,
        average_score,
        ratings,
        refused_attempts,
        repeated_top_scores,
        previous: PastScore {
            sum_score: before.iter().map(|m| m.score).sum(),
            ratings: before.iter().map(|m| m.ratings).sum(),
            period: previous_period,
        },
    })
}

/// A division's members with their scores in a period, best first.
fn members_scored(tx: &mut Tx<'_>, division: i64, period: &str) -> AppResult<Vec<MemberScore>> {
    let (members_table, mut args) = members_of(period)?;
    args.push(division.into());
    let rows = tx.query(
        &format!(
            "SELECT s.staff_id, u.display_name, s.n, s.attitude, s.style, s.efficiency, s.competence \
             FROM {members_table} s JOIN users u ON u.id = s.staff_id WHERE s.division_id = ${} AND s.n > 0 \
             ORDER BY (s.attitude + s.style + s.efficiency + s.competence) * 1.0 / s.n DESC, s.staff_id",
            args.len()
        ),
        &args,
    )?;
    let mut members = Vec::new();
    for r in &rows {
        let n = r.int(2)?;
        let sums = [r.int(3)?, r.int(4)?, r.int(5)?, r.int(6)?];
        let dims = sums.map(|v| v as f64 / n as f64);
        members.push(MemberScore {
            staff_id: r.int(0)?,
            name: r.text(1)?,
            ratings: n,
            dimensions: dims,
            score: dims.iter().sum(),
        });
    }
    Ok(members)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DivisionRank {
    /// 1, 2, …; 0 for a division with fewer ratings than the minimum, listed after the
    /// ranked ones and drawing no consequence.
    pub rank: i64,
    pub ranked: bool,
    pub division_id: i64,
    pub division_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub members_rated: i64,
    pub ratings: i64,
    pub sum_score: f64,
    pub average_score: f64,
    /// Where it stood in the period just before; none when it had no ratings then.
    pub previous: Option<PastRank>,
}

/// Divisions ranked by the sum of their members' scores, in one department or the city;
/// those with fewer than `evaluation.min_ratings` ratings follow, unranked. Each carries
/// its standing in the period just before.
pub fn ranking(tx: &mut Tx<'_>, period: &str, department: Option<i64>) -> AppResult<Vec<DivisionRank>> {
    let previous_period = Period::parse(period)?.previous().key();
    let before: std::collections::HashMap<i64, PastRank> = rank_divisions(tx, &previous_period, department)?
        .into_iter()
        .map(|d| {
            let past =
                PastRank { period: previous_period.clone(), rank: d.rank, sum_score: d.sum_score, ratings: d.ratings };
            (d.division_id, past)
        })
        .collect();
    let mut now = rank_divisions(tx, period, department)?;
    for d in &mut now {
        d.previous = before.get(&d.division_id).cloned();
    }
    Ok(now)
}

fn rank_divisions(tx: &mut Tx<'_>, period: &str, department: Option<i64>) -> AppResult<Vec<DivisionRank>> {
    let least = crate::kernel::settings::get(tx, &super::MIN_RATINGS)?;
    let (members_table, mut args) = members_of(period)?;
    let filter = match department {
        Some(d) => {
            args.push(d.into());
            format!(" AND s.department_id = ${}", args.len())
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT s.division_id, v.name, v.department_id, d.name, COUNT(*), CAST(SUM(s.n) AS BIGINT), \
         SUM(CAST(s.attitude + s.style + s.efficiency + s.competence AS DOUBLE PRECISION) / s.n) AS total \
         FROM {members_table} s JOIN divisions v ON v.id = s.division_id JOIN departments d ON d.id = v.department_id \
         WHERE s.n > 0{filter} GROUP BY s.division_id, v.name, v.department_id, d.name \
         ORDER BY total DESC, s.division_id LIMIT 1000"
    );
    let rows = tx.query(&sql, &args)?;
    let mut all = rows
        .iter()
        .map(|r| {
            let members = r.int(4)?;
            let sum = r.real(6)?;
            Ok(DivisionRank {
                rank: 0,
                ranked: r.int(5)? >= least,
                division_id: r.int(0)?,
                division_name: r.text(1)?,
                department_id: r.int(2)?,
                department_name: r.text(3)?,
                members_rated: members,
                ratings: r.int(5)?,
                sum_score: sum,
                average_score: if members > 0 { sum / members as f64 } else { 0.0 },
                previous: None,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    all.sort_by_key(|d| !d.ranked);
    for (i, d) in all.iter_mut().filter(|d| d.ranked).enumerate() {
        d.rank = i as i64 + 1;
    }
    Ok(all)
}

/// The ranked divisions only: those that may draw consequences.
pub fn ranked(tx: &mut Tx<'_>, period: &str, department: Option<i64>) -> AppResult<Vec<DivisionRank>> {
    Ok(rank_divisions(tx, period, department)?.into_iter().filter(|d| d.ranked).collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trend {
    pub period: String,
    pub ratings: i64,
    /// Mean level per dimension.
    pub dimensions: [f64; 4],
}

/// Rows of (period, ratings, four sums) as mean levels.
fn trends(rows: &[crate::kernel::db::Row]) -> AppResult<Vec<Trend>> {
    rows.iter()
        .map(|r| {
            let n = r.int(1)?.max(1);
            Ok(Trend {
                period: r.text(0)?,
                ratings: r.int(1)?,
                dimensions: [r.int(2)?, r.int(3)?, r.int(4)?, r.int(5)?].map(|v| v as f64 / n as f64),
            })
        })
        .collect()
}

/// A division's four dimensions, quarter by quarter.
pub fn division_trend(tx: &mut Tx<'_>, division: i64) -> AppResult<Vec<Trend>> {
    let rows = tx.query(
        "SELECT period, CAST(SUM(n) AS BIGINT), CAST(SUM(attitude) AS BIGINT), CAST(SUM(style) AS BIGINT), \
         CAST(SUM(efficiency) AS BIGINT), CAST(SUM(competence) AS BIGINT) FROM rating_scores \
         WHERE division_id = $1 AND period LIKE '%-Q%' GROUP BY period ORDER BY period",
        params![division],
    )?;
    trends(&rows)
}

/// A member's own scores, quarter by quarter.
pub fn member_trend(tx: &mut Tx<'_>, staff: i64) -> AppResult<Vec<Trend>> {
    let rows = tx.query(
        "SELECT period, n, attitude, style, efficiency, competence FROM rating_scores \
         WHERE staff_id = $1 AND period LIKE '%-Q%' AND n > 0 ORDER BY period",
        params![staff],
    )?;
    trends(&rows)
}

/// Each department's service ratings in a period on 0–100, for its assessment: the mean
/// rating (4–20) put on the satisfaction index's scale, (mean − 4) / 16 × 100. A department
/// with fewer ratings than the ranking minimum has no score.
pub fn by_department(tx: &mut Tx<'_>, period: &Period) -> AppResult<Vec<crate::kernel::registry::UnitScore>> {
    let least = crate::kernel::settings::get(tx, &super::MIN_RATINGS)?;
    let (members_table, args) = members_of(&period.key())?;
    let sql = format!(
        "SELECT s.department_id, CAST(SUM(s.n) AS BIGINT), \
         CAST(SUM(s.attitude + s.style + s.efficiency + s.competence) AS BIGINT) \
         FROM {members_table} s WHERE s.n > 0 GROUP BY s.department_id"
    );
    let mut out = Vec::new();
    for r in tx.query(&sql, &args)? {
        let (n, total) = (r.int(1)?, r.int(2)?);
        if n >= least {
            let mean = total as f64 / n as f64;
            let score = ((mean - 4.0) / 16.0 * 100.0 * 10.0).round() / 10.0;
            out.push(crate::kernel::registry::UnitScore { department_id: r.int(0)?, score, sample: n });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_month_quarter_and_year_in_china_time() {
        // 2019-03-31 17:00 UTC is already 1 April in Qingdao.
        let at = 1_554_051_600_000;
        assert_eq!(periods(at), ["2019-04".to_owned(), "2019-Q2".to_owned(), "2019".to_owned()]);
    }

    #[test]
    fn decisions_take_calendar_periods_only() {
        for ok in ["2019", "2019-04", "2019-Q2"] {
            assert!(decision_period(ok).is_ok(), "{ok}");
        }
        for bad in ["2019-W15", "2019-04-01~2019-04-07", "2019-13", "abcd"] {
            assert!(decision_period(bad).is_err(), "{bad}");
        }
        assert!(parse_period("2019-W15").is_ok());
    }
}
