//! Sign-in, sessions, API tokens and lock-out. Secrets are random, shown once, and stored
//! only as SHA-256 digests; passwords are argon2id, hashed off the async threads.

use serde::Serialize;

use super::access::{CurrentUser, Role};
use super::audit::{self, Change, Who};
use super::crypto::{random_hex, secret_digest};
use super::db::{Db, Row, Tx};
use super::error::{AppError, AppResult};
use super::second_factor::{Checked, MUST_SET_UP};
use crate::params;

pub const SESSION_COOKIE: &str = "zz_session";
pub const LOGIN_CSRF_COOKIE: &str = "zz_login_csrf";
pub const LANG_COOKIE: &str = "zz_lang";
/// Failed sign-ins in a row before the account waits.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// The first wait; each further failure doubles it, up to [`MAX_LOCKOUT_MS`].
pub const FIRST_LOCKOUT_MS: i64 = 60 * 1000;
pub const MAX_LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// How long an account waits after its `failed`-th failure in a row: nothing before
/// [`MAX_FAILED_LOGINS`], then one minute, doubling with each further failure to a
/// quarter of an hour.
pub fn lockout_ms(failed: i64) -> Option<i64> {
    let beyond = failed - MAX_FAILED_LOGINS;
    (beyond >= 0).then(|| FIRST_LOCKOUT_MS.saturating_mul(1 << beyond.min(10)).min(MAX_LOCKOUT_MS))
}

/// Clear an account's failed sign-ins and lock (administrators, and the CLI for a
/// locked-out administrator).
pub fn unlock(tx: &mut Tx<'_>, who: &Who, user_id: i64) -> AppResult<()> {
    let n = tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", params![user_id])?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(tx, who, Change { action: "unlock", kind: "user", id: Some(user_id), before: None, after: None })
}

pub const SCOPE_READ: &str = "read";
pub const SCOPE_WRITE: &str = "write";

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.department_id, u.division_id";

fn user_from(r: &Row) -> AppResult<CurrentUser> {
    let role = r.text(3)?;
    Ok(CurrentUser {
        id: r.int(0)?,
        username: r.text(1)?,
        display_name: r.text(2)?,
        role: Role::parse(&role).ok_or_else(|| AppError::internal(format!("unknown role {role}")))?,
        department_id: r.opt_int(4)?,
        division_id: r.opt_int(5)?,
    })
}

/// A browser session in use.
pub struct LiveSession {
    pub user: CurrentUser,
    pub csrf: String,
    pub unread: i64,
    /// The session's id when its last use was noted more than a minute ago.
    pub to_refresh: Option<i64>,
    pub idle_minutes: i64,
    /// Why only the account page may be used, if so: `password_expired` (older than
    /// `security.password_max_days`) or `second_factor_required` (the role requires one
    /// the person has not set up).
    pub restricted: Option<&'static str>,
}

fn restriction(password_expired: bool, must_set_up: bool) -> Option<&'static str> {
    if password_expired {
        Some("password_expired")
    } else if must_set_up {
        Some("second_factor_required")
    } else {
        None
    }
}

/// Whether a password set at `changed_at` has expired by `now` under the stored
/// `security.password_max_days` value.
fn expired(changed_at: Option<i64>, max_days: Option<&str>, now: i64) -> bool {
    let days = super::settings::value_of(&super::settings::PASSWORD_MAX_DAYS, max_days);
    days > 0 && changed_at.is_some_and(|at| now - at > days * 86_400_000)
}

/// The stored value of `security.password_max_days`, as a subselect.
const MAX_DAYS: &str = "(SELECT value FROM settings WHERE key = 'security.password_max_days')";

/// Whether `user`'s password has expired (see [`expired`]).
pub fn password_expired(tx: &mut Tx<'_>, user: i64, now: i64) -> AppResult<bool> {
    let r = tx.query_one(&format!("SELECT password_changed_at, {MAX_DAYS} FROM users WHERE id = $1"), params![user])?;
    Ok(expired(r.opt_int(0)?, r.opt_text(1)?.as_deref(), now))
}

/// The session behind a cookie, unless it has ended (signed out, past its absolute end,
/// or unused longer than the idle time), with the user's unread notifications.
pub fn resolve_session(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Option<LiveSession>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, s.csrf, \
         (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL), s.id, s.last_seen, \
         (SELECT value FROM settings WHERE key = $3) AS idle_minutes, u.password_changed_at, {MAX_DAYS}, \
         CASE WHEN {MUST_SET_UP} THEN 1 ELSE 0 END \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked = 0 AND s.expires_at > $2 AND s.idle_until > $2 AND u.active = 1"
    );
    let idle_key = super::settings::IDLE_MINUTES.key;
    match tx.query_opt(&sql, params![secret_digest(token.as_bytes()), now, idle_key])? {
        Some(r) => Ok(Some(LiveSession {
            user: user_from(&r)?,
            csrf: r.text(6)?,
            unread: r.int(7)?,
            to_refresh: (now - r.int(9)? > 60_000).then_some(r.int(8)?),
            idle_minutes: super::settings::value_of(&super::settings::IDLE_MINUTES, r.opt_text(10)?.as_deref()),
            restricted: restriction(expired(r.opt_int(11)?, r.opt_text(12)?.as_deref(), now), r.int(13)? == 1),
        })),
        None => Ok(None),
    }
}

/// Note a session's use: its idle time starts again.
pub fn refresh_session(tx: &mut Tx<'_>, id: i64, now: i64) -> AppResult<()> {
    let idle = super::settings::get(tx, &super::settings::IDLE_MINUTES)? * 60_000;
    tx.execute("UPDATE sessions SET last_seen = $1, idle_until = $2 WHERE id = $3", params![now, now + idle, id])?;
    Ok(())
}

/// When and from where the person signed in before the present session, if ever.
pub fn previous_sign_in(tx: &mut Tx<'_>, user: i64) -> AppResult<Option<(i64, String)>> {
    tx.query_opt(
        "SELECT created_at, ip FROM sessions WHERE user_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 1",
        params![user],
    )?
    .map(|r| Ok((r.int(0)?, r.text(1)?)))
    .transpose()
}

/// The user behind a bearer token, and the token's scopes. A token whose owner's
/// password has expired, or who lacks a second factor their role requires, is refused
/// until that is mended on the account page.
pub fn resolve_token(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Option<(CurrentUser, Vec<String>)>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, t.scopes, u.password_changed_at, {MAX_DAYS}, \
         CASE WHEN {MUST_SET_UP} THEN 1 ELSE 0 END FROM api_tokens t \
         JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.active = 1"
    );
    match tx.query_opt(&sql, params![secret_digest(token.as_bytes()), now])? {
        Some(r)
            if let Some(code) = restriction(expired(r.opt_int(7)?, r.opt_text(8)?.as_deref(), now), r.int(9)? == 1) =>
        {
            Err(AppError::Refused { code })
        }
        Some(r) => Ok(Some((user_from(&r)?, r.text(6)?.split(',').map(str::to_owned).collect()))),
        None => Ok(None),
    }
}

pub struct SignedIn {
    pub user: CurrentUser,
    pub session_token: String,
    /// When the session ends at the latest (`security.session_hours` after sign-in).
    pub expires_at: i64,
    /// See [`LiveSession::restricted`].
    pub restricted: Option<&'static str>,
}

struct Candidate {
    id: i64,
    hash: String,
    active: bool,
    locked_until: Option<i64>,
}

/// Check a username and password, counting failures and locking the account after
/// [`MAX_FAILED_LOGINS`] in a row. Returns the user without creating a session.
pub async fn check_password(db: &Db, who: &Who, username: &str, password: &str) -> AppResult<CurrentUser> {
    let name = username.trim().to_owned();
    let now = who.now;
    let candidate = db
        .read(move |tx| {
            let r = tx.query_opt(
                "SELECT id, password_hash, active, locked_until FROM users WHERE username = $1",
                params![name],
            )?;
            r.map(|r| -> AppResult<Candidate> {
                Ok(Candidate { id: r.int(0)?, hash: r.text(1)?, active: r.bool(2)?, locked_until: r.opt_int(3)? })
            })
            .transpose()
        })
        .await?;
    // Verify against a fixed hash when the user is unknown, so timing does not tell.
    let stored = candidate.as_ref().map(|c| c.hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_owned());
    let pw = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || super::crypto::verify_password(&pw, &stored))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    let Some(c) = candidate else {
        return Err(AppError::invalid("bad_credentials", "username"));
    };
    if !c.active {
        return Err(AppError::invalid("bad_credentials", "username"));
    }
    if c.locked_until.is_some_and(|t| t > now) {
        return Err(AppError::Locked);
    }
    if !matches {
        record_failure(db, who, c.id).await?;
        return Err(AppError::invalid("bad_credentials", "username"));
    }
    let user_id = c.id;
    db.read(move |tx| {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        user_from(&tx.query_one(&sql, params![user_id])?)
    })
    .await
}

/// Check the second factor's code of a person whose password was right: a wrong code
/// counts as a failed sign-in.
pub async fn check_second_factor(db: &Db, who: &Who, user_id: i64, code: Option<&str>) -> AppResult<()> {
    let (code, now) = (code.map(str::to_owned), who.now);
    match db.write(move |tx| super::second_factor::check(tx, user_id, code.as_deref(), now)).await? {
        Checked::NotSet | Checked::Passed => Ok(()),
        Checked::Missing => Err(AppError::invalid("second_factor_needed", "code")),
        Checked::Wrong => {
            record_failure(db, who, user_id).await?;
            Err(AppError::invalid("second_factor_wrong", "code"))
        }
    }
}

/// Count a failed sign-in, locking the account after [`MAX_FAILED_LOGINS`] in a row.
async fn record_failure(db: &Db, who: &Who, id: i64) -> AppResult<()> {
    let (who, now) = (who.clone(), who.now);
    db.write(move |tx| {
        // Counted in one statement, and the lock decided from the value it returns:
        // concurrent wrong passwords each count.
        let failed = tx
            .query_one(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                params![id],
            )?
            .int(0)?;
        let lock = lockout_ms(failed).map(|ms| now + ms);
        if let Some(until) = lock {
            tx.execute("UPDATE users SET locked_until = $1 WHERE id = $2", params![until, id])?;
        }
        let action = if lock.is_some() { "lock_out" } else { "sign_in_failed" };
        audit::record(
            tx,
            &who,
            Change {
                action,
                kind: "user",
                id: Some(id),
                before: None,
                after: Some(serde_json::json!({ "failed_logins": failed, "locked_until": lock })),
            },
        )
    })
    .await
}

/// Sign in with a password and open a browser session.
/// Sign in from the browser carrying the `device` cookie (see [`DEVICE_COOKIE`]), which
/// is remembered as one of the person's browsers.
pub async fn sign_in(
    db: &Db,
    who: &Who,
    username: &str,
    password: &str,
    code: Option<&str>,
    device: &str,
) -> AppResult<SignedIn> {
    let user = check_password(db, who, username, password).await?;
    check_second_factor(db, who, user.id, code).await?;
    let token = random_hex(32)?;
    let csrf = random_hex(32)?;
    let (who, user_id, hash) = (who.clone(), user.id, secret_digest(token.as_bytes()));
    let device = secret_digest(device.as_bytes());
    let (expires_at, restricted) = db.write(move |tx| {
        tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", params![user_id])?;
        tx.execute(
            "INSERT INTO user_devices (device_hash, user_id, last_seen) VALUES ($1, $2, $3) \
             ON CONFLICT (device_hash, user_id) DO UPDATE SET last_seen = excluded.last_seen",
            params![device.as_str(), user_id, who.now],
        )?;
        let limit = super::settings::get(tx, &super::settings::MAX_SESSIONS)?;
        if limit > 0 {
            let live: Vec<i64> = tx
                .query(
                    "SELECT id FROM sessions WHERE user_id = $1 AND revoked = 0 AND expires_at > $2 AND idle_until > $2 \
                     ORDER BY id DESC",
                    params![user_id, who.now],
                )?
                .iter()
                .map(|r| r.int(0))
                .collect::<Result<_, _>>()?;
            for old in live.iter().skip(usize::try_from(limit - 1).unwrap_or(0)) {
                tx.execute("UPDATE sessions SET revoked = 1 WHERE id = $1", params![*old])?;
                audit::record(
                    tx,
                    &Who { actor_id: Some(user_id), ..who.clone() },
                    Change { action: "session_limit", kind: "session", id: Some(*old), before: None, after: None },
                )?;
            }
        }
        let idle = super::settings::get(tx, &super::settings::IDLE_MINUTES)? * 60_000;
        let expires_at = who.now + super::settings::get(tx, &super::settings::SESSION_HOURS)? * 3_600_000;
        let sid = tx.insert(
            "INSERT INTO sessions (token_hash, user_id, csrf, ip, created_at, expires_at, last_seen, idle_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $5, $7) RETURNING id",
            params![hash, user_id, csrf, who.ip.as_str(), who.now, expires_at, who.now + idle],
        )?;
        audit::record(
            tx,
            &Who { actor_id: Some(user_id), ..who.clone() },
            Change { action: "sign_in", kind: "session", id: Some(sid), before: None, after: None },
        )?;
        let must_set_up = super::second_factor::must_set_up(tx, user_id)?;
        Ok((expires_at, restriction(password_expired(tx, user_id, who.now)?, must_set_up)))
    })
    .await?;
    Ok(SignedIn { user, session_token: token, expires_at, restricted })
}

/// The long-lived cookie that tells one browser from another (random, not a secret of
/// any account), set at sign-in and read where a person's own browser must be recognised.
pub const DEVICE_COOKIE: &str = "zz_device";

/// The people who have signed in from the browser whose device cookie is `device`.
pub fn device_users(tx: &mut Tx<'_>, device: &str) -> AppResult<Vec<i64>> {
    tx.query("SELECT user_id FROM user_devices WHERE device_hash = $1", params![secret_digest(device.as_bytes())])?
        .iter()
        .map(|r| Ok(r.int(0)?))
        .collect()
}

pub fn sign_out(tx: &mut Tx<'_>, who: &Who, token: &str) -> AppResult<()> {
    let hash = secret_digest(token.as_bytes());
    if let Some(r) = tx.query_opt("SELECT id FROM sessions WHERE token_hash = $1 AND revoked = 0", params![hash])? {
        let id = r.int(0)?;
        tx.execute("UPDATE sessions SET revoked = 1 WHERE id = $1", params![id])?;
        audit::record(
            tx,
            who,
            Change { action: "sign_out", kind: "session", id: Some(id), before: None, after: None },
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, shown this once only.
    pub secret: String,
}

pub fn parse_scopes(s: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for scope in s.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        if scope != SCOPE_READ && scope != SCOPE_WRITE {
            return Err(AppError::invalid("bad_value", "scopes"));
        }
        if !out.iter().any(|o| o == scope) {
            out.push(scope.to_owned());
        }
    }
    if out.is_empty() {
        out.push(SCOPE_READ.to_owned());
    }
    Ok(out)
}

fn token_from(r: &Row) -> AppResult<ApiToken> {
    Ok(ApiToken {
        id: r.int(0)?,
        user_id: r.int(1)?,
        name: r.text(2)?,
        prefix: r.text(3)?,
        scopes: r.text(4)?.split(',').map(str::to_owned).collect(),
        created_at: super::clock::rfc3339(r.int(5)?),
        expires_at: super::clock::rfc3339(r.int(6)?),
        revoked: r.opt_int(7)?.is_some(),
    })
}

const TOKEN_COLUMNS: &str = "id, user_id, name, prefix, scopes, created_at, expires_at, revoked_at";

pub fn create_token(
    tx: &mut Tx<'_>,
    who: &Who,
    user_id: i64,
    name: &str,
    scopes: &[String],
    days: i64,
    max_days: i64,
) -> AppResult<NewToken> {
    let name = super::validate::text(name, "name", 80)?;
    if !(1..=max_days).contains(&days) {
        return Err(AppError::invalid("bad_value", "expires_in_days"));
    }
    let scopes = parse_scopes(scopes)?;
    let secret = format!("zz_{}", random_hex(24)?);
    let prefix: String = secret.chars().take(10).collect();
    let id = tx.insert(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![
            user_id,
            name,
            secret_digest(secret.as_bytes()),
            prefix,
            scopes.join(","),
            who.now,
            who.now + days * 86_400_000
        ],
    )?;
    let token = get_token(tx, id)?.ok_or(AppError::NotFound)?;
    audit::record(tx, who, Change::created("api_token", id, &token))?;
    Ok(NewToken { token, secret })
}

pub fn get_token(tx: &mut Tx<'_>, id: i64) -> AppResult<Option<ApiToken>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| token_from(&r)).transpose()
}

pub fn list_tokens(tx: &mut Tx<'_>, user_id: i64) -> AppResult<Vec<ApiToken>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC LIMIT 200");
    tx.query(&sql, params![user_id])?.iter().map(token_from).collect()
}

/// Revoke a token; a user may revoke their own, the security administrator any.
pub fn revoke_token(tx: &mut Tx<'_>, who: &Who, actor: &CurrentUser, id: i64) -> AppResult<ApiToken> {
    let before = get_token(tx, id)?.ok_or(AppError::NotFound)?;
    if before.user_id != actor.id && actor.role != Role::SecurityAdmin {
        return Err(AppError::NotFound);
    }
    if before.revoked {
        return Ok(before);
    }
    tx.execute("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", params![who.now, id])?;
    let after = get_token(tx, id)?.ok_or(AppError::NotFound)?;
    audit::record(tx, who, Change::updated("revoke", "api_token", id, &before, &after))?;
    Ok(after)
}

/// An argon2id hash of a random password nobody knows, used to keep timing even.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0V1aC1Ysw0yD6jJ0Jm3dVvJk2mHh3Zq7mD0Qz8C7jJk";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_five_failures_up_to_a_quarter_hour() {
        assert_eq!(lockout_ms(4), None);
        assert_eq!(lockout_ms(5), Some(60_000));
        assert_eq!(lockout_ms(6), Some(120_000));
        assert_eq!(lockout_ms(8), Some(480_000));
        assert_eq!(lockout_ms(9), Some(MAX_LOCKOUT_MS));
        assert_eq!(lockout_ms(1000), Some(MAX_LOCKOUT_MS));
    }
}
