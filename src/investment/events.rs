//! Events (春季央企青岛行, 创投风投大会…): the date, organisers and platforms, the
//! meetings before and after (会前会后对接), and the follow-up pipeline: each enterprise met
//! there, gathered into the registry, with the person responsible and the next step.

use serde::{Deserialize, Serialize};

use super::projects::may_record_for;
use crate::enterprises::registry::{self as enterprises, Named};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// When a meeting is held, as to its event.
pub const TIMINGS: [&str; 2] = ["before", "after"];
/// How a contact stands in the follow-up pipeline.
pub const CONTACT_STATUSES: [&str; 3] = ["following", "project", "closed"];

/// Another record, by id and name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = InvestmentEvent)]
pub struct Event {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub place: String,
    pub organisers: String,
    pub summary: String,
    pub department_id: i64,
    pub department_name: String,
    /// The platforms it brought together.
    pub platforms: Vec<Ref>,
    /// Projects attributed to it, and their total amount in fen.
    pub projects: i64,
    pub amount_fen: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EventInput {
    pub name: String,
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub organisers: String,
    #[serde(default)]
    pub summary: String,
    pub department_id: i64,
    #[serde(default)]
    pub platform_ids: Vec<i64>,
}

const COLUMNS: &str = "ev.id, ev.name, ev.held_on, ev.place, ev.organisers, ev.summary, ev.department_id, \
    d.name AS department_name, ev.created_at, ev.updated_at, \
    (SELECT COUNT(*) FROM projects p WHERE p.event_id = ev.id AND p.state <> 'dropped') AS projects, \
    (SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM projects p WHERE p.event_id = ev.id \
     AND p.state <> 'dropped') AS amount_fen";
const FROM: &str = "events ev JOIN departments d ON d.id = ev.department_id";

fn from_row(r: &Row) -> AppResult<Event> {
    Ok(Event {
        id: r.int("id")?,
        name: r.text("name")?,
        held_on: r.text("held_on")?,
        place: r.text("place")?,
        organisers: r.text("organisers")?,
        summary: r.text("summary")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        platforms: Vec::new(),
        projects: r.int("projects")?,
        amount_fen: r.int("amount_fen")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Event> {
    let row = tx.query_opt(&format!("SELECT {COLUMNS} FROM {FROM} WHERE ev.id = $1"), params![id])?;
    let mut e = from_row(&row.ok_or(AppError::NotFound)?)?;
    e.platforms = tx
        .query(
            "SELECT pl.id, pl.name FROM event_platforms ep JOIN platforms pl ON pl.id = ep.platform_id \
             WHERE ep.event_id = $1 ORDER BY pl.name",
            params![id],
        )?
        .iter()
        .map(|r| Ok(Ref { id: r.int(0)?, name: r.text(1)? }))
        .collect::<AppResult<_>>()?;
    Ok(e)
}

pub fn list(tx: &mut Tx<'_>, p: &ListParams) -> AppResult<Page<Event>> {
    let mut w = Where::default();
    if let Some(like) = p.like() {
        w.contains(&["ev.name", "ev.organisers", "ev.place"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = match p.sort {
        None => " ORDER BY ev.held_on DESC, ev.id DESC".to_owned(),
        Some(_) => p.order_by("ev.id", &[("held_on", "ev.held_on"), ("name", "ev.name"), ("amount", "amount_fen")]),
    };
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Every event, newest first, as (id, name with date): for a form's choice.
pub fn options(tx: &mut Tx<'_>) -> AppResult<Vec<(i64, String)>> {
    tx.query("SELECT id, name, held_on FROM events ORDER BY held_on DESC, id DESC LIMIT 500", &[])?
        .iter()
        .map(|r| Ok((r.int(0)?, format!("{}（{}）", r.text(1)?, r.text(2)?))))
        .collect()
}

fn check(tx: &mut Tx<'_>, user: &CurrentUser, input: &EventInput) -> AppResult<(String, String)> {
    let name = validate::text(&input.name, "name", 200)?;
    let held_on = validate::date(&input.held_on, "held_on")?.to_string();
    validate::opt_text(Some(&input.place), "place", 200)?;
    validate::opt_text(Some(&input.organisers), "organisers", 500)?;
    validate::opt_text(Some(&input.summary), "summary", 4000)?;
    if tx.query_opt("SELECT 1 FROM departments WHERE id = $1", params![input.department_id])?.is_none() {
        return Err(AppError::invalid("unknown_reference", "department_id"));
    }
    if !may_record_for(user, input.department_id) {
        return Err(AppError::invalid("not_your_department", "department_id"));
    }
    for id in &input.platform_ids {
        if tx.query_opt("SELECT 1 FROM platforms WHERE id = $1", params![*id])?.is_none() {
            return Err(AppError::invalid("unknown_reference", "platform_ids"));
        }
    }
    Ok((name, held_on))
}

fn set_platforms(tx: &mut Tx<'_>, id: i64, platforms: &[i64]) -> AppResult<()> {
    tx.execute("DELETE FROM event_platforms WHERE event_id = $1", params![id])?;
    let mut seen = std::collections::HashSet::new();
    for p in platforms.iter().filter(|p| seen.insert(**p)) {
        tx.execute("INSERT INTO event_platforms (event_id, platform_id) VALUES ($1, $2)", params![id, *p])?;
    }
    Ok(())
}

pub fn create(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &EventInput) -> AppResult<Event> {
    let (name, held_on) = check(tx, user, input)?;
    let id = tx.insert(
        "INSERT INTO events (name, held_on, place, organisers, summary, department_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        params![
            name,
            held_on,
            input.place.trim(),
            input.organisers.trim(),
            input.summary.trim(),
            input.department_id,
            who.now
        ],
    )?;
    set_platforms(tx, id, &input.platform_ids)?;
    let e = find(tx, id)?;
    audit::record(tx, who, Change::created("event", id, &e))?;
    Ok(e)
}

/// Whether `user` may change event `e` and follow its contacts up.
pub fn may_change(user: &CurrentUser, e: &Event) -> bool {
    may_record_for(user, e.department_id)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &EventInput) -> AppResult<Event> {
    let before = find(tx, id)?;
    if !may_change(user, &before) {
        return Err(AppError::Forbidden);
    }
    let (name, held_on) = check(tx, user, input)?;
    tx.execute(
        "UPDATE events SET name = $1, held_on = $2, place = $3, organisers = $4, summary = $5, department_id = $6, \
         updated_at = $7 WHERE id = $8",
        params![
            name,
            held_on,
            input.place.trim(),
            input.organisers.trim(),
            input.summary.trim(),
            input.department_id,
            who.now,
            id
        ],
    )?;
    set_platforms(tx, id, &input.platform_ids)?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "event", id, &before, &after))?;
    Ok(after)
}

/// Record next year's edition of a recurring event: the same organisers, place, unit and
/// platforms, a year later (the year in its name moved on too).
pub fn next_edition(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64) -> AppResult<Event> {
    use chrono::Datelike;
    let e = find(tx, id)?;
    let held = validate::date(&e.held_on, "held_on")?;
    let next =
        held.with_year(held.year() + 1).or_else(|| (held - chrono::Duration::days(1)).with_year(held.year() + 1));
    let next = next.ok_or(AppError::invalid("bad_date", "held_on"))?;
    let name = e.name.replacen(&held.year().to_string(), &next.year().to_string(), 1);
    let input = EventInput {
        name,
        held_on: next.to_string(),
        place: e.place.clone(),
        organisers: e.organisers.clone(),
        summary: String::new(),
        department_id: e.department_id,
        platform_ids: e.platforms.iter().map(|p| p.id).collect(),
    };
    create(tx, who, user, &input)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub event_id: i64,
    /// `before` or `after` the event.
    pub timing: String,
    pub held_on: String,
    pub title: String,
    pub notes: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    pub timing: String,
    pub held_on: String,
    pub title: String,
    #[serde(default)]
    pub notes: String,
}

pub fn meetings(tx: &mut Tx<'_>, event: i64) -> AppResult<Vec<Meeting>> {
    tx.query(
        "SELECT id, event_id, timing, held_on, title, notes, created_at FROM event_meetings WHERE event_id = $1 \
         ORDER BY held_on, id",
        params![event],
    )?
    .iter()
    .map(|r| {
        Ok(Meeting {
            id: r.int("id")?,
            event_id: r.int("event_id")?,
            timing: r.text("timing")?,
            held_on: r.text("held_on")?,
            title: r.text("title")?,
            notes: r.text("notes")?,
            created_at: r.int("created_at")?,
        })
    })
    .collect()
}

pub fn add_meeting(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    event: i64,
    input: &MeetingInput,
) -> AppResult<Meeting> {
    let e = find(tx, event)?;
    if !may_change(user, &e) {
        return Err(AppError::Forbidden);
    }
    if !TIMINGS.contains(&input.timing.as_str()) {
        return Err(AppError::invalid("bad_value", "timing"));
    }
    let held_on = validate::date(&input.held_on, "held_on")?.to_string();
    let before_event = held_on <= e.held_on;
    if (input.timing == "before") != before_event && held_on != e.held_on {
        return Err(AppError::invalid("meeting_date_side", "held_on"));
    }
    let title = validate::text(&input.title, "title", 200)?;
    let notes = validate::opt_text(Some(&input.notes), "notes", 4000)?.unwrap_or_default();
    let id = tx.insert(
        "INSERT INTO event_meetings (event_id, timing, held_on, title, notes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![event, input.timing.as_str(), held_on, title, notes, who.actor.as_str(), who.now],
    )?;
    let m = meetings(tx, event)?.into_iter().find(|m| m.id == id).ok_or(AppError::NotFound)?;
    audit::record(tx, who, Change::created("event_meeting", id, &m))?;
    Ok(m)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: i64,
    pub event_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub responsible_id: i64,
    pub responsible_name: String,
    pub next_step: String,
    /// `following`, `project` (it became a project) or `closed`.
    pub status: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    #[serde(flatten)]
    pub enterprise: Named,
    pub responsible_id: i64,
    #[serde(default)]
    pub next_step: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub next_step: String,
    pub status: String,
}

const CONTACT_COLUMNS: &str = "c.id, c.event_id, c.enterprise_id, e.name AS enterprise_name, c.responsible_id, \
    u.display_name AS responsible_name, c.next_step, c.status, c.updated_at";
const CONTACT_FROM: &str =
    "event_contacts c JOIN enterprises e ON e.id = c.enterprise_id JOIN users u ON u.id = c.responsible_id";

fn contact_from_row(r: &Row) -> AppResult<Contact> {
    Ok(Contact {
        id: r.int("id")?,
        event_id: r.int("event_id")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        responsible_id: r.int("responsible_id")?,
        responsible_name: r.text("responsible_name")?,
        next_step: r.text("next_step")?,
        status: r.text("status")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn contacts(tx: &mut Tx<'_>, event: i64) -> AppResult<Vec<Contact>> {
    let sql =
        format!("SELECT {CONTACT_COLUMNS} FROM {CONTACT_FROM} WHERE c.event_id = $1 ORDER BY c.status DESC, c.id");
    tx.query(&sql, params![event])?.iter().map(contact_from_row).collect()
}

fn contact(tx: &mut Tx<'_>, id: i64) -> AppResult<Contact> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM {CONTACT_FROM} WHERE c.id = $1");
    contact_from_row(&tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?)
}

/// Add an enterprise met at the event to its follow-up pipeline (gathered into the
/// registry), with the person who follows it up.
pub fn add_contact(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    event: i64,
    input: &ContactInput,
) -> AppResult<Contact> {
    let e = find(tx, event)?;
    if !may_change(user, &e) {
        return Err(AppError::Forbidden);
    }
    let responsible = tx
        .query_opt(
            "SELECT 1 FROM users WHERE id = $1 AND active = 1 AND role IN ('staff', 'division_head', 'dept_head')",
            params![input.responsible_id],
        )?
        .is_some();
    if !responsible {
        return Err(AppError::invalid("unknown_reference", "responsible_id"));
    }
    let next_step = validate::opt_text(Some(&input.next_step), "next_step", 500)?.unwrap_or_default();
    let enterprise = enterprises::named_one(tx, who, &input.enterprise, "event")?;
    let taken = tx.query_opt(
        "SELECT id FROM event_contacts WHERE event_id = $1 AND enterprise_id = $2",
        params![event, enterprise.id],
    )?;
    if taken.is_some() {
        return Err(AppError::Conflict { code: "contact_exists", field: Some("enterprise_id") });
    }
    let id = tx.insert(
        "INSERT INTO event_contacts (event_id, enterprise_id, responsible_id, next_step, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'following', $5, $5) RETURNING id",
        params![event, enterprise.id, input.responsible_id, next_step, who.now],
    )?;
    let c = contact(tx, id)?;
    audit::record(tx, who, Change::created("event_contact", id, &c))?;
    Ok(c)
}

/// Record the next step of a contact, or that it became a project or was closed.
pub fn follow_up(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &FollowUp) -> AppResult<Contact> {
    let before = contact(tx, id)?;
    let e = find(tx, before.event_id)?;
    if !may_change(user, &e) && user.id != before.responsible_id {
        return Err(AppError::Forbidden);
    }
    if !CONTACT_STATUSES.contains(&input.status.as_str()) {
        return Err(AppError::invalid("bad_value", "status"));
    }
    let next_step = validate::opt_text(Some(&input.next_step), "next_step", 500)?.unwrap_or_default();
    tx.execute(
        "UPDATE event_contacts SET next_step = $1, status = $2, updated_at = $3 WHERE id = $4",
        params![next_step, input.status.as_str(), who.now, id],
    )?;
    let after = contact(tx, id)?;
    audit::record(tx, who, Change::updated("follow_up", "event_contact", id, &before, &after))?;
    Ok(after)
}
