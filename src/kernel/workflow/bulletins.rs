//! Weekly 通报 of overdue records, for any mechanism: from 08:00 on the first working day
//! of each week, one numbered notice per series (and per part of a series, such as one
//! supervision channel) names every record past its deadline — its unit, responsible
//! person, deadline and working days overdue — and goes to the people the mechanism
//! names, into their inboxes. The unique (series, week) row decides which server issues
//! it, and it is numbered only when there is something to report, so numbers have no gaps.

use chrono::{Datelike, NaiveDate, Timelike};
use serde::Serialize;

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::params;

/// Bulletins are issued from this local hour on.
const ISSUE_HOUR: u32 = 8;

/// A kind of bulletin.
pub struct Series {
    /// `overdue-tasks`; also the document-number series.
    pub key: &'static str,
    /// 青督报: the number reads 青督报〔2019〕1号.
    pub prefix: &'static str,
    /// The inbox message (with `number` and `count`).
    pub message: &'static str,
    /// Where the bulletin's page is, before its id: `/coordination/bulletins/`.
    pub page: &'static str,
}

/// A record the bulletin names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub record_id: i64,
    pub title: String,
    /// The unit responsible (lead department, handling unit).
    pub unit: String,
    pub person: String,
    pub deadline: String,
    pub working_days_overdue: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: i64,
    pub series: String,
    /// ISO week, e.g. `2019-W16`, with the part after a slash where a series has parts.
    pub week: String,
    /// 青督报〔2019〕1号.
    pub number: String,
    pub issued_at: i64,
    pub items: Vec<Item>,
}

/// This week's key (`2019-W16`) when it is time to issue its bulletins: from 08:00 on the
/// week's first working day (holidays skipped), until that day ends.
pub fn due_week(now: i64, cal: &WorkCalendar) -> Option<String> {
    let local = clock::to_local(now);
    let today = local.date_naive();
    if !cal.is_working_day(today) {
        return None;
    }
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = (0..7).map(|d| monday + chrono::Duration::days(d)).find(|d| cal.is_working_day(*d))?;
    if today != first || local.hour() < ISSUE_HOUR {
        return None;
    }
    let iso = today.iso_week();
    Some(format!("{}-W{:02}", iso.year(), iso.week()))
}

/// Working days from `deadline` to `today`.
pub fn working_days_overdue(cal: &WorkCalendar, deadline: &str, today: NaiveDate) -> i64 {
    clock::parse_date(deadline).map_or(0, |d| cal.working_days_between(d, today))
}

/// Issue the bulletin of `series` for `week` naming `items`, to `recipients`, unless
/// another server has (returns its id, or none when it was not this server's to issue or
/// there was nothing to report).
pub fn issue(
    tx: &mut Tx<'_>,
    who: &Who,
    series: &Series,
    week: &str,
    items: &[Item],
    recipients: &[i64],
) -> AppResult<Option<i64>> {
    let inserted = tx.execute(
        "INSERT INTO bulletins (series, week, number, issued_at, items) VALUES ($1, $2, '', $3, $4) \
         ON CONFLICT (series, week) DO NOTHING",
        params![series.key, week, who.now, items.len() as i64],
    )?;
    if inserted != 1 || items.is_empty() {
        return Ok(None);
    }
    let id =
        tx.query_one("SELECT id FROM bulletins WHERE series = $1 AND week = $2", params![series.key, week])?.int(0)?;
    let year = i64::from(clock::local_date(who.now).year());
    let seq = super::directives::next_number(tx, series.key, year)?;
    let number = format!("{}〔{year}〕{seq}号", series.prefix);
    tx.execute("UPDATE bulletins SET number = $1 WHERE id = $2", params![number.as_str(), id])?;
    for i in items {
        tx.execute(
            "INSERT INTO bulletin_items (bulletin_id, record_id, title, unit, person, deadline, working_days_overdue) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![
                id,
                i.record_id,
                i.title.as_str(),
                i.unit.as_str(),
                i.person.as_str(),
                i.deadline.as_str(),
                i.working_days_overdue
            ],
        )?;
    }
    let mut to = recipients.to_vec();
    to.sort_unstable();
    to.dedup();
    for user in &to {
        tx.execute("INSERT INTO bulletin_recipients (bulletin_id, user_id) VALUES ($1, $2)", params![id, *user])?;
    }
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "escalation",
            message: series.message,
            params: vec![("number", number.as_str().into()), ("count", items.len().to_string().into())],
            body: String::new(),
            link: format!("{}{id}", series.page),
        },
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "issue",
            kind: "bulletin",
            id: Some(id),
            before: None,
            after: Some(
                serde_json::json!({ "series": series.key, "week": week, "number": number, "items": items.len() }),
            ),
        },
    )?;
    Ok(Some(id))
}

/// The bulletin `id` of `series`.
pub fn get(tx: &mut Tx<'_>, series: &Series, id: i64) -> AppResult<Bulletin> {
    let r = tx
        .query_opt(
            "SELECT id, series, week, number, issued_at FROM bulletins WHERE id = $1 AND series = $2",
            params![id, series.key],
        )?
        .ok_or(AppError::NotFound)?;
    let items = tx
        .query(
            "SELECT record_id, title, unit, person, deadline, working_days_overdue FROM bulletin_items \
             WHERE bulletin_id = $1 ORDER BY unit, deadline, record_id",
            params![id],
        )?
        .iter()
        .map(|t| {
            Ok(Item {
                record_id: t.int("record_id")?,
                title: t.text("title")?,
                unit: t.text("unit")?,
                person: t.text("person")?,
                deadline: t.text("deadline")?,
                working_days_overdue: t.int("working_days_overdue")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Bulletin {
        id: r.int("id")?,
        series: r.text("series")?,
        week: r.text("week")?,
        number: r.text("number")?,
        issued_at: r.int("issued_at")?,
        items,
    })
}

/// Whether `user` was sent the bulletin `id`.
pub fn was_sent_to(tx: &mut Tx<'_>, id: i64, user: i64) -> AppResult<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM bulletin_recipients WHERE bulletin_id = $1 AND user_id = $2", params![id, user])?
        .is_some())
}

/// The latest bulletins of `series` that named records, newest first, as (id, number,
/// records); only those sent to `reader` unless `reader` is none.
pub fn recent(tx: &mut Tx<'_>, series: &Series, reader: Option<i64>, limit: i64) -> AppResult<Vec<(i64, String, i64)>> {
    let rows = match reader {
        None => tx.query(
            "SELECT id, number, items FROM bulletins WHERE series = $1 AND items > 0 ORDER BY id DESC LIMIT $2",
            params![series.key, limit],
        )?,
        Some(user) => tx.query(
            "SELECT b.id, b.number, b.items FROM bulletins b JOIN bulletin_recipients r ON r.bulletin_id = b.id \
             WHERE b.series = $1 AND b.items > 0 AND r.user_id = $2 ORDER BY b.id DESC LIMIT $3",
            params![series.key, user, limit],
        )?,
    };
    rows.iter().map(|r| Ok((r.int(0)?, r.text(1)?, r.int(2)?))).collect()
}
