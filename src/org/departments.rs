use serde::{Deserialize, Serialize};

use crate::kernel::access::{self, CurrentUser, Visibility};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// city_department, district, party, legislature or other.
    pub kind: String,
    /// One of the economic departments that have a market-allocation division.
    pub is_economic: bool,
    pub parent_id: Option<i64>,
    pub visibility: Visibility,
    pub active: bool,
    pub division_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DepartmentInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub kind: String,
    #[serde(default, deserialize_with = "crate::kernel::web::de::flag")]
    pub is_economic: bool,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentFilter {
    /// Kind of unit.
    pub kind: Option<String>,
    /// `active`, `inactive` or empty for all.
    pub status: Option<String>,
}

const COLUMNS: &str = "d.id, d.code, d.name, d.name_en, d.kind, d.is_economic, d.parent_id, d.visibility, d.active, \
    (SELECT COUNT(*) FROM divisions v WHERE v.department_id = d.id AND v.active = 1) AS division_count, \
    d.created_at, d.updated_at";

fn from_row(r: &Row) -> AppResult<Department> {
    Ok(Department {
        id: r.int("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        name_en: r.text("name_en")?,
        kind: r.text("kind")?,
        is_economic: r.bool("is_economic")?,
        parent_id: r.opt_int("parent_id")?,
        visibility: Visibility::parse(&r.text("visibility")?).unwrap_or(Visibility::Confidential),
        active: r.bool("active")?,
        division_count: r.int("division_count")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

/// The order departments are listed in official documents: party organs, the people's
/// congress and CPPCC, the city government's departments, the districts, then the rest,
/// each in the order they were set up.
const OFFICIAL_ORDER: &str = "CASE d.kind WHEN 'party' THEN 0 WHEN 'legislature' THEN 1 WHEN 'city_department' THEN 2 \
     WHEN 'district' THEN 3 ELSE 4 END";

pub fn list(
    tx: &mut Tx<'_>,
    viewer: Option<&CurrentUser>,
    f: &DepartmentFilter,
    p: &ListParams,
) -> AppResult<Page<Department>> {
    let mut w = Where::default();
    access::restrict_visible_org(viewer, &mut w, "d.visibility", "d.id");
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        w.and("d.kind = ?", k);
    }
    match f.status.as_deref() {
        Some("active") => {
            w.and_sql("d.active = 1");
        }
        Some("inactive") => {
            w.and_sql("d.active = 0");
        }
        _ => {}
    }
    if let Some(like) = p.like() {
        w.contains(&["d.name", "d.code", "d.name_en"], like);
    }
    let total = count_capped(tx, &format!("FROM departments d{}", w.sql), &w.args)?;
    let order = p.order_by(
        "d.id",
        &[
            ("official", OFFICIAL_ORDER),
            ("code", "d.code"),
            ("name", "d.name"),
            ("kind", "d.kind"),
            ("updated", "d.updated_at"),
        ],
    );
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM departments d{}{order} LIMIT {l} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Active departments in the official order, for pickers.
pub fn options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(
        &format!("SELECT d.id, d.name FROM departments d WHERE d.active = 1 ORDER BY {OFFICIAL_ORDER}, d.id"),
        &[],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, r.text(1)?)))
    .collect()
}

/// The active department written as its full name or its code (as a spreadsheet names it).
pub fn named(tx: &mut Tx<'_>, written: &str) -> AppResult<Option<i64>> {
    let w = written.trim();
    Ok(tx
        .query_opt(
            "SELECT id FROM departments WHERE active = 1 AND (name = $1 OR code = $1) ORDER BY id LIMIT 1",
            params![w],
        )?
        .map(|r| r.int(0))
        .transpose()?)
}

/// Active departments the viewer may see, found by part of the name, pinyin initials or
/// pinyin, in the official order, each with its kind in words: for type-ahead pickers.
pub fn suggest(
    tx: &mut Tx<'_>,
    viewer: Option<&CurrentUser>,
    lang: crate::kernel::i18n::Lang,
    typed: &str,
) -> AppResult<Vec<crate::kernel::names::Suggestion>> {
    let mut w = Where::default();
    w.and_sql("d.active = 1");
    access::restrict_visible_org(viewer, &mut w, "d.visibility", "d.id");
    let sql = format!("SELECT d.id, d.name, d.kind FROM departments d{} ORDER BY {OFFICIAL_ORDER}, d.id", w.sql);
    let candidates = tx
        .query(&sql, &w.args)?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?, crate::kernel::i18n::t(lang, &format!("kind-{}", r.text(2)?)).to_owned())))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(crate::kernel::names::suggest(candidates, typed))
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Department> {
    let sql = format!("SELECT {COLUMNS} FROM departments d WHERE d.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn get(tx: &mut Tx<'_>, viewer: Option<&CurrentUser>, id: i64) -> AppResult<Department> {
    let d = find(tx, id)?;
    access::require_visible_org(viewer, d.visibility, Some(d.id))?;
    Ok(d)
}

struct Valid {
    code: String,
    name: String,
    name_en: String,
    kind: String,
    is_economic: bool,
    parent_id: Option<i64>,
    visibility: Visibility,
}

fn validate(tx: &mut Tx<'_>, input: &DepartmentInput, id: Option<i64>) -> AppResult<Valid> {
    let code = validate::code(&input.code, "code")?;
    let name = validate::text(&input.name, "name", 60)?;
    let name_en = validate::opt_text(Some(&input.name_en), "name_en", 120)?.unwrap_or_default();
    if !super::DEPARTMENT_KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    if let Some(parent) = input.parent_id {
        let mut cursor = Some(parent);
        let mut hops = 0;
        while let Some(c) = cursor {
            if Some(c) == id || hops > 50 {
                return Err(AppError::invalid("parent_cycle", "parent_id"));
            }
            let r = tx
                .query_opt("SELECT parent_id, active FROM departments WHERE id = $1", params![c])?
                .ok_or_else(|| AppError::invalid("unknown_department", "parent_id"))?;
            if c == parent && !r.bool(1)? {
                return Err(AppError::invalid("unknown_department", "parent_id"));
            }
            cursor = r.opt_int(0)?;
            hops += 1;
        }
    }
    Ok(Valid {
        code,
        name,
        name_en,
        kind: input.kind.clone(),
        is_economic: input.is_economic,
        parent_id: input.parent_id,
        visibility: input.visibility.unwrap_or(Visibility::Public),
    })
}

fn unique_code(e: crate::kernel::db::DbError) -> AppError {
    match e {
        crate::kernel::db::DbError::Unique(_) => AppError::Conflict { code: "code_taken", field: Some("code") },
        other => other.into(),
    }
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &DepartmentInput) -> AppResult<Department> {
    let v = validate(tx, input, None)?;
    let id = tx
        .insert(
            "INSERT INTO departments (code, name, name_en, kind, is_economic, parent_id, visibility, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            params![v.code, v.name, v.name_en, v.kind, v.is_economic, v.parent_id, v.visibility.as_str(), who.now],
        )
        .map_err(unique_code)?;
    let d = find(tx, id)?;
    audit::record(tx, who, Change::created("department", id, &d))?;
    Ok(d)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &DepartmentInput) -> AppResult<Department> {
    let before = find(tx, id)?;
    let v = validate(tx, input, Some(id))?;
    tx.execute(
        "UPDATE departments SET code = $1, name = $2, name_en = $3, kind = $4, is_economic = $5, parent_id = $6, \
         visibility = $7, updated_at = $8 WHERE id = $9",
        params![v.code, v.name, v.name_en, v.kind, v.is_economic, v.parent_id, v.visibility.as_str(), who.now, id],
    )
    .map_err(unique_code)?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "department", id, &before, &after))?;
    Ok(after)
}

/// Deactivate (only when no active division is left) or reactivate.
pub fn set_active(tx: &mut Tx<'_>, who: &Who, id: i64, active: bool) -> AppResult<Department> {
    let before = find(tx, id)?;
    if before.active == active {
        return Err(AppError::conflict(if active { "already_active" } else { "already_inactive" }));
    }
    if !active && before.division_count > 0 {
        return Err(AppError::conflict("has_active_children"));
    }
    tx.execute("UPDATE departments SET active = $1, updated_at = $2 WHERE id = $3", params![active, who.now, id])?;
    let after = find(tx, id)?;
    let action = if active { "reactivate" } else { "deactivate" };
    audit::record(tx, who, Change::updated(action, "department", id, &before, &after))?;
    Ok(after)
}
