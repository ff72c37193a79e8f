//! Ties between records of the registry, for the organisations that must stay
//! independent of the enterprises they judge (evaluators, law firms): the ties the
//! registry shows (the same legal representative, a shared shareholder, one holding the
//! other) and those the organisation declares (ownership, shared people, a contract in
//! the last three years).

use serde::{Deserialize, Serialize};

use super::registry::{self, name_key};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::{clock, validate};
use crate::params;

/// What an organisation may declare.
pub const KINDS: [&str; 3] = ["ownership", "people", "contract"];
/// A contract ties for this many years after it was signed.
const CONTRACT_YEARS: i32 = 3;

/// Why two records are not independent, in words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tie {
    /// `ownership`, `people`, `contract` (declared) or `legal_representative`,
    /// `shareholder` (found in the registry).
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeclaredTie {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub kind: String,
    pub detail: String,
    /// The day a contract was signed (`YYYY-MM-DD`).
    pub contract_on: Option<String>,
    pub declared_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TieInput {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub enterprise_id: i64,
    /// `ownership`, `people` or `contract`.
    pub kind: String,
    pub detail: String,
    /// For a contract: the day it was signed.
    #[serde(default)]
    pub contract_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ShareholdersInput {
    /// Names of the holders, one per entry.
    pub names: Vec<String>,
}

/// The holders of record `id`.
pub fn shareholders(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<String>> {
    tx.query("SELECT name FROM enterprise_shareholders WHERE enterprise_id = $1 ORDER BY name", params![id])?
        .iter()
        .map(|r| Ok(r.text(0)?))
        .collect()
}

/// Replace the holders of record `id`.
pub fn set_shareholders(tx: &mut Tx<'_>, who: &Who, id: i64, input: &ShareholdersInput) -> AppResult<Vec<String>> {
    registry::find(tx, id)?;
    if input.names.len() > 200 {
        return Err(AppError::invalid("too_many", "names"));
    }
    let mut names = Vec::new();
    for n in &input.names {
        let n = validate::text(n, "names", 100)?;
        if !names.iter().any(|m: &String| name_key(m) == name_key(&n)) {
            names.push(n);
        }
    }
    let before = shareholders(tx, id)?;
    tx.execute("DELETE FROM enterprise_shareholders WHERE enterprise_id = $1", params![id])?;
    for n in &names {
        tx.execute(
            "INSERT INTO enterprise_shareholders (enterprise_id, name, name_key) VALUES ($1, $2, $3)",
            params![id, n.as_str(), name_key(n)],
        )?;
    }
    let after = shareholders(tx, id)?;
    audit::record(tx, who, Change::updated("shareholders", "enterprise", id, &before, &after))?;
    Ok(after)
}

/// The ties organisation `org` has declared.
pub fn declared(tx: &mut Tx<'_>, org: i64) -> AppResult<Vec<DeclaredTie>> {
    tx.query(
        "SELECT t.id, t.enterprise_id, e.name, t.kind, t.detail, t.contract_on, t.declared_at \
         FROM declared_ties t JOIN enterprises e ON e.id = t.enterprise_id WHERE t.organisation_id = $1 ORDER BY t.id",
        params![org],
    )?
    .iter()
    .map(|r| {
        Ok(DeclaredTie {
            id: r.int(0)?,
            enterprise_id: r.int(1)?,
            enterprise_name: r.text(2)?,
            kind: r.text(3)?,
            detail: r.text(4)?,
            contract_on: r.opt_text(5)?,
            declared_at: r.int(6)?,
        })
    })
    .collect()
}

/// Organisation `org` declares a tie to an enterprise.
pub fn declare(tx: &mut Tx<'_>, who: &Who, org: i64, input: &TieInput) -> AppResult<DeclaredTie> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let detail = validate::text(&input.detail, "detail", 500)?;
    let contract_on = match (input.kind.as_str(), input.contract_on.as_deref().map(str::trim)) {
        ("contract", Some(d)) if !d.is_empty() => {
            let day = validate::date(d, "contract_on")?;
            if day > clock::local_date(who.now) {
                return Err(AppError::invalid("date_in_future", "contract_on"));
            }
            Some(day.to_string())
        }
        ("contract", _) => return Err(AppError::invalid("required", "contract_on")),
        _ => None,
    };
    registry::find(tx, input.enterprise_id).map_err(|_| AppError::invalid("unknown_reference", "enterprise_id"))?;
    let id = tx.insert(
        "INSERT INTO declared_ties (organisation_id, enterprise_id, kind, detail, contract_on, declared_by, declared_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![org, input.enterprise_id, input.kind.as_str(), detail, contract_on, who.actor.as_str(), who.now],
    )?;
    let tie = declared(tx, org)?.into_iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
    audit::record(tx, who, Change::created("declared_tie", id, &tie))?;
    Ok(tie)
}

/// Why organisation `org` is not independent of enterprise `enterprise` on day `today`;
/// empty when it is.
pub fn between(tx: &mut Tx<'_>, org: i64, enterprise: i64, today: chrono::NaiveDate) -> AppResult<Vec<Tie>> {
    let mut ties = Vec::new();
    let cutoff = today.checked_sub_months(chrono::Months::new(12 * CONTRACT_YEARS as u32)).unwrap_or(today);
    for t in declared(tx, org)?.into_iter().filter(|t| t.enterprise_id == enterprise) {
        let current = t.contract_on.as_deref().and_then(clock::parse_date).is_none_or(|d| d >= cutoff);
        if current {
            let detail = match &t.contract_on {
                Some(d) => format!("{}（{d}）", t.detail),
                None => t.detail,
            };
            ties.push(Tie { kind: t.kind, detail });
        }
    }
    let (a, b) = (registry::resolve(tx, org)?, registry::resolve(tx, enterprise)?);
    if !a.legal_representative.is_empty() && a.legal_representative == b.legal_representative {
        ties.push(Tie { kind: "legal_representative".into(), detail: a.legal_representative.clone() });
    }
    let shared = tx.query(
        "SELECT x.name FROM enterprise_shareholders x JOIN enterprise_shareholders y ON y.name_key = x.name_key \
         WHERE x.enterprise_id = $1 AND y.enterprise_id = $2 ORDER BY x.name",
        params![a.id, b.id],
    )?;
    for r in shared {
        ties.push(Tie { kind: "shareholder".into(), detail: r.text(0)? });
    }
    for (holder, held) in [(&a, &b), (&b, &a)] {
        let holds = tx
            .query_opt(
                "SELECT 1 FROM enterprise_shareholders WHERE enterprise_id = $1 AND name_key = $2",
                params![held.id, name_key(&holder.name)],
            )?
            .is_some();
        if holds {
            ties.push(Tie { kind: "shareholder".into(), detail: format!("{} → {}", holder.name, held.name) });
        }
    }
    Ok(ties)
}

/// The ties in words, for an error's detail.
pub fn in_words(ties: &[Tie], lang: crate::kernel::i18n::Lang) -> String {
    ties.iter()
        .map(|t| format!("{}：{}", crate::kernel::i18n::t(lang, &format!("ent-tie-{}", t.kind)), t.detail))
        .collect::<Vec<_>>()
        .join("；")
}
