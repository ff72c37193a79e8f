//! Notifications: an in-app inbox for every user, written in the same transaction as the
//! change that caused it, and an outbox for e-mail and SMS that a [`Gateway`] delivers
//! after the fact (log-only by default, so a city can plug in its own).

use serde::Serialize;

use super::audit::Who;
use super::db::{Row, Tx};
use super::error::{AppError, AppResult};
use super::i18n::{self, Lang};
use crate::params;

/// A parameter of a note: one text, or a name in each language (a process step's).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Param {
    Text(String),
    Named { zh: String, en: String },
}

impl Param {
    fn in_lang(&self, lang: Lang) -> &str {
        match (self, lang) {
            (Param::Text(t), _) => t,
            (Param::Named { zh, .. }, Lang::Zh) => zh,
            (Param::Named { en, .. }, Lang::En) => en,
        }
    }
}

impl From<String> for Param {
    fn from(text: String) -> Param {
        Param::Text(text)
    }
}

impl From<&str> for Param {
    fn from(text: &str) -> Param {
        Param::Text(text.to_owned())
    }
}

/// A message to some users: a message id of the translation files and its parameters,
/// rendered in each reader's language when read.
pub struct Note<'a> {
    /// What it is about, for filtering (`task`, `lead`, `reminder`…).
    pub kind: &'a str,
    pub message: &'a str,
    pub params: Vec<(&'a str, Param)>,
    pub body: String,
    pub link: String,
}

/// A small text file sent with a note's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteFile {
    pub name: String,
    pub content_type: String,
    pub content: String,
}

/// Put a note in each user's inbox (not the actor's own), and queue e-mail and SMS
/// for users who gave an address or number.
pub fn send(tx: &mut Tx<'_>, who: &Who, users: &[i64], note: &Note<'_>) -> AppResult<usize> {
    send_with(tx, who, users, note, None)
}

/// [`send`], with a file for the e-mail (an invitation's calendar event).
pub fn send_with(
    tx: &mut Tx<'_>,
    who: &Who,
    users: &[i64],
    note: &Note<'_>,
    file: Option<&NoteFile>,
) -> AppResult<usize> {
    let params: serde_json::Map<String, serde_json::Value> = note
        .params
        .iter()
        .map(|(name, value)| ((*name).to_owned(), serde_json::to_value(value).unwrap_or_default()))
        .collect();
    let params = serde_json::Value::Object(params).to_string();
    let mut sent = 0;
    let mut seen = Vec::new();
    for &user in users {
        if Some(user) == who.actor_id || seen.contains(&user) {
            continue;
        }
        seen.push(user);
        // The same note, still unread: count the repeat on it (and send nothing again).
        let repeated = tx.execute(
            "UPDATE notifications SET repeats = repeats + 1, created_at = $1, body = $2 \
             WHERE user_id = $3 AND read_at IS NULL AND kind = $4 AND message = $5 AND params = $6 AND link = $7",
            params![who.now, note.body.as_str(), user, note.kind, note.message, params.as_str(), note.link.as_str()],
        )?;
        if repeated > 0 {
            sent += 1;
            continue;
        }
        let id = tx.insert(
            "INSERT INTO notifications (user_id, kind, title, title_en, message, params, body, link, created_at, \
             attachment_name, attachment_type, attachment) VALUES ($1, $2, '', '', $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
            params![
                user,
                note.kind,
                note.message,
                params.as_str(),
                note.body.as_str(),
                note.link.as_str(),
                who.now,
                file.map(|f| f.name.clone()),
                file.map(|f| f.content_type.clone()),
                file.map(|f| f.content.clone())
            ],
        )?;
        if delivery(tx, user, note.kind)? == Reach::Now || note.kind == "digest" {
            tx.execute(
                "INSERT INTO outbox (notification_id, channel, address, created_at) \
                 SELECT $1, 'email', email, $2 FROM users WHERE id = $3 AND email IS NOT NULL AND email <> ''",
                params![id, who.now, user],
            )?;
            tx.execute(
                "INSERT INTO outbox (notification_id, channel, address, created_at) \
                 SELECT $1, 'sms', phone, $2 FROM users WHERE id = $3 AND phone IS NOT NULL AND phone <> ''",
                params![id, who.now, user],
            )?;
        }
        sent += 1;
    }
    Ok(sent)
}

/// How a person wants one kind of note: in the inbox and at once by e-mail and SMS, in the
/// inbox with one e-mail a day summing up such notes, or in the inbox only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    Now,
    Digest,
    Inbox,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Now => "now",
            Reach::Digest => "digest",
            Reach::Inbox => "inbox",
        }
    }
}

/// What `user` chose for notes of `kind` (at once, unless they chose otherwise).
pub fn delivery(tx: &mut Tx<'_>, user: i64, kind: &str) -> AppResult<Reach> {
    let chosen =
        tx.query_opt("SELECT delivery FROM notification_prefs WHERE user_id = $1 AND kind = $2", params![user, kind])?;
    Ok(match chosen.map(|r| r.text(0)).transpose()?.as_deref() {
        Some("inbox") => Reach::Inbox,
        Some("digest") => Reach::Digest,
        _ => Reach::Now,
    })
}

/// The daily digests are written from this local hour on.
const DIGEST_HOUR: u32 = 8;

/// Once a day (from 08:00 local time), give each person who takes some kinds of note as a
/// digest one note listing those that came since their last digest, e-mailed to them.
pub fn send_digests(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    use chrono::Timelike;
    if super::clock::to_local(who.now).hour() < DIGEST_HOUR {
        return Ok(0);
    }
    let today = super::clock::local_date(who.now);
    let recent = who.now - 2 * 86_400_000;
    let users: Vec<i64> = tx
        .query(
            "SELECT DISTINCT n.user_id FROM notifications n \
             JOIN notification_prefs p ON p.user_id = n.user_id AND p.kind = n.kind AND p.delivery = 'digest' \
             WHERE n.digested_at IS NULL AND n.created_at > $1 ORDER BY n.user_id LIMIT 500",
            params![recent],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let mut sent = 0;
    for user in users {
        let last = tx.query_one(
            "SELECT MAX(created_at) FROM notifications WHERE user_id = $1 AND kind = 'digest'",
            params![user],
        )?;
        if last.opt_int(0)?.is_some_and(|at| super::clock::local_date(at) == today) {
            continue;
        }
        let lang = tx
            .query_opt("SELECT lang FROM users WHERE id = $1", params![user])?
            .map(|r| r.text(0))
            .transpose()?
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default();
        let sql = format!(
            "SELECT n.id, {NOTE_COLUMNS_N} FROM notifications n \
             JOIN notification_prefs p ON p.user_id = n.user_id AND p.kind = n.kind AND p.delivery = 'digest' \
             WHERE n.user_id = $1 AND n.digested_at IS NULL AND n.created_at > $2 ORDER BY n.created_at"
        );
        let notes: Vec<Notification> =
            tx.query(&sql, params![user, recent])?.iter().map(from_row).collect::<AppResult<_>>()?;
        let lines: Vec<String> = notes.iter().map(|n| format!("· {}", n.title_in(lang))).collect();
        let note = Note {
            kind: "digest",
            message: "note-digest",
            // The day keeps one day's digest from being counted as a repeat of the last.
            params: vec![("count", Param::Text(notes.len().to_string())), ("day", Param::Text(today.to_string()))],
            body: lines.join("\n"),
            link: "/inbox".into(),
        };
        send(tx, &Who { actor_id: None, ..who.clone() }, &[user], &note)?;
        let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
        let sql = format!("UPDATE notifications SET digested_at = $1 WHERE id IN ({})", super::db::id_list(&ids));
        tx.execute(&sql, params![who.now])?;
        sent += 1;
    }
    Ok(sent)
}

/// One kind of note and how the person wants it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Preference {
    pub kind: String,
    pub delivery: Reach,
}

/// The person's choice for each of `kinds`.
pub fn preferences(tx: &mut Tx<'_>, user: i64, kinds: &[&str]) -> AppResult<Vec<Preference>> {
    kinds.iter().map(|k| Ok(Preference { kind: (*k).to_owned(), delivery: delivery(tx, user, k)? })).collect()
}

/// Record the person's choices (kinds not in `kinds` are refused), with an audit entry.
pub fn set_preferences(
    tx: &mut Tx<'_>,
    who: &Who,
    user: i64,
    kinds: &[&str],
    chosen: &[Preference],
) -> AppResult<Vec<Preference>> {
    if let Some(p) = chosen.iter().find(|p| !kinds.contains(&p.kind.as_str())) {
        return Err(AppError::invalid_detail("bad_value", "kind", p.kind.clone()));
    }
    let before = preferences(tx, user, kinds)?;
    for p in chosen {
        tx.execute("DELETE FROM notification_prefs WHERE user_id = $1 AND kind = $2", params![user, p.kind.as_str()])?;
        if p.delivery != Reach::Now {
            tx.execute(
                "INSERT INTO notification_prefs (user_id, kind, delivery) VALUES ($1, $2, $3)",
                params![user, p.kind.as_str(), p.delivery.as_str()],
            )?;
        }
    }
    let after = preferences(tx, user, kinds)?;
    super::audit::record(
        tx,
        who,
        super::audit::Change::updated("update", "notification_prefs", user, &before, &after),
    )?;
    Ok(after)
}

/// A stored note's title in `lang`: its message rendered with its parameters, or, for
/// notes written before messages were stored, the title written then.
fn title(lang: Lang, message: Option<&str>, params: Option<&str>, legacy: &str) -> String {
    let Some(message) = message else { return legacy.to_owned() };
    let params: std::collections::BTreeMap<String, Param> =
        params.and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    let args: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.in_lang(lang))).collect();
    i18n::t_args(lang, message, &args)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    /// In Chinese.
    pub title: String,
    pub title_en: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
    /// How many times the same note came while unread (1: once).
    pub repeats: i64,
}

impl Notification {
    pub fn title_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.title,
            Lang::En => &self.title_en,
        }
    }
}

const NOTE_COLUMNS: &str = "id, kind, title, title_en, body, link, created_at, read_at, message, params, repeats";
/// The same columns, of `notifications n`.
const NOTE_COLUMNS_N: &str =
    "n.kind, n.title, n.title_en, n.body, n.link, n.created_at, n.read_at, n.message, n.params, n.repeats";

fn from_row(r: &Row) -> AppResult<Notification> {
    let (message, params) = (r.opt_text("message")?, r.opt_text("params")?);
    Ok(Notification {
        id: r.int("id")?,
        kind: r.text("kind")?,
        title: title(Lang::Zh, message.as_deref(), params.as_deref(), &r.text("title")?),
        title_en: title(Lang::En, message.as_deref(), params.as_deref(), &r.text("title_en")?),
        body: r.text("body")?,
        link: r.text("link")?,
        created_at: r.int("created_at")?,
        read: r.opt_int("read_at")?.is_some(),
        repeats: r.int("repeats")?,
    })
}

/// A user's inbox, newest first (by when each note was written, then by id), keyset-paged
/// by the id of the last note seen.
pub fn inbox(
    tx: &mut Tx<'_>,
    user: i64,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Notification>> {
    let unread = if unread_only { " AND read_at IS NULL" } else { "" };
    let limit = limit.clamp(1, 200);
    let rows = match before {
        Some(seen) => tx.query(
            &format!(
                "SELECT {NOTE_COLUMNS} FROM notifications WHERE user_id = $1{unread} \
                 AND (created_at < (SELECT created_at FROM notifications WHERE id = $2) \
                 OR (created_at = (SELECT created_at FROM notifications WHERE id = $2) AND id < $2)) \
                 ORDER BY created_at DESC, id DESC LIMIT $3"
            ),
            params![user, seen, limit],
        )?,
        None => tx.query(
            &format!(
                "SELECT {NOTE_COLUMNS} FROM notifications WHERE user_id = $1{unread} ORDER BY created_at DESC, id DESC LIMIT $2"
            ),
            params![user, limit],
        )?,
    };
    rows.iter().map(from_row).collect()
}

pub fn unread_count(tx: &mut Tx<'_>, user: i64) -> AppResult<i64> {
    Ok(tx.count("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", params![user])?)
}

/// Where note `id` of `user` leads, marking it read (the note is theirs, or nothing).
pub fn open(tx: &mut Tx<'_>, who: &Who, user: i64, id: i64) -> AppResult<String> {
    let link = tx
        .query_opt("SELECT link FROM notifications WHERE id = $1 AND user_id = $2", params![id, user])?
        .ok_or(AppError::NotFound)?
        .text(0)?;
    // Having seen the record, the person has seen every note about it.
    let n = if link.is_empty() {
        tx.execute(
            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
            params![who.now, id, user],
        )?
    } else {
        tx.execute(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND link = $3 AND read_at IS NULL",
            params![who.now, user, link.as_str()],
        )?
    };
    audit_read(tx, who, Some(id), n)?;
    Ok(link)
}

/// Mark one note (or, with `None`, all) as read; returns how many changed.
pub fn mark_read(tx: &mut Tx<'_>, who: &Who, user: i64, id: Option<i64>) -> AppResult<u64> {
    let n = match id {
        Some(id) => tx.execute(
            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
            params![who.now, id, user],
        )?,
        None => tx.execute(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            params![who.now, user],
        )?,
    };
    audit_read(tx, who, id, n)?;
    Ok(n)
}

fn audit_read(tx: &mut Tx<'_>, who: &Who, id: Option<i64>, n: u64) -> AppResult<()> {
    if n > 0 {
        super::audit::record(
            tx,
            who,
            super::audit::Change {
                action: "mark_read",
                kind: "notification",
                id,
                before: None,
                after: Some(serde_json::json!({ "count": n })),
            },
        )?;
    }
    Ok(())
}

/// A phone number or e-mail address someone typed, checked: the channel that reaches it
/// (`sms` or `email`) and the address in one canonical form.
pub fn address_of(typed: &str) -> Option<(&'static str, String)> {
    let typed = typed.trim();
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    if digits.len() == 11 && digits.starts_with('1') && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(("sms", digits.to_owned()));
    }
    let (local, domain) = typed.split_once('@')?;
    let fine = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !typed.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
    fine.then(|| ("email", typed.to_lowercase()))
}

/// Queue an e-mail or SMS to someone without an account (checked with [`address_of`]);
/// it is delivered like every other message, and leaves no inbox note.
pub fn send_direct(
    tx: &mut Tx<'_>,
    who: &Who,
    channel: &str,
    address: &str,
    subject: &str,
    body: &str,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO outbox (notification_id, channel, address, created_at, subject, body) VALUES (NULL, $1, $2, $3, $4, $5)",
        params![channel, super::crypto::seal(address)?, who.now, subject, body],
    )?;
    Ok(())
}

/// One e-mail or SMS to hand to the gateway.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    /// A file for the e-mail, when the note carries one.
    pub file: Option<NoteFile>,
}

pub type Delivery<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>;

/// Delivers e-mail and SMS; a city implements it for its own gateway and passes it to
/// `Application::with_gateway`. It runs outside any database transaction, so a slow
/// gateway delays nothing but its own deliveries. The default only writes to the log.
pub trait Gateway: Send + Sync {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a>;
}

pub struct LogGateway;

impl Gateway for LogGateway {
    fn deliver<'a>(&'a self, m: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            tracing::info!(channel = %m.channel, address = %m.address, subject = %m.subject, "notification delivered (log-only gateway)");
            Ok(())
        })
    }
}

/// Attempts at delivering one message before it is left for an administrator.
pub const ATTEMPTS: i64 = 5;

/// A message in the outbox, as the administrators' delivery page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Queued {
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    /// Masked.
    pub address: String,
    pub subject: String,
    pub created_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub sent_at: Option<i64>,
}

/// Messages in the outbox, newest first: `failed` (given up after [`ATTEMPTS`]),
/// `waiting` (not yet delivered) or `sent`.
pub fn queued(tx: &mut Tx<'_>, state: &str, limit: i64, lang: Lang) -> AppResult<Vec<Queued>> {
    let filter = match state {
        "failed" => "o.sent_at IS NULL AND o.attempts >= $2",
        "waiting" => "o.sent_at IS NULL AND o.attempts < $2",
        "sent" => "o.sent_at IS NOT NULL AND $2 > 0",
        _ => return Err(AppError::invalid("bad_value", "state")),
    };
    let sql = format!(
        "SELECT o.id, o.channel, o.address, o.subject, o.created_at, o.attempts, o.last_error, o.next_attempt_at, o.sent_at, \
         o.notification_id, n.title, n.title_en, n.message, n.params \
         FROM outbox o LEFT JOIN notifications n ON n.id = o.notification_id WHERE {filter} ORDER BY o.id DESC LIMIT $1"
    );
    tx.query(&sql, params![limit.clamp(1, 500), ATTEMPTS])?
        .iter()
        .map(|r| {
            let subject = if r.opt_int(9)?.is_some() {
                let legacy = if lang == Lang::En { r.opt_text(11)? } else { r.opt_text(10)? };
                title(lang, r.opt_text(12)?.as_deref(), r.opt_text(13)?.as_deref(), &legacy.unwrap_or_default())
            } else {
                r.text(3)?
            };
            Ok(Queued {
                id: r.int(0)?,
                channel: r.text(1)?,
                address: super::validate::mask_contact(&super::crypto::open(&r.text(2)?)?),
                subject,
                created_at: r.int(4)?,
                attempts: r.int(5)?,
                last_error: r.opt_text(6)?,
                next_attempt_at: r.opt_int(7)?,
                sent_at: r.opt_int(8)?,
            })
        })
        .collect()
}

/// Give a message that failed its attempts a fresh set.
pub fn retry(tx: &mut Tx<'_>, who: &Who, id: i64) -> AppResult<()> {
    let n = tx.execute(
        "UPDATE outbox SET attempts = 0, next_attempt_at = NULL, claimed_at = NULL WHERE id = $1 AND sent_at IS NULL",
        params![id],
    )?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    super::audit::record(
        tx,
        who,
        super::audit::Change { action: "retry", kind: "delivery", id: Some(id), before: None, after: None },
    )
}

/// A claim older than this is taken again (its server died mid-delivery).
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Claim up to `limit` queued messages for delivery, in a short transaction of its own.
pub fn claim_outbox(tx: &mut Tx<'_>, now: i64, limit: i64) -> AppResult<Vec<Outgoing>> {
    let rows = tx.query(
        "SELECT o.id, o.channel, o.address, n.title, n.body, n.message, n.params, n.title_en, u.lang, \
         o.notification_id, o.subject, o.body, n.attachment_name, n.attachment_type, n.attachment \
         FROM outbox o LEFT JOIN notifications n ON n.id = o.notification_id LEFT JOIN users u ON u.id = n.user_id \
         WHERE o.sent_at IS NULL AND o.attempts < $3 AND (o.claimed_at IS NULL OR o.claimed_at < $1) \
         AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $4) ORDER BY o.id LIMIT $2",
        params![now - CLAIM_MS, limit, ATTEMPTS, now],
    )?;
    let out: Vec<Outgoing> = rows
        .iter()
        .map(|r| {
            if r.opt_int(9)?.is_none() {
                return Ok(Outgoing {
                    id: r.int(0)?,
                    channel: r.text(1)?,
                    address: super::crypto::open(&r.text(2)?)?,
                    subject: r.text(10)?,
                    body: r.text(11)?,
                    file: None,
                });
            }
            let lang = Lang::parse(&r.text(8)?).unwrap_or_default();
            let legacy = if lang == Lang::En { r.text(7)? } else { r.text(3)? };
            Ok(Outgoing {
                id: r.int(0)?,
                channel: r.text(1)?,
                address: super::crypto::open(&r.text(2)?)?,
                subject: title(lang, r.opt_text(5)?.as_deref(), r.opt_text(6)?.as_deref(), &legacy),
                body: r.text(4)?,
                file: match (r.opt_text(12)?, r.opt_text(13)?, r.opt_text(14)?) {
                    (Some(name), Some(content_type), Some(content)) => Some(NoteFile { name, content_type, content }),
                    _ => None,
                },
            })
        })
        .collect::<AppResult<_>>()?;
    if !out.is_empty() {
        let ids = super::db::id_list(&out.iter().map(|m| m.id).collect::<Vec<_>>());
        tx.execute(&format!("UPDATE outbox SET claimed_at = $1 WHERE id IN ({ids})"), params![now])?;
    }
    Ok(out)
}

/// Record what the gateway answered for each claimed message.
pub fn record_deliveries(tx: &mut Tx<'_>, now: i64, results: &[(i64, Result<(), String>)]) -> AppResult<usize> {
    let mut delivered = 0;
    for (id, result) in results {
        match result {
            Ok(()) => {
                tx.execute(
                    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_at = NULL WHERE id = $2",
                    params![now, *id],
                )?;
                delivered += 1;
            }
            Err(e) => {
                // The next attempt waits a minute, then two, four, eight.
                tx.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, claimed_at = NULL, \
                     next_attempt_at = CAST($3 AS BIGINT) + 60000 * CAST((1 << attempts) AS BIGINT) WHERE id = $2",
                    params![e.as_str(), *id, now],
                )?;
            }
        }
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::address_of;

    #[test]
    fn phones_and_addresses_are_recognised_and_masked() {
        assert_eq!(address_of(" 138 0013-8000 "), Some(("sms", "13800138000".to_owned())));
        assert_eq!(address_of("+8613800138000"), Some(("sms", "13800138000".to_owned())));
        assert_eq!(address_of("Lin@QingDao.gov.cn"), Some(("email", "lin@qingdao.gov.cn".to_owned())));
        for bad in ["", "12345", "23800138000", "lin@qingdao", "a b@c.cn", "<x>@y.cn", "@c.cn"] {
            assert_eq!(address_of(bad), None, "{bad}");
        }
    }
}
