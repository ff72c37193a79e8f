//! People, their posts over time (任职), and city leaders' portfolios (分管).

use serde::{Deserialize, Serialize};

use crate::kernel::access::{self, CurrentUser, Visibility};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
    /// Set for city leaders, e.g. 市长, 副市长.
    pub leader_title: Option<String>,
    pub user_id: Option<i64>,
    pub visibility: Visibility,
    pub active: bool,
    /// Current posts, as "department · division · post".
    pub current_posts: Vec<String>,
    /// Department of the first current post, which owns the record.
    pub department_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    pub name: String,
    #[serde(default)]
    pub leader_title: Option<String>,
    /// Link to a user account.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleFilter {
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
    /// `leaders` for city leaders only.
    pub only: Option<String>,
    /// `active`, `inactive` or empty.
    pub status: Option<String>,
}

const COLUMNS: &str = "pe.id, pe.name, pe.leader_title, pe.user_id, pe.visibility, pe.active, \
    (SELECT MIN(v.department_id) FROM assignments a JOIN posts p ON p.id = a.post_id JOIN divisions v ON v.id = p.division_id WHERE a.person_id = pe.id AND a.end_date IS NULL) AS department_id";

/// Current posts of some people, in one query: (person, "department · division · post").
fn current_posts(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let sql = format!(
        "SELECT a.person_id, d.name, v.name, p.title FROM assignments a JOIN posts p ON p.id = a.post_id \
         JOIN divisions v ON v.id = p.division_id JOIN departments d ON d.id = v.department_id \
         WHERE a.person_id IN ({}) AND a.end_date IS NULL ORDER BY a.id",
        list
    );
    tx.query(&sql, &[])?
        .iter()
        .map(|r| Ok((r.int(0)?, format!("{} · {} · {}", r.text(1)?, r.text(2)?, r.text(3)?))))
        .collect()
}

fn from_row(r: &Row, posts: &[(i64, String)]) -> AppResult<Person> {
    let id = r.int("id")?;
    let current_posts = posts.iter().filter(|(p, _)| *p == id).map(|(_, s)| s.clone()).collect();
    Ok(Person {
        id,
        name: r.text("name")?,
        leader_title: r.opt_text("leader_title")?,
        user_id: r.opt_int("user_id")?,
        visibility: Visibility::parse(&r.text("visibility")?).unwrap_or(Visibility::Confidential),
        active: r.bool("active")?,
        current_posts,
        department_id: r.opt_int("department_id")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Person> {
    let sql = format!("SELECT {COLUMNS} FROM people pe WHERE pe.id = $1");
    let r = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let posts = current_posts(tx, &[id])?;
    from_row(&r, &posts)
}

pub fn get(tx: &mut Tx<'_>, viewer: Option<&CurrentUser>, id: i64) -> AppResult<Person> {
    let p = find(tx, id)?;
    access::require_visible_org(viewer, p.visibility, p.department_id)?;
    Ok(p)
}

pub fn list(
    tx: &mut Tx<'_>,
    viewer: Option<&CurrentUser>,
    f: &PeopleFilter,
    p: &ListParams,
) -> AppResult<Page<Person>> {
    let mut w = Where::default();
    let dept_expr = "(SELECT MIN(v.department_id) FROM assignments a JOIN posts p ON p.id = a.post_id \
        JOIN divisions v ON v.id = p.division_id WHERE a.person_id = pe.id AND a.end_date IS NULL)";
    access::restrict_visible_org(viewer, &mut w, "pe.visibility", dept_expr);
    if let Some(d) = f.department_id {
        w.and(
            "EXISTS (SELECT 1 FROM assignments a JOIN posts p ON p.id = a.post_id JOIN divisions v ON v.id = p.division_id \
             WHERE a.person_id = pe.id AND a.end_date IS NULL AND v.department_id = ?)",
            d,
        );
    }
    if f.only.as_deref() == Some("leaders") {
        w.and_sql("pe.leader_title IS NOT NULL");
    }
    match f.status.as_deref() {
        Some("active") => {
            w.and_sql("pe.active = 1");
        }
        Some("inactive") => {
            w.and_sql("pe.active = 0");
        }
        _ => {}
    }
    if let Some(like) = p.like() {
        w.contains(&["pe.name"], like);
    }
    let total = count_capped(tx, &format!("FROM people pe{}", w.sql), &w.args)?;
    let order = p.order_by("pe.id", &[("name", "pe.name"), ("id", "pe.id")]);
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM people pe{}{order} LIMIT {l} OFFSET {o}", w.sql);
    let rows = tx.query(&sql, &w.args)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int(0).ok()).collect();
    let posts = current_posts(tx, &ids)?;
    let items = rows.iter().map(|r| from_row(r, &posts)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

fn validate(tx: &mut Tx<'_>, input: &PersonInput) -> AppResult<(String, Option<String>)> {
    let name = validate::text(&input.name, "name", 40)?;
    let title = validate::opt_text(input.leader_title.as_deref(), "leader_title", 40)?;
    if let Some(u) = input.user_id
        && tx.count("SELECT COUNT(*) FROM users WHERE id = $1", params![u])? == 0
    {
        return Err(AppError::invalid("unknown_user", "user_id"));
    }
    Ok((name, title))
}

fn unique_user(e: crate::kernel::db::DbError) -> AppError {
    match e {
        crate::kernel::db::DbError::Unique(_) => AppError::Conflict { code: "duplicate", field: Some("user_id") },
        other => other.into(),
    }
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &PersonInput) -> AppResult<Person> {
    let (name, title) = validate(tx, input)?;
    let vis = input.visibility.unwrap_or(Visibility::Internal);
    let id = tx
        .insert(
            "INSERT INTO people (name, leader_title, user_id, visibility, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            params![name, title, input.user_id, vis.as_str(), who.now],
        )
        .map_err(unique_user)?;
    let p = find(tx, id)?;
    audit::record(tx, who, Change::created("person", id, &p))?;
    Ok(p)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &PersonInput) -> AppResult<Person> {
    let before = find(tx, id)?;
    let (name, title) = validate(tx, input)?;
    let vis = input.visibility.unwrap_or(before.visibility);
    tx.execute(
        "UPDATE people SET name = $1, leader_title = $2, user_id = $3, visibility = $4, updated_at = $5 WHERE id = $6",
        params![name, title, input.user_id, vis.as_str(), who.now, id],
    )
    .map_err(unique_user)?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "person", id, &before, &after))?;
    Ok(after)
}

/// Deactivate a person (only with no current post or portfolio left) or reactivate.
pub fn set_active(tx: &mut Tx<'_>, who: &Who, id: i64, active: bool) -> AppResult<Person> {
    tx.lock_row("people", id)?;
    let before = find(tx, id)?;
    if before.active == active {
        return Err(AppError::conflict(if active { "already_active" } else { "already_inactive" }));
    }
    let open = tx.count(
        "SELECT (SELECT COUNT(*) FROM assignments WHERE person_id = $1 AND end_date IS NULL) + \
         (SELECT COUNT(*) FROM portfolios WHERE person_id = $1 AND end_date IS NULL)",
        params![id],
    )?;
    if !active && open > 0 {
        return Err(AppError::conflict("has_active_children"));
    }
    tx.execute("UPDATE people SET active = $1, updated_at = $2 WHERE id = $3", params![active, who.now, id])?;
    let after = find(tx, id)?;
    let action = if active { "reactivate" } else { "deactivate" };
    audit::record(tx, who, Change::updated(action, "person", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub post_id: i64,
    pub post_title: String,
    pub division_id: i64,
    pub division_name: String,
    pub department_name: String,
    pub start_date: String,
    pub end_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssignInput {
    pub post_id: i64,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub start_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EndInput {
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub end_date: Option<String>,
}

const ASSIGNMENT_COLUMNS: &str =
    "a.id, a.person_id, pe.name, a.post_id, p.title, v.id, v.name, d.name, a.start_date, a.end_date";
const ASSIGNMENT_FROM: &str = "assignments a JOIN people pe ON pe.id = a.person_id JOIN posts p ON p.id = a.post_id \
    JOIN divisions v ON v.id = p.division_id JOIN departments d ON d.id = v.department_id";

fn assignment_from(r: &Row) -> AppResult<Assignment> {
    Ok(Assignment {
        id: r.int(0)?,
        person_id: r.int(1)?,
        person_name: r.text(2)?,
        post_id: r.int(3)?,
        post_title: r.text(4)?,
        division_id: r.int(5)?,
        division_name: r.text(6)?,
        department_name: r.text(7)?,
        start_date: r.text(8)?,
        end_date: r.opt_text(9)?,
    })
}

fn find_assignment(tx: &mut Tx<'_>, id: i64) -> AppResult<Assignment> {
    let sql = format!("SELECT {ASSIGNMENT_COLUMNS} FROM {ASSIGNMENT_FROM} WHERE a.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| assignment_from(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// Every post a person has held, newest first.
pub fn assignments_of(tx: &mut Tx<'_>, person_id: i64) -> AppResult<Vec<Assignment>> {
    let sql = format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM {ASSIGNMENT_FROM} WHERE a.person_id = $1 ORDER BY a.end_date IS NULL DESC, a.start_date DESC, a.id DESC"
    );
    tx.query(&sql, params![person_id])?.iter().map(assignment_from).collect()
}

/// People currently in the posts of a division.
pub fn staff_of_division(tx: &mut Tx<'_>, division_id: i64) -> AppResult<Vec<Assignment>> {
    let sql = format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM {ASSIGNMENT_FROM} WHERE v.id = $1 AND a.end_date IS NULL ORDER BY p.is_head DESC, pe.name"
    );
    tx.query(&sql, params![division_id])?.iter().map(assignment_from).collect()
}

fn date_or_today(s: Option<&str>, field: &'static str, now: i64) -> AppResult<String> {
    Ok(validate::opt_date(s, field)?.unwrap_or_else(|| clock::local_date(now)).to_string())
}

/// Put a person in a post, within the post's quota.
pub fn assign(tx: &mut Tx<'_>, who: &Who, person_id: i64, input: &AssignInput) -> AppResult<Assignment> {
    tx.lock_row("people", person_id)?;
    tx.lock_row("posts", input.post_id)?;
    let person = find(tx, person_id)?;
    if !person.active {
        return Err(AppError::invalid("unknown_person", "person_id"));
    }
    let post =
        super::divisions::find_post(tx, input.post_id).map_err(|_| AppError::invalid("unknown_post", "post_id"))?;
    if !post.active {
        return Err(AppError::invalid("unknown_post", "post_id"));
    }
    let start = date_or_today(input.start_date.as_deref(), "start_date", who.now)?;
    let already = tx.count(
        "SELECT COUNT(*) FROM assignments WHERE person_id = $1 AND post_id = $2 AND end_date IS NULL",
        params![person_id, post.id],
    )?;
    if already > 0 {
        return Err(AppError::Conflict { code: "already_in_post", field: Some("post_id") });
    }
    if post.staffed >= post.quota {
        return Err(AppError::Conflict { code: "quota_full", field: Some("post_id") });
    }
    let id = tx.insert(
        "INSERT INTO assignments (person_id, post_id, start_date, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        params![person_id, post.id, start, who.now],
    )?;
    let a = find_assignment(tx, id)?;
    audit::record(tx, who, Change::created("assignment", id, &a))?;
    Ok(a)
}

pub fn end_assignment(tx: &mut Tx<'_>, who: &Who, id: i64, input: &EndInput) -> AppResult<Assignment> {
    let before = find_assignment(tx, id)?;
    if before.end_date.is_some() {
        return Err(AppError::conflict("already_ended"));
    }
    let end = date_or_today(input.end_date.as_deref(), "end_date", who.now)?;
    if end < before.start_date {
        return Err(AppError::invalid("end_before_start", "end_date"));
    }
    tx.execute("UPDATE assignments SET end_date = $1 WHERE id = $2", params![end, id])?;
    let after = find_assignment(tx, id)?;
    audit::record(tx, who, Change::updated("end", "assignment", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Portfolio {
    pub id: i64,
    pub person_id: i64,
    pub leader_name: String,
    pub leader_title: String,
    pub department_id: i64,
    pub department_name: String,
    pub start_date: String,
    pub end_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PortfolioInput {
    pub department_id: i64,
    #[serde(default)]
    pub start_date: Option<String>,
}

const PORTFOLIO_COLUMNS: &str =
    "f.id, f.person_id, pe.name, COALESCE(pe.leader_title, ''), f.department_id, d.name, f.start_date, f.end_date";
const PORTFOLIO_FROM: &str =
    "portfolios f JOIN people pe ON pe.id = f.person_id JOIN departments d ON d.id = f.department_id";

fn portfolio_from(r: &Row) -> AppResult<Portfolio> {
    Ok(Portfolio {
        id: r.int(0)?,
        person_id: r.int(1)?,
        leader_name: r.text(2)?,
        leader_title: r.text(3)?,
        department_id: r.int(4)?,
        department_name: r.text(5)?,
        start_date: r.text(6)?,
        end_date: r.opt_text(7)?,
    })
}

fn find_portfolio(tx: &mut Tx<'_>, id: i64) -> AppResult<Portfolio> {
    let sql = format!("SELECT {PORTFOLIO_COLUMNS} FROM {PORTFOLIO_FROM} WHERE f.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| portfolio_from(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// Current portfolios of every city leader, by leader.
pub fn current_portfolios(tx: &mut Tx<'_>) -> AppResult<Vec<Portfolio>> {
    let sql =
        format!("SELECT {PORTFOLIO_COLUMNS} FROM {PORTFOLIO_FROM} WHERE f.end_date IS NULL ORDER BY pe.id, d.code");
    tx.query(&sql, &[])?.iter().map(portfolio_from).collect()
}

pub fn portfolios_of(tx: &mut Tx<'_>, person_id: i64) -> AppResult<Vec<Portfolio>> {
    let sql = format!(
        "SELECT {PORTFOLIO_COLUMNS} FROM {PORTFOLIO_FROM} WHERE f.person_id = $1 ORDER BY f.end_date IS NULL DESC, f.start_date DESC"
    );
    tx.query(&sql, params![person_id])?.iter().map(portfolio_from).collect()
}

pub fn add_portfolio(tx: &mut Tx<'_>, who: &Who, person_id: i64, input: &PortfolioInput) -> AppResult<Portfolio> {
    tx.lock_row("people", person_id)?;
    let person = find(tx, person_id)?;
    if person.leader_title.is_none() || !person.active {
        return Err(AppError::invalid("not_a_leader", "person_id"));
    }
    if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![input.department_id])? == 0 {
        return Err(AppError::invalid("unknown_department", "department_id"));
    }
    let dup = tx.count(
        "SELECT COUNT(*) FROM portfolios WHERE person_id = $1 AND department_id = $2 AND end_date IS NULL",
        params![person_id, input.department_id],
    )?;
    if dup > 0 {
        return Err(AppError::Conflict { code: "duplicate", field: Some("department_id") });
    }
    let start = date_or_today(input.start_date.as_deref(), "start_date", who.now)?;
    let id = tx.insert(
        "INSERT INTO portfolios (person_id, department_id, start_date, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        params![person_id, input.department_id, start, who.now],
    )?;
    let f = find_portfolio(tx, id)?;
    audit::record(tx, who, Change::created("portfolio", id, &f))?;
    Ok(f)
}

pub fn end_portfolio(tx: &mut Tx<'_>, who: &Who, id: i64, input: &EndInput) -> AppResult<Portfolio> {
    let before = find_portfolio(tx, id)?;
    if before.end_date.is_some() {
        return Err(AppError::conflict("already_ended"));
    }
    let end = date_or_today(input.end_date.as_deref(), "end_date", who.now)?;
    if end < before.start_date {
        return Err(AppError::invalid("end_before_start", "end_date"));
    }
    tx.execute("UPDATE portfolios SET end_date = $1 WHERE id = $2", params![end, id])?;
    let after = find_portfolio(tx, id)?;
    audit::record(tx, who, Change::updated("end", "portfolio", id, &before, &after))?;
    Ok(after)
}

/// The active heads of department `department`.
pub fn department_heads(tx: &mut Tx<'_>, department: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE role = 'dept_head' AND department_id = $1 AND active = 1",
        params![department],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The accounts of the leaders in charge (分管) of `department` now.
pub fn leaders_over(tx: &mut Tx<'_>, department: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT pe.user_id FROM portfolios f JOIN people pe ON pe.id = f.person_id \
         WHERE f.department_id = $1 AND f.end_date IS NULL AND pe.active = 1 AND pe.user_id IS NOT NULL ORDER BY pe.id",
        params![department],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The departments the leader with account `user` is in charge of (分管) now.
pub fn portfolio_departments(tx: &mut Tx<'_>, user: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT f.department_id FROM portfolios f JOIN people pe ON pe.id = f.person_id \
         WHERE pe.user_id = $1 AND f.end_date IS NULL ORDER BY f.department_id",
        params![user],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The account of the principal leader: the first of the city leaders in rank order (the
/// order of `/org/leaders`, the order they were entered), who holds a portfolio now.
pub fn principal_leader(tx: &mut Tx<'_>) -> AppResult<Option<i64>> {
    Ok(tx
        .query_opt(
            "SELECT pe.user_id FROM people pe WHERE pe.active = 1 AND pe.user_id IS NOT NULL \
             AND EXISTS (SELECT 1 FROM portfolios f WHERE f.person_id = pe.id AND f.end_date IS NULL) ORDER BY pe.id LIMIT 1",
            &[],
        )?
        .map(|r| r.int(0))
        .transpose()?)
}
