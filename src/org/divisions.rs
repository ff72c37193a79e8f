//! Divisions (处室) and their posts with staffing quotas (编制).

use serde::{Deserialize, Serialize};

use crate::kernel::access::{self, CurrentUser, Visibility};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{DbError, Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Division {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub name: String,
    pub name_en: String,
    /// general, market_allocation (市场配置促进处) or office.
    pub kind: String,
    pub visibility: Visibility,
    pub active: bool,
    pub quota: i64,
    pub staffed: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DivisionInput {
    /// Owning department; changing it moves the division.
    pub department_id: i64,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default = "general")]
    pub kind: String,
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

fn general() -> String {
    "general".into()
}

const COLUMNS: &str = "v.id, v.department_id, d.name AS department_name, v.name, v.name_en, v.kind, v.visibility, \
    v.active, \
    (SELECT COALESCE(SUM(p.quota), 0) FROM posts p WHERE p.division_id = v.id AND p.active = 1) AS quota, \
    (SELECT COUNT(*) FROM assignments a JOIN posts p ON p.id = a.post_id WHERE p.division_id = v.id AND a.end_date IS NULL) AS staffed, \
    v.created_at, v.updated_at";

fn from_row(r: &Row) -> AppResult<Division> {
    Ok(Division {
        id: r.int("id")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        name: r.text("name")?,
        name_en: r.text("name_en")?,
        kind: r.text("kind")?,
        visibility: Visibility::parse(&r.text("visibility")?).unwrap_or(Visibility::Confidential),
        active: r.bool("active")?,
        quota: r.int("quota")?,
        staffed: r.int("staffed")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Division> {
    let sql = format!("SELECT {COLUMNS} FROM divisions v JOIN departments d ON d.id = v.department_id WHERE v.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn get(tx: &mut Tx<'_>, viewer: Option<&CurrentUser>, id: i64) -> AppResult<Division> {
    let v = find(tx, id)?;
    access::require_visible_org(viewer, v.visibility, Some(v.department_id))?;
    Ok(v)
}

/// Divisions of one department that `viewer` may see.
pub fn of_department(tx: &mut Tx<'_>, viewer: Option<&CurrentUser>, department_id: i64) -> AppResult<Vec<Division>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM divisions v JOIN departments d ON d.id = v.department_id \
         WHERE v.department_id = $1 ORDER BY v.active DESC, v.kind DESC, v.name"
    );
    let all: Vec<Division> = tx.query(&sql, params![department_id])?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(all.into_iter().filter(|v| access::can_see_org(viewer, v.visibility, Some(v.department_id))).collect())
}

/// Active divisions, for pickers: (id, "department · division").
pub fn options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(
        "SELECT v.id, d.name, v.name FROM divisions v JOIN departments d ON d.id = v.department_id \
         WHERE v.active = 1 AND d.active = 1 ORDER BY d.code, v.name",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, format!("{} · {}", r.text(1)?, r.text(2)?))))
    .collect()
}

/// The active market-allocation promotion divisions (市场配置促进处), for pickers:
/// (id, "department · division").
pub fn market_allocation(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(
        "SELECT v.id, d.name, v.name FROM divisions v JOIN departments d ON d.id = v.department_id \
         WHERE v.kind = 'market_allocation' AND v.active = 1 AND d.active = 1 ORDER BY d.code, v.id",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, format!("{} · {}", r.text(1)?, r.text(2)?))))
    .collect()
}

/// The market-allocation promotion division of a department, if it has one.
pub fn market_division(tx: &mut Tx<'_>, department: i64) -> AppResult<Option<i64>> {
    tx.query_opt(
        "SELECT id FROM divisions WHERE department_id = $1 AND kind = 'market_allocation' AND active = 1 ORDER BY id",
        params![department],
    )?
    .map(|r| r.int(0))
    .transpose()
    .map_err(Into::into)
}

/// Active posts with room, for a select, as (id, "department · division · post (staffed/quota)").
pub fn post_options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query(
        "SELECT p.id, d.name, v.name, p.title, p.quota, \
         (SELECT COUNT(*) FROM assignments a WHERE a.post_id = p.id AND a.end_date IS NULL) AS staffed \
         FROM posts p JOIN divisions v ON v.id = p.division_id JOIN departments d ON d.id = v.department_id \
         WHERE p.active = 1 AND v.active = 1 AND d.active = 1 ORDER BY d.code, v.name, p.id",
        &[],
    )?
    .iter()
    .filter(|r| r.int(5).unwrap_or(0) < r.int(4).unwrap_or(0))
    .map(|r| {
        Ok((r.int(0)?, format!("{} · {} · {}（{}/{}）", r.text(1)?, r.text(2)?, r.text(3)?, r.int(5)?, r.int(4)?)))
    })
    .collect()
}

fn validate(tx: &mut Tx<'_>, input: &DivisionInput) -> AppResult<(String, String)> {
    let name = validate::text(&input.name, "name", 60)?;
    let name_en = validate::opt_text(Some(&input.name_en), "name_en", 120)?.unwrap_or_default();
    if !super::DIVISION_KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let ok = tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![input.department_id])?;
    if ok == 0 {
        return Err(AppError::invalid("unknown_department", "department_id"));
    }
    Ok((name, name_en))
}

fn unique_name(e: DbError) -> AppError {
    match e {
        DbError::Unique(_) => AppError::Conflict { code: "name_taken", field: Some("name") },
        other => other.into(),
    }
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &DivisionInput) -> AppResult<Division> {
    let (name, name_en) = validate(tx, input)?;
    let vis = input.visibility.unwrap_or(Visibility::Public);
    let id = tx
        .insert(
            "INSERT INTO divisions (department_id, name, name_en, kind, visibility, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            params![input.department_id, name, name_en, input.kind.as_str(), vis.as_str(), who.now],
        )
        .map_err(unique_name)?;
    let v = find(tx, id)?;
    audit::record(tx, who, Change::created("division", id, &v))?;
    Ok(v)
}

/// Edit a division; a new `department_id` moves it, with its posts and people.
pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &DivisionInput) -> AppResult<Division> {
    let before = find(tx, id)?;
    let (name, name_en) = validate(tx, input)?;
    let vis = input.visibility.unwrap_or(before.visibility);
    tx.execute(
        "UPDATE divisions SET department_id = $1, name = $2, name_en = $3, kind = $4, visibility = $5, updated_at = $6 \
         WHERE id = $7",
        params![input.department_id, name, name_en, input.kind.as_str(), vis.as_str(), who.now, id],
    )
    .map_err(unique_name)?;
    let after = find(tx, id)?;
    let action = if after.department_id != before.department_id { "move" } else { "update" };
    audit::record(tx, who, Change::updated(action, "division", id, &before, &after))?;
    Ok(after)
}

pub fn set_active(tx: &mut Tx<'_>, who: &Who, id: i64, active: bool) -> AppResult<Division> {
    let before = find(tx, id)?;
    if before.active == active {
        return Err(AppError::conflict(if active { "already_active" } else { "already_inactive" }));
    }
    if !active {
        let posts = tx.count("SELECT COUNT(*) FROM posts WHERE division_id = $1 AND active = 1", params![id])?;
        if posts > 0 {
            return Err(AppError::conflict("has_active_children"));
        }
    }
    if active {
        let dept_ok =
            tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![before.department_id])?;
        if dept_ok == 0 {
            return Err(AppError::invalid("unknown_department", "department_id"));
        }
    }
    tx.execute("UPDATE divisions SET active = $1, updated_at = $2 WHERE id = $3", params![active, who.now, id])?;
    let after = find(tx, id)?;
    let action = if active { "reactivate" } else { "deactivate" };
    audit::record(tx, who, Change::updated(action, "division", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Post {
    pub id: i64,
    pub division_id: i64,
    pub title: String,
    /// Staffing quota (编制数).
    pub quota: i64,
    /// The head of the division holds this post.
    pub is_head: bool,
    pub active: bool,
    /// People currently in this post.
    pub staffed: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PostInput {
    pub division_id: i64,
    pub title: String,
    pub quota: i64,
    #[serde(default, deserialize_with = "crate::kernel::web::de::flag")]
    pub is_head: bool,
}

const POST_COLUMNS: &str = "p.id, p.division_id, p.title, p.quota, p.is_head, p.active, \
    (SELECT COUNT(*) FROM assignments a WHERE a.post_id = p.id AND a.end_date IS NULL)";

fn post_from(r: &Row) -> AppResult<Post> {
    Ok(Post {
        id: r.int(0)?,
        division_id: r.int(1)?,
        title: r.text(2)?,
        quota: r.int(3)?,
        is_head: r.bool(4)?,
        active: r.bool(5)?,
        staffed: r.int(6)?,
    })
}

pub fn find_post(tx: &mut Tx<'_>, id: i64) -> AppResult<Post> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| post_from(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn posts_of(tx: &mut Tx<'_>, division_id: i64) -> AppResult<Vec<Post>> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.division_id = $1 ORDER BY p.active DESC, p.is_head DESC, p.id"
    );
    tx.query(&sql, params![division_id])?.iter().map(post_from).collect()
}

fn validate_post(tx: &mut Tx<'_>, input: &PostInput) -> AppResult<String> {
    let title = validate::text(&input.title, "title", 60)?;
    if !(0..=1000).contains(&input.quota) {
        return Err(AppError::invalid("bad_value", "quota"));
    }
    let ok = tx.count("SELECT COUNT(*) FROM divisions WHERE id = $1 AND active = 1", params![input.division_id])?;
    if ok == 0 {
        return Err(AppError::invalid("unknown_division", "division_id"));
    }
    Ok(title)
}

pub fn create_post(tx: &mut Tx<'_>, who: &Who, input: &PostInput) -> AppResult<Post> {
    let title = validate_post(tx, input)?;
    let id = tx.insert(
        "INSERT INTO posts (division_id, title, quota, is_head, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        params![input.division_id, title, input.quota, input.is_head, who.now],
    )?;
    let p = find_post(tx, id)?;
    audit::record(tx, who, Change::created("post", id, &p))?;
    Ok(p)
}

pub fn update_post(tx: &mut Tx<'_>, who: &Who, id: i64, input: &PostInput) -> AppResult<Post> {
    let before = find_post(tx, id)?;
    let title = validate_post(tx, input)?;
    if input.quota < before.staffed {
        return Err(AppError::invalid("quota_below_staff", "quota"));
    }
    if input.division_id != before.division_id && before.staffed > 0 {
        return Err(AppError::conflict("has_active_children"));
    }
    tx.execute(
        "UPDATE posts SET division_id = $1, title = $2, quota = $3, is_head = $4, updated_at = $5 WHERE id = $6",
        params![input.division_id, title, input.quota, input.is_head, who.now, id],
    )?;
    let after = find_post(tx, id)?;
    audit::record(tx, who, Change::updated("update", "post", id, &before, &after))?;
    Ok(after)
}

pub fn set_post_active(tx: &mut Tx<'_>, who: &Who, id: i64, active: bool) -> AppResult<Post> {
    let before = find_post(tx, id)?;
    if before.active == active {
        return Err(AppError::conflict(if active { "already_active" } else { "already_inactive" }));
    }
    if !active && before.staffed > 0 {
        return Err(AppError::conflict("has_active_children"));
    }
    tx.execute("UPDATE posts SET active = $1, updated_at = $2 WHERE id = $3", params![active, who.now, id])?;
    let after = find_post(tx, id)?;
    let action = if active { "reactivate" } else { "deactivate" };
    audit::record(tx, who, Change::updated(action, "post", id, &before, &after))?;
    Ok(after)
}
