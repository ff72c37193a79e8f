//! Scores per member and period, kept in `rating_scores` as ratings arrive (and taken
//! back when an appeal voids one), so a scoreboard reads a handful of rows however many
//! ratings there are.
//!
//! Formulas (also shown on the pages): a member's score in a period is the mean, over
//! their counted ratings, of the four levels added up (4–20). A division head's
//! organisational/execution score is **the sum of the members' scores** (the article's
//! rule); beside it stand the per-member average (the sum divided by the members rated)
//! and the number of ratings, so small and large divisions can be read fairly.

use chrono::Datelike;
use serde::Serialize;

use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::params;

/// The month, quarter and year a moment falls in: `2019-04`, `2019-Q2`, `2019`.
pub fn periods(at: i64) -> [String; 3] {
    let d = clock::local_date(at);
    [
        format!("{}-{:02}", d.year(), d.month()),
        format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        d.year().to_string(),
    ]
}

/// Check a period written by a person: `2019`, `2019-04` or `2019-Q2`.
pub fn parse_period(s: &str) -> AppResult<String> {
    let s = s.trim();
    let ok = match s.len() {
        4 => s.chars().all(|c| c.is_ascii_digit()),
        7 if s.as_bytes()[4] == b'-' && s.as_bytes()[5] == b'Q' => {
            s[..4].chars().all(|c| c.is_ascii_digit()) && ("1"..="4").contains(&&s[6..])
        }
        7 if s.as_bytes()[4] == b'-' => {
            s[..4].chars().all(|c| c.is_ascii_digit()) && s[5..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        }
        _ => false,
    };
    if ok { Ok(s.to_owned()) } else { Err(AppError::invalid("bad_period", "period")) }
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
}

pub fn scoreboard(tx: &mut Tx<'_>, division: i64, period: &str) -> AppResult<Scoreboard> {
    let rows = tx.query(
        "SELECT s.staff_id, u.display_name, s.n, s.attitude, s.style, s.efficiency, s.competence \
         FROM rating_scores s JOIN users u ON u.id = s.staff_id WHERE s.period = $1 AND s.division_id = $2 AND s.n > 0 \
         ORDER BY (s.attitude + s.style + s.efficiency + s.competence) * 1.0 / s.n DESC, s.staff_id",
        params![period, division],
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
    let sum_score: f64 = members.iter().map(|m| m.score).sum();
    let average_score = if members.is_empty() { 0.0 } else { sum_score / members.len() as f64 };
    let ratings = members.iter().map(|m| m.ratings).sum();
    Ok(Scoreboard { period: period.to_owned(), division_id: division, members, sum_score, average_score, ratings })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DivisionRank {
    pub rank: i64,
    pub division_id: i64,
    pub division_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub members_rated: i64,
    pub ratings: i64,
    pub sum_score: f64,
    pub average_score: f64,
}

/// Divisions ranked by the sum of their members' scores, in one department or the city.
pub fn ranking(tx: &mut Tx<'_>, period: &str, department: Option<i64>) -> AppResult<Vec<DivisionRank>> {
    let (filter, args) = match department {
        Some(d) => (" AND s.department_id = $2", params![period, d].to_vec()),
        None => ("", params![period].to_vec()),
    };
    let sql = format!(
        "SELECT s.division_id, v.name, v.department_id, d.name, COUNT(*), CAST(SUM(s.n) AS BIGINT), \
         SUM(CAST(s.attitude + s.style + s.efficiency + s.competence AS DOUBLE PRECISION) / s.n) AS total \
         FROM rating_scores s JOIN divisions v ON v.id = s.division_id JOIN departments d ON d.id = v.department_id \
         WHERE s.period = $1 AND s.n > 0{filter} GROUP BY s.division_id, v.name, v.department_id, d.name \
         ORDER BY total DESC, s.division_id LIMIT 1000"
    );
    let rows = tx.query(&sql, &args)?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let members = r.int(4)?;
            let sum = r.real(6)?;
            Ok(DivisionRank {
                rank: i as i64 + 1,
                division_id: r.int(0)?,
                division_name: r.text(1)?,
                department_id: r.int(2)?,
                department_name: r.text(3)?,
                members_rated: members,
                ratings: r.int(5)?,
                sum_score: sum,
                average_score: if members > 0 { sum / members as f64 } else { 0.0 },
            })
        })
        .collect()
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
    fn periods_are_checked() {
        for ok in ["2019", "2019-04", "2019-Q2"] {
            assert!(parse_period(ok).is_ok(), "{ok}");
        }
        for bad in ["2019-13", "2019-Q5", "19", "2019-04-01", "abcd"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
