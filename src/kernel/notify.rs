//! Notifications: an in-app inbox for every user, written in the same transaction as the
//! change that caused it, and an outbox for e-mail and SMS that a [`Gateway`] delivers
//! after the fact (log-only by default, so a city can plug in its own).

use serde::Serialize;

use super::audit::Who;
use super::db::{Row, Tx};
use super::error::AppResult;
use crate::params;

/// A message to some users; both languages are stored, each user reads their own.
pub struct Note<'a> {
    pub kind: &'a str,
    pub title: String,
    pub title_en: String,
    pub body: String,
    pub link: String,
}

/// Put a note in each user's inbox (not the actor's own), and queue e-mail and SMS
/// for users who gave an address or number.
pub fn send(tx: &mut Tx<'_>, who: &Who, users: &[i64], note: &Note<'_>) -> AppResult<usize> {
    let mut sent = 0;
    let mut seen = Vec::new();
    for &user in users {
        if Some(user) == who.actor_id || seen.contains(&user) {
            continue;
        }
        seen.push(user);
        let id = tx.insert(
            "INSERT INTO notifications (user_id, kind, title, title_en, body, link, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            params![
                user,
                note.kind,
                note.title.as_str(),
                note.title_en.as_str(),
                note.body.as_str(),
                note.link.as_str(),
                who.now
            ],
        )?;
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
        sent += 1;
    }
    Ok(sent)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub title_en: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

fn from_row(r: &Row) -> AppResult<Notification> {
    Ok(Notification {
        id: r.int(0)?,
        kind: r.text(1)?,
        title: r.text(2)?,
        title_en: r.text(3)?,
        body: r.text(4)?,
        link: r.text(5)?,
        created_at: r.int(6)?,
        read: r.opt_int(7)?.is_some(),
    })
}

/// A user's inbox, newest first, keyset-paged by id.
pub fn inbox(
    tx: &mut Tx<'_>,
    user: i64,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Notification>> {
    let sql = format!(
        "SELECT id, kind, title, title_en, body, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 AND id < $2{} ORDER BY id DESC LIMIT $3",
        if unread_only { " AND read_at IS NULL" } else { "" }
    );
    tx.query(&sql, params![user, before.unwrap_or(i64::MAX), limit.clamp(1, 200)])?.iter().map(from_row).collect()
}

pub fn unread_count(tx: &mut Tx<'_>, user: i64) -> AppResult<i64> {
    Ok(tx.count("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", params![user])?)
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
    Ok(n)
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

/// A claim older than this is taken again (its server died mid-delivery).
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Claim up to `limit` queued messages for delivery, in a short transaction of its own.
pub fn claim_outbox(tx: &mut Tx<'_>, now: i64, limit: i64) -> AppResult<Vec<Outgoing>> {
    let rows = tx.query(
        "SELECT o.id, o.channel, o.address, n.title, n.body FROM outbox o JOIN notifications n ON n.id = o.notification_id \
         WHERE o.sent_at IS NULL AND o.attempts < 5 AND (o.claimed_at IS NULL OR o.claimed_at < $1) ORDER BY o.id LIMIT $2",
        params![now - CLAIM_MS, limit],
    )?;
    let out: Vec<Outgoing> = rows
        .iter()
        .map(|r| {
            Ok(Outgoing {
                id: r.int(0)?,
                channel: r.text(1)?,
                address: r.text(2)?,
                subject: r.text(3)?,
                body: r.text(4)?,
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
                tx.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, claimed_at = NULL WHERE id = $2",
                    params![e.as_str(), *id],
                )?;
            }
        }
    }
    Ok(delivered)
}
