use serde::{Deserialize, Serialize};

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto;
use crate::kernel::db::{DbError, Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::names::{self, Suggestion};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub division_id: Option<i64>,
    pub division_name: Option<String>,
    /// For e-mail notifications; none when not given.
    pub email: Option<String>,
    /// For SMS notifications (a mainland mobile number); none when not given.
    pub phone: Option<String>,
    pub active: bool,
    /// Locked after repeated failed sign-ins, until this time (ms since epoch).
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub division_id: Option<i64>,
    /// At least 10 characters of three of: lowercase, capitals, digits, other signs; not
    /// containing the username; not a common password.
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserUpdate {
    pub display_name: String,
    /// The present role, if given: a role is changed with `PUT /api/v1/users/{id}/role`
    /// by the security administrator.
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub division_id: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
    /// `active`, `inactive`, `locked` (after failed sign-ins) or empty.
    pub status: Option<String>,
}

const COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.department_id, d.name AS department_name, \
    u.division_id, v.name AS division_name, u.active, u.locked_until, u.created_at, u.email, \
    u.phone";
const FROM: &str =
    "users u LEFT JOIN departments d ON d.id = u.department_id LEFT JOIN divisions v ON v.id = u.division_id";

fn from_row(r: &Row) -> AppResult<User> {
    let role = r.text("role")?;
    Ok(User {
        id: r.int("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&role).ok_or_else(|| AppError::internal(format!("unknown role {role}")))?,
        department_id: r.opt_int("department_id")?,
        department_name: r.opt_text("department_name")?,
        division_id: r.opt_int("division_id")?,
        division_name: r.opt_text("division_name")?,
        active: r.bool("active")?,
        locked_until: r.opt_int("locked_until")?,
        created_at: r.int("created_at")?,
        email: crypto::open_opt(r.opt_text("email")?)?,
        phone: crypto::open_opt(r.opt_text("phone")?)?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<User> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE u.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

impl User {
    /// The account as the caller of a request (for commands and the demo).
    pub fn as_current(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            department_id: self.department_id,
            division_id: self.division_id,
        }
    }
}

pub fn find_by_username(tx: &mut Tx<'_>, username: &str) -> AppResult<User> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE u.username = $1");
    tx.query_opt(&sql, params![username])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn list(tx: &mut Tx<'_>, f: &UserFilter, p: &ListParams) -> AppResult<Page<User>> {
    let mut w = Where::default();
    if let Some(r) = f.role.as_deref().filter(|r| !r.is_empty()) {
        w.and("u.role = ?", r);
    }
    if let Some(d) = f.department_id {
        w.and("u.department_id = ?", d);
    }
    match f.status.as_deref() {
        Some("active") => {
            w.and_sql("u.active = 1");
        }
        Some("inactive") => {
            w.and_sql("u.active = 0");
        }
        Some("locked") => {
            w.and_sql("u.active = 1 AND u.locked_until IS NOT NULL");
        }
        _ => {}
    }
    if let Some(like) = p.like() {
        w.contains(&["u.username", "u.display_name"], like);
    }
    let total = count_capped(tx, &format!("FROM users u{}", w.sql), &w.args)?;
    let order = p.order_by(
        "u.id",
        &[("username", "u.username"), ("name", "u.display_name"), ("role", "u.role"), ("created", "u.created_at")],
    );
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {l} OFFSET {o}", w.sql);
    let items = tx
        .query(&sql, &w.args)?
        .iter()
        .map(|r| from_row(r).map(User::with_contacts_masked))
        .collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Account `id` as `actor` may read it: the contacts in full only to those who keep the
/// account (each such view recorded), masked to everyone else.
pub fn read(tx: &mut Tx<'_>, who: &Who, actor: &CurrentUser, id: i64) -> AppResult<User> {
    let user = find(tx, id)?;
    if !crate::kernel::access::allows(actor, crate::kernel::access::Action::ManageUsers) {
        return Ok(user.with_contacts_masked());
    }
    if user.email.as_deref().is_some_and(|e| !e.is_empty()) || user.phone.as_deref().is_some_and(|p| !p.is_empty()) {
        crate::kernel::privacy::record_view(tx, who, "user", id, "contact")?;
    }
    Ok(user)
}

impl User {
    pub fn has_contacts(&self) -> bool {
        [&self.email, &self.phone].iter().any(|c| c.as_deref().is_some_and(|c| !c.is_empty()))
    }

    /// The phone and e-mail with their middles hidden (138****5678), for lists and for
    /// those whose duty does not need them.
    pub fn with_contacts_masked(mut self) -> User {
        self.email = self.email.map(|e| validate::mask_contact(&e));
        self.phone = self.phone.map(|p| validate::mask_contact(&p));
        self
    }
}

struct Placement {
    role: Role,
    department_id: Option<i64>,
    division_id: Option<i64>,
}

fn placement(
    tx: &mut Tx<'_>,
    role: &str,
    department_id: Option<i64>,
    division_id: Option<i64>,
) -> AppResult<Placement> {
    let role = Role::parse(role).ok_or_else(|| AppError::invalid("bad_value", "role"))?;
    if let Some(d) = department_id {
        if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![d])? == 0 {
            return Err(AppError::invalid("unknown_department", "department_id"));
        }
    } else if role.needs_department() {
        return Err(AppError::invalid("required", "department_id"));
    }
    if let Some(v) = division_id {
        let r = tx
            .query_opt("SELECT department_id FROM divisions WHERE id = $1 AND active = 1", params![v])?
            .ok_or_else(|| AppError::invalid("unknown_division", "division_id"))?;
        if Some(r.int(0)?) != department_id {
            return Err(AppError::invalid("division_outside_department", "division_id"));
        }
    } else if role == Role::DivisionHead {
        return Err(AppError::invalid("required", "division_id"));
    }
    Ok(Placement { role, department_id, division_id })
}

pub fn validate_username(s: &str) -> AppResult<String> {
    let u = validate::text(s, "username", 40)?;
    if u.chars().count() < 2 || !u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(AppError::invalid("bad_value", "username"));
    }
    Ok(u.to_lowercase())
}

/// An optional e-mail address: one `@`, a dot in the domain, no spaces.
pub fn validate_email(s: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = validate::opt_text(s, "email", 120)? else { return Ok(None) };
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }
        None => false,
    };
    if !ok || v.contains(char::is_whitespace) || v.matches('@').count() != 1 {
        return Err(AppError::invalid("bad_email", "email"));
    }
    Ok(Some(v))
}

/// An optional mainland mobile number: 11 digits starting with 1 (a +86 prefix is dropped).
pub fn validate_phone(s: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = validate::opt_text(s, "phone", 20)? else { return Ok(None) };
    let digits: String = v.trim_start_matches("+86").chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != 11 || !digits.starts_with('1') || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("bad_phone", "phone"));
    }
    Ok(Some(digits))
}

fn unique_username(e: DbError) -> AppError {
    match e {
        DbError::Unique(_) => AppError::Conflict { code: "username_taken", field: Some("username") },
        other => other.into(),
    }
}

/// Check a new account's fields before its password is hashed (hashing is slow).
pub fn check_new(input: &NewUser) -> AppResult<()> {
    validate_username(&input.username)?;
    validate::text(&input.display_name, "display_name", 60)?;
    validate_email(input.email.as_deref())?;
    validate_phone(input.phone.as_deref())?;
    validate::password(&input.password, &input.username)?;
    Ok(())
}

pub fn create(tx: &mut Tx<'_>, who: &Who, input: &NewUser, password_hash: &str) -> AppResult<User> {
    let username = validate_username(&input.username)?;
    let name = validate::text(&input.display_name, "display_name", 60)?;
    let p = placement(tx, &input.role, input.department_id, input.division_id)?;
    let email = crypto::seal_opt(validate_email(input.email.as_deref())?.as_deref())?;
    let phone = crypto::seal_opt(validate_phone(input.phone.as_deref())?.as_deref())?;
    let id = tx
        .insert(
            "INSERT INTO users (username, display_name, role, department_id, division_id, password_hash, email, phone, \
             created_at, updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9) RETURNING id",
            params![
                username,
                name,
                p.role.as_str(),
                p.department_id,
                p.division_id,
                password_hash,
                email,
                phone,
                who.now
            ],
        )
        .map_err(unique_username)?;
    let u = find(tx, id)?;
    audit::record(tx, who, Change::created("user", id, &u))?;
    Ok(u)
}

/// The account `id`, if `actor` may keep it ([`access::require_account_duty`]).
pub fn kept_by(tx: &mut Tx<'_>, actor: &CurrentUser, id: i64) -> AppResult<User> {
    let u = find(tx, id)?;
    crate::kernel::access::require_account_duty(actor, u.role)?;
    Ok(u)
}

/// A new account's role must be a business one for the system administrator.
pub fn check_new_role(actor: &CurrentUser, role: &str) -> AppResult<()> {
    let role = Role::parse(role).ok_or_else(|| AppError::invalid("bad_value", "role"))?;
    crate::kernel::access::require_account_duty(actor, role)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, actor: &CurrentUser, id: i64, input: &UserUpdate) -> AppResult<User> {
    let before = kept_by(tx, actor, id)?;
    if let Some(role) = input.role.as_deref()
        && Role::parse(role).ok_or_else(|| AppError::invalid("bad_value", "role"))? != before.role
    {
        return Err(AppError::Refused { code: "role_change_not_your_duty" });
    }
    let name = validate::text(&input.display_name, "display_name", 60)?;
    let p = placement(tx, before.role.as_str(), input.department_id, input.division_id)?;
    let email = crypto::seal_opt(validate_email(input.email.as_deref())?.as_deref())?;
    let phone = crypto::seal_opt(validate_phone(input.phone.as_deref())?.as_deref())?;
    tx.execute(
        "UPDATE users SET display_name = $1, role = $2, department_id = $3, division_id = $4, email = $5, phone = $6, \
         updated_at = $7 WHERE id = $8",
        params![name, p.role.as_str(), p.department_id, p.division_id, email, phone, who.now, id],
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "user", id, &before, &after))?;
    Ok(after)
}

/// Grant account `id` another role: the security administrator's duty, never on their own
/// account. The account's department and division must suit the new role.
pub fn set_role(tx: &mut Tx<'_>, who: &Who, actor: &CurrentUser, id: i64, role: &str) -> AppResult<User> {
    let before = find(tx, id)?;
    if actor.id == id {
        return Err(AppError::conflict("cannot_change_own_role"));
    }
    let p = placement(tx, role, before.department_id, before.division_id)?;
    if p.role == before.role {
        return Ok(before);
    }
    tx.execute("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3", params![p.role.as_str(), who.now, id])?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("set_role", "user", id, &before, &after))?;
    Ok(after)
}

/// Disable (which also ends the user's sessions and tokens) or re-enable an account.
pub fn set_active(tx: &mut Tx<'_>, who: &Who, actor: Option<&CurrentUser>, id: i64, active: bool) -> AppResult<User> {
    let before = find(tx, id)?;
    if let Some(a) = actor {
        crate::kernel::access::require_account_duty(a, before.role)?;
    }
    if !active && actor.is_some_and(|a| a.id == id) {
        return Err(AppError::conflict("cannot_disable_self"));
    }
    if before.active == active {
        return Err(AppError::conflict(if active { "already_active" } else { "already_inactive" }));
    }
    tx.execute("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3", params![active, who.now, id])?;
    if !active {
        end_access(tx, who, id)?;
    }
    let after = find(tx, id)?;
    let action = if active { "enable" } else { "disable" };
    audit::record(tx, who, Change::updated(action, "user", id, &before, &after))?;
    Ok(after)
}

fn end_access(tx: &mut Tx<'_>, who: &Who, id: i64) -> AppResult<()> {
    tx.execute("UPDATE sessions SET revoked = 1 WHERE user_id = $1 AND revoked = 0", params![id])?;
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        params![who.now, id],
    )?;
    Ok(())
}

/// Set a new password (hashed by the caller); ends the user's other sessions, revokes
/// every API token and clears a lock-out.
pub fn set_password(
    tx: &mut Tx<'_>,
    who: &Who,
    id: i64,
    password_hash: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    find(tx, id)?;
    tx.execute(
        "INSERT INTO password_history (user_id, password_hash, created_at) \
         SELECT id, password_hash, $1 FROM users WHERE id = $2",
        params![who.now, id],
    )?;
    tx.execute(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2, \
         password_changed_at = $2 WHERE id = $3",
        params![password_hash, who.now, id],
    )?;
    // Whoever held the old password may have minted tokens with it.
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        params![who.now, id],
    )?;
    match keep_session {
        Some(token) => {
            let keep = crate::kernel::crypto::secret_digest(token.as_bytes());
            tx.execute("UPDATE sessions SET revoked = 1 WHERE user_id = $1 AND token_hash <> $2", params![id, keep])?;
        }
        None => {
            tx.execute("UPDATE sessions SET revoked = 1 WHERE user_id = $1", params![id])?;
        }
    }
    audit::record(tx, who, Change { action: "set_password", kind: "user", id: Some(id), before: None, after: None })
}

/// Refuse a new password that repeats the person's present one or one of the earlier
/// ones `security.password_history` keeps in view (`password_reused`); nothing when the
/// setting is 0.
pub fn check_history(tx: &mut Tx<'_>, id: i64, password: &str) -> AppResult<()> {
    let keep = crate::kernel::settings::get(tx, &crate::kernel::settings::PASSWORD_HISTORY)?;
    if keep == 0 {
        return Ok(());
    }
    let hashes = tx.query(
        "SELECT password_hash FROM users WHERE id = $1 UNION ALL \
         SELECT password_hash FROM (SELECT password_hash FROM password_history WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2) h",
        params![id, keep - 1],
    )?;
    for r in hashes {
        if crate::kernel::crypto::verify_password(password, &r.text(0)?) {
            return Err(AppError::invalid("password_reused", "password"));
        }
    }
    Ok(())
}

/// Hash a password on a blocking thread.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || crate::kernel::crypto::hash_password(&password))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
}

/// Accounts locked out after failed sign-ins at `now`: id, name and when last changed
/// (at most `cap`, the security administrator's queue).
pub fn locked(tx: &mut Tx<'_>, now: i64, cap: i64) -> AppResult<Vec<(i64, String, i64)>> {
    tx.query(
        "SELECT id, display_name, updated_at FROM users WHERE active = 1 AND locked_until > $1 ORDER BY id LIMIT $2",
        params![now, cap],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, r.text(1)?, r.int(2)?)))
    .collect()
}

/// The active accounts holding `role` (at most 50: the people a note goes to).
pub fn active_with_role(tx: &mut Tx<'_>, role: Role) -> AppResult<Vec<i64>> {
    let cap = crate::kernel::settings::get(tx, &crate::kernel::settings::ROLE_RECIPIENTS)?;
    tx.query("SELECT id FROM users WHERE active = 1 AND role = $1 ORDER BY id LIMIT $2", params![role.as_str(), cap])?
        .iter()
        .map(|r| Ok(r.int(0)?))
        .collect()
}

/// The active accounts of `department` written as a person's name or username (as a
/// spreadsheet names them); more than one when the name is shared.
pub fn named_in(tx: &mut Tx<'_>, department: i64, written: &str) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE active = 1 AND department_id = $1 AND (display_name = $2 OR username = $2) ORDER BY id LIMIT 5",
        params![department, written.trim()],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The people who can be made responsible for work (active staff and heads), optionally of
/// one department, that match what was typed: for pickers.
pub fn suggest_responsible(tx: &mut Tx<'_>, typed: &str, department: Option<i64>) -> AppResult<Vec<Suggestion>> {
    suggest_accounts(tx, typed, department, &["staff", "division_head", "dept_head"])
}

/// Active accounts of some roles (or any, when `roles` is empty) that match what was
/// typed, optionally of one department: for pickers that invite people from outside
/// government too (a hearing's participants).
pub fn suggest_accounts(
    tx: &mut Tx<'_>,
    typed: &str,
    department: Option<i64>,
    roles: &[&str],
) -> AppResult<Vec<Suggestion>> {
    let mut w = Where::default();
    w.and_sql("u.active = 1");
    if !roles.is_empty() {
        let marks = w.marks(roles);
        w.and_sql(&format!("u.role IN ({marks})"));
    }
    if let Some(d) = department {
        w.and("u.department_id = ?", d);
    }
    let sql = format!(
        "SELECT u.id, u.display_name, COALESCE(v.name, '') AS division, COALESCE(d.name, '') AS department \
         FROM users u LEFT JOIN departments d ON d.id = u.department_id LEFT JOIN divisions v ON v.id = u.division_id\
         {} ORDER BY d.code, v.name, u.display_name LIMIT 5000",
        w.sql
    );
    let rows = tx.query(&sql, &w.args)?;
    let candidates = rows.iter().map(|r| {
        let (division, department) = (r.text("division")?, r.text("department")?);
        let detail = [division, department].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
        Ok((r.int("id")?, r.text("display_name")?, detail))
    });
    Ok(names::suggest(candidates.collect::<AppResult<Vec<_>>>()?, typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_checked() {
        assert_eq!(validate_email(Some("lin@qingdao.gov.cn")).ok().flatten().as_deref(), Some("lin@qingdao.gov.cn"));
        assert!(validate_email(Some("lin@qingdao")).is_err());
        assert!(validate_email(Some("a b@c.cn")).is_err());
        assert_eq!(validate_email(Some("  ")).ok(), Some(None));
        assert_eq!(validate_phone(Some("+86 138-0532-0000")).ok().flatten().as_deref(), Some("13805320000"));
        assert!(validate_phone(Some("0532-8888888")).is_err());
    }
}
