//! Each department's assessment score (考核) in a period: the weighted mean of the parts
//! the registered mechanisms offer through the kernel's assessment seam (the service
//! ratings here; the entrepreneurs' satisfaction index of mechanism 6), over the parts the
//! department has a score in. Weights are settings, in percent.

use serde::Serialize;

use super::scores::{self, DivisionRank};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::{self, Lang};
use crate::kernel::period::{Kind, Period};
use crate::kernel::registry::{AssessmentPart, Registry};

/// A part as weighed in this period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AssessmentPartWeight)]
pub struct PartWeight {
    pub id: String,
    pub name: String,
    pub method: String,
    /// Percent.
    pub weight: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AssessmentPartScore)]
pub struct PartScore {
    pub part: String,
    pub score: f64,
    pub sample: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentAssessment {
    pub department_id: i64,
    pub department_name: String,
    /// One per part the department has a score in.
    pub scores: Vec<PartScore>,
    /// The weighted mean of those scores; none when it has none.
    pub total: Option<f64>,
    /// 1 for the best total.
    pub rank: Option<i64>,
}

impl DepartmentAssessment {
    pub fn score_of(&self, part: &str) -> Option<&PartScore> {
        self.scores.iter().find(|s| s.part == part)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DepartmentsAssessment)]
pub struct Assessment {
    pub period: String,
    pub parts: Vec<PartWeight>,
    /// Ranked by total; departments with no score last.
    pub departments: Vec<DepartmentAssessment>,
}

/// One department's assessment beside its divisions' service-rating ranks, and its last
/// four quarters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitAssessment {
    pub period: String,
    pub parts: Vec<PartWeight>,
    pub of_departments: i64,
    pub current: DepartmentAssessment,
    pub quarters: Vec<QuarterAssessment>,
    pub divisions: Vec<DivisionRank>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuarterAssessment {
    pub period: String,
    pub scores: Vec<PartScore>,
    pub total: Option<f64>,
}

fn weighed(tx: &mut Tx<'_>, parts: &[&AssessmentPart], lang: Lang) -> AppResult<Vec<PartWeight>> {
    parts
        .iter()
        .map(|p| {
            Ok(PartWeight {
                id: p.id.to_owned(),
                name: i18n::t(lang, p.name).to_owned(),
                method: i18n::t(lang, p.method).to_owned(),
                weight: crate::kernel::settings::get(tx, p.weight)?,
            })
        })
        .collect()
}

/// The weighted mean of the scores present, rounded to a tenth.
fn total(scores: &[PartScore], parts: &[PartWeight]) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0);
    for s in scores {
        let w = parts.iter().find(|p| p.id == s.part).map_or(0, |p| p.weight);
        sum += s.score * w as f64;
        weights += w;
    }
    (weights > 0).then(|| (sum / weights as f64 * 10.0).round() / 10.0)
}

/// Every active department's assessment in `period`, ranked.
pub fn assess(tx: &mut Tx<'_>, registry: &Registry, period: &Period, lang: Lang) -> AppResult<Assessment> {
    let parts = registry.assessment_parts();
    let weights = weighed(tx, &parts, lang)?;
    let mut departments: Vec<DepartmentAssessment> = crate::org::departments::options(tx)?
        .into_iter()
        .map(|(id, name)| DepartmentAssessment {
            department_id: id,
            department_name: name,
            scores: Vec::new(),
            total: None,
            rank: None,
        })
        .collect();
    for part in &parts {
        for s in (part.scores)(tx, period)? {
            if let Some(d) = departments.iter_mut().find(|d| d.department_id == s.department_id) {
                d.scores.push(PartScore { part: part.id.to_owned(), score: s.score, sample: s.sample });
            }
        }
    }
    for d in &mut departments {
        d.total = total(&d.scores, &weights);
    }
    departments.sort_by(|a, b| {
        b.total
            .partial_cmp(&a.total)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.department_name.cmp(&b.department_name))
    });
    let mut rank = 0;
    for d in departments.iter_mut().filter(|d| d.total.is_some()) {
        rank += 1;
        d.rank = Some(rank);
    }
    Ok(Assessment { period: period.key(), parts: weights, departments })
}

/// One department's assessment in `period`, its last four quarters up to the period's end
/// or `now`, and its divisions' service-rating ranks.
pub fn of_department(
    tx: &mut Tx<'_>,
    registry: &Registry,
    department: i64,
    period: &Period,
    (lang, now): (Lang, i64),
) -> AppResult<UnitAssessment> {
    let asked = assess(tx, registry, period, lang)?;
    let of_departments = asked.departments.iter().filter(|d| d.rank.is_some()).count() as i64;
    let current =
        asked.departments.iter().find(|d| d.department_id == department).cloned().ok_or(AppError::NotFound)?;
    let mut quarter = Period::at(Kind::Quarter, (period.bounds_ms().1 - 1).min(now));
    let mut quarters = Vec::with_capacity(4);
    for _ in 0..4 {
        let all = assess(tx, registry, &quarter, lang)?;
        let d = all.departments.into_iter().find(|d| d.department_id == department);
        quarters.push(QuarterAssessment {
            period: quarter.key(),
            total: d.as_ref().and_then(|d| d.total),
            scores: d.map(|d| d.scores).unwrap_or_default(),
        });
        quarter = quarter.previous();
    }
    quarters.reverse();
    let divisions = scores::ranking(tx, &period.key(), Some(department))?;
    Ok(UnitAssessment { period: period.key(), parts: asked.parts, of_departments, current, quarters, divisions })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: &str, weight: i64) -> PartWeight {
        PartWeight { id: id.into(), name: String::new(), method: String::new(), weight }
    }

    fn score(part: &str, score: f64) -> PartScore {
        PartScore { part: part.into(), score, sample: 10 }
    }

    #[test]
    fn the_total_weighs_only_the_parts_present() {
        let parts = [part("a", 70), part("b", 30)];
        assert_eq!(total(&[score("a", 80.0), score("b", 50.0)], &parts), Some(71.0));
        assert_eq!(total(&[score("b", 50.0)], &parts), Some(50.0));
        assert_eq!(total(&[], &parts), None);
        assert_eq!(total(&[score("a", 80.0)], &[part("a", 0), part("b", 30)]), None);
    }
}
