//! Platforms that gather resources (large enterprises, intermediaries, conferences,
//! exhibitions, forums): what each aggregates, its sectors and the department that works
//! with it; and the cohorts a platform is entrusted with (e.g. upgrading the city's
//! new-generation IT enterprises), what is opened to them and which members qualified.

use serde::{Deserialize, Serialize};

use super::projects::may_record_for;
use crate::enterprises::registry::{self as enterprises, Named};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// Kinds of platform; named by `inv-platform-kind-<kind>`.
pub const KINDS: [&str; 5] = ["enterprise", "intermediary", "conference", "exhibition", "forum"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Platform {
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// What it aggregates (capital, technology, talent, markets…).
    pub aggregates: String,
    pub sectors: String,
    pub department_id: i64,
    pub department_name: String,
    /// The platform's own record in the enterprise registry, when it is an enterprise.
    pub enterprise_id: Option<i64>,
    /// Projects attributed to it (dropped ones aside), and their amount in fen.
    pub projects: i64,
    pub amount_fen: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlatformInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub aggregates: String,
    #[serde(default)]
    pub sectors: String,
    pub department_id: i64,
    #[serde(default)]
    pub enterprise_id: Option<i64>,
}

const COLUMNS: &str = "pl.id, pl.name, pl.kind, pl.aggregates, pl.sectors, pl.department_id, d.name AS department_name, \
    pl.enterprise_id, pl.created_at, pl.updated_at, \
    (SELECT COUNT(*) FROM projects p WHERE p.platform_id = pl.id AND p.state <> 'dropped') AS projects, \
    (SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM projects p WHERE p.platform_id = pl.id \
     AND p.state <> 'dropped') AS amount_fen";
const FROM: &str = "platforms pl JOIN departments d ON d.id = pl.department_id";

fn from_row(r: &Row) -> AppResult<Platform> {
    Ok(Platform {
        id: r.int("id")?,
        name: r.text("name")?,
        kind: r.text("kind")?,
        aggregates: r.text("aggregates")?,
        sectors: r.text("sectors")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        enterprise_id: r.opt_int("enterprise_id")?,
        projects: r.int("projects")?,
        amount_fen: r.int("amount_fen")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Platform> {
    let row = tx.query_opt(&format!("SELECT {COLUMNS} FROM {FROM} WHERE pl.id = $1"), params![id])?;
    from_row(&row.ok_or(AppError::NotFound)?)
}

pub fn list(tx: &mut Tx<'_>, p: &ListParams) -> AppResult<Page<Platform>> {
    let mut w = Where::default();
    if let Some(like) = p.like() {
        w.contains(&["pl.name", "pl.aggregates", "pl.sectors"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("pl.id", &[("name", "pl.name"), ("projects", "projects"), ("amount", "amount_fen")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Every platform by name, as (id, name): for a form's choice.
pub fn options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query("SELECT id, name FROM platforms ORDER BY name LIMIT 1000", &[])?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect()
}

fn check(tx: &mut Tx<'_>, user: &CurrentUser, input: &PlatformInput) -> AppResult<String> {
    let name = validate::text(&input.name, "name", 200)?;
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    validate::opt_text(Some(&input.aggregates), "aggregates", 1000)?;
    validate::opt_text(Some(&input.sectors), "sectors", 500)?;
    if tx.query_opt("SELECT 1 FROM departments WHERE id = $1", params![input.department_id])?.is_none() {
        return Err(AppError::invalid("unknown_reference", "department_id"));
    }
    if !may_record_for(user, input.department_id) {
        return Err(AppError::invalid("not_your_department", "department_id"));
    }
    if let Some(e) = input.enterprise_id {
        enterprises::resolve(tx, e).map_err(|_| AppError::invalid("unknown_reference", "enterprise_id"))?;
    }
    Ok(name)
}

pub fn create(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &PlatformInput) -> AppResult<Platform> {
    let name = check(tx, user, input)?;
    let id = tx.insert(
        "INSERT INTO platforms (name, kind, aggregates, sectors, department_id, enterprise_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        params![
            name,
            input.kind.as_str(),
            input.aggregates.trim(),
            input.sectors.trim(),
            input.department_id,
            input.enterprise_id,
            who.now
        ],
    )?;
    let p = find(tx, id)?;
    audit::record(tx, who, Change::created("platform", id, &p))?;
    Ok(p)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &PlatformInput) -> AppResult<Platform> {
    let before = find(tx, id)?;
    if !may_record_for(user, before.department_id) {
        return Err(AppError::Forbidden);
    }
    let name = check(tx, user, input)?;
    tx.execute(
        "UPDATE platforms SET name = $1, kind = $2, aggregates = $3, sectors = $4, department_id = $5, \
         enterprise_id = $6, updated_at = $7 WHERE id = $8",
        params![
            name,
            input.kind.as_str(),
            input.aggregates.trim(),
            input.sectors.trim(),
            input.department_id,
            input.enterprise_id,
            who.now,
            id
        ],
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "platform", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Cohort {
    pub id: i64,
    pub platform_id: i64,
    pub name: String,
    /// What is opened to its members (cloud, procurement chain…).
    pub opened: String,
    pub entrusted_on: String,
    /// How many enterprises the platform is entrusted with.
    pub target: i64,
    pub members: i64,
    pub qualified: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CohortInput {
    pub name: String,
    #[serde(default)]
    pub opened: String,
    pub entrusted_on: String,
    #[serde(default)]
    pub target: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortMember {
    pub cohort_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub joined_on: String,
    pub qualified_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CohortMemberInput {
    #[serde(flatten)]
    pub enterprise: Named,
    pub joined_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Qualification {
    /// The day the member qualified (`YYYY-MM-DD`); empty to withdraw it.
    #[serde(default)]
    pub qualified_on: String,
}

const COHORT_COLUMNS: &str = "c.id, c.platform_id, c.name, c.opened, c.entrusted_on, c.target, \
    (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.id) AS members, \
    (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.id AND m.qualified_on IS NOT NULL) AS qualified";

fn cohort_from_row(r: &Row) -> AppResult<Cohort> {
    Ok(Cohort {
        id: r.int("id")?,
        platform_id: r.int("platform_id")?,
        name: r.text("name")?,
        opened: r.text("opened")?,
        entrusted_on: r.text("entrusted_on")?,
        target: r.int("target")?,
        members: r.int("members")?,
        qualified: r.int("qualified")?,
    })
}

pub fn cohorts(tx: &mut Tx<'_>, platform: i64) -> AppResult<Vec<Cohort>> {
    let sql = format!("SELECT {COHORT_COLUMNS} FROM cohorts c WHERE c.platform_id = $1 ORDER BY c.entrusted_on, c.id");
    tx.query(&sql, params![platform])?.iter().map(cohort_from_row).collect()
}

pub fn cohort(tx: &mut Tx<'_>, id: i64) -> AppResult<Cohort> {
    let sql = format!("SELECT {COHORT_COLUMNS} FROM cohorts c WHERE c.id = $1");
    cohort_from_row(&tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?)
}

pub fn entrust(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    platform: i64,
    input: &CohortInput,
) -> AppResult<Cohort> {
    let p = find(tx, platform)?;
    if !may_record_for(user, p.department_id) {
        return Err(AppError::Forbidden);
    }
    let name = validate::text(&input.name, "name", 200)?;
    let opened = validate::opt_text(Some(&input.opened), "opened", 1000)?.unwrap_or_default();
    let entrusted_on = validate::date(&input.entrusted_on, "entrusted_on")?.to_string();
    if !(0..=1_000_000).contains(&input.target) {
        return Err(AppError::invalid("bad_value", "target"));
    }
    let id = tx.insert(
        "INSERT INTO cohorts (platform_id, name, opened, entrusted_on, target, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![platform, name, opened, entrusted_on, input.target, who.now],
    )?;
    let c = cohort(tx, id)?;
    audit::record(tx, who, Change::created("cohort", id, &c))?;
    Ok(c)
}

pub fn members(tx: &mut Tx<'_>, cohort: i64, p: &ListParams) -> AppResult<Page<CohortMember>> {
    let total = count_capped(tx, "FROM cohort_members WHERE cohort_id = $1", params![cohort])?;
    let (limit, offset) = p.window();
    let items = tx
        .query(
            "SELECT m.cohort_id, m.enterprise_id, e.name, m.joined_on, m.qualified_on FROM cohort_members m \
             JOIN enterprises e ON e.id = m.enterprise_id WHERE m.cohort_id = $1 \
             ORDER BY m.qualified_on IS NULL, m.joined_on, e.name LIMIT $2 OFFSET $3",
            params![cohort, limit, offset],
        )?
        .iter()
        .map(|r| {
            Ok(CohortMember {
                cohort_id: r.int(0)?,
                enterprise_id: r.int(1)?,
                enterprise_name: r.text(2)?,
                joined_on: r.text(3)?,
                qualified_on: r.opt_text(4)?,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

fn may_change_cohort(tx: &mut Tx<'_>, user: &CurrentUser, c: &Cohort) -> AppResult<()> {
    let p = find(tx, c.platform_id)?;
    if may_record_for(user, p.department_id) { Ok(()) } else { Err(AppError::Forbidden) }
}

pub fn add_member(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    cohort_id: i64,
    input: &CohortMemberInput,
) -> AppResult<Cohort> {
    let c = cohort(tx, cohort_id)?;
    may_change_cohort(tx, user, &c)?;
    let joined_on = validate::date(&input.joined_on, "joined_on")?.to_string();
    let e = enterprises::named_one(tx, who, &input.enterprise, "referral")?;
    let taken = tx.query_opt(
        "SELECT 1 FROM cohort_members WHERE cohort_id = $1 AND enterprise_id = $2",
        params![cohort_id, e.id],
    )?;
    if taken.is_some() {
        return Err(AppError::Conflict { code: "member_exists", field: Some("enterprise_id") });
    }
    tx.execute(
        "INSERT INTO cohort_members (cohort_id, enterprise_id, joined_on) VALUES ($1, $2, $3)",
        params![cohort_id, e.id, joined_on.as_str()],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "add_member",
            kind: "cohort",
            id: Some(cohort_id),
            before: None,
            after: Some(serde_json::json!({ "enterprise_id": e.id, "joined_on": joined_on })),
        },
    )?;
    cohort(tx, cohort_id)
}

/// Record (or withdraw) the day a member qualified.
pub fn qualify(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    cohort_id: i64,
    enterprise: i64,
    input: &Qualification,
) -> AppResult<Cohort> {
    let c = cohort(tx, cohort_id)?;
    may_change_cohort(tx, user, &c)?;
    let day = validate::opt_date(Some(&input.qualified_on), "qualified_on")?.map(|d| d.to_string());
    let changed = tx.execute(
        "UPDATE cohort_members SET qualified_on = $1 WHERE cohort_id = $2 AND enterprise_id = $3",
        params![day.clone(), cohort_id, enterprise],
    )?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        tx,
        who,
        Change {
            action: "qualify",
            kind: "cohort",
            id: Some(cohort_id),
            before: None,
            after: Some(serde_json::json!({ "enterprise_id": enterprise, "qualified_on": day })),
        },
    )?;
    cohort(tx, cohort_id)
}
