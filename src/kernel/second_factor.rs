//! The optional second factor (TOTP, [`super::totp`]): a person sets it up on their account
//! page, signs in with password and code afterwards, and the security administrator may
//! require it of roles — a person of such a role without one may only set it up.

use serde::{Deserialize, Serialize};

use super::access::Role;
use super::audit::{self, Change, Who};
use super::db::Tx;
use super::error::{AppError, AppResult};
use super::totp;
use crate::params;

/// What an authenticator app needs to add the account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` link, shown as a QR code.
    pub link: String,
}

/// A code sent at sign-in, as it compares with the person's second factor.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// The person has no second factor.
    NotSet,
    Passed,
    Missing,
    /// Wrong, or a code already used.
    Wrong,
}

const ISSUER: &str = "zaizao";

/// Begin setting up: a new secret, kept pending until a code from it is confirmed.
pub fn start(tx: &mut Tx<'_>, who: &Who, user_id: i64, username: &str) -> AppResult<Enrolment> {
    let key = super::crypto::random_bytes(20)?;
    tx.execute("UPDATE users SET totp_pending = $1 WHERE id = $2", params![hex::encode(&key), user_id])?;
    audit::record(
        tx,
        who,
        Change { action: "second_factor_start", kind: "user", id: Some(user_id), before: None, after: None },
    )?;
    Ok(enrolment(&key, username))
}

fn enrolment(key: &[u8], username: &str) -> Enrolment {
    Enrolment { secret: totp::base32(key), link: totp::link(ISSUER, username, key) }
}

/// The second factor being set up and not yet confirmed, if any: shown again until a code
/// from it is confirmed, so a mistyped code loses nothing.
pub fn pending(tx: &mut Tx<'_>, user_id: i64) -> AppResult<Option<Enrolment>> {
    let r = tx.query_one("SELECT totp_pending, username FROM users WHERE id = $1", params![user_id])?;
    r.opt_text(0)?.map(|key| Ok(enrolment(&key_of(&key)?, &r.text(1)?))).transpose()
}

fn key_of(hex_key: &str) -> AppResult<Vec<u8>> {
    hex::decode(hex_key).map_err(|e| AppError::internal(format!("stored second factor: {e}")))
}

/// Finish setting up with a code from the pending secret.
pub fn confirm(tx: &mut Tx<'_>, who: &Who, user_id: i64, code: &str) -> AppResult<()> {
    let pending = tx
        .query_one("SELECT totp_pending FROM users WHERE id = $1", params![user_id])?
        .opt_text(0)?
        .ok_or_else(|| AppError::conflict("second_factor_not_started"))?;
    let at = totp::matching_step(&key_of(&pending)?, code, who.now)
        .ok_or_else(|| AppError::invalid("second_factor_wrong", "code"))?;
    tx.execute(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 WHERE id = $2",
        params![at, user_id],
    )?;
    audit::record(
        tx,
        who,
        Change { action: "second_factor_enable", kind: "user", id: Some(user_id), before: None, after: None },
    )
}

/// Check `code` against the person's second factor. A code is accepted once: its step
/// is stored in the same statement that checks it is newer than the last accepted one.
pub fn check(tx: &mut Tx<'_>, user_id: i64, code: Option<&str>, now: i64) -> AppResult<Checked> {
    let Some(secret) = tx.query_one("SELECT totp_secret FROM users WHERE id = $1", params![user_id])?.opt_text(0)?
    else {
        return Ok(Checked::NotSet);
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(Checked::Missing) };
    let Some(at) = totp::matching_step(&key_of(&secret)?, code, now) else { return Ok(Checked::Wrong) };
    let fresh = tx.execute(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        params![at, user_id],
    )?;
    Ok(if fresh == 1 { Checked::Passed } else { Checked::Wrong })
}

/// Turn the second factor off with a current code; not where the role requires one.
pub fn disable(tx: &mut Tx<'_>, who: &Who, user_id: i64, role: Role, code: &str) -> AppResult<()> {
    if required_roles(tx)?.contains(&role) {
        return Err(AppError::conflict("second_factor_required_for_role"));
    }
    match check(tx, user_id, Some(code), who.now)? {
        Checked::Passed => {}
        Checked::NotSet => return Err(AppError::conflict("second_factor_not_set")),
        Checked::Missing | Checked::Wrong => return Err(AppError::invalid("second_factor_wrong", "code")),
    }
    tx.execute("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1", params![user_id])?;
    audit::record(
        tx,
        who,
        Change { action: "second_factor_disable", kind: "user", id: Some(user_id), before: None, after: None },
    )
}

/// Clear a person's second factor, for one who lost their authenticator: the security
/// administrator (never on their own account) or the host's `zaizao user
/// reset-second-factor`. Where the role requires one, the person must set up a new one
/// at their next sign-in.
pub fn reset(tx: &mut Tx<'_>, who: &Who, user_id: i64) -> AppResult<()> {
    if who.actor_id == Some(user_id) {
        return Err(AppError::conflict("cannot_reset_own_second_factor"));
    }
    let cleared = tx.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL \
         WHERE id = $1 AND totp_secret IS NOT NULL",
        params![user_id],
    )?;
    if cleared == 0 {
        return Err(AppError::conflict("second_factor_not_set"));
    }
    audit::record(
        tx,
        who,
        Change { action: "second_factor_reset", kind: "user", id: Some(user_id), before: None, after: None },
    )
}

/// Whether the person has a second factor.
pub fn enabled(tx: &mut Tx<'_>, user_id: i64) -> AppResult<bool> {
    Ok(tx.query_one("SELECT totp_secret FROM users WHERE id = $1", params![user_id])?.opt_text(0)?.is_some())
}

/// The roles that must sign in with a second factor.
pub fn required_roles(tx: &mut Tx<'_>) -> AppResult<Vec<Role>> {
    let rows = tx.query("SELECT role FROM second_factor_roles ORDER BY role", &[])?;
    Ok(rows.iter().filter_map(|r| r.text(0).ok().and_then(|t| Role::parse(&t))).collect())
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RequiredRoles {
    pub roles: Vec<String>,
}

/// Replace the roles that must have a second factor.
pub fn set_required_roles(tx: &mut Tx<'_>, who: &Who, input: &RequiredRoles) -> AppResult<RequiredRoles> {
    let mut roles = Vec::new();
    for r in &input.roles {
        let role = Role::parse(r).ok_or_else(|| AppError::invalid("bad_value", "roles"))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let before = required_roles(tx)?;
    tx.execute("DELETE FROM second_factor_roles", &[])?;
    for role in &roles {
        tx.execute(
            "INSERT INTO second_factor_roles (role, required_by, required_at) VALUES ($1, $2, $3)",
            params![role.as_str(), who.actor.as_str(), who.now],
        )?;
    }
    let names = |rs: &[Role]| rs.iter().map(|r| r.as_str().to_owned()).collect::<Vec<_>>();
    audit::record(
        tx,
        who,
        Change {
            action: "require_second_factor",
            kind: "second_factor_roles",
            id: None,
            before: Some(serde_json::json!({ "roles": names(&before) })),
            after: Some(serde_json::json!({ "roles": names(&roles) })),
        },
    )?;
    Ok(RequiredRoles { roles: names(&required_roles(tx)?) })
}

/// Whether the person's role requires a second factor they have not set up.
pub fn must_set_up(tx: &mut Tx<'_>, user_id: i64) -> AppResult<bool> {
    Ok(tx.count(&format!("SELECT COUNT(*) FROM users u WHERE u.id = $1 AND {MUST_SET_UP}"), params![user_id])? == 1)
}

/// A condition on `users u`: the person's role requires a second factor they have not
/// set up.
pub const MUST_SET_UP: &str =
    "(u.totp_secret IS NULL AND EXISTS (SELECT 1 FROM second_factor_roles r WHERE r.role = u.role))";
