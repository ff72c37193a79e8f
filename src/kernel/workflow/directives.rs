//! 批示 and 催办 by hand, on any record a process governs. A leader's instruction (批示)
//! is addressed to the people the process file names (`directives.to`) and anyone the
//! leader adds; a 催办 urges the same people and gets a number (青督催〔2019〕1号). Both
//! are records of their own, in the recipients' inboxes, listed on the record and
//! answerable by each recipient. Who may give them is the process file's too
//! (`directives.instruct`, `directives.urge`): relations to the record, or a role written
//! `role:leader`.

use serde::{Deserialize, Serialize};

use super::{Process, Spec, Subject};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::params;

/// The longest 批示, 催办 or answer, in characters.
const MAX_TEXT: usize = 2000;

/// A process file's `[directives]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Who may give a 批示: relations, or roles as `role:<role>`.
    #[serde(default)]
    pub instruct: Vec<String>,
    /// Who may 催办 by hand.
    #[serde(default)]
    pub urge: Vec<String>,
    /// Whom both are addressed to (relations).
    #[serde(default)]
    pub to: Vec<String>,
}

/// 批示 or 催办.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Instruction,
    Urge,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Instruction => "instruction",
            Kind::Urge => "urge",
        }
    }
    fn parse(s: &str) -> Kind {
        if s == "urge" { Kind::Urge } else { Kind::Instruction }
    }
    /// The note kinds a person may choose how to receive.
    pub const NOTE_KINDS: [&'static str; 2] = ["instruction", "urge"];
}

/// What a 批示 or 催办 asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Giving {
    pub kind: Kind,
    pub body: String,
    /// Someone else to address a 批示 to (an account id), besides those the process names.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub also_user_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Directive {
    pub id: i64,
    pub record_kind: String,
    pub record_id: i64,
    pub kind: Kind,
    /// A 催办's number (青督催〔2019〕1号); none for a 批示.
    pub number: Option<String>,
    /// The record's title when it was given.
    pub title: String,
    pub link: String,
    pub body: String,
    pub author_id: i64,
    pub author_name: String,
    /// The author's unit, for the document's issuing line.
    pub author_unit: String,
    pub created_at: i64,
    pub recipients: Vec<Recipient>,
}

/// What a caller may give on a record of `process`, holding `relations` to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct May {
    pub instruct: bool,
    pub urge: bool,
}

fn holds(allowed: &[String], user: &CurrentUser, relations: &[&str]) -> bool {
    allowed.iter().any(|a| match a.strip_prefix("role:") {
        Some(role) => role == user.role.as_str(),
        None => relations.contains(&a.as_str()),
    })
}

/// A record in a final state is not urged.
pub fn may(process: &Process, user: &CurrentUser, relations: &[&str], state: &str) -> May {
    let d = &process.directives;
    May {
        instruct: holds(&d.instruct, user, relations),
        urge: holds(&d.urge, user, relations) && !process.is_final(state),
    }
}

/// Problems with a process file's `[directives]`.
pub fn validate(spec: &Spec, d: &Rules, errors: &mut Vec<String>) {
    for r in d.instruct.iter().chain(&d.urge) {
        let known = match r.strip_prefix("role:") {
            Some(role) => crate::kernel::access::Role::parse(role).is_some(),
            None => spec.relations.contains(&r.as_str()),
        };
        if !known {
            errors.push(format!("directives names unknown relation or role {r:?}"));
        }
    }
    for r in &d.to {
        if !spec.relations.contains(&r.as_str()) {
            errors.push(format!("directives.to names unknown relation {r:?}"));
        }
    }
    if (!d.instruct.is_empty() || !d.urge.is_empty()) && d.to.is_empty() {
        errors.push("directives name who may give them but not whom they go to (directives.to)".into());
    }
}

fn checked_text(body: &str, field: &'static str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("required", field));
    }
    if body.chars().count() > MAX_TEXT {
        return Err(AppError::invalid("too_long", field));
    }
    Ok(body.to_owned())
}

/// The next number of a yearly series of documents, such as 青督催〔2019〕N号: one upsert,
/// so two servers never hand out the same number.
pub fn next_number(tx: &mut Tx<'_>, series: &str, year: i64) -> AppResult<i64> {
    Ok(tx.insert(
        "INSERT INTO document_numbers (series, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (series, year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last",
        params![series, year],
    )?)
}

/// Give a 批示 or 催办 on record `id` of `spec`, as `user` holding `relations` to it.
#[allow(clippy::too_many_arguments)]
pub fn give(
    tx: &mut Tx<'_>,
    who: &Who,
    spec: &Spec,
    process: &Process,
    user: &CurrentUser,
    relations: &[&str],
    id: i64,
    giving: &Giving,
    subject: &dyn Subject,
) -> AppResult<Directive> {
    let sql = format!("SELECT state FROM {} WHERE id = $1", spec.table);
    let state = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?.text(0)?;
    let (instruct, urge) =
        (holds(&process.directives.instruct, user, relations), holds(&process.directives.urge, user, relations));
    match giving.kind {
        Kind::Instruction if !instruct => return Err(AppError::Forbidden),
        Kind::Urge if !urge => return Err(AppError::Forbidden),
        Kind::Urge if process.is_final(&state) => return Err(AppError::conflict("record_finished")),
        _ => {}
    }
    let body = checked_text(&giving.body, "body")?;
    let mut to = Vec::new();
    for r in &process.directives.to {
        to.extend(subject.recipients(tx, r)?);
    }
    if let Some(also) = giving.also_user_id {
        if giving.kind != Kind::Instruction {
            return Err(AppError::invalid("instruction_only", "also_user_id"));
        }
        tx.query_opt("SELECT 1 FROM users WHERE id = $1 AND active = 1", params![also])?
            .ok_or_else(|| AppError::invalid("unknown_user", "also_user_id"))?;
        to.push(also);
    }
    to.retain(|u| *u != user.id);
    to.sort_unstable();
    to.dedup();
    if to.is_empty() {
        return Err(AppError::conflict("no_one_to_direct"));
    }
    let number = match giving.kind {
        Kind::Urge => {
            let year: i64 = crate::kernel::clock::local_date(who.now).format("%Y").to_string().parse().unwrap_or(0);
            Some(format!("青督催〔{year}〕{}号", next_number(tx, "urge", year)?))
        }
        Kind::Instruction => None,
    };
    let (title, link) = (subject.title(), subject.link());
    let did = tx.insert(
        "INSERT INTO directives (record_kind, record_id, kind, number, title, link, body, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![
            spec.kind,
            id,
            giving.kind.as_str(),
            number.as_deref(),
            title.as_str(),
            link.as_str(),
            body.as_str(),
            user.id,
            who.now
        ],
    )?;
    for u in &to {
        tx.execute("INSERT INTO directive_recipients (directive_id, user_id) VALUES ($1, $2)", params![did, *u])?;
    }
    audit::record(
        tx,
        who,
        Change {
            action: giving.kind.as_str(),
            kind: spec.kind,
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "directive": did, "number": number, "body": body, "to": to })),
        },
    )?;
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: giving.kind.as_str(),
            message: match giving.kind {
                Kind::Instruction => "note-instruction",
                Kind::Urge => "note-urge",
            },
            params: vec![("author", user.display_name.as_str().into()), ("title", title.as_str().into())],
            body: body.clone(),
            link: format!("/directives/{did}"),
        },
    )?;
    get(tx, did)
}

/// A recipient's answer (落实情况); each recipient answers once, and the author is told.
pub fn answer(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, body: &str) -> AppResult<Directive> {
    let d = get(tx, id)?;
    let mine = d.recipients.iter().find(|r| r.user_id == user.id).ok_or(AppError::NotFound)?;
    if mine.answered_at.is_some() {
        return Err(AppError::conflict("already_answered"));
    }
    let body = checked_text(body, "answer")?;
    tx.execute(
        "UPDATE directive_recipients SET answer = $1, answered_at = $2 WHERE directive_id = $3 AND user_id = $4 AND answered_at IS NULL",
        params![body.as_str(), who.now, id, user.id],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "answer",
            kind: "directive",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "answer": body })),
        },
    )?;
    notify::send(
        tx,
        who,
        &[d.author_id],
        &Note {
            kind: d.kind.as_str(),
            message: "note-directive-answered",
            params: vec![("who", user.display_name.as_str().into()), ("title", d.title.as_str().into())],
            body: body.clone(),
            link: format!("/directives/{id}"),
        },
    )?;
    get(tx, id)
}

const COLUMNS: &str = "d.id, d.record_kind, d.record_id, d.kind, d.number, d.title, d.link, d.body, d.author_id, \
     u.display_name AS author_name, COALESCE(dep.name, '') AS author_unit, d.created_at";

fn directive(tx: &mut Tx<'_>, r: &crate::kernel::db::Row) -> AppResult<Directive> {
    let id = r.int("id")?;
    let recipients = tx
        .query(
            "SELECT r.user_id, u.display_name, r.answer, r.answered_at FROM directive_recipients r \
             JOIN users u ON u.id = r.user_id WHERE r.directive_id = $1 ORDER BY r.user_id",
            params![id],
        )?
        .iter()
        .map(|r| {
            Ok(Recipient { user_id: r.int(0)?, name: r.text(1)?, answer: r.opt_text(2)?, answered_at: r.opt_int(3)? })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Directive {
        id,
        record_kind: r.text("record_kind")?,
        record_id: r.int("record_id")?,
        kind: Kind::parse(&r.text("kind")?),
        number: r.opt_text("number")?,
        title: r.text("title")?,
        link: r.text("link")?,
        body: r.text("body")?,
        author_id: r.int("author_id")?,
        author_name: r.text("author_name")?,
        author_unit: r.text("author_unit")?,
        created_at: r.int("created_at")?,
        recipients,
    })
}

fn get(tx: &mut Tx<'_>, id: i64) -> AppResult<Directive> {
    let sql = format!(
        "SELECT {COLUMNS} FROM directives d JOIN users u ON u.id = d.author_id \
         LEFT JOIN departments dep ON dep.id = u.department_id WHERE d.id = $1"
    );
    let r = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    directive(tx, &r)
}

/// A directive, for its author and its recipients only (those who see the record see it
/// on the record's page).
pub fn read(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Directive> {
    let d = get(tx, id)?;
    if d.author_id == user.id || d.recipients.iter().any(|r| r.user_id == user.id) {
        Ok(d)
    } else {
        Err(AppError::NotFound)
    }
}

/// The 批示 and 催办 on a record, oldest first; the caller has checked that the reader sees
/// the record.
pub fn on(tx: &mut Tx<'_>, kind: &str, id: i64) -> AppResult<Vec<Directive>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM directives d JOIN users u ON u.id = d.author_id \
         LEFT JOIN departments dep ON dep.id = u.department_id WHERE d.record_kind = $1 AND d.record_id = $2 ORDER BY d.id"
    );
    let rows = tx.query(&sql, params![kind, id])?;
    rows.iter().map(|r| directive(tx, r)).collect()
}

/// Those addressed to `user` still waiting for their answer, newest first.
pub fn awaiting(tx: &mut Tx<'_>, user: i64, limit: i64) -> AppResult<Vec<Directive>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM directive_recipients r JOIN directives d ON d.id = r.directive_id \
         JOIN users u ON u.id = d.author_id LEFT JOIN departments dep ON dep.id = u.department_id \
         WHERE r.user_id = $1 AND r.answered_at IS NULL ORDER BY d.id DESC LIMIT $2"
    );
    let rows = tx.query(&sql, params![user, limit])?;
    rows.iter().map(|r| directive(tx, r)).collect()
}
