//! The third-party evaluation (综合论证): the division commissions an evaluator
//! institution by a deadline in working days, unless the institution is tied to the
//! enterprise (declared, or found in the registry); the evaluator reports against the
//! published criteria and weights, with an opinion on each item asked for, or declares a
//! tie and steps aside.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::idea::{self, Idea};
use crate::enterprises::ties::{self, TieInput};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::workflow::Rules;
use crate::kernel::{clock, validate};
use crate::params;

pub const FEASIBILITY: [&str; 3] = ["feasible", "conditional", "infeasible"];
pub const OPINIONS: [&str; 3] = ["support", "partly", "not_supported"];
const MAX_WORKING_DAYS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    /// Its weight; the weights of a version add up to 100.
    pub weight: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Criteria {
    pub version: i64,
    pub criteria: Vec<Criterion>,
    pub published_by: String,
    pub published_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CriteriaInput {
    pub criteria: Vec<Criterion>,
}

fn criteria_of(r: &Row) -> AppResult<Criteria> {
    Ok(Criteria {
        version: r.int(0)?,
        criteria: serde_json::from_str(&r.text(1)?).map_err(|e| AppError::internal(e.to_string()))?,
        published_by: r.text(2)?,
        published_at: r.int(3)?,
    })
}

/// Every published version, newest first.
pub fn criteria_versions(tx: &mut Tx<'_>) -> AppResult<Vec<Criteria>> {
    tx.query("SELECT version, criteria, published_by, published_at FROM idea_criteria ORDER BY version DESC", &[])?
        .iter()
        .map(criteria_of)
        .collect()
}

pub fn criteria(tx: &mut Tx<'_>, version: i64) -> AppResult<Criteria> {
    let r = tx
        .query_opt(
            "SELECT version, criteria, published_by, published_at FROM idea_criteria WHERE version = $1",
            params![version],
        )?
        .ok_or(AppError::NotFound)?;
    criteria_of(&r)
}

pub fn current_criteria(tx: &mut Tx<'_>) -> AppResult<Criteria> {
    criteria_versions(tx)?.into_iter().next().ok_or(AppError::NotFound)
}

/// Publish a new version of the criteria; reports already commissioned keep theirs.
pub fn publish_criteria(tx: &mut Tx<'_>, who: &Who, input: &CriteriaInput) -> AppResult<Criteria> {
    if input.criteria.is_empty() || input.criteria.len() > 20 {
        return Err(AppError::invalid("bad_criteria", "criteria"));
    }
    let mut seen = Vec::new();
    let mut clean = Vec::new();
    for c in &input.criteria {
        let id = validate::code(&c.id, "criteria")?;
        if seen.contains(&id) || !(1..=100).contains(&c.weight) {
            return Err(AppError::invalid("bad_criteria", "criteria"));
        }
        seen.push(id.clone());
        clean.push(Criterion { id, name: validate::text(&c.name, "criteria", 40)?, weight: c.weight });
    }
    if clean.iter().map(|c| c.weight).sum::<i64>() != 100 {
        return Err(AppError::invalid("weights_not_100", "criteria"));
    }
    let version = tx.count("SELECT COALESCE(MAX(version), 0) + 1 FROM idea_criteria", &[])?;
    let text = serde_json::to_string(&clean).map_err(|e| AppError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO idea_criteria (version, criteria, published_by, published_at) VALUES ($1, $2, $3, $4)",
        params![version, text, who.actor.as_str(), who.now],
    )?;
    let published = criteria(tx, version)?;
    audit::record(tx, who, Change::created("idea_criteria", version, &published))?;
    Ok(published)
}

/// An evaluator institution: a record of the registry with active evaluator accounts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evaluator {
    pub id: i64,
    pub name: String,
    pub open: i64,
    pub reported: i64,
}

pub fn evaluators(tx: &mut Tx<'_>) -> AppResult<Vec<Evaluator>> {
    tx.query(
        "SELECT e.id, e.name, \
         (SELECT COUNT(*) FROM idea_commissions c WHERE c.evaluator_id = e.id AND c.state = 'open'), \
         (SELECT COUNT(*) FROM idea_commissions c WHERE c.evaluator_id = e.id AND c.state = 'reported') \
         FROM enterprises e WHERE EXISTS (SELECT 1 FROM users u WHERE u.enterprise_id = e.id \
         AND u.role = 'evaluator' AND u.active = 1) ORDER BY e.name",
        &[],
    )?
    .iter()
    .map(|r| Ok(Evaluator { id: r.int(0)?, name: r.text(1)?, open: r.int(2)?, reported: r.int(3)? }))
    .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ItemOpinion {
    pub item_id: i64,
    /// `support`, `partly` or `not_supported`.
    pub opinion: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commission {
    pub id: i64,
    pub idea_id: i64,
    pub evaluator_id: i64,
    pub evaluator_name: String,
    pub commissioned_by_name: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    /// `open`, `reported`, `recused` or `withdrawn`.
    pub state: String,
    pub criteria_version: i64,
    pub feasibility: Option<String>,
    /// Criterion id → score (0–100).
    pub scores: BTreeMap<String, i64>,
    /// The weighted total, 0–100 with two decimals.
    pub total: Option<f64>,
    pub reasoning: Option<String>,
    pub conditions: Option<String>,
    pub item_opinions: Vec<ItemOpinion>,
    /// Why it ended without a report.
    pub reason: Option<String>,
    pub created_at: i64,
    pub reported_at: Option<i64>,
}

const COLUMNS: &str = "c.id, c.idea_id, c.evaluator_id, e.name AS evaluator_name, u.display_name AS by_name, c.deadline, \
    c.state, c.criteria_version, c.feasibility, c.scores, c.total_centi, c.reasoning, c.conditions, c.item_opinions, \
    c.reason, c.created_at, c.reported_at";
const FROM: &str =
    "idea_commissions c JOIN enterprises e ON e.id = c.evaluator_id JOIN users u ON u.id = c.commissioned_by";

fn json<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> AppResult<T> {
    match text {
        Some(t) => serde_json::from_str(&t).map_err(|e| AppError::internal(e.to_string())),
        None => Ok(T::default()),
    }
}

fn from_row(r: &Row) -> AppResult<Commission> {
    Ok(Commission {
        id: r.int("id")?,
        idea_id: r.int("idea_id")?,
        evaluator_id: r.int("evaluator_id")?,
        evaluator_name: r.text("evaluator_name")?,
        commissioned_by_name: r.text("by_name")?,
        deadline: r.text("deadline")?,
        state: r.text("state")?,
        criteria_version: r.int("criteria_version")?,
        feasibility: r.opt_text("feasibility")?,
        scores: json(r.opt_text("scores")?)?,
        total: r.opt_int("total_centi")?.map(|c| c as f64 / 100.0),
        reasoning: r.opt_text("reasoning")?,
        conditions: r.opt_text("conditions")?,
        item_opinions: json(r.opt_text("item_opinions")?)?,
        reason: r.opt_text("reason")?,
        created_at: r.int("created_at")?,
        reported_at: r.opt_int("reported_at")?,
    })
}

/// The commissions of an idea, oldest first (the caller's access to the idea decided).
pub fn of_idea(tx: &mut Tx<'_>, idea: i64) -> AppResult<Vec<Commission>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE c.idea_id = $1 ORDER BY c.id");
    tx.query(&sql, params![idea])?.iter().map(from_row).collect()
}

/// What an evaluator sees of an idea's commissions: its own institution's only.
pub fn visible_to(tx: &mut Tx<'_>, user: &CurrentUser, idea: i64) -> AppResult<Vec<Commission>> {
    let all = of_idea(tx, idea)?;
    if user.role != crate::kernel::access::Role::Evaluator {
        return Ok(all);
    }
    let org = idea::organisation_of(tx, user)?;
    Ok(all.into_iter().filter(|c| Some(c.evaluator_id) == org).collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CommissionInput {
    /// The evaluator institution (its record in the registry).
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub evaluator_id: i64,
    /// Working days to report, 1–60.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub working_days: i64,
}

/// Commission an evaluator on an accepted idea; refused, with the reasons, when the
/// institution is tied to the enterprise.
pub fn commission(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    input: &CommissionInput,
    lang: Lang,
) -> AppResult<Commission> {
    let (idea, relations) = idea::get(tx, user, rules, id, who.now)?;
    if !relations.contains(&"division") {
        return Err(AppError::Forbidden);
    }
    if !evaluators(tx)?.iter().any(|e| e.id == input.evaluator_id) {
        return Err(AppError::invalid("not_an_evaluator", "evaluator_id"));
    }
    if !(1..=MAX_WORKING_DAYS).contains(&input.working_days) {
        return Err(AppError::invalid("bad_working_days", "working_days"));
    }
    let today = clock::local_date(who.now);
    let tied = ties::between(tx, input.evaluator_id, idea.enterprise_id, today)?;
    if !tied.is_empty() {
        return Err(AppError::invalid_detail("evaluator_tied", "evaluator_id", ties::in_words(&tied, lang)));
    }
    let deadline = rules.calendar.add_working_days(today, input.working_days as u32).to_string();
    let version = current_criteria(tx)?.version;
    let cid = tx.insert(
        "INSERT INTO idea_commissions (idea_id, evaluator_id, commissioned_by, deadline, state, criteria_version, \
         created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        params![id, input.evaluator_id, user.id, deadline.as_str(), version, who.now],
    )?;
    idea::fire(tx, who, rules, &idea, &relations, "commission", None)?;
    tx.execute(
        "UPDATE ideas SET deadline = $1, reminded_at = NULL, escalated_at = NULL WHERE id = $2",
        params![deadline, id],
    )?;
    let c = find(tx, cid)?;
    audit::record(tx, who, Change::created("idea_commission", cid, &c))?;
    Ok(c)
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Commission> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = EvaluationReportInput)]
pub struct ReportInput {
    /// `feasible`, `conditional` or `infeasible`.
    pub feasibility: String,
    /// A score of 0–100 for every criterion of the commission's version.
    pub scores: BTreeMap<String, i64>,
    pub reasoning: String,
    /// Required when feasible with conditions.
    #[serde(default)]
    pub conditions: String,
    /// An opinion on every item the idea asks for.
    pub item_opinions: Vec<ItemOpinion>,
}

fn open_commission(tx: &mut Tx<'_>, idea: i64) -> AppResult<Commission> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE c.idea_id = $1 AND c.state = 'open'");
    tx.query_opt(&sql, params![idea])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::Forbidden)
}

/// The evaluator's report, every part required.
pub fn report(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    input: &ReportInput,
) -> AppResult<Commission> {
    let (idea, relations) = idea::get(tx, user, rules, id, who.now)?;
    if !relations.contains(&"evaluator") {
        return Err(AppError::Forbidden);
    }
    let c = open_commission(tx, id)?;
    let checked = check_report(tx, &idea, c.criteria_version, input)?;
    idea::fire(tx, who, rules, &idea, &relations, "report", None)?;
    tx.execute(
        "UPDATE idea_commissions SET state = 'reported', feasibility = $1, scores = $2, total_centi = $3, \
         reasoning = $4, conditions = $5, item_opinions = $6, reported_at = $7 WHERE id = $8",
        params![
            input.feasibility.as_str(),
            checked.scores,
            checked.total_centi,
            checked.reasoning,
            checked.conditions,
            checked.opinions,
            who.now,
            c.id
        ],
    )?;
    let after = find(tx, c.id)?;
    audit::record(tx, who, Change::updated("report", "idea_commission", c.id, &c, &after))?;
    Ok(after)
}

struct CheckedReport {
    scores: String,
    total_centi: i64,
    reasoning: String,
    conditions: Option<String>,
    opinions: String,
}

fn check_report(tx: &mut Tx<'_>, idea: &Idea, version: i64, input: &ReportInput) -> AppResult<CheckedReport> {
    if !FEASIBILITY.contains(&input.feasibility.as_str()) {
        return Err(AppError::invalid("required", "feasibility"));
    }
    let criteria = criteria(tx, version)?.criteria;
    let (mut weighted, mut weights) = (0i64, 0i64);
    for c in &criteria {
        let score =
            *input.scores.get(&c.id).ok_or_else(|| AppError::invalid_detail("score_missing", "scores", &c.name))?;
        if !(0..=100).contains(&score) {
            return Err(AppError::invalid_detail("score_out_of_range", "scores", &c.name));
        }
        weighted += score * c.weight;
        weights += c.weight;
    }
    if input.scores.keys().any(|k| !criteria.iter().any(|c| &c.id == k)) {
        return Err(AppError::invalid("unknown_criterion", "scores"));
    }
    let conditions = validate::opt_text(Some(&input.conditions), "conditions", 4000)?;
    if input.feasibility == "conditional" && conditions.is_none() {
        return Err(AppError::invalid("required", "conditions"));
    }
    let mut opinions = Vec::new();
    for item in &idea.items {
        let o = input
            .item_opinions
            .iter()
            .find(|o| o.item_id == item.id)
            .ok_or_else(|| AppError::invalid_detail("opinion_missing", "item_opinions", &item.request))?;
        if !OPINIONS.contains(&o.opinion.as_str()) {
            return Err(AppError::invalid("bad_value", "item_opinions"));
        }
        let comment = validate::opt_text(Some(&o.comment), "item_opinions", 1000)?.unwrap_or_default();
        opinions.push(ItemOpinion { item_id: item.id, opinion: o.opinion.clone(), comment });
    }
    Ok(CheckedReport {
        scores: to_json(&input.scores)?,
        total_centi: if weights == 0 { 0 } else { weighted * 100 / weights },
        reasoning: validate::text(&input.reasoning, "reasoning", 20_000)?,
        conditions,
        opinions: to_json(&opinions)?,
    })
}

fn to_json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::internal(e.to_string()))
}

/// The evaluator finds a tie: it is declared, and the evaluator steps aside.
pub fn recuse(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    input: &RecuseInput,
) -> AppResult<Idea> {
    let (idea, relations) = idea::get(tx, user, rules, id, who.now)?;
    if !relations.contains(&"evaluator") {
        return Err(AppError::Forbidden);
    }
    let c = open_commission(tx, id)?;
    let tie = TieInput {
        enterprise_id: idea.enterprise_id,
        kind: input.kind.clone(),
        detail: input.detail.clone(),
        contract_on: input.contract_on.clone(),
    };
    let declared = ties::declare(tx, who, c.evaluator_id, &tie)?;
    let note = format!("{}：{}", declared.kind, declared.detail);
    idea::fire(tx, who, rules, &idea, &relations, "recuse", Some(&note))?;
    idea::find(tx, rules, id, who.now)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RecuseInput {
    /// `ownership`, `people` or `contract`.
    pub kind: String,
    pub detail: String,
    #[serde(default)]
    pub contract_on: Option<String>,
}
