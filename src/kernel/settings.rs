//! Settings administrators change at run time: thresholds and periods that are
//! configuration, not code. Each setting is declared with its default and bounds.

use serde::Serialize;

use super::audit::{self, Change, Who};
use super::db::Tx;
use super::error::{AppError, AppResult};
use crate::params;

/// A whole-number setting: key, default, lowest, highest, and what it means (zh, en).
pub struct Setting {
    pub key: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const ALL: [Setting; 4] = [
    Setting {
        key: "evaluation.commend_top",
        default: 3,
        min: 0,
        max: 100,
        zh: "每期得分最高的前 N 个处室列入表彰名单",
        en: "The top N divisions of a period go on the commendation list",
    },
    Setting {
        key: "evaluation.interview_bottom",
        default: 3,
        min: 0,
        max: 100,
        zh: "每期得分最低的 N 个处室负责人须约谈",
        en: "The heads of the bottom N divisions of a period are interviewed",
    },
    Setting {
        key: "evaluation.adjust_after",
        default: 2,
        min: 1,
        max: 12,
        zh: "连续 K 个季度处于末位，提出调整建议",
        en: "At the bottom K quarters in a row: an adjustment proposal",
    },
    Setting {
        key: "supervision.exposure_hours",
        default: 24,
        min: 1,
        max: 168,
        zh: "媒体曝光问题须在多少小时内回应",
        en: "Hours within which an exposed problem must be answered",
    },
];

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

fn declared(key: &str) -> AppResult<&'static Setting> {
    ALL.iter().find(|s| s.key == key).ok_or(AppError::NotFound)
}

pub fn get(tx: &mut Tx<'_>, key: &str) -> AppResult<i64> {
    let s = declared(key)?;
    let stored =
        tx.query_opt("SELECT value FROM settings WHERE key = $1", params![key])?.map(|r| r.text(0)).transpose()?;
    Ok(stored.and_then(|v| v.parse().ok()).filter(|v| (s.min..=s.max).contains(v)).unwrap_or(s.default))
}

pub fn all(tx: &mut Tx<'_>) -> AppResult<Vec<SettingValue>> {
    ALL.iter()
        .map(|s| {
            Ok(SettingValue {
                key: s.key.into(),
                value: get(tx, s.key)?,
                default: s.default,
                min: s.min,
                max: s.max,
                meaning: s.zh.into(),
                meaning_en: s.en.into(),
            })
        })
        .collect()
}

pub fn set(tx: &mut Tx<'_>, who: &Who, key: &str, value: i64) -> AppResult<SettingValue> {
    let s = declared(key)?;
    if !(s.min..=s.max).contains(&value) {
        return Err(AppError::invalid_detail("bad_value", "value", format!("{}–{}", s.min, s.max)));
    }
    let before = get(tx, key)?;
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
    all(tx)?.into_iter().find(|v| v.key == key).ok_or(AppError::NotFound)
}
