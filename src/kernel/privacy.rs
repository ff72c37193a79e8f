//! Personal information (个人信息保护法): where each kind is kept, how long, the sweep
//! that erases what has outlived its period, and a person's own data on request.
//!
//! Each folder declares its kinds ([`Personal`]); the kernel declares the accounts' own.
//! Erasing empties the columns and keeps the row, so counts and figures do not change.

use serde_json::{Value as Json, json};

use super::audit::{self, Change, Who};
use super::crypto;
use super::db::Tx;
use super::error::AppResult;
use super::settings::{self, Setting};
use crate::params;

/// Columns of one table that hold one kind of personal information.
pub struct Personal {
    /// Its name in the person's export and in the audit trail, e.g. `lead_reporter`.
    pub kind: &'static str,
    pub table: &'static str,
    /// Text columns; erasing sets them to ''.
    pub columns: &'static [&'static str],
    /// How many days it is kept once `kept_from` has passed; `None`: as long as the record.
    pub retention: Option<&'static Setting>,
    /// SQL over the table's row: when the retention period starts (ms), NULL while it has not.
    pub kept_from: &'static str,
    /// The column naming the account the information is about, for the person's export.
    pub owner: Option<&'static str>,
}

/// An account's contacts are kept while it is in use, and for this many days after it is
/// switched off.
pub const ACCOUNT_CONTACT_DAYS: Setting = Setting {
    key: "privacy.account_contact_days",
    default: 365,
    min: 0,
    max: 3650,
    meaning: "k-setting-account-contact-days",
};
/// The address of a message sent by e-mail or SMS is kept this many days after sending.
pub const MESSAGE_ADDRESS_DAYS: Setting = Setting {
    key: "privacy.message_address_days",
    default: 90,
    min: 0,
    max: 3650,
    meaning: "k-setting-message-address-days",
};

pub static KERNEL_PERSONAL: [&Personal; 2] = [
    &Personal {
        kind: "account_contact",
        table: "users",
        columns: &["email", "phone"],
        retention: Some(&ACCOUNT_CONTACT_DAYS),
        kept_from: "CASE WHEN active = 0 THEN updated_at END",
        owner: Some("id"),
    },
    &Personal {
        kind: "message_address",
        table: "outbox",
        columns: &["address"],
        retention: Some(&MESSAGE_ADDRESS_DAYS),
        kept_from: "sent_at",
        owner: None,
    },
];

const DAY_MS: i64 = 86_400_000;
/// Rows erased per kind in one sweep, so a first sweep over years of records stays short.
const BATCH: i64 = 5000;

/// Erase what has outlived its retention (0 days: kept). Runs at most once a day.
pub fn sweep(tx: &mut Tx<'_>, who: &Who, env: &super::registry::Environment) -> AppResult<usize> {
    let last = tx.query_opt("SELECT value FROM database_facts WHERE name = 'privacy_swept_at'", &[])?;
    if last.map(|r| r.text(0)).transpose()?.and_then(|v| v.parse::<i64>().ok()).is_some_and(|at| who.now - at < DAY_MS)
    {
        return Ok(0);
    }
    tx.execute("DELETE FROM database_facts WHERE name = 'privacy_swept_at'", &[])?;
    tx.execute(
        "INSERT INTO database_facts (name, value) VALUES ('privacy_swept_at', $1)",
        params![who.now.to_string()],
    )?;
    let mut erased = 0;
    for p in &env.personal {
        let Some(retention) = p.retention else { continue };
        let days = settings::get(tx, retention)?;
        if days == 0 {
            continue;
        }
        let filled = p.columns.iter().map(|c| format!("{c} <> ''")).collect::<Vec<_>>().join(" OR ");
        let empty = p.columns.iter().map(|c| format!("{c} = ''")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "UPDATE {t} SET {empty} WHERE id IN (SELECT id FROM {t} WHERE ({from}) < $1 AND ({filled}) LIMIT {BATCH})",
            t = p.table,
            from = p.kept_from
        );
        let n = tx.execute(&sql, params![who.now - days * DAY_MS])?;
        if n > 0 {
            let after = json!({"kind": p.kind, "rows": n, "retention_days": days});
            audit::record(
                tx,
                who,
                Change { action: "erase_personal", kind: p.table, id: None, before: None, after: Some(after) },
            )?;
            erased += n as usize;
        }
    }
    Ok(erased)
}

/// Record that `who` saw personal information of record `kind` `id` in full (its
/// `field`), as the duty allowed: each such view is in the audit trail.
pub fn record_view(tx: &mut Tx<'_>, who: &Who, kind: &str, id: i64, field: &str) -> AppResult<()> {
    let after = json!({ "field": field });
    audit::record(tx, who, Change { action: "view_personal", kind, id: Some(id), before: None, after: Some(after) })
}

/// Everything the service keeps about account `user`, for the person who asked: the
/// account, its sign-ins, its actions, and each declared kind that names it.
pub fn export(tx: &mut Tx<'_>, personal: &[&Personal], user: i64) -> AppResult<Json> {
    let sign_ins = tx
        .query("SELECT created_at, ip FROM sessions WHERE user_id = $1 ORDER BY id", params![user])?
        .iter()
        .map(|r| Ok(json!({"at": super::clock::rfc3339(r.int(0)?), "address": r.text(1)?})))
        .collect::<AppResult<Vec<_>>>()?;
    let actions = tx
        .query(
            "SELECT at, action, record_kind, record_id, ip FROM audit_log WHERE actor_id = $1 ORDER BY id",
            params![user],
        )?
        .iter()
        .map(|r| {
            Ok(json!({"at": super::clock::rfc3339(r.int(0)?), "action": r.text(1)?, "record_kind": r.text(2)?,
                "record_id": r.opt_int(3)?, "address": r.text(4)?}))
        })
        .collect::<AppResult<Vec<_>>>()?;
    let mut kinds = serde_json::Map::new();
    for p in personal {
        let Some(owner) = p.owner else { continue };
        let sql = format!("SELECT id, {} FROM {} WHERE {owner} = $1 ORDER BY id", p.columns.join(", "), p.table);
        let rows = tx
            .query(&sql, params![user])?
            .iter()
            .map(|r| {
                let mut row = serde_json::Map::new();
                row.insert("id".into(), r.int("id")?.into());
                for c in p.columns {
                    row.insert((*c).into(), crypto::open(&r.opt_text(*c)?.unwrap_or_default())?.into());
                }
                Ok(Json::Object(row))
            })
            .collect::<AppResult<Vec<_>>>()?;
        kinds.insert(p.kind.into(), rows.into());
    }
    let account = tx
        .query_opt("SELECT username, display_name, role, created_at FROM users WHERE id = $1", params![user])?
        .ok_or(super::error::AppError::NotFound)?;
    Ok(json!({
        "account": {"id": user, "username": account.text(0)?, "name": account.text(1)?, "role": account.text(2)?,
            "created_at": super::clock::rfc3339(account.int(3)?)},
        "personal_information": kinds,
        "sign_ins": sign_ins,
        "actions": actions,
    }))
}

/// [`export`], recorded in the audit trail as done by `who` at the person's request.
pub fn export_on_request(tx: &mut Tx<'_>, who: &Who, personal: &[&Personal], user: i64) -> AppResult<Json> {
    let data = export(tx, personal, user)?;
    audit::record(
        tx,
        who,
        Change { action: "export_personal", kind: "user", id: Some(user), before: None, after: None },
    )?;
    Ok(data)
}

/// Seal every declared column's values under the current key (after a new key is put
/// first in the key file, or when a database first runs under the gm suite's keys).
/// Answers how many values were sealed again.
pub fn reseal_all(tx: &mut Tx<'_>, who: &Who, personal: &[&Personal]) -> AppResult<usize> {
    let mut count = 0;
    for p in personal {
        for column in p.columns {
            // A page of rows at a time, so a city's tables are not held in memory at once.
            let sql = format!(
                "SELECT id, {column} FROM {} WHERE {column} <> '' AND id > $1 ORDER BY id LIMIT {BATCH}",
                p.table
            );
            let update = format!("UPDATE {} SET {column} = $1 WHERE id = $2", p.table);
            let mut after = 0;
            loop {
                let rows = tx.query(&sql, params![after])?;
                let Some(last) = rows.last() else { break };
                after = last.int(0)?;
                for r in &rows {
                    let Some(stored) = r.opt_text(1)? else { continue };
                    if let Some(sealed) = crypto::reseal(&stored)? {
                        tx.execute(&update, params![sealed, r.int(0)?])?;
                        count += 1;
                    }
                }
            }
        }
    }
    crypto::record_current_key(tx)?;
    let after = json!({"key": crypto::current_key_id(), "values": count});
    audit::record(
        tx,
        who,
        Change { action: "rotate_key", kind: "crypto", id: None, before: None, after: Some(after) },
    )?;
    Ok(count)
}
