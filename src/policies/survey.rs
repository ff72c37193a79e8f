//! The entrepreneur satisfaction index (企业家政务服务满意度评价指数). A campaign has a
//! sampling frame, areas and questions with weights (each level summing to one), and
//! invitations answered once by token. The index of a unit (a department, or a district)
//! is the mean over its responses of each response's weighted score on 0–100 (an answer
//! of 1–5 maps to 0, 25, 50, 75, 100), shown with its sample size and a 95% confidence
//! interval from the standard error of the mean (mean ± 1.96·s/√n). Below the campaign's
//! minimum sample it is not published. `zaizao survey index --campaign N` runs the same
//! computation over the raw answers, which anyone may download anonymised.

use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto;
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::period::Period;
use crate::kernel::registry::UnitScore;
use crate::kernel::validate;
use crate::params;

const WEIGHT_TOLERANCE: f64 = 1e-6;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyQuestion)]
pub struct Question {
    pub code: String,
    pub text: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyArea)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SurveyCampaign)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    pub period: String,
    pub frame: String,
    pub min_sample: i64,
    pub areas: Vec<Area>,
    pub invited: i64,
    pub answered: i64,
    pub created_at: i64,
}

fn from_row(r: &Row) -> AppResult<Campaign> {
    Ok(Campaign {
        id: r.int("id")?,
        title: r.text("title")?,
        period: r.text("period")?,
        frame: r.text("frame")?,
        min_sample: r.int("min_sample")?,
        areas: serde_json::from_str(&r.text("areas")?).map_err(|e| AppError::internal(e.to_string()))?,
        invited: r.int("invited")?,
        answered: r.int("answered")?,
        created_at: r.int("created_at")?,
    })
}

const COLUMNS: &str = "c.id, c.title, c.period, c.frame, c.min_sample, c.areas, c.created_at, \
    (SELECT COUNT(*) FROM survey_invitations i WHERE i.campaign_id = c.id) AS invited, \
    (SELECT COUNT(*) FROM survey_invitations i WHERE i.campaign_id = c.id AND i.answered_at IS NOT NULL) AS answered";

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Campaign> {
    let sql = format!("SELECT {COLUMNS} FROM survey_campaigns c WHERE c.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn list(tx: &mut Tx<'_>) -> AppResult<Vec<Campaign>> {
    let sql = format!("SELECT {COLUMNS} FROM survey_campaigns c ORDER BY c.id DESC LIMIT 200");
    tx.query(&sql, &[])?.iter().map(from_row).collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyCampaignInput)]
pub struct CampaignInput {
    pub title: String,
    /// 2019, 2019-Q2, 2019-04…
    pub period: String,
    pub frame: String,
    pub min_sample: i64,
    pub areas: Vec<Area>,
}

fn sums_to_one(weights: impl Iterator<Item = f64>) -> bool {
    let mut all_positive = true;
    let total: f64 = weights.inspect(|w| all_positive &= *w > 0.0).sum();
    all_positive && (total - 1.0).abs() < WEIGHT_TOLERANCE
}

pub fn create(tx: &mut Tx<'_>, who: &Who, user_id: i64, input: &CampaignInput) -> AppResult<Campaign> {
    let title = validate::text(&input.title, "title", 200)?;
    Period::parse(input.period.trim()).map_err(|_| AppError::invalid("bad_period", "period"))?;
    let frame = validate::text(&input.frame, "frame", 2000)?;
    if !(1..=100_000).contains(&input.min_sample) {
        return Err(AppError::invalid("bad_min_sample", "min_sample"));
    }
    if input.areas.is_empty() || input.areas.iter().any(|a| a.questions.is_empty()) {
        return Err(AppError::invalid("no_questions", "areas"));
    }
    if !sums_to_one(input.areas.iter().map(|a| a.weight))
        || input.areas.iter().any(|a| !sums_to_one(a.questions.iter().map(|q| q.weight)))
    {
        return Err(AppError::invalid("weights_not_one", "areas"));
    }
    let mut codes = Vec::new();
    for a in &input.areas {
        validate::text(&a.name, "areas", 100)?;
        for q in &a.questions {
            let code = validate::code(&q.code, "areas")?;
            validate::text(&q.text, "areas", 500)?;
            if codes.contains(&code) {
                return Err(AppError::invalid_detail("duplicate", "areas", code));
            }
            codes.push(code);
        }
    }
    let areas = super::policy::to_json(&input.areas)?;
    let id = tx.insert(
        "INSERT INTO survey_campaigns (title, period, frame, min_sample, areas, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![title, input.period.trim(), frame, input.min_sample, areas, user_id, who.now],
    )?;
    let c = find(tx, id)?;
    audit::record(tx, who, Change::created("survey_campaign", id, &c))?;
    Ok(c)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyInvitationInput)]
pub struct InvitationInput {
    pub enterprise_id: i64,
    /// The department whose service is rated.
    pub department_id: i64,
    /// `above_scale` or `approval_hall`.
    pub stratum: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SurveyInvitation)]
pub struct Invitation {
    pub id: i64,
    /// Shown once: the link the enterprise answers by.
    pub token: String,
}

/// Invite an enterprise to rate a department; the token is shown once and kept hashed.
pub fn invite(tx: &mut Tx<'_>, who: &Who, campaign: i64, input: &InvitationInput) -> AppResult<Invitation> {
    find(tx, campaign)?;
    if !matches!(input.stratum.as_str(), "above_scale" | "approval_hall") {
        return Err(AppError::invalid("bad_stratum", "stratum"));
    }
    let e = crate::enterprises::registry::find(tx, input.enterprise_id)
        .map_err(|_| AppError::invalid("unknown_enterprise", "enterprise_id"))?;
    if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1", params![input.department_id])? == 0 {
        return Err(AppError::invalid("unknown_department", "department_id"));
    }
    let taken = tx.count(
        "SELECT COUNT(*) FROM survey_invitations WHERE campaign_id = $1 AND enterprise_id = $2 AND department_id = $3",
        params![campaign, e.id, input.department_id],
    )?;
    if taken > 0 {
        return Err(AppError::Conflict { code: "duplicate", field: Some("enterprise_id") });
    }
    let token = crypto::random_hex(16)?;
    let id = tx.insert(
        "INSERT INTO survey_invitations (campaign_id, enterprise_id, department_id, district, stratum, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![campaign, e.id, input.department_id, e.district, input.stratum.as_str(), crypto::secret_digest(token.as_bytes()), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "invite",
            kind: "survey_campaign",
            id: Some(campaign),
            before: None,
            after: Some(serde_json::json!({ "invitation_id": id, "enterprise_id": e.id })),
        },
    )?;
    Ok(Invitation { id, token })
}

/// The campaign an invitation's token opens, and whether it has been answered.
pub fn by_token(tx: &mut Tx<'_>, token: &str) -> AppResult<(i64, Campaign, bool, String)> {
    let row = tx
        .query_opt(
            "SELECT i.id, i.campaign_id, i.answered_at, d.name FROM survey_invitations i \
             JOIN departments d ON d.id = i.department_id WHERE i.token_hash = $1",
            params![crypto::secret_digest(token.trim().as_bytes())],
        )?
        .ok_or_else(|| AppError::invalid("survey_token_unknown", "token"))?;
    let c = find(tx, row.int(1)?)?;
    Ok((row.int(0)?, c, row.opt_int(2)?.is_some(), row.text(3)?))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyAnswerInput)]
pub struct AnswerInput {
    pub token: String,
    /// Question code → 1 (very dissatisfied) … 5 (very satisfied), every question.
    pub answers: std::collections::BTreeMap<String, i64>,
}

/// Answer once, by token; every question, each 1–5.
pub fn answer(tx: &mut Tx<'_>, who: &Who, input: &AnswerInput) -> AppResult<()> {
    let (id, c, answered, _) = by_token(tx, &input.token)?;
    if answered {
        return Err(AppError::conflict("already_answered"));
    }
    let codes: Vec<&str> = c.areas.iter().flat_map(|a| a.questions.iter().map(|q| q.code.as_str())).collect();
    if input.answers.len() != codes.len() || codes.iter().any(|q| !input.answers.contains_key(*q)) {
        return Err(AppError::invalid("answer_every_question", "answers"));
    }
    if input.answers.values().any(|s| !(1..=5).contains(s)) {
        return Err(AppError::invalid("bad_score", "answers"));
    }
    let changed = tx.execute(
        "UPDATE survey_invitations SET answers = $1, answered_at = $2 WHERE id = $3 AND answered_at IS NULL",
        params![super::policy::to_json(&input.answers)?, who.now, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("already_answered"));
    }
    audit::record(
        tx,
        who,
        Change { action: "answer", kind: "survey_campaign", id: Some(c.id), before: None, after: None },
    )?;
    Ok(())
}

/// One response's weighted score on 0–100.
pub fn score(areas: &[Area], answers: &std::collections::BTreeMap<String, i64>) -> f64 {
    areas
        .iter()
        .map(|a| {
            a.weight
                * a.questions
                    .iter()
                    .map(|q| q.weight * (answers.get(&q.code).copied().unwrap_or(1) - 1) as f64 * 25.0)
                    .sum::<f64>()
        })
        .sum()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SatisfactionIndex)]
pub struct Index {
    /// The department's or district's name.
    pub unit: String,
    pub n: i64,
    /// None below the campaign's minimum sample: not published.
    pub index: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// 1 for the best; units whose intervals overlap share a rank.
    pub rank: Option<i64>,
}

/// Mean, and the 95% interval from the standard error of the mean.
pub fn mean_and_interval(scores: &[f64]) -> (f64, f64, f64) {
    let n = scores.len() as f64;
    let mean = scores.iter().sum::<f64>() / n;
    if scores.len() < 2 {
        return (mean, mean, mean);
    }
    let var = scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = 1.96 * (var / n).sqrt();
    (mean, (mean - half).max(0.0), (mean + half).min(100.0))
}

/// One response, anonymised: the department rated, the district, the stratum and the
/// scores; no enterprise.
pub struct Response {
    pub department_id: i64,
    pub department: String,
    pub district: String,
    pub stratum: String,
    pub answers: std::collections::BTreeMap<String, i64>,
}

/// The raw answers of a campaign, anonymised.
pub fn raw(tx: &mut Tx<'_>, campaign: i64) -> AppResult<Vec<Response>> {
    tx.query(
        "SELECT d.name, i.district, i.stratum, i.answers, i.department_id FROM survey_invitations i JOIN departments d ON d.id = i.department_id \
         WHERE i.campaign_id = $1 AND i.answered_at IS NOT NULL ORDER BY i.id",
        params![campaign],
    )?
    .iter()
    .map(|r| {
        let answers = serde_json::from_str(&r.text(3)?).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(Response { department_id: r.int(4)?, department: r.text(0)?, district: r.text(1)?, stratum: r.text(2)?, answers })
    })
    .collect()
}

/// The index per department (`by = "department"`), per district, or city-wide (`by = "city"`), ranked; computed from
/// the raw answers alone.
pub fn index(c: &Campaign, raw: &[Response], by: &str) -> Vec<Index> {
    let mut units: std::collections::BTreeMap<&str, Vec<f64>> = std::collections::BTreeMap::new();
    for r in raw {
        let unit = match by {
            "district" => r.district.as_str(),
            "city" => "",
            _ => r.department.as_str(),
        };
        units.entry(unit).or_default().push(score(&c.areas, &r.answers));
    }
    let mut out: Vec<Index> = units
        .into_iter()
        .map(|(unit, scores)| {
            let n = scores.len() as i64;
            let published = n >= c.min_sample;
            let (mean, low, high) = mean_and_interval(&scores);
            let round = |x: f64| (x * 10.0).round() / 10.0;
            Index {
                unit: unit.to_owned(),
                n,
                index: published.then(|| round(mean)),
                low: published.then(|| round(low)),
                high: published.then(|| round(high)),
                rank: None,
            }
        })
        .collect();
    out.sort_by(|a, b| b.index.partial_cmp(&a.index).unwrap_or(std::cmp::Ordering::Equal).then(a.unit.cmp(&b.unit)));
    // A unit shares the rank of the one above it when their intervals overlap.
    let mut above: Option<(f64, i64)> = None;
    for (i, u) in out.iter_mut().enumerate() {
        let (Some(low), Some(high)) = (u.low, u.high) else { continue };
        let rank = match above {
            Some((above_low, above_rank)) if high >= above_low => above_rank,
            _ => i as i64 + 1,
        };
        u.rank = Some(rank);
        above = Some((low, rank));
    }
    out
}

/// The latest campaign whose period overlaps `period`: the one whose index feeds the
/// departments' assessment in that period.
pub fn campaign_of(tx: &mut Tx<'_>, period: &Period) -> AppResult<Option<Campaign>> {
    let (from, to) = period.bounds_ms();
    let overlapping = list(tx)?.into_iter().filter(|c| {
        Period::parse(&c.period).is_ok_and(|p| {
            let (start, end) = p.bounds_ms();
            start < to && from < end
        })
    });
    Ok(overlapping.max_by_key(|c| (Period::parse(&c.period).map(|p| p.bounds_ms().0).unwrap_or(0), c.id)))
}

/// Each department's published index in the campaign overlapping `period`, for its
/// assessment (the kernel's assessment seam).
pub fn assessment_scores(tx: &mut Tx<'_>, period: &Period) -> AppResult<Vec<UnitScore>> {
    let Some(c) = campaign_of(tx, period)? else { return Ok(Vec::new()) };
    let mut units: std::collections::BTreeMap<i64, Vec<f64>> = std::collections::BTreeMap::new();
    for r in raw(tx, c.id)? {
        units.entry(r.department_id).or_default().push(score(&c.areas, &r.answers));
    }
    Ok(units
        .into_iter()
        .filter(|(_, scores)| scores.len() as i64 >= c.min_sample)
        .map(|(department_id, scores)| UnitScore {
            department_id,
            score: (mean_and_interval(&scores).0 * 10.0).round() / 10.0,
            sample: scores.len() as i64,
        })
        .collect())
}

/// One campaign's index, city-wide and per department, for the trend across campaigns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SatisfactionTrendPoint)]
pub struct TrendPoint {
    pub campaign_id: i64,
    pub period: String,
    pub title: String,
    /// Every response of the campaign, as one unit named by the campaign's title.
    pub city: Index,
    pub departments: Vec<Index>,
}

/// The campaigns in period order, each with its index.
pub fn trend(tx: &mut Tx<'_>) -> AppResult<Vec<TrendPoint>> {
    let mut campaigns = list(tx)?;
    campaigns.sort_by_key(|c| (Period::parse(&c.period).map(|p| p.bounds_ms().0).unwrap_or(0), c.id));
    let mut out = Vec::with_capacity(campaigns.len());
    for c in campaigns {
        let raw = raw(tx, c.id)?;
        let Some(mut city) = index(&c, &raw, "city").into_iter().next() else { continue };
        city.unit.clone_from(&c.title);
        out.push(TrendPoint {
            campaign_id: c.id,
            period: c.period.clone(),
            title: c.title.clone(),
            city,
            departments: index(&c, &raw, "department"),
        });
    }
    Ok(out)
}
