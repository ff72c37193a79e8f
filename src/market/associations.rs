//! Industry associations and chambers (行业协会商会), kept like departments: each is a
//! record of the enterprise registry with its leaders, the industries it speaks for, its
//! member enterprises and the market-allocation promotion division that works with it.
//! Its accounts are the registry's accounts linked to its record.

use serde::{Deserialize, Serialize};

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

pub const KINDS: [&str; 2] = ["association", "chamber"];
const MAX_INDUSTRIES: usize = 10;
const MAX_MEMBERS: usize = 2000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Association {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    /// `association` (行业协会) or `chamber` (商会).
    pub kind: String,
    pub industries: Vec<String>,
    pub division_id: Option<i64>,
    /// 某部门 · 市场配置促进处.
    pub division_name: Option<String>,
    pub head_name: String,
    pub secretary_name: String,
    pub phone: String,
    pub active: bool,
    pub member_count: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AssociationInput)]
pub struct AssociationInput {
    /// The association's own record in the enterprise registry.
    pub enterprise_id: i64,
    pub kind: String,
    pub industries: Vec<String>,
    #[serde(default)]
    pub division_id: Option<i64>,
    pub head_name: String,
    #[serde(default)]
    pub secretary_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssociationFilter {
    pub industry: Option<String>,
    pub division_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AssociationMember)]
pub struct Member {
    pub enterprise_id: i64,
    pub name: String,
    pub credit_code: Option<String>,
}

const COLUMNS: &str = "a.id, a.enterprise_id, e.name, e.uscc, a.kind, a.industries, a.division_id, \
    (SELECT d.name || ' · ' || v.name FROM divisions v JOIN departments d ON d.id = v.department_id WHERE v.id = a.division_id) AS division_name, \
    a.head_name, a.secretary_name, a.phone, a.active, \
    (SELECT COUNT(*) FROM association_members m WHERE m.association_id = a.id) AS member_count, a.updated_at";
const FROM: &str = "associations a JOIN enterprises e ON e.id = a.enterprise_id";

fn from_row(r: &Row) -> AppResult<Association> {
    Ok(Association {
        id: r.int("id")?,
        enterprise_id: r.int("enterprise_id")?,
        name: r.text("name")?,
        credit_code: r.opt_text("uscc")?,
        kind: r.text("kind")?,
        industries: serde_json::from_str(&r.text("industries")?).unwrap_or_default(),
        division_id: r.opt_int("division_id")?,
        division_name: r.opt_text("division_name")?,
        head_name: r.text("head_name")?,
        secretary_name: r.text("secretary_name")?,
        phone: r.text("phone")?,
        active: r.bool("active")?,
        member_count: r.int("member_count")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Association> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn list(tx: &mut Tx<'_>, f: &AssociationFilter, p: &ListParams) -> AppResult<Page<Association>> {
    let mut w = Where::default();
    if let Some(i) = f.industry.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.contains(&["a.industries"], format!("%{i}%"));
    }
    if let Some(d) = f.division_id {
        w.and("a.division_id = ?", d);
    }
    if let Some(like) = p.like() {
        w.contains(&["e.name", "a.industries", "a.head_name"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("a.id", &[("name", "e.name"), ("updated", "a.updated_at")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Active associations by name, for pickers.
pub fn options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(&format!("SELECT a.id, e.name FROM {FROM} WHERE a.active = 1 ORDER BY e.name, a.id"), &[])?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect()
}

/// The association whose account `user` is, if any.
pub fn of_account(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<i64>> {
    if user.role != Role::Association {
        return Ok(None);
    }
    tx.query_opt(
        "SELECT a.id FROM associations a JOIN users u ON u.enterprise_id = a.enterprise_id WHERE u.id = $1",
        params![user.id],
    )?
    .map(|r| r.int(0))
    .transpose()
    .map_err(Into::into)
}

/// The active accounts that speak for association `id`.
pub fn accounts(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT u.id FROM users u JOIN associations a ON a.enterprise_id = u.enterprise_id \
         WHERE a.id = $1 AND u.active = 1 AND u.role = 'association' ORDER BY u.id",
        params![id],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

struct Checked {
    kind: String,
    industries: String,
    division_id: Option<i64>,
    head_name: String,
    secretary_name: String,
    phone: String,
}

fn check(tx: &mut Tx<'_>, input: &AssociationInput) -> AppResult<Checked> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_association_kind", "kind"));
    }
    let mut industries = Vec::new();
    for i in &input.industries {
        let i = validate::text(i, "industries", 40)?;
        if !industries.contains(&i) {
            industries.push(i);
        }
    }
    if industries.is_empty() || industries.len() > MAX_INDUSTRIES {
        return Err(AppError::invalid("industries_count", "industries"));
    }
    if let Some(d) = input.division_id {
        let kind = tx.query_opt("SELECT kind FROM divisions WHERE id = $1 AND active = 1", params![d])?;
        if kind.map(|r| r.text(0)).transpose()?.as_deref() != Some("market_allocation") {
            return Err(AppError::invalid("not_market_allocation_division", "division_id"));
        }
    }
    let merged = tx.query_opt("SELECT merged_into FROM enterprises WHERE id = $1", params![input.enterprise_id])?;
    match merged {
        None => return Err(AppError::invalid("unknown_enterprise", "enterprise_id")),
        Some(r) if r.opt_int(0)?.is_some() => return Err(AppError::conflict("enterprise_merged")),
        Some(_) => {}
    }
    Ok(Checked {
        kind: input.kind.clone(),
        industries: serde_json::to_string(&industries).map_err(|e| AppError::internal(e.to_string()))?,
        division_id: input.division_id,
        head_name: validate::text(&input.head_name, "head_name", 40)?,
        secretary_name: validate::opt_text(Some(&input.secretary_name), "secretary_name", 40)?.unwrap_or_default(),
        phone: validate::opt_text(Some(&input.phone), "phone", 30)?.unwrap_or_default(),
    })
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &AssociationInput) -> AppResult<Association> {
    let c = check(tx, input)?;
    let taken = tx.count("SELECT COUNT(*) FROM associations WHERE enterprise_id = $1", params![input.enterprise_id])?;
    if taken > 0 {
        return Err(AppError::Conflict { code: "association_exists", field: Some("enterprise_id") });
    }
    let id = tx.insert(
        "INSERT INTO associations (enterprise_id, kind, industries, division_id, head_name, secretary_name, phone, \
         active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            input.enterprise_id,
            c.kind,
            c.industries,
            c.division_id,
            c.head_name,
            c.secretary_name,
            c.phone,
            input.active,
            who.now
        ],
    )?;
    let a = find(tx, id)?;
    audit::record(tx, who, Change::created("association", id, &a))?;
    Ok(a)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &AssociationInput) -> AppResult<Association> {
    let before = find(tx, id)?;
    if input.enterprise_id != before.enterprise_id {
        return Err(AppError::invalid("record_fixed", "enterprise_id"));
    }
    let c = check(tx, input)?;
    tx.execute(
        "UPDATE associations SET kind = $1, industries = $2, division_id = $3, head_name = $4, secretary_name = $5, \
         phone = $6, active = $7, updated_at = $8 WHERE id = $9",
        params![c.kind, c.industries, c.division_id, c.head_name, c.secretary_name, c.phone, input.active, who.now, id],
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "association", id, &before, &after))?;
    Ok(after)
}

pub fn members(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Member>> {
    tx.query(
        "SELECT e.id, e.name, e.uscc FROM association_members m JOIN enterprises e ON e.id = m.enterprise_id \
         WHERE m.association_id = $1 ORDER BY e.name, e.id",
        params![id],
    )?
    .iter()
    .map(|r| Ok(Member { enterprise_id: r.int(0)?, name: r.text(1)?, credit_code: r.opt_text(2)? }))
    .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AssociationMembersInput)]
pub struct MembersInput {
    /// The member enterprises' registry records; the list replaces the one before.
    pub enterprise_ids: Vec<i64>,
}

/// Replace the member list with records of the enterprise registry (merged records
/// refused, so a member is always the record kept).
pub fn set_members(tx: &mut Tx<'_>, who: &Who, id: i64, input: &MembersInput) -> AppResult<Vec<Member>> {
    let a = find(tx, id)?;
    let mut ids = input.enterprise_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_MEMBERS {
        return Err(AppError::invalid("too_many", "enterprise_ids"));
    }
    if ids.contains(&a.enterprise_id) {
        return Err(AppError::invalid("member_of_itself", "enterprise_ids"));
    }
    let known = tx.count(
        &format!("SELECT COUNT(*) FROM enterprises WHERE merged_into IS NULL AND id IN ({})", id_list(&ids)),
        &[],
    )?;
    if known != ids.len() as i64 {
        return Err(AppError::invalid("unknown_enterprise", "enterprise_ids"));
    }
    let before = members(tx, id)?;
    tx.execute("DELETE FROM association_members WHERE association_id = $1", params![id])?;
    for e in &ids {
        tx.execute("INSERT INTO association_members (association_id, enterprise_id) VALUES ($1, $2)", params![id, *e])?;
    }
    tx.execute("UPDATE associations SET updated_at = $1 WHERE id = $2", params![who.now, id])?;
    let after = members(tx, id)?;
    audit::record(tx, who, Change::updated("set_members", "association", id, &before, &after))?;
    Ok(after)
}
