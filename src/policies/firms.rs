//! Law firms under contract (政府购买法律服务): each firm is its own record in the
//! enterprise registry with its lawyers and contracts (scope, districts, period, budget);
//! its five services are logged as cases per enterprise with the time spent and the
//! outcome, and an enterprise may ask for a service itself.

use serde::{Deserialize, Serialize};

use super::applications::{enterprise_of, firm_of};
use super::policy::to_json;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// 宣传解读, 适用咨询, 实施监督, 效果评价, 权益维护.
pub const SERVICES: [&str; 5] = ["publicity", "applicability", "oversight", "evaluation", "rights"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LawFirm {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub lawyers: Vec<String>,
    pub active: bool,
    /// Cases open and closed, and the hours logged.
    pub open_cases: i64,
    pub closed_cases: i64,
    pub hours: f64,
    pub created_at: i64,
}

const COLUMNS: &str = "f.id, f.enterprise_id, e.name, f.lawyers, f.active, \
    (SELECT COUNT(*) FROM service_cases c WHERE c.firm_id = f.id AND c.state = 'open') AS open_cases, \
    (SELECT COUNT(*) FROM service_cases c WHERE c.firm_id = f.id AND c.state = 'closed') AS closed_cases, \
    (SELECT COALESCE(SUM(c.minutes), 0) FROM service_cases c WHERE c.firm_id = f.id) AS minutes, f.created_at";
const FROM: &str = "law_firms f JOIN enterprises e ON e.id = f.enterprise_id";

fn from_row(r: &Row) -> AppResult<LawFirm> {
    Ok(LawFirm {
        id: r.int("id")?,
        enterprise_id: r.int("enterprise_id")?,
        name: r.text("name")?,
        lawyers: serde_json::from_str(&r.text("lawyers")?).map_err(|e| AppError::internal(e.to_string()))?,
        active: r.bool("active")?,
        open_cases: r.int("open_cases")?,
        closed_cases: r.int("closed_cases")?,
        hours: r.real("minutes")? / 60.0,
        created_at: r.int("created_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<LawFirm> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE f.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn list(tx: &mut Tx<'_>) -> AppResult<Vec<LawFirm>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} ORDER BY f.id LIMIT 500");
    tx.query(&sql, &[])?.iter().map(from_row).collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LawFirmInput)]
pub struct FirmInput {
    /// The firm's record in the enterprise registry.
    pub enterprise_id: i64,
    pub lawyers: Vec<String>,
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &FirmInput) -> AppResult<LawFirm> {
    let e = crate::enterprises::registry::find(tx, input.enterprise_id)
        .map_err(|_| AppError::invalid("unknown_enterprise", "enterprise_id"))?;
    if e.merged_into.is_some() {
        return Err(AppError::conflict("enterprise_merged"));
    }
    let mut lawyers = Vec::new();
    for l in &input.lawyers {
        let l = validate::text(l, "lawyers", 40)?;
        if !lawyers.contains(&l) {
            lawyers.push(l);
        }
    }
    if lawyers.is_empty() || lawyers.len() > 200 {
        return Err(AppError::invalid("no_lawyers", "lawyers"));
    }
    if tx.count("SELECT COUNT(*) FROM law_firms WHERE enterprise_id = $1", params![e.id])? > 0 {
        return Err(AppError::Conflict { code: "duplicate", field: Some("enterprise_id") });
    }
    let id = tx.insert(
        "INSERT INTO law_firms (enterprise_id, lawyers, created_at) VALUES ($1, $2, $3) RETURNING id",
        params![e.id, to_json(&lawyers)?, who.now],
    )?;
    let f = find(tx, id)?;
    audit::record(tx, who, Change::created("law_firm", id, &f))?;
    Ok(f)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LawFirmContract)]
pub struct Contract {
    pub id: i64,
    pub firm_id: i64,
    pub scope: String,
    pub districts: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub budget_fen: i64,
}

pub fn contracts(tx: &mut Tx<'_>, firm: i64) -> AppResult<Vec<Contract>> {
    tx.query(
        "SELECT id, firm_id, scope, districts, starts_on, ends_on, budget_fen FROM firm_contracts WHERE firm_id = $1 \
         ORDER BY starts_on DESC, id",
        params![firm],
    )?
    .iter()
    .map(|r| {
        Ok(Contract {
            id: r.int("id")?,
            firm_id: r.int("firm_id")?,
            scope: r.text("scope")?,
            districts: serde_json::from_str(&r.text("districts")?).map_err(|e| AppError::internal(e.to_string()))?,
            starts_on: r.text("starts_on")?,
            ends_on: r.text("ends_on")?,
            budget_fen: r.int("budget_fen")?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LawFirmContractInput)]
pub struct ContractInput {
    pub scope: String,
    pub districts: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// Yuan.
    pub budget: String,
}

pub fn add_contract(tx: &mut Tx<'_>, who: &Who, firm: i64, input: &ContractInput) -> AppResult<Contract> {
    find(tx, firm)?;
    let scope = validate::text(&input.scope, "scope", 1000)?;
    let districts: Vec<String> =
        input.districts.iter().map(|d| validate::text(d, "districts", 40)).collect::<AppResult<_>>()?;
    if districts.is_empty() {
        return Err(AppError::invalid("required", "districts"));
    }
    let (starts, ends) = (validate::date(&input.starts_on, "starts_on")?, validate::date(&input.ends_on, "ends_on")?);
    if ends < starts {
        return Err(AppError::invalid("end_before_start", "ends_on"));
    }
    let budget = validate::yuan_to_fen(&input.budget, "budget")?;
    let id = tx.insert(
        "INSERT INTO firm_contracts (firm_id, scope, districts, starts_on, ends_on, budget_fen, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![firm, scope, to_json(&districts)?, starts.to_string(), ends.to_string(), budget, who.now],
    )?;
    let c = contracts(tx, firm)?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    audit::record(tx, who, Change::created("firm_contract", id, &c))?;
    Ok(c)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ServiceCase)]
pub struct Case {
    pub id: i64,
    pub firm_id: Option<i64>,
    pub firm_name: Option<String>,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// One of the five services.
    pub kind: String,
    pub policy_id: Option<i64>,
    pub policy_title: Option<String>,
    pub request: String,
    /// `requested` (no firm yet), `open` or `closed`.
    pub state: String,
    pub minutes: i64,
    pub outcome: String,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

const CASE_COLUMNS: &str = "c.id, c.firm_id, fe.name AS firm_name, c.enterprise_id, e.name AS enterprise_name, c.kind, \
    c.policy_id, p.title AS policy_title, c.request, c.state, c.minutes, c.outcome, c.created_at, c.closed_at";
const CASE_FROM: &str = "service_cases c JOIN enterprises e ON e.id = c.enterprise_id \
    LEFT JOIN law_firms f ON f.id = c.firm_id LEFT JOIN enterprises fe ON fe.id = f.enterprise_id \
    LEFT JOIN policies p ON p.id = c.policy_id";

fn case_row(r: &Row) -> AppResult<Case> {
    Ok(Case {
        id: r.int("id")?,
        firm_id: r.opt_int("firm_id")?,
        firm_name: r.opt_text("firm_name")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        kind: r.text("kind")?,
        policy_id: r.opt_int("policy_id")?,
        policy_title: r.opt_text("policy_title")?,
        request: r.text("request")?,
        state: r.text("state")?,
        minutes: r.int("minutes")?,
        outcome: r.text("outcome")?,
        created_at: r.int("created_at")?,
        closed_at: r.opt_int("closed_at")?,
    })
}

fn find_case(tx: &mut Tx<'_>, id: i64) -> AppResult<Case> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE c.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| case_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
}

/// The cases the caller may see: an enterprise its own; a firm its own and the requests
/// waiting for a firm; government all.
pub fn cases(tx: &mut Tx<'_>, user: &CurrentUser, f: &CaseFilter, p: &ListParams) -> AppResult<Page<Case>> {
    let mut w = Where::default();
    if let Some(e) = enterprise_of(tx, user)? {
        w.and("c.enterprise_id = ?", e);
    } else if let Some(firm) = firm_of(tx, user)? {
        w.and("(c.firm_id = ? OR c.state = 'requested')", firm);
    } else if !user.role.is_government() {
        w.and_sql("1 = 0");
    }
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        w.and("c.kind = ?", k.to_owned());
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("c.state = ?", s.to_owned());
    }
    if let Some(like) = p.like() {
        w.contains(&["c.request", "e.name", "c.outcome"], like);
    }
    let total = count_capped(tx, &format!("FROM {CASE_FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("c.id", &[("kind", "c.kind"), ("state", "c.state")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {CASE_COLUMNS} FROM {CASE_FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(case_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ServiceCaseInput)]
pub struct CaseInput {
    pub kind: String,
    pub request: String,
    #[serde(default)]
    pub policy_id: Option<i64>,
    /// The enterprise served (a firm opening a case); an enterprise asks for itself.
    #[serde(default)]
    pub enterprise_id: Option<i64>,
}

/// An enterprise asks for a service (the case waits for a firm), or a firm opens a case
/// for an enterprise it serves.
pub fn open_case(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &CaseInput) -> AppResult<Case> {
    if !SERVICES.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_service", "kind"));
    }
    let request = validate::text(&input.request, "request", 2000)?;
    let (enterprise, firm) = if let Some(e) = enterprise_of(tx, user)? {
        (e, None)
    } else if let Some(f) = firm_of(tx, user)? {
        let e = input.enterprise_id.ok_or_else(|| AppError::invalid("required", "enterprise_id"))?;
        crate::enterprises::registry::find(tx, e)
            .map_err(|_| AppError::invalid("unknown_enterprise", "enterprise_id"))?;
        (e, Some(f))
    } else {
        return Err(AppError::Forbidden);
    };
    if let Some(p) = input.policy_id
        && tx.count("SELECT COUNT(*) FROM policies WHERE id = $1", params![p])? == 0
    {
        return Err(AppError::invalid("unknown_policy", "policy_id"));
    }
    let state = if firm.is_some() { "open" } else { "requested" };
    let id = tx.insert(
        "INSERT INTO service_cases (firm_id, enterprise_id, kind, policy_id, request, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![firm, enterprise, input.kind.as_str(), input.policy_id, request, state, who.now],
    )?;
    let c = find_case(tx, id)?;
    audit::record(tx, who, Change::created("service_case", id, &c))?;
    Ok(c)
}

/// A firm takes an enterprise's request.
pub fn take_case(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64) -> AppResult<Case> {
    let firm = firm_of(tx, user)?.ok_or(AppError::Forbidden)?;
    let before = find_case(tx, id)?;
    let changed = tx.execute(
        "UPDATE service_cases SET firm_id = $1, state = 'open' WHERE id = $2 AND state = 'requested'",
        params![firm, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("case_taken"));
    }
    let after = find_case(tx, id)?;
    audit::record(tx, who, Change::updated("take", "service_case", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ServiceCaseClosing)]
pub struct CloseInput {
    /// Time spent, in minutes.
    pub minutes: i64,
    pub outcome: String,
}

/// The firm closes its case with the time spent and the outcome.
pub fn close_case(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &CloseInput) -> AppResult<Case> {
    let firm = firm_of(tx, user)?;
    let before = find_case(tx, id)?;
    if firm.is_none() || before.firm_id != firm {
        return Err(if user.role == Role::LawFirm { AppError::NotFound } else { AppError::Forbidden });
    }
    if !(1..=100_000).contains(&input.minutes) {
        return Err(AppError::invalid("bad_minutes", "minutes"));
    }
    let outcome = validate::text(&input.outcome, "outcome", 4000)?;
    let changed = tx.execute(
        "UPDATE service_cases SET state = 'closed', minutes = $1, outcome = $2, closed_at = $3 WHERE id = $4 AND state = 'open'",
        params![input.minutes, outcome, who.now, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("case_not_open"));
    }
    let after = find_case(tx, id)?;
    audit::record(tx, who, Change::updated("close", "service_case", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FirmServiceFigures)]
pub struct ServiceFigures {
    pub firm: String,
    pub kind: String,
    pub cases: i64,
    pub closed: i64,
    pub hours: f64,
}

/// Services per firm and kind, for cases opened in `[from, to)`.
pub fn figures(tx: &mut Tx<'_>, from: i64, to: i64) -> AppResult<Vec<ServiceFigures>> {
    tx.query(
        "SELECT fe.name, c.kind, COUNT(*), SUM(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END), \
         CAST(COALESCE(SUM(c.minutes), 0) AS BIGINT) FROM service_cases c JOIN law_firms f ON f.id = c.firm_id \
         JOIN enterprises fe ON fe.id = f.enterprise_id WHERE c.created_at >= $1 AND c.created_at < $2 \
         GROUP BY fe.name, c.kind ORDER BY 1, 2",
        params![from, to],
    )?
    .iter()
    .map(|r| {
        Ok(ServiceFigures {
            firm: r.text(0)?,
            kind: r.text(1)?,
            cases: r.int(2)?,
            closed: r.int(3)?,
            hours: r.int(4)? as f64 / 60.0,
        })
    })
    .collect()
}
