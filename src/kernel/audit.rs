//! The audit trail: every change is appended, in the same transaction as the change, to
//! a hash-chained log. Writers are spread over [`PARTITIONS`] chains (a PostgreSQL
//! connection always uses the same one), so appends from many connections do not queue
//! behind one global lock; `audit_heads` seals the newest entry of each chain so that
//! cutting off the tail is noticed too.

use serde::Serialize;
use serde_json::Value as Json;

use super::crypto;
use super::db::{DbError, Tx};
use super::error::AppError;
use crate::params;

pub const PARTITIONS: i64 = 16;

/// Who made a change, from where, and when.
#[derive(Debug, Clone)]
pub struct Who {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub ip: String,
    pub request_id: String,
    pub now: i64,
}

impl Who {
    /// A change made from the command line or by the system itself.
    pub fn system(actor: &str, now: i64) -> Who {
        Who { actor_id: None, actor: actor.to_owned(), ip: "local".into(), request_id: "-".into(), now }
    }

    /// A change the demo city's seed makes as `user`, at `now`.
    pub fn demo(user: &super::access::CurrentUser, now: i64) -> Who {
        Who { actor_id: Some(user.id), actor: user.username.clone(), ip: "demo".into(), request_id: "demo".into(), now }
    }
}

/// One change to one record.
pub struct Change<'a> {
    pub action: &'a str,
    pub kind: &'a str,
    pub id: Option<i64>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

impl<'a> Change<'a> {
    pub fn created(kind: &'a str, id: i64, after: &impl Serialize) -> Self {
        Change { action: "create", kind, id: Some(id), before: None, after: serde_json::to_value(after).ok() }
    }
    pub fn updated(action: &'a str, kind: &'a str, id: i64, before: &impl Serialize, after: &impl Serialize) -> Self {
        Change {
            action,
            kind,
            id: Some(id),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        }
    }
}

struct Entry {
    id: i64,
    seq: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: String,
    ip: String,
    request_id: String,
    action: String,
    kind: String,
    record_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Entry {
    /// The text the entry's link is computed over.
    fn canonical(&self, part: i64) -> String {
        let canonical = serde_json::json!([
            self.prev_hash,
            part,
            self.seq,
            self.at,
            self.actor_id,
            self.actor,
            self.ip,
            self.request_id,
            self.action,
            self.kind,
            self.record_id,
            self.before,
            self.after
        ]);
        canonical.to_string()
    }
}

/// Append one entry to the caller's chain, inside the caller's transaction.
pub fn record(tx: &mut Tx<'_>, who: &Who, change: Change<'_>) -> Result<(), AppError> {
    let part = tx.partition() % PARTITIONS;
    let sql = match tx.dialect() {
        super::db::Dialect::Sqlite => "SELECT seq, hash FROM audit_heads WHERE part = $1",
        super::db::Dialect::Postgres => "SELECT seq, hash FROM audit_heads WHERE part = $1 FOR UPDATE",
    };
    let head = tx.query_one(sql, params![part])?;
    let mut e = Entry {
        id: 0,
        seq: head.int(0)? + 1,
        at: who.now,
        actor_id: who.actor_id,
        actor: who.actor.clone(),
        ip: who.ip.clone(),
        request_id: who.request_id.clone(),
        action: change.action.to_owned(),
        kind: change.kind.to_owned(),
        record_id: change.id,
        before: change.before.map(|j| crypto::seal(&j.to_string())).transpose()?,
        after: change.after.map(|j| crypto::seal(&j.to_string())).transpose()?,
        prev_hash: head.text(1)?,
        hash: String::new(),
    };
    e.hash = crypto::chain_link(e.canonical(part).as_bytes());
    tx.execute(
        "INSERT INTO audit_log (part, seq, at, actor_id, actor, ip, request_id, action, record_kind, record_id, \
         before_json, after_json, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
        params![
            part,
            e.seq,
            e.at,
            e.actor_id,
            e.actor.as_str(),
            e.ip.as_str(),
            e.request_id.as_str(),
            e.action.as_str(),
            e.kind.as_str(),
            e.record_id,
            e.before.clone(),
            e.after.clone(),
            e.prev_hash.as_str(),
            e.hash.as_str()
        ],
    )?;
    tx.execute("UPDATE audit_heads SET seq = $1, hash = $2 WHERE part = $3", params![e.seq, e.hash.as_str(), part])?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub ok: bool,
    pub entries_checked: i64,
    /// Id of the first entry found edited, removed, inserted or out of order.
    pub first_bad_id: Option<i64>,
    pub problem: Option<String>,
}

const ENTRY_COLUMNS: &str = "id, seq, at, actor_id, actor, ip, request_id, action, record_kind, record_id, \
    before_json, after_json, prev_hash, hash";

fn entry_from(r: &super::db::Row) -> Result<Entry, DbError> {
    Ok(Entry {
        id: r.int(0)?,
        seq: r.int(1)?,
        at: r.int(2)?,
        actor_id: r.opt_int(3)?,
        actor: r.text(4)?,
        ip: r.text(5)?,
        request_id: r.text(6)?,
        action: r.text(7)?,
        kind: r.text(8)?,
        record_id: r.opt_int(9)?,
        before: r.opt_text(10)?,
        after: r.opt_text(11)?,
        prev_hash: r.text(12)?,
        hash: r.text(13)?,
    })
}

/// Walk every chain from its start and check each link and each seal.
pub fn verify(tx: &mut Tx<'_>) -> Result<VerifyReport, AppError> {
    let mut checked = 0;
    let bad = |id: i64, problem: String, checked: i64| VerifyReport {
        ok: false,
        entries_checked: checked,
        first_bad_id: Some(id),
        problem: Some(problem),
    };
    let mut first_problem: Option<VerifyReport> = None;
    for part in 0..PARTITIONS {
        let (mut seq, mut hash, mut last_id) = (0i64, "genesis".to_owned(), 0i64);
        let mut broken = false;
        loop {
            let sql =
                format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE part = $1 AND seq > $2 ORDER BY seq LIMIT 5000");
            let rows = tx.query(&sql, params![part, seq])?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry_from(r)?;
                checked += 1;
                let problem = if e.seq != seq + 1 {
                    Some(format!("chain {part}: entry {} follows {} (missing or reordered entries)", e.seq, seq))
                } else if e.prev_hash != hash {
                    Some(format!("chain {part}: entry {} does not link to the one before it", e.seq))
                } else if !crypto::chain_link_matches(e.canonical(part).as_bytes(), &e.hash) {
                    Some(format!("chain {part}: entry {} was changed after it was written", e.seq))
                } else if e.id < last_id {
                    Some(format!("chain {part}: entry {} is out of order", e.seq))
                } else {
                    None
                };
                if let Some(p) = problem {
                    if first_problem.as_ref().is_none_or(|f| f.first_bad_id.unwrap_or(i64::MAX) > e.id) {
                        first_problem = Some(bad(e.id, p, 0));
                    }
                    broken = true;
                    break;
                }
                seq = e.seq;
                hash = e.hash;
                last_id = e.id;
            }
            if broken {
                break;
            }
        }
        if !broken {
            let head = tx.query_opt("SELECT seq, hash FROM audit_heads WHERE part = $1", params![part])?;
            let sealed = match head {
                Some(h) => h.int(0)? == seq && h.text(1)? == hash,
                None => seq == 0,
            };
            if !sealed && first_problem.is_none() {
                let after_last = last_id + 1;
                first_problem = Some(bad(
                    after_last,
                    format!("chain {part}: entries after {seq} were removed (the seal does not match)"),
                    0,
                ));
            }
        }
    }
    Ok(match first_problem {
        Some(mut p) => {
            p.entries_checked = checked;
            p
        }
        None => VerifyReport { ok: true, entries_checked: checked, first_bad_id: None, problem: None },
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub ip: String,
    pub request_id: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<i64>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub hash: String,
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Record kind, e.g. `department`.
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub record_id: Option<i64>,
    /// Actor's username (exact).
    pub actor: Option<String>,
    /// From this date (YYYY-MM-DD, China time), inclusive.
    pub from: Option<String>,
    /// Up to this date (YYYY-MM-DD, China time), inclusive.
    pub to: Option<String>,
    /// Keyset paging: entries with an id below this.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub before: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub limit: Option<i64>,
}

fn day_start_ms(s: &str, field: &'static str) -> Result<i64, AppError> {
    let d = super::clock::parse_date(s).ok_or_else(|| AppError::invalid("bad_date", field))?;
    Ok(super::clock::start_of_day_ms(d))
}

/// Newest first, keyset-paged by id so every page costs the same.
pub fn list(tx: &mut Tx<'_>, f: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE 1=1");
    let mut args = Vec::new();
    let mut push = |sql: &mut String, cond: &str, v: super::db::Value| {
        args.push(v);
        sql.push_str(&cond.replace('?', &format!("${}", args.len())));
    };
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        push(&mut sql, " AND record_kind = ?", k.into());
    }
    if let Some(id) = f.record_id {
        push(&mut sql, " AND record_id = ?", id.into());
    }
    if let Some(a) = f.actor.as_deref().filter(|a| !a.is_empty()) {
        push(&mut sql, " AND actor = ?", a.into());
    }
    if let Some(d) = f.from.as_deref().filter(|d| !d.is_empty()) {
        push(&mut sql, " AND at >= ?", day_start_ms(d, "from")?.into());
    }
    if let Some(d) = f.to.as_deref().filter(|d| !d.is_empty()) {
        push(&mut sql, " AND at < ?", (day_start_ms(d, "to")? + 86_400_000).into());
    }
    if let Some(b) = f.before {
        push(&mut sql, " AND id < ?", b.into());
    }
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    let rows = tx.query(&sql, &args)?;
    rows.iter()
        .map(|r| -> Result<AuditEntry, AppError> {
            let e = entry_from(r)?;
            Ok(AuditEntry {
                id: e.id,
                at: super::clock::rfc3339(e.at),
                actor_id: e.actor_id,
                actor: e.actor,
                ip: e.ip,
                request_id: e.request_id,
                action: e.action,
                record_kind: e.kind,
                record_id: e.record_id,
                before: crypto::open_opt(e.before)?.and_then(|s| serde_json::from_str(&s).ok()),
                after: crypto::open_opt(e.after)?.and_then(|s| serde_json::from_str(&s).ok()),
                hash: e.hash,
            })
        })
        .collect()
}
