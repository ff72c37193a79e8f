//! Settings administrators change at run time: thresholds and periods that are
//! configuration, not code. Each mechanism declares its own, with default and bounds
//! (`Mechanism::settings`); they are edited on `/admin/settings` and through the API.

use serde::Serialize;

use super::audit::{self, Change, Who};
use super::db::Tx;
use super::error::{AppError, AppResult};
use super::i18n::{self, Lang};
use crate::params;

/// A whole-number setting, declared by the mechanism that reads it: key, default,
/// lowest, highest, and the message that says what it means.
pub struct Setting {
    pub key: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    /// Message id of its meaning, in the declaring folder's translations.
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingValue {
    pub key: String,
    pub value: i64,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub meaning: String,
    pub meaning_en: String,
}

/// At most this many accounts of one role are told of work for that role (the
/// supervision office's staff of a new lead, the supervisors of an appeal).
pub const ROLE_RECIPIENTS: Setting =
    Setting { key: "notify.role_recipients", default: 50, min: 1, max: 5000, meaning: "k-setting-role-recipients" };

/// A browser session ends after this many minutes without use (等保 2.0: 登录连接超时).
pub const IDLE_MINUTES: Setting =
    Setting { key: "security.idle_minutes", default: 30, min: 5, max: 720, meaning: "k-setting-idle-minutes" };
/// At most this many browser sessions per account at once; signing in again ends the
/// oldest. 0: no limit.
pub const MAX_SESSIONS: Setting =
    Setting { key: "security.max_sessions", default: 0, min: 0, max: 100, meaning: "k-setting-max-sessions" };

/// A new password may not repeat any of the person's last this many. 0: no check.
pub const PASSWORD_HISTORY: Setting =
    Setting { key: "security.password_history", default: 0, min: 0, max: 24, meaning: "k-setting-password-history" };

/// A password older than this many days must be changed before anything else is done
/// (pages and API). 0: passwords do not expire.
pub const PASSWORD_MAX_DAYS: Setting =
    Setting { key: "security.password_max_days", default: 0, min: 0, max: 365, meaning: "k-setting-password-max-days" };

/// A browser session ends this many hours after sign-in, however much it is used.
pub const SESSION_HOURS: Setting =
    Setting { key: "security.session_hours", default: 12, min: 1, max: 720, meaning: "k-setting-session-hours" };

/// The kernel's own settings, listed before the mechanisms'.
pub static KERNEL_SETTINGS: [&Setting; 9] = [
    &ROLE_RECIPIENTS,
    &IDLE_MINUTES,
    &SESSION_HOURS,
    &MAX_SESSIONS,
    &PASSWORD_HISTORY,
    &PASSWORD_MAX_DAYS,
    &super::privacy::ACCOUNT_CONTACT_DAYS,
    &super::privacy::MESSAGE_ADDRESS_DAYS,
    &super::analytics::RESOURCE_DETAIL,
];

pub fn get(tx: &mut Tx<'_>, s: &Setting) -> AppResult<i64> {
    let stored =
        tx.query_opt("SELECT value FROM settings WHERE key = $1", params![s.key])?.map(|r| r.text(0)).transpose()?;
    Ok(value_of(s, stored.as_deref()))
}

/// A setting's value as stored (read by a caller's own query), or its default.
pub fn value_of(s: &Setting, stored: Option<&str>) -> i64 {
    stored.and_then(|v| v.parse().ok()).filter(|v| (s.min..=s.max).contains(v)).unwrap_or(s.default)
}

fn value(tx: &mut Tx<'_>, s: &Setting) -> AppResult<SettingValue> {
    Ok(SettingValue {
        key: s.key.into(),
        value: get(tx, s)?,
        default: s.default,
        min: s.min,
        max: s.max,
        meaning: i18n::t(Lang::Zh, s.meaning).into(),
        meaning_en: i18n::t(Lang::En, s.meaning).into(),
    })
}

/// The current values of `declared` settings.
pub fn all(tx: &mut Tx<'_>, declared: &[&Setting]) -> AppResult<Vec<SettingValue>> {
    declared.iter().map(|s| value(tx, s)).collect()
}

/// Change the setting `key`, one of `declared`.
pub fn set(tx: &mut Tx<'_>, who: &Who, declared: &[&Setting], key: &str, value: i64) -> AppResult<SettingValue> {
    let s = *declared.iter().find(|s| s.key == key).ok_or(AppError::NotFound)?;
    if !(s.min..=s.max).contains(&value) {
        return Err(AppError::invalid_detail("bad_value", "value", format!("{}–{}", s.min, s.max)));
    }
    let before = get(tx, s)?;
    tx.execute("DELETE FROM settings WHERE key = $1", params![key])?;
    tx.execute(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
        params![key, value.to_string(), who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "set",
            kind: "setting",
            id: None,
            before: Some(serde_json::json!({ "key": key, "value": before })),
            after: Some(serde_json::json!({ "key": key, "value": value })),
        },
    )?;
    self::value(tx, s)
}
