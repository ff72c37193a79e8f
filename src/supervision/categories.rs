//! Lead categories, which the public intake and Open311 offer as services: kept by the
//! supervision office (and administrators), never deleted — a category no longer offered
//! is made inactive, and the leads filed under it keep it.

use serde::{Deserialize, Serialize};

use crate::kernel::access::{Action, Role, Rule};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::params;

/// Add and change lead categories.
pub const MANAGE: Action = Action::new("manage_lead_categories", Rule::Roles(&[Role::Supervisor]));

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Category {
    /// The Open311 service code.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    /// Comma-separated, for Open311 clients.
    pub keywords: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CategoryInput {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub keywords: String,
    /// Offered to the public and Open311 clients.
    #[serde(default = "yes", deserialize_with = "crate::kernel::web::de::flag")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn from_row(r: &Row) -> AppResult<Category> {
    Ok(Category {
        code: r.text("code")?,
        name: r.text("name")?,
        name_en: r.text("name_en")?,
        description: r.text("description")?,
        keywords: r.text("keywords")?,
        active: r.int("active")? == 1,
    })
}

const COLUMNS: &str = "code, name, name_en, description, keywords, active";

/// Every category, active first.
pub fn all(tx: &mut Tx<'_>) -> AppResult<Vec<Category>> {
    let sql = format!("SELECT {COLUMNS} FROM lead_categories ORDER BY active DESC, code");
    tx.query(&sql, &[])?.iter().map(from_row).collect()
}

fn find(tx: &mut Tx<'_>, code: &str) -> AppResult<Option<Category>> {
    let sql = format!("SELECT {COLUMNS} FROM lead_categories WHERE code = $1");
    tx.query_opt(&sql, params![code])?.map(|r| from_row(&r)).transpose()
}

/// A service code: 2–20 capital letters, digits or underscores, starting with a letter.
fn checked_code(code: &str) -> AppResult<String> {
    let code = code.trim();
    let ok = (2..=20).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok { Ok(code.to_owned()) } else { Err(AppError::invalid("bad_category_code", "code")) }
}

/// The active category written as its code or its name (as a spreadsheet names it).
pub fn named(tx: &mut Tx<'_>, written: &str) -> AppResult<Option<String>> {
    Ok(tx
        .query_opt(
            "SELECT code FROM lead_categories WHERE active = 1 AND (code = $1 OR name = $1) ORDER BY code LIMIT 1",
            params![written.trim()],
        )?
        .map(|r| r.text(0))
        .transpose()?)
}

/// When the service list last changed: the latest change to a category, or when the
/// categories were first installed (Open311 discovery's `changeset`).
pub fn changed_at(tx: &mut Tx<'_>) -> AppResult<i64> {
    let r = tx.query_one(
        "SELECT (SELECT MAX(at) FROM audit_log WHERE record_kind = 'lead_category'), \
         (SELECT applied_at FROM schema_migrations WHERE version = 7)",
        &[],
    )?;
    Ok(r.opt_int(0)?.or(r.opt_int(1)?).unwrap_or(0))
}

/// Add the category `code` or change it.
pub fn save(tx: &mut Tx<'_>, who: &Who, code: &str, input: &CategoryInput) -> AppResult<Category> {
    let code = checked_code(code)?;
    let name = validate::text(&input.name, "name", 40)?;
    let name_en = validate::opt_text(Some(&input.name_en), "name_en", 80)?.unwrap_or_else(|| name.clone());
    let description = validate::text(&input.description, "description", 200)?;
    let keywords = validate::opt_text(Some(&input.keywords), "keywords", 200)?.unwrap_or_default();
    let before = find(tx, &code)?;
    tx.execute(
        "INSERT INTO lead_categories (code, name, name_en, description, keywords, active) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (code) DO UPDATE SET name = $2, name_en = $3, description = $4, keywords = $5, active = $6",
        params![code.as_str(), name, name_en, description, keywords, i64::from(input.active)],
    )?;
    let after = find(tx, &code)?.ok_or(AppError::NotFound)?;
    audit::record(
        tx,
        who,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            kind: "lead_category",
            id: None,
            before: before.map(|b| serde_json::json!(b)),
            after: Some(serde_json::json!(after)),
        },
    )?;
    Ok(after)
}
