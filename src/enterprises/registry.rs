//! The enterprise registry: one record per enterprise, keyed by its unified social credit
//! code (checked per GB 32100-2015) where known. Records without a code that look like
//! another (the same name once 有限公司, 股份, brackets and spaces are set aside, or the
//! same phone) are proposed for merging; a merge keeps one record, points the other at
//! it, moves a credit code the kept one lacks, and can be undone. Every change is audited.

use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Value, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// Enterprise sizes as the statistics bureau classes them.
pub const SIZES: [&str; 4] = ["large", "medium", "small", "micro"];
/// Where a record came from.
pub const SOURCES: [&str; 5] = ["manual", "event", "visit", "referral", "import"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: i64,
    /// The unified social credit code, when known.
    pub uscc: Option<String>,
    pub name: String,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub industry: String,
    /// `large`, `medium`, `small`, `micro`, or empty.
    pub size: String,
    pub district: String,
    pub registered_on: Option<String>,
    pub address: String,
    pub source: String,
    /// The record this one was merged into.
    pub merged_into: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseInput {
    #[serde(default)]
    pub uscc: String,
    pub name: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub registered_on: String,
    #[serde(default)]
    pub address: String,
    /// `manual` (default), `event`, `visit`, `referral` or `import`.
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilter {
    pub district: Option<String>,
    pub industry: Option<String>,
    /// `merged` to list the records merged into others; otherwise the live ones.
    pub status: Option<String>,
}

const COLUMNS: &str = "e.id, e.uscc, e.name, e.legal_representative, e.contact_name, e.contact_phone, e.industry, \
    e.size, e.district, e.registered_on, e.address, e.source, e.merged_into, e.created_at, e.updated_at";

fn from_row(r: &Row) -> AppResult<Enterprise> {
    Ok(Enterprise {
        id: r.int("id")?,
        uscc: r.opt_text("uscc")?,
        name: r.text("name")?,
        legal_representative: r.text("legal_representative")?,
        contact_name: r.text("contact_name")?,
        contact_phone: r.text("contact_phone")?,
        industry: r.text("industry")?,
        size: r.text("size")?,
        district: r.text("district")?,
        registered_on: r.opt_text("registered_on")?,
        address: r.text("address")?,
        source: r.text("source")?,
        merged_into: r.opt_int("merged_into")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

/// A name as duplicates are compared: without spaces, brackets, 有限责任公司 / 股份有限公司 /
/// 有限公司 / 股份, ASCII letters in lower case.
pub fn name_key(name: &str) -> String {
    let mut key: String =
        name.chars().filter(|c| !c.is_whitespace() && !"()（）[]【】".contains(*c)).collect::<String>().to_lowercase();
    for suffix in ["有限责任公司", "股份有限公司", "有限公司", "股份"] {
        key = key.replace(suffix, "");
    }
    key
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Enterprise> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM enterprises e WHERE e.id = $1"), params![id])?
        .map(|r| from_row(&r))
        .transpose()?
        .ok_or(AppError::NotFound)
}

/// The record `id` stands for now: itself, or the one it was merged into.
pub fn resolve(tx: &mut Tx<'_>, id: i64) -> AppResult<Enterprise> {
    let mut e = find(tx, id)?;
    for _ in 0..10 {
        match e.merged_into {
            Some(into) => e = find(tx, into)?,
            None => break,
        }
    }
    Ok(e)
}

/// The live record with credit code `uscc`, if any.
pub fn by_uscc(tx: &mut Tx<'_>, uscc: &str) -> AppResult<Option<Enterprise>> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM enterprises e WHERE e.uscc = $1"), params![uscc])?
        .map(|r| from_row(&r))
        .transpose()
}

struct Checked {
    uscc: Option<String>,
    name: String,
    legal_representative: String,
    contact_name: String,
    contact_phone: String,
    industry: String,
    size: String,
    district: String,
    registered_on: Option<String>,
    address: String,
    source: String,
}

fn check(input: &EnterpriseInput) -> AppResult<Checked> {
    let opt = |v: &str, field: &'static str, max: usize| -> AppResult<String> {
        Ok(validate::opt_text(Some(v), field, max)?.unwrap_or_default())
    };
    let size = input.size.trim().to_owned();
    if !size.is_empty() && !SIZES.contains(&size.as_str()) {
        return Err(AppError::invalid("bad_value", "size"));
    }
    let source = if input.source.trim().is_empty() { "manual".to_owned() } else { input.source.trim().to_owned() };
    if !SOURCES.contains(&source.as_str()) {
        return Err(AppError::invalid("bad_value", "source"));
    }
    let phone = opt(&input.contact_phone, "contact_phone", 30)?;
    if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
        return Err(AppError::invalid("bad_contact_phone", "contact_phone"));
    }
    let registered_on = match input.registered_on.trim() {
        "" => None,
        d => Some(validate::date(d, "registered_on")?.to_string()),
    };
    Ok(Checked {
        uscc: match input.uscc.trim() {
            "" => None,
            code => Some(validate::uscc(code, "uscc")?),
        },
        name: validate::text(&input.name, "name", 100)?,
        legal_representative: opt(&input.legal_representative, "legal_representative", 40)?,
        contact_name: opt(&input.contact_name, "contact_name", 40)?,
        contact_phone: phone,
        industry: opt(&input.industry, "industry", 40)?,
        size,
        district: opt(&input.district, "district", 40)?,
        registered_on,
        address: opt(&input.address, "address", 200)?,
        source,
    })
}

/// The checked fields in the order both statements take them ($1–$11).
fn values(c: &Checked) -> Vec<Value> {
    vec![
        c.uscc.clone().into(),
        c.name.as_str().into(),
        name_key(&c.name).into(),
        c.legal_representative.as_str().into(),
        c.contact_name.as_str().into(),
        c.contact_phone.as_str().into(),
        c.industry.as_str().into(),
        c.size.as_str().into(),
        c.district.as_str().into(),
        c.registered_on.clone().into(),
        c.address.as_str().into(),
    ]
}

fn code_taken(tx: &mut Tx<'_>, uscc: Option<&str>, other_than: i64) -> AppResult<()> {
    if let Some(code) = uscc
        && let Some(e) = by_uscc(tx, code)?
        && e.id != other_than
    {
        return Err(AppError::Conflict { code: "uscc_taken", field: Some("uscc") });
    }
    Ok(())
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &EnterpriseInput) -> AppResult<Enterprise> {
    let c = check(input)?;
    code_taken(tx, c.uscc.as_deref(), 0)?;
    let mut values = values(&c);
    values.extend([Value::from(c.source.as_str()), Value::from(who.now)]);
    let id = tx.insert(
        "INSERT INTO enterprises (uscc, name, name_key, legal_representative, contact_name, contact_phone, industry, size, \
         district, registered_on, address, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        &values,
    )?;
    let e = find(tx, id)?;
    audit::record(tx, who, Change::created("enterprise", id, &e))?;
    Ok(e)
}

/// Gather a contact into the registry: a record with the same credit code takes the
/// details it lacks (nothing it has is overwritten); otherwise a new record is made.
pub fn gather(tx: &mut Tx<'_>, who: &Who, input: &EnterpriseInput) -> AppResult<Enterprise> {
    let c = check(input)?;
    let Some(existing) = c.uscc.as_deref().map(|code| by_uscc(tx, code)).transpose()?.flatten() else {
        return create(tx, who, input);
    };
    let pick = |have: &str, new: &str| if have.is_empty() { new.to_owned() } else { have.to_owned() };
    let filled = EnterpriseInput {
        uscc: existing.uscc.clone().unwrap_or_default(),
        name: existing.name.clone(),
        legal_representative: pick(&existing.legal_representative, &c.legal_representative),
        contact_name: pick(&existing.contact_name, &c.contact_name),
        contact_phone: pick(&existing.contact_phone, &c.contact_phone),
        industry: pick(&existing.industry, &c.industry),
        size: pick(&existing.size, &c.size),
        district: pick(&existing.district, &c.district),
        registered_on: existing.registered_on.clone().or(c.registered_on).unwrap_or_default(),
        address: pick(&existing.address, &c.address),
        source: existing.source.clone(),
    };
    update(tx, who, existing.id, &filled)
}

/// An enterprise a record names: one of the registry by id (or the record it was merged
/// into), or one gathered into it by name, credit code and contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Named {
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub enterprise_name: String,
    #[serde(default)]
    pub enterprise_uscc: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

/// The enterprise `named` stands for; errors name the `enterprise_*` fields. `source`
/// says where a gathered contact came from.
pub fn named_one(tx: &mut Tx<'_>, who: &Who, named: &Named, source: &str) -> AppResult<Enterprise> {
    if let Some(id) = named.enterprise_id {
        return resolve(tx, id).map_err(|_| AppError::invalid("unknown_reference", "enterprise_id"));
    }
    if named.enterprise_name.trim().is_empty() {
        return Err(AppError::invalid("required", "enterprise_id"));
    }
    let gathered = EnterpriseInput {
        uscc: named.enterprise_uscc.clone(),
        name: named.enterprise_name.clone(),
        contact_name: named.contact_name.clone(),
        contact_phone: named.contact_phone.clone(),
        source: source.to_owned(),
        ..EnterpriseInput::default()
    };
    gather(tx, who, &gathered).map_err(|e| match e {
        AppError::Invalid { code, field: Some(field), detail } => {
            let field = match field {
                "uscc" => "enterprise_uscc",
                "name" => "enterprise_name",
                other => other,
            };
            AppError::Invalid { code, field: Some(field), detail }
        }
        other => other,
    })
}

pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &EnterpriseInput) -> AppResult<Enterprise> {
    let before = find(tx, id)?;
    if before.merged_into.is_some() {
        return Err(AppError::conflict("enterprise_merged"));
    }
    let c = check(input)?;
    code_taken(tx, c.uscc.as_deref(), id)?;
    let mut values = values(&c);
    values.extend([Value::from(who.now), Value::from(id)]);
    tx.execute(
        "UPDATE enterprises SET uscc = $1, name = $2, name_key = $3, legal_representative = $4, contact_name = $5, \
         contact_phone = $6, industry = $7, size = $8, district = $9, registered_on = $10, address = $11, updated_at = $12 \
         WHERE id = $13",
        &values,
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "enterprise", id, &before, &after))?;
    Ok(after)
}

/// The details an enterprise corrects itself; its name and credit code are corrected by
/// the government staff who keep the registry.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OwnCorrection {
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    /// An account that speaks for an organisation: an enterprise's, an evaluator's, a
    /// law firm's or an association's.
    pub user_id: i64,
}

/// The record an enterprise's account speaks for.
pub fn of_account(tx: &mut Tx<'_>, user: i64) -> AppResult<Enterprise> {
    let id = tx
        .query_opt("SELECT enterprise_id FROM users WHERE id = $1", params![user])?
        .and_then(|r| r.opt_int("enterprise_id").transpose())
        .transpose()?
        .ok_or(AppError::NotFound)?;
    resolve(tx, id)
}

/// Link an enterprise account to record `id`, so that it sees and corrects it.
pub fn link_account(tx: &mut Tx<'_>, who: &Who, id: i64, input: &AccountInput) -> AppResult<Enterprise> {
    let e = find(tx, id)?;
    if e.merged_into.is_some() {
        return Err(AppError::conflict("enterprise_merged"));
    }
    let linked = tx.execute(
        "UPDATE users SET enterprise_id = $1 WHERE id = $2 AND active = 1 \
         AND role IN ('enterprise', 'evaluator', 'law_firm', 'association')",
        params![id, input.user_id],
    )?;
    if linked != 1 {
        return Err(AppError::invalid("not_an_enterprise_account", "user_id"));
    }
    audit::record(
        tx,
        who,
        Change {
            action: "link_account",
            kind: "enterprise",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "user_id": input.user_id })),
        },
    )?;
    Ok(e)
}

/// The active enterprise accounts that speak for record `id`.
pub fn enterprise_account_ids(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE enterprise_id = $1 AND role = 'enterprise' AND active = 1 ORDER BY id",
        params![id],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The accounts that speak for record `id`, by name.
pub fn accounts_of(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<String>> {
    tx.query("SELECT display_name FROM users WHERE enterprise_id = $1 ORDER BY id", params![id])?
        .iter()
        .map(|r| Ok(r.text("display_name")?))
        .collect()
}

/// The active enterprise account with `username`, for the linking form.
pub fn enterprise_account(tx: &mut Tx<'_>, username: &str) -> AppResult<i64> {
    tx.query_opt(
        "SELECT id FROM users WHERE username = $1 AND active = 1 \
         AND role IN ('enterprise', 'evaluator', 'law_firm', 'association')",
        params![username.trim()],
    )?
    .map(|r| r.int("id"))
    .transpose()?
    .ok_or_else(|| AppError::invalid("not_an_enterprise_account", "username"))
}

/// An enterprise corrects its own details (not its name or code).
pub fn correct_own(tx: &mut Tx<'_>, who: &Who, user: i64, input: &OwnCorrection) -> AppResult<Enterprise> {
    let e = of_account(tx, user)?;
    let whole = EnterpriseInput {
        uscc: e.uscc.clone().unwrap_or_default(),
        name: e.name.clone(),
        legal_representative: input.legal_representative.clone(),
        contact_name: input.contact_name.clone(),
        contact_phone: input.contact_phone.clone(),
        industry: input.industry.clone(),
        size: input.size.clone(),
        district: input.district.clone(),
        registered_on: e.registered_on.clone().unwrap_or_default(),
        address: input.address.clone(),
        source: e.source.clone(),
    };
    update(tx, who, e.id, &whole)
}

/// Up to 20 live records whose name holds `typed` or whose credit code starts with it:
/// for type-ahead pickers.
pub fn suggest(tx: &mut Tx<'_>, typed: &str) -> AppResult<Vec<crate::kernel::names::Suggestion>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Where::default();
    w.and_sql("e.merged_into IS NULL");
    let plain = typed.replace(['\\', '%', '_'], "");
    let (name, code) = (w.push(format!("%{plain}%")), w.push(format!("{}%", plain.to_ascii_uppercase())));
    w.and_sql(&format!("(e.name LIKE {name} OR e.uscc LIKE {code})"));
    let sql = format!("SELECT e.id, e.name, e.uscc, e.district FROM enterprises e{} ORDER BY e.name LIMIT 20", w.sql);
    tx.query(&sql, &w.args)?
        .iter()
        .map(|r| {
            let detail = [r.opt_text(2)?.unwrap_or_default(), r.text(3)?].into_iter().filter(|s| !s.is_empty());
            Ok(crate::kernel::names::Suggestion {
                id: r.int(0)?,
                name: r.text(1)?,
                detail: detail.collect::<Vec<_>>().join(" · "),
            })
        })
        .collect()
}

pub fn list(tx: &mut Tx<'_>, f: &EnterpriseFilter, p: &ListParams) -> AppResult<Page<Enterprise>> {
    let mut w = Where::default();
    if f.status.as_deref() == Some("merged") {
        w.and_sql("e.merged_into IS NOT NULL");
    } else {
        w.and_sql("e.merged_into IS NULL");
    }
    if let Some(d) = f.district.as_deref().filter(|d| !d.is_empty()) {
        w.and("e.district = ?", d);
    }
    if let Some(i) = f.industry.as_deref().filter(|i| !i.is_empty()) {
        w.and("e.industry = ?", i);
    }
    if let Some(like) = p.like() {
        w.contains(&["e.name", "e.uscc", "e.contact_name"], like);
    }
    let total = count_capped(tx, &format!("FROM enterprises e{}", w.sql), &w.args)?;
    let order = p.order_by(
        "e.id",
        &[("name", "e.name"), ("district", "e.district"), ("industry", "e.industry"), ("updated", "e.updated_at")],
    );
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM enterprises e{}{order} LIMIT {l} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Two live records that look like one enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LikelyDuplicate {
    pub a: Enterprise,
    pub b: Enterprise,
    /// `name` or `phone`.
    pub reason: String,
}

/// Live records that look like the same enterprise, and whose codes do not tell them
/// apart (at most one has a credit code), the first 200 pairs.
pub fn duplicates(tx: &mut Tx<'_>) -> AppResult<Vec<LikelyDuplicate>> {
    let rows = tx.query(
        "SELECT a.id AS a, b.id AS b, CASE WHEN a.name_key = b.name_key THEN 'name' ELSE 'phone' END AS reason \
         FROM enterprises a JOIN enterprises b ON a.id < b.id \
         AND (a.name_key = b.name_key OR (a.contact_phone <> '' AND a.contact_phone = b.contact_phone)) \
         WHERE a.merged_into IS NULL AND b.merged_into IS NULL AND (a.uscc IS NULL OR b.uscc IS NULL) \
         ORDER BY a.id, b.id LIMIT 200",
        &[],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(LikelyDuplicate { a: find(tx, r.int("a")?)?, b: find(tx, r.int("b")?)?, reason: r.text("reason")? });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Merge {
    pub id: i64,
    pub kept_id: i64,
    pub merged_id: i64,
    pub merged_name: String,
    pub moved_uscc: Option<String>,
    pub merged_by: String,
    pub merged_at: i64,
    pub undone_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MergeInput {
    /// The record merged into the one named in the path.
    pub merged_id: i64,
}

/// The merges into record `id`, newest first.
pub fn merges_into(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Merge>> {
    tx.query(
        "SELECT m.id, m.kept_id, m.merged_id, e.name AS merged_name, m.moved_uscc, m.merged_by, m.merged_at, m.undone_at \
         FROM enterprise_merges m JOIN enterprises e ON e.id = m.merged_id WHERE m.kept_id = $1 ORDER BY m.id DESC",
        params![id],
    )?
    .iter()
    .map(merge_from_row)
    .collect()
}

fn merge_from_row(r: &Row) -> AppResult<Merge> {
    Ok(Merge {
        id: r.int("id")?,
        kept_id: r.int("kept_id")?,
        merged_id: r.int("merged_id")?,
        merged_name: r.text("merged_name")?,
        moved_uscc: r.opt_text("moved_uscc")?,
        merged_by: r.text("merged_by")?,
        merged_at: r.int("merged_at")?,
        undone_at: r.opt_int("undone_at")?,
    })
}

/// Merge record `merged` into record `kept`. Two records with different credit codes are
/// two enterprises and are not merged.
pub fn merge(tx: &mut Tx<'_>, who: &Who, kept: i64, merged: i64) -> AppResult<Merge> {
    if kept == merged {
        return Err(AppError::invalid("bad_value", "merged_id"));
    }
    let (k, m) = (find(tx, kept)?, find(tx, merged)?);
    if k.merged_into.is_some() || m.merged_into.is_some() {
        return Err(AppError::conflict("enterprise_merged"));
    }
    if let (Some(a), Some(b)) = (&k.uscc, &m.uscc)
        && a != b
    {
        return Err(AppError::Conflict { code: "merge_different_codes", field: Some("merged_id") });
    }
    let moved = if k.uscc.is_none() { m.uscc.clone() } else { None };
    // The code is unique: it leaves the merged record before the kept one takes it.
    tx.execute(
        "UPDATE enterprises SET merged_into = $1, uscc = NULL, updated_at = $2 WHERE id = $3",
        params![kept, who.now, merged],
    )?;
    if moved.is_some() {
        tx.execute(
            "UPDATE enterprises SET uscc = $1, updated_at = $2 WHERE id = $3",
            params![moved.clone(), who.now, kept],
        )?;
    }
    let id = tx.insert(
        "INSERT INTO enterprise_merges (kept_id, merged_id, moved_uscc, merged_by, merged_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        params![kept, merged, moved.clone(), who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "merge",
            kind: "enterprise",
            id: Some(kept),
            before: Some(serde_json::json!({ "kept": k, "merged": m })),
            after: Some(serde_json::json!({ "merge_id": id, "merged_id": merged, "moved_uscc": moved })),
        },
    )?;
    merge_of(tx, id)
}

fn merge_of(tx: &mut Tx<'_>, id: i64) -> AppResult<Merge> {
    tx.query_opt(
        "SELECT m.id, m.kept_id, m.merged_id, e.name AS merged_name, m.moved_uscc, m.merged_by, m.merged_at, m.undone_at \
         FROM enterprise_merges m JOIN enterprises e ON e.id = m.merged_id WHERE m.id = $1",
        params![id],
    )?
    .map(|r| merge_from_row(&r))
    .transpose()?
    .ok_or(AppError::NotFound)
}

/// Undo merge `id`: the merged record stands on its own again, with its credit code back.
pub fn undo(tx: &mut Tx<'_>, who: &Who, id: i64) -> AppResult<Merge> {
    let m = merge_of(tx, id)?;
    if m.undone_at.is_some() {
        return Err(AppError::conflict("merge_undone"));
    }
    if m.moved_uscc.is_some() {
        tx.execute("UPDATE enterprises SET uscc = NULL, updated_at = $1 WHERE id = $2", params![who.now, m.kept_id])?;
    }
    tx.execute(
        "UPDATE enterprises SET merged_into = NULL, uscc = $1, updated_at = $2 WHERE id = $3",
        params![m.moved_uscc.clone(), who.now, m.merged_id],
    )?;
    tx.execute("UPDATE enterprise_merges SET undone_at = $1 WHERE id = $2", params![who.now, id])?;
    audit::record(
        tx,
        who,
        Change {
            action: "unmerge",
            kind: "enterprise",
            id: Some(m.kept_id),
            before: Some(serde_json::json!({ "merge_id": id })),
            after: Some(serde_json::json!({ "merged_id": m.merged_id, "uscc": m.moved_uscc })),
        },
    )?;
    merge_of(tx, id)
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_are_compared_without_company_forms_and_brackets() {
        assert_eq!(name_key("华为技术（青岛）有限公司"), name_key("华为技术(青岛) 有限责任公司"));
        assert_eq!(name_key("青岛海尔股份有限公司"), "青岛海尔");
        assert_eq!(name_key("SenseTime 商汤科技"), name_key("sensetime商汤科技有限公司"));
        assert_ne!(name_key("青岛啤酒"), name_key("青岛港"));
    }
}
