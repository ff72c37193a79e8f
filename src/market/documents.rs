//! Document accounts (收发文户头): an official document is dispatched in one go to
//! departments and associations alike. Each receiving account shows its delivery, who of
//! it opened the document and when (read receipts), its acknowledgement (签收) and its
//! feedback; accounts that have not read it by the day set are listed and reminded.

use serde::{Deserialize, Serialize};

use super::associations;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::attachments::{self, Attachment};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note, Param};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

pub const CLASSIFICATIONS: [&str; 2] = ["public", "internal"];
/// Working days a recipient has to read a document when the issuer sets no day.
const READ_WITHIN_DAYS: u32 = 3;
const MAX_RECIPIENTS: usize = 500;

/// A receiving (or issuing) account: a department, or an association.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Department(i64),
    Association(i64),
}

/// The account `user` receives documents for.
pub fn account_of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<Account>> {
    if user.role == Role::Association {
        return Ok(associations::of_account(tx, user)?.map(Account::Association));
    }
    Ok(user.department_id.filter(|_| user.role.is_government()).map(Account::Department))
}

/// 青政发〔2019〕12号 → (2019, 12): an organ's abbreviation in Chinese characters, the year
/// in the hexagonal brackets, the sequence and 号 (GB/T 9704-2012).
pub fn parse_number(number: &str) -> Option<(i32, i64)> {
    let rest = number.strip_suffix('号')?;
    let (organ, rest) = rest.split_once('〔')?;
    let (year, seq) = rest.split_once('〕')?;
    let organ_ok = !organ.is_empty()
        && organ.chars().count() <= 12
        && organ.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !organ_ok || year.len() != 4 || !digits(year) || !digits(seq) || seq.len() > 5 || seq.starts_with('0') {
        return None;
    }
    Some((year.parse().ok()?, seq.parse().ok()?))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OfficialDocument)]
pub struct Document {
    pub id: i64,
    pub number: String,
    pub issuer_department_id: i64,
    pub issuer_name: String,
    pub title: String,
    pub body: String,
    /// `public` (公开) or `internal` (内部).
    pub classification: String,
    pub issued_on: String,
    pub read_by: String,
    pub issued_by_name: String,
    pub recipient_count: i64,
    /// Receiving accounts of which someone opened it.
    pub read_count: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "d.id, d.number, d.issuer_department_id, dep.name AS issuer_name, d.title, d.body, \
    d.classification, d.issued_on, d.read_by, u.display_name AS issued_by_name, \
    (SELECT COUNT(*) FROM document_recipients r WHERE r.document_id = d.id) AS recipient_count, \
    (SELECT COUNT(*) FROM document_recipients r WHERE r.document_id = d.id AND r.first_read_at IS NOT NULL) AS read_count, \
    d.created_at";
const FROM: &str =
    "documents d JOIN departments dep ON dep.id = d.issuer_department_id JOIN users u ON u.id = d.issued_by";

fn from_row(r: &Row) -> AppResult<Document> {
    Ok(Document {
        id: r.int("id")?,
        number: r.text("number")?,
        issuer_department_id: r.int("issuer_department_id")?,
        issuer_name: r.text("issuer_name")?,
        title: r.text("title")?,
        body: r.text("body")?,
        classification: r.text("classification")?,
        issued_on: r.text("issued_on")?,
        read_by: r.text("read_by")?,
        issued_by_name: r.text("issued_by_name")?,
        recipient_count: r.int("recipient_count")?,
        read_count: r.int("read_count")?,
        created_at: r.int("created_at")?,
    })
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Document> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// The recipient row of `account` for document `id`.
fn recipient_row(tx: &mut Tx<'_>, id: i64, account: Account) -> AppResult<Option<i64>> {
    let (column, value) = match account {
        Account::Department(d) => ("department_id", d),
        Account::Association(a) => ("association_id", a),
    };
    let sql = format!("SELECT id FROM document_recipients WHERE document_id = $1 AND {column} = $2");
    Ok(tx.query_opt(&sql, params![id, value])?.map(|r| r.int(0)).transpose()?)
}

/// How the caller stands to a document: its issuer's people, a receiving account's people,
/// or a leader or administrator who oversees all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Issuer,
    Recipient(i64),
    Overseer,
}

fn standing(tx: &mut Tx<'_>, user: &CurrentUser, d: &Document) -> AppResult<Standing> {
    let account = account_of(tx, user)?;
    if let Some(a) = account
        && let Some(row) = recipient_row(tx, d.id, a)?
    {
        return Ok(Standing::Recipient(row));
    }
    if account == Some(Account::Department(d.issuer_department_id)) {
        return Ok(Standing::Issuer);
    }
    if user.role == Role::Leader {
        return Ok(Standing::Overseer);
    }
    Err(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    /// `received` (the caller's account's), `issued` (its department's) or `all`.
    pub r#box: Option<String>,
    /// Only documents not yet read by the caller's account.
    #[serde(default)]
    pub unread: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ListedDocument)]
pub struct Listed {
    #[serde(flatten)]
    pub document: Document,
    /// For a received document: when the caller's account first opened and acknowledged it.
    pub first_read_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

/// The documents the caller may see: received by its account, issued by its department,
/// or (leaders and administrators) all; filtered by words of the number, title or body.
pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &DocumentFilter, p: &ListParams) -> AppResult<Page<Listed>> {
    let account = account_of(tx, user)?;
    let (column, value) = match account {
        Some(Account::Department(d)) => ("department_id", d),
        Some(Account::Association(a)) => ("association_id", a),
        None => ("department_id", 0),
    };
    let mine = format!("LEFT JOIN document_recipients mine ON mine.document_id = d.id AND mine.{column} = {value}",);
    let mut w = Where::default();
    let issuer = match account {
        Some(Account::Department(d)) => d,
        _ => 0,
    };
    match f.r#box.as_deref().unwrap_or("received") {
        "issued" => {
            w.and("d.issuer_department_id = ?", issuer);
        }
        "all" if user.role == Role::Leader => {}
        "all" => {
            w.and("(mine.id IS NOT NULL OR d.issuer_department_id = ?)", issuer);
        }
        _ => {
            w.and_sql("mine.id IS NOT NULL");
        }
    }
    if f.unread == Some(true) {
        w.and_sql("mine.first_read_at IS NULL");
    }
    if let Some(like) = p.like() {
        w.contains(&["d.number", "d.title", "d.body"], like);
    }
    let from = format!("{FROM} {mine}");
    let total = count_capped(tx, &format!("FROM {from}{}", w.sql), &w.args)?;
    let order = p.order_by("d.id", &[("issued", "d.issued_on"), ("title", "d.title"), ("number", "d.number")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!(
        "SELECT {COLUMNS}, mine.first_read_at, mine.acknowledged_at FROM {from}{}{order} LIMIT {lm} OFFSET {o}",
        w.sql
    );
    let items = tx
        .query(&sql, &w.args)?
        .iter()
        .map(|r| {
            Ok(Listed {
                document: from_row(r)?,
                first_read_at: r.opt_int("first_read_at")?,
                acknowledged_at: r.opt_int("acknowledged_at")?,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The documents `account` has not acknowledged, the day to read them by first.
pub fn unacknowledged(tx: &mut Tx<'_>, account: Account) -> AppResult<Vec<Listed>> {
    let (column, value) = match account {
        Account::Department(d) => ("department_id", d),
        Account::Association(a) => ("association_id", a),
    };
    let sql = format!(
        "SELECT {COLUMNS}, mine.first_read_at, mine.acknowledged_at FROM {FROM} \
         JOIN document_recipients mine ON mine.document_id = d.id AND mine.{column} = $1 \
         WHERE mine.acknowledged_at IS NULL ORDER BY d.read_by, d.id LIMIT 20"
    );
    tx.query(&sql, params![value])?
        .iter()
        .map(|r| {
            Ok(Listed {
                document: from_row(r)?,
                first_read_at: r.opt_int("first_read_at")?,
                acknowledged_at: r.opt_int("acknowledged_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DocumentInput)]
pub struct DocumentInput {
    /// 发文字号, such as 青政发〔2019〕12号: unique for the issuing department.
    pub number: String,
    pub title: String,
    pub body: String,
    /// `public` or `internal`; 涉密 documents are refused.
    pub classification: String,
    /// YYYY-MM-DD; the number's year is this day's.
    pub issued_on: String,
    /// The day to have read it by; three working days after issue when not given.
    #[serde(default)]
    pub read_by: Option<String>,
    /// The issuing department: the caller's own (naming another is refused).
    #[serde(default)]
    pub issuer_department_id: Option<i64>,
    #[serde(default)]
    pub department_ids: Vec<i64>,
    #[serde(default)]
    pub association_ids: Vec<i64>,
}

fn issuer_of(user: &CurrentUser, asked: Option<i64>) -> AppResult<i64> {
    match (asked, user.department_id) {
        (Some(d), Some(own)) if d != own => Err(AppError::invalid("not_your_department", "issuer_department_id")),
        (_, Some(own)) => Ok(own),
        _ => Err(AppError::invalid("required", "issuer_department_id")),
    }
}

fn active_ids(tx: &mut Tx<'_>, table: &str, ids: &[i64], field: &'static str) -> AppResult<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!("SELECT id, active FROM {table} WHERE id IN ({})", id_list(&ids));
    let rows = tx.query(&sql, &[])?;
    if rows.len() != ids.len() {
        return Err(AppError::invalid("unknown_recipient", field));
    }
    for r in &rows {
        if !r.bool(1)? {
            return Err(AppError::invalid("recipient_inactive", field));
        }
    }
    Ok(ids)
}

/// Issue a document and dispatch it at once to every department and association named;
/// each receiving account's people are told in their inbox.
pub fn dispatch(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    input: &DocumentInput,
) -> AppResult<Document> {
    let issuer = issuer_of(user, input.issuer_department_id)?;
    let number = input.number.trim();
    let (year, _) = parse_number(number).ok_or_else(|| AppError::invalid("bad_document_number", "number"))?;
    let issued_on = validate::date(input.issued_on.trim(), "issued_on")?;
    if chrono::Datelike::year(&issued_on) != year {
        return Err(AppError::invalid("number_year_mismatch", "number"));
    }
    match input.classification.as_str() {
        c if CLASSIFICATIONS.contains(&c) => {}
        "secret" => return Err(AppError::invalid("secret_not_here", "classification")),
        _ => return Err(AppError::invalid("bad_classification", "classification")),
    }
    let read_by = match validate::opt_date(input.read_by.as_deref().filter(|s| !s.trim().is_empty()), "read_by")? {
        Some(day) if day < issued_on => return Err(AppError::invalid("read_by_before_issue", "read_by")),
        Some(day) => day,
        None => calendar.add_working_days(issued_on, READ_WITHIN_DAYS),
    };
    let title = validate::text(&input.title, "title", 200)?;
    let body = validate::text(&input.body, "body", 100_000)?;
    if input.department_ids.is_empty() && input.association_ids.is_empty() {
        return Err(AppError::invalid("no_recipients", "department_ids"));
    }
    if input.department_ids.len() + input.association_ids.len() > MAX_RECIPIENTS {
        return Err(AppError::invalid("too_many", "department_ids"));
    }
    let departments = active_ids(tx, "departments", &input.department_ids, "department_ids")?;
    let associations = active_ids(tx, "associations", &input.association_ids, "association_ids")?;
    let taken = tx.count(
        "SELECT COUNT(*) FROM documents WHERE issuer_department_id = $1 AND number = $2",
        params![issuer, number],
    )?;
    if taken > 0 {
        return Err(AppError::Conflict { code: "document_number_taken", field: Some("number") });
    }
    let id = tx.insert(
        "INSERT INTO documents (number, issuer_department_id, title, body, classification, issued_on, read_by, \
         issued_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![
            number,
            issuer,
            title,
            body,
            input.classification.as_str(),
            issued_on.to_string(),
            read_by.to_string(),
            user.id,
            who.now
        ],
    )?;
    let mut told = Vec::new();
    for d in &departments {
        tx.execute(
            "INSERT INTO document_recipients (document_id, department_id, delivered_at) VALUES ($1, $2, $3)",
            params![id, *d, who.now],
        )?;
        told.extend(clerks(tx, Account::Department(*d))?);
    }
    for a in &associations {
        tx.execute(
            "INSERT INTO document_recipients (document_id, association_id, delivered_at) VALUES ($1, $2, $3)",
            params![id, *a, who.now],
        )?;
        told.extend(clerks(tx, Account::Association(*a))?);
    }
    let d = find(tx, id)?;
    audit::record(tx, who, Change::created("document", id, &d))?;
    tell(tx, who, &told, &d, "mk-note-received")?;
    Ok(d)
}

/// Who reads a receiving account's mail: a department's office division and its heads
/// (everyone active in it when it has neither), an association's accounts.
pub fn clerks(tx: &mut Tx<'_>, account: Account) -> AppResult<Vec<i64>> {
    let ids = |rows: Vec<Row>| rows.iter().map(|r| Ok(r.int(0)?)).collect::<AppResult<Vec<i64>>>();
    match account {
        Account::Association(a) => associations::accounts(tx, a),
        Account::Department(d) => {
            let office = ids(tx.query(
                "SELECT u.id FROM users u LEFT JOIN divisions v ON v.id = u.division_id WHERE u.department_id = $1 \
                 AND u.active = 1 AND (u.role = 'dept_head' OR v.kind = 'office') ORDER BY u.id",
                params![d],
            )?)?;
            if !office.is_empty() {
                return Ok(office);
            }
            ids(tx.query("SELECT id FROM users WHERE department_id = $1 AND active = 1 ORDER BY id", params![d])?)
        }
    }
}

/// The departments document `id` was dispatched to.
pub fn receiving_departments(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT department_id FROM document_recipients WHERE document_id = $1 AND department_id IS NOT NULL",
        params![id],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The accounts of the associations document `id` was dispatched to.
pub fn reader_accounts(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT u.id FROM document_recipients r JOIN associations a ON a.id = r.association_id \
         JOIN users u ON u.enterprise_id = a.enterprise_id AND u.role = 'association' WHERE r.document_id = $1",
        params![id],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

fn tell(tx: &mut Tx<'_>, who: &Who, users: &[i64], d: &Document, message: &str) -> AppResult<usize> {
    let note = Note {
        kind: "document",
        message,
        params: vec![("number", Param::from(d.number.clone())), ("title", Param::from(d.title.clone()))],
        body: String::new(),
        link: format!("/documents/{}", d.id),
    };
    notify::send(tx, who, users, &note)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentReader)]
pub struct Reader {
    pub name: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentRecipient)]
pub struct Recipient {
    pub id: i64,
    /// `department` or `association`.
    pub kind: String,
    pub account_id: i64,
    pub name: String,
    pub delivered_at: i64,
    pub readers: Vec<Reader>,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
    pub feedback: Option<String>,
    pub feedback_at: Option<i64>,
    pub feedback_by: Option<String>,
    /// Not read by the day set, and that day has passed.
    pub overdue: bool,
}

fn recipients(tx: &mut Tx<'_>, d: &Document, today: &str) -> AppResult<Vec<Recipient>> {
    let rows = tx.query(
        "SELECT r.id, r.department_id, r.association_id, COALESCE(dep.name, e.name), r.delivered_at, \
         r.acknowledged_at, ua.display_name, r.feedback, r.feedback_at, uf.display_name, r.first_read_at \
         FROM document_recipients r LEFT JOIN departments dep ON dep.id = r.department_id \
         LEFT JOIN associations a ON a.id = r.association_id LEFT JOIN enterprises e ON e.id = a.enterprise_id \
         LEFT JOIN users ua ON ua.id = r.acknowledged_by LEFT JOIN users uf ON uf.id = r.feedback_by \
         WHERE r.document_id = $1 ORDER BY r.association_id IS NOT NULL, r.id",
        params![d.id],
    )?;
    let reads = tx.query(
        "SELECT x.recipient_id, u.display_name, x.at FROM document_reads x JOIN users u ON u.id = x.user_id \
         JOIN document_recipients r ON r.id = x.recipient_id WHERE r.document_id = $1 ORDER BY x.at, u.id",
        params![d.id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = r.int(0)?;
        let mut readers = Vec::new();
        for x in reads.iter().filter(|x| x.int(0).ok() == Some(id)) {
            readers.push(Reader { name: x.text(1)?, at: x.int(2)? });
        }
        let (kind, account_id) = match r.opt_int(1)? {
            Some(dep) => ("department", dep),
            None => ("association", r.opt_int(2)?.unwrap_or(0)),
        };
        out.push(Recipient {
            id,
            kind: kind.to_owned(),
            account_id,
            name: r.text(3)?,
            delivered_at: r.int(4)?,
            acknowledged_at: r.opt_int(5)?,
            acknowledged_by: r.opt_text(6)?,
            feedback: r.opt_text(7)?,
            feedback_at: r.opt_int(8)?,
            feedback_by: r.opt_text(9)?,
            overdue: r.opt_int(10)?.is_none() && d.read_by.as_str() < today,
            readers,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentDetail)]
pub struct Detail {
    #[serde(flatten)]
    pub document: Document,
    /// `issuer`, `recipient` or `overseer`.
    pub standing: String,
    /// The caller's own account's row, when it received the document.
    pub mine: Option<Recipient>,
    /// Every receiving account (the issuer and overseers see them all).
    pub recipients: Vec<Recipient>,
    pub attachments: Vec<Attachment>,
}

pub fn detail(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, now: i64) -> AppResult<Detail> {
    let document = find(tx, id)?;
    let standing = standing(tx, user, &document)?;
    let today = clock::local_date(now).to_string();
    let all = recipients(tx, &document, &today)?;
    let mine = match standing {
        Standing::Recipient(row) => all.iter().find(|r| r.id == row).cloned(),
        _ => None,
    };
    let recipients = if matches!(standing, Standing::Recipient(_)) { Vec::new() } else { all };
    Ok(Detail {
        standing: match standing {
            Standing::Issuer => "issuer",
            Standing::Recipient(_) => "recipient",
            Standing::Overseer => "overseer",
        }
        .to_owned(),
        attachments: attachments::of(tx, "document", id)?,
        document,
        mine,
        recipients,
    })
}

/// The caller's own receiving row for document `id`, or why not.
fn my_row(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<(Document, i64)> {
    let d = find(tx, id)?;
    match standing(tx, user, &d)? {
        Standing::Recipient(row) => Ok((d, row)),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ReadReceiptInput)]
pub struct ReceiptInput {
    /// Whose receipt; only the caller's own may be recorded.
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// Record that the caller, of a receiving account, opened document `id` (the first time
/// only). Returns whether this was the first time.
pub fn read(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &ReceiptInput) -> AppResult<bool> {
    if input.user_id.is_some_and(|u| u != user.id) {
        return Err(AppError::invalid("receipt_for_other", "user_id"));
    }
    let (_, row) = my_row(tx, user, id)?;
    let first = tx.execute(
        "INSERT INTO document_reads (recipient_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        params![row, user.id, who.now],
    )? == 1;
    if first {
        tx.execute(
            "UPDATE document_recipients SET first_read_at = $1 WHERE id = $2 AND first_read_at IS NULL",
            params![who.now, row],
        )?;
        audit::record(
            tx,
            who,
            Change {
                action: "read",
                kind: "document",
                id: Some(id),
                before: None,
                after: Some(serde_json::json!({ "recipient_id": row, "user_id": user.id })),
            },
        )?;
    }
    Ok(first)
}

/// Read the document when the caller is of a receiving account; nothing otherwise.
pub fn opened(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64) -> AppResult<()> {
    let d = find(tx, id)?;
    if let Standing::Recipient(_) = standing(tx, user, &d)? {
        read(tx, who, user, id, &ReceiptInput::default())?;
    }
    Ok(())
}

/// 签收: the receiving account acknowledges the document, once.
pub fn acknowledge(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64) -> AppResult<Recipient> {
    read(tx, who, user, id, &ReceiptInput::default())?;
    let (d, row) = my_row(tx, user, id)?;
    let done = tx.execute(
        "UPDATE document_recipients SET acknowledged_at = $1, acknowledged_by = $2 \
         WHERE id = $3 AND acknowledged_at IS NULL",
        params![who.now, user.id, row],
    )?;
    if done != 1 {
        return Err(AppError::conflict("already_acknowledged"));
    }
    audit::record(
        tx,
        who,
        Change {
            action: "acknowledge",
            kind: "document",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "recipient_id": row })),
        },
    )?;
    mine(tx, &d, row, who.now)
}

fn mine(tx: &mut Tx<'_>, d: &Document, row: i64, now: i64) -> AppResult<Recipient> {
    let today = clock::local_date(now).to_string();
    recipients(tx, d, &today)?.into_iter().find(|r| r.id == row).ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DocumentFeedbackInput)]
pub struct FeedbackInput {
    pub feedback: String,
}

/// The receiving account's feedback on the document (replacing any before, audited);
/// the issuer's clerks are told.
pub fn feedback(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &FeedbackInput,
) -> AppResult<Recipient> {
    let text = validate::text(&input.feedback, "feedback", 2000)?;
    read(tx, who, user, id, &ReceiptInput::default())?;
    let (d, row) = my_row(tx, user, id)?;
    let before = mine(tx, &d, row, who.now)?;
    tx.execute(
        "UPDATE document_recipients SET feedback = $1, feedback_at = $2, feedback_by = $3 WHERE id = $4",
        params![text, who.now, user.id, row],
    )?;
    let after = mine(tx, &d, row, who.now)?;
    audit::record(tx, who, Change::updated("feedback", "document", id, &before.feedback, &after.feedback))?;
    let issuer = clerks(tx, Account::Department(d.issuer_department_id))?;
    tell(tx, who, &issuer, &d, "mk-note-feedback")?;
    Ok(after)
}

/// Attach a file to a document its issuer's people dispatched.
pub fn attach(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> AppResult<Attachment> {
    let d = find(tx, id)?;
    if standing(tx, user, &d)? != Standing::Issuer {
        return Err(AppError::Forbidden);
    }
    attachments::store(tx, who, "document", id, name, bytes)
}

/// A file of a document the caller may see.
pub fn attachment(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<(Attachment, Vec<u8>)> {
    let a = attachments::find(tx, id)?;
    if a.owner_kind != "document" {
        return Err(AppError::NotFound);
    }
    let d = find(tx, a.owner_id)?;
    standing(tx, user, &d)?;
    let bytes = attachments::content(tx, id)?;
    Ok((a, bytes))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OverdueDocument)]
pub struct Overdue {
    pub document_id: i64,
    pub number: String,
    pub title: String,
    pub read_by: String,
    pub recipient: String,
    pub reminded_at: Option<i64>,
}

const OVERDUE: &str = "SELECT d.id, d.number, d.title, d.read_by, COALESCE(dep.name, e.name), r.reminded_at, r.id, \
    r.department_id, r.association_id FROM document_recipients r JOIN documents d ON d.id = r.document_id \
    LEFT JOIN departments dep ON dep.id = r.department_id LEFT JOIN associations a ON a.id = r.association_id \
    LEFT JOIN enterprises e ON e.id = a.enterprise_id WHERE r.first_read_at IS NULL AND d.read_by < $1";

/// Receiving accounts that have not opened a document by its day: for the issuer's
/// department (or all, for leaders and administrators).
pub fn overdue(tx: &mut Tx<'_>, user: &CurrentUser, now: i64) -> AppResult<Vec<Overdue>> {
    let today = clock::local_date(now).to_string();
    let mut sql = OVERDUE.to_owned();
    if user.role != Role::Leader {
        sql.push_str(&format!(" AND d.issuer_department_id = {}", user.department_id.unwrap_or(0)));
    }
    sql.push_str(" ORDER BY d.read_by, d.id, r.id LIMIT 500");
    tx.query(&sql, params![today])?
        .iter()
        .map(|r| {
            Ok(Overdue {
                document_id: r.int(0)?,
                number: r.text(1)?,
                title: r.text(2)?,
                read_by: r.text(3)?,
                recipient: r.text(4)?,
                reminded_at: r.opt_int(5)?,
            })
        })
        .collect()
}

/// The kernel's sweep: remind once each receiving account that has not opened a document
/// by its day.
pub fn remind_unread(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let today = clock::local_date(who.now).to_string();
    let sql = format!("{OVERDUE} AND r.reminded_at IS NULL ORDER BY r.id LIMIT 200");
    let rows = tx.query(&sql, params![today])?;
    for r in &rows {
        let account = match r.opt_int(7)? {
            Some(d) => Account::Department(d),
            None => Account::Association(r.opt_int(8)?.unwrap_or(0)),
        };
        let d = find(tx, r.int(0)?)?;
        let users = clerks(tx, account)?;
        tell(tx, who, &users, &d, "mk-note-unread")?;
        tx.execute("UPDATE document_recipients SET reminded_at = $1 WHERE id = $2", params![who.now, r.int(6)?])?;
    }
    Ok(rows.len())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentFigures)]
pub struct Figures {
    pub name: String,
    /// `department` or `association`.
    pub kind: String,
    pub delivered: i64,
    pub read: i64,
    pub acknowledged: i64,
    pub overdue: i64,
}

/// Documents delivered, read, acknowledged and overdue unread per receiving account, for
/// those delivered in `[from, to)`.
pub fn figures(tx: &mut Tx<'_>, from: i64, to: i64, now: i64) -> AppResult<Vec<Figures>> {
    let today = clock::local_date(now).to_string();
    tx.query(
        "SELECT COALESCE(dep.name, e.name), CASE WHEN r.department_id IS NULL THEN 'association' ELSE 'department' END, \
         COUNT(*), COUNT(r.first_read_at), COUNT(r.acknowledged_at), \
         SUM(CASE WHEN r.first_read_at IS NULL AND d.read_by < $3 THEN 1 ELSE 0 END) \
         FROM document_recipients r JOIN documents d ON d.id = r.document_id \
         LEFT JOIN departments dep ON dep.id = r.department_id LEFT JOIN associations a ON a.id = r.association_id \
         LEFT JOIN enterprises e ON e.id = a.enterprise_id WHERE r.delivered_at >= $1 AND r.delivered_at < $2 \
         GROUP BY r.department_id, r.association_id, dep.name, e.name ORDER BY 2 DESC, 1",
        params![from, to, today],
    )?
    .iter()
    .map(|r| {
        Ok(Figures {
            name: r.text(0)?,
            kind: r.text(1)?,
            delivered: r.int(2)?,
            read: r.int(3)?,
            acknowledged: r.int(4)?,
            overdue: r.int(5)?,
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn a_document_number_is_an_organ_a_year_in_hexagonal_brackets_and_a_sequence() {
        assert_eq!(parse_number("青政发〔2019〕12号"), Some((2019, 12)));
        assert_eq!(parse_number("青发改〔2019〕3号"), Some((2019, 3)));
        for bad in [
            "青政发【2019】12号",
            "青政发(2019)12号",
            "〔2019〕12号",
            "青政发〔19〕12号",
            "青政发〔2019〕012号",
            "青政发〔2019〕12",
            "QD〔2019〕1号",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
