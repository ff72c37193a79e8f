//! Hearings (答辩会) and annual inquiries (年度公开质询): a time, a venue or live link, the
//! chair, the defense team, the invited participants or the inquiry panel. Everyone named
//! with an account is invited in the inbox and by e-mail with the event attached as
//! iCalendar; the public feed lists every hearing, and each person has a feed of their own.

use serde::{Deserialize, Serialize};

use super::plans;
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto::{random_hex, secret_digest};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::ical;
use crate::kernel::notify::{self, Note, NoteFile, Param};
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Fired, Firing, Rules, Subject};
use crate::kernel::{clock, validate};
use crate::params;

pub const KINDS: [&str; 2] = ["hearing", "inquiry"];
pub const ROLES: [&str; 4] = ["chair", "team", "participant", "panel"];
const MAX_PEOPLE: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = HearingPerson)]
pub struct Person {
    /// `chair`, `team`, `participant` or `panel`.
    pub role: String,
    /// The account, for those who have one (the chair and the team must).
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The name shown (taken from the account when one is given).
    #[serde(default)]
    pub name: String,
    /// Their unit or what they are (企业家, 专家, 区长…).
    #[serde(default)]
    pub affiliation: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hearing {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    /// `hearing` or `inquiry`.
    pub kind: String,
    pub title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: String,
    pub live_url: String,
    /// The plan version defended (a hearing).
    pub plan_version: Option<i64>,
    /// The year questioned (an inquiry).
    pub year: Option<i64>,
    pub report: String,
    pub state: String,
    pub sequence: i64,
    pub published_at: Option<i64>,
    pub people: Vec<Person>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HearingInput {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub plan_id: i64,
    pub kind: String,
    pub title: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub live_url: String,
    /// For an inquiry: the year questioned.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub year: Option<i64>,
    #[serde(default)]
    pub report: String,
    pub people: Vec<Person>,
}

const COLUMNS: &str = "h.id, h.plan_id, p.title AS plan_title, h.kind, h.title, h.starts_at, h.ends_at, h.venue, \
    h.live_url, h.plan_version, h.year, h.report, h.state, h.sequence, h.published_at, h.created_at, h.updated_at";
const FROM: &str = "hearings h JOIN plans p ON p.id = h.plan_id";

fn from_row(r: &Row) -> AppResult<Hearing> {
    Ok(Hearing {
        id: r.int("id")?,
        plan_id: r.int("plan_id")?,
        plan_title: r.text("plan_title")?,
        kind: r.text("kind")?,
        title: r.text("title")?,
        starts_at: r.int("starts_at")?,
        ends_at: r.int("ends_at")?,
        venue: r.text("venue")?,
        live_url: r.text("live_url")?,
        plan_version: r.opt_int("plan_version")?,
        year: r.opt_int("year")?,
        report: r.text("report")?,
        state: r.text("state")?,
        sequence: r.int("sequence")?,
        published_at: r.opt_int("published_at")?,
        people: Vec::new(),
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn people(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Person>> {
    tx.query(
        "SELECT role, user_id, name, affiliation FROM hearing_people WHERE hearing_id = $1 ORDER BY id",
        params![id],
    )?
    .iter()
    .map(|r| Ok(Person { role: r.text(0)?, user_id: r.opt_int(1)?, name: r.text(2)?, affiliation: r.text(3)? }))
    .collect()
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Hearing> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE h.id = $1");
    let mut h = tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)?;
    h.people = people(tx, id)?;
    Ok(h)
}

/// The caller's relations to a hearing.
pub fn relations(user: &CurrentUser, h: &Hearing, organised_by: i64) -> Vec<&'static str> {
    let mut r = Vec::new();
    if user.id == organised_by {
        r.push("organiser");
    }
    for (role, relation) in [("chair", "chair"), ("team", "team"), ("participant", "participant"), ("panel", "panel")] {
        if h.people.iter().any(|p| p.role == role && p.user_id == Some(user.id)) {
            r.push(relation);
        }
    }
    r
}

pub fn organiser(tx: &mut Tx<'_>, id: i64) -> AppResult<i64> {
    Ok(tx
        .query_opt("SELECT organised_by FROM hearings WHERE id = $1", params![id])?
        .ok_or(AppError::NotFound)?
        .int(0)?)
}

/// Who may see a hearing: the public once it is published (and its schedule while
/// scheduled); government always; others only what they are invited to.
pub fn may_see(user: Option<&CurrentUser>, h: &Hearing) -> bool {
    h.state != "cancelled" || user.is_some_and(|u| u.role.is_government())
}

struct Checked {
    title: String,
    starts_at: i64,
    ends_at: i64,
    venue: String,
    live_url: String,
    report: String,
    people: Vec<Person>,
}

fn check(tx: &mut Tx<'_>, input: &HearingInput) -> AppResult<Checked> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let (starts_at, ends_at) =
        (validate::local_time(&input.starts_at, "starts_at")?, validate::local_time(&input.ends_at, "ends_at")?);
    if ends_at <= starts_at {
        return Err(AppError::invalid("ends_before_start", "ends_at"));
    }
    let venue = validate::opt_text(Some(&input.venue), "venue", 200)?.unwrap_or_default();
    let live_url = validate::opt_text(Some(&input.live_url), "live_url", 500)?.unwrap_or_default();
    if !(live_url.is_empty() || live_url.starts_with("https://") || live_url.starts_with("http://")) {
        return Err(AppError::invalid("bad_url", "live_url"));
    }
    if venue.is_empty() && live_url.is_empty() {
        return Err(AppError::invalid("hearing_needs_place", "venue"));
    }
    if input.kind == "inquiry" && input.year.is_none_or(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::invalid("required", "year"));
    }
    if input.people.len() > MAX_PEOPLE {
        return Err(AppError::invalid("too_many", "people"));
    }
    let mut people = Vec::new();
    for p in &input.people {
        if !ROLES.contains(&p.role.as_str()) {
            return Err(AppError::invalid("bad_value", "people"));
        }
        let name = match p.user_id {
            Some(u) => tx
                .query_opt("SELECT display_name FROM users WHERE id = $1 AND active = 1", params![u])?
                .ok_or_else(|| AppError::invalid("unknown_user", "people"))?
                .text(0)?,
            None if matches!(p.role.as_str(), "chair" | "team" | "panel") => {
                return Err(AppError::invalid_detail("needs_account", "people", p.name.clone()));
            }
            None => validate::text(&p.name, "people", 60)?,
        };
        let affiliation = validate::opt_text(Some(&p.affiliation), "people", 100)?.unwrap_or_default();
        if !people.iter().any(|x: &Person| x.role == p.role && x.user_id.is_some() && x.user_id == p.user_id) {
            people.push(Person { role: p.role.clone(), user_id: p.user_id, name, affiliation });
        }
    }
    if !people.iter().any(|p| p.role == "chair") {
        return Err(AppError::invalid("hearing_needs_chair", "people"));
    }
    if !people.iter().any(|p| p.role == "team") {
        return Err(AppError::invalid("hearing_needs_team", "people"));
    }
    if input.kind == "inquiry" && !people.iter().any(|p| p.role == "panel") {
        return Err(AppError::invalid("inquiry_needs_panel", "people"));
    }
    Ok(Checked {
        title: validate::text(&input.title, "title", 200)?,
        starts_at,
        ends_at,
        venue,
        live_url,
        report: validate::opt_text(Some(&input.report), "report", 100_000)?.unwrap_or_default(),
        people,
    })
}

fn write_people(tx: &mut Tx<'_>, id: i64, people: &[Person]) -> AppResult<()> {
    tx.execute("DELETE FROM hearing_people WHERE hearing_id = $1", params![id])?;
    for p in people {
        tx.execute(
            "INSERT INTO hearing_people (hearing_id, role, user_id, name, affiliation) VALUES ($1, $2, $3, $4, $5)",
            params![id, p.role.as_str(), p.user_id, p.name.as_str(), p.affiliation.as_str()],
        )?;
    }
    Ok(())
}

/// The event as calendars see it.
pub fn event(h: &Hearing, base_url: &str) -> ical::Event {
    let team: Vec<&str> = h.people.iter().filter(|p| p.role == "team").map(|p| p.name.as_str()).collect();
    let chair: Vec<&str> = h.people.iter().filter(|p| p.role == "chair").map(|p| p.name.as_str()).collect();
    let mut description = format!("{}\n主持：{}\n答辩：{}", h.plan_title, chair.join("、"), team.join("、"));
    if !h.live_url.is_empty() {
        description.push_str(&format!("\n直播：{}", h.live_url));
    }
    ical::Event {
        uid: format!("hearing-{}@zaizao", h.id),
        sequence: h.sequence,
        stamp: h.updated_at,
        start: h.starts_at,
        end: h.ends_at,
        summary: h.title.clone(),
        location: if h.venue.is_empty() { h.live_url.clone() } else { h.venue.clone() },
        description,
        url: format!("{base_url}/hearings/{}", h.id),
        cancelled: h.state == "cancelled",
    }
}

/// Invite (or tell of a change) everyone named who has an account, with the event.
fn invite(tx: &mut Tx<'_>, who: &Who, h: &Hearing, message: &str, base_url: &str) -> AppResult<()> {
    let users: Vec<i64> = h.people.iter().filter_map(|p| p.user_id).collect();
    let file = NoteFile {
        name: format!("hearing-{}.ics", h.id),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        content: ical::calendar(&h.title, &[event(h, base_url)]),
    };
    let when = clock::fmt_local(h.starts_at);
    let place = if h.venue.is_empty() { h.live_url.clone() } else { h.venue.clone() };
    let note = Note {
        kind: "hearing",
        message,
        params: vec![
            ("title", Param::from(h.title.clone())),
            ("when", Param::from(when)),
            ("place", Param::from(place)),
        ],
        body: String::new(),
        link: format!("/hearings/{}", h.id),
    };
    notify::send_with(tx, who, &users, &note, Some(&file))?;
    Ok(())
}

/// Schedule a hearing on a plan (its leader or implementing departments): a hearing
/// defends the plan's latest version.
pub fn create(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    input: &HearingInput,
    base_url: &str,
) -> AppResult<Hearing> {
    let plan = plans::find(tx, input.plan_id).map_err(|_| AppError::invalid("unknown_reference", "plan_id"))?;
    if plans::relations(user, &plan).is_empty() {
        return Err(AppError::invalid("not_your_plan", "plan_id"));
    }
    let c = check(tx, input)?;
    if input.kind == "hearing" && plan.version == 0 {
        return Err(AppError::invalid("plan_has_no_text", "plan_id"));
    }
    let version = (input.kind == "hearing").then_some(plan.version);
    let id = tx.insert(
        "INSERT INTO hearings (plan_id, kind, title, starts_at, ends_at, venue, live_url, plan_version, year, report, \
         state, organised_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        params![
            plan.id,
            input.kind.as_str(),
            c.title,
            c.starts_at,
            c.ends_at,
            c.venue,
            c.live_url,
            version,
            input.year.filter(|_| input.kind == "inquiry"),
            c.report,
            rules.process.initial.as_str(),
            user.id,
            who.now
        ],
    )?;
    write_people(tx, id, &c.people)?;
    let h = find(tx, id)?;
    audit::record(tx, who, Change::created("hearing", id, &h))?;
    invite(tx, who, &h, "hr-note-invited", base_url)?;
    Ok(h)
}

/// Change a scheduled hearing: calendars see the same UID with a raised SEQUENCE, and
/// everyone named is told.
pub fn update(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &HearingInput,
    base_url: &str,
) -> AppResult<Hearing> {
    let before = find(tx, id)?;
    if !relations(user, &before, organiser(tx, id)?).iter().any(|r| matches!(*r, "organiser" | "chair")) {
        return Err(AppError::Forbidden);
    }
    if before.state != "scheduled" {
        return Err(AppError::Conflict { code: "hearing_not_scheduled", field: None });
    }
    if input.plan_id != before.plan_id || input.kind != before.kind {
        return Err(AppError::invalid("cannot_change", "plan_id"));
    }
    let c = check(tx, input)?;
    tx.execute(
        "UPDATE hearings SET title = $1, starts_at = $2, ends_at = $3, venue = $4, live_url = $5, year = $6, report = $7, \
         sequence = sequence + 1, updated_at = $8 WHERE id = $9",
        params![c.title, c.starts_at, c.ends_at, c.venue, c.live_url, input.year, c.report, who.now, id],
    )?;
    write_people(tx, id, &c.people)?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "hearing", id, &before, &after))?;
    invite(tx, who, &after, "hr-note-changed", base_url)?;
    Ok(after)
}

struct HearingSubject<'a> {
    h: &'a Hearing,
    base_url: &'a str,
}

impl Subject for HearingSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, _: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        Ok(match relation {
            "people" => self.h.people.iter().filter_map(|p| p.user_id).collect(),
            _ => Vec::new(),
        })
    }
    fn title(&self) -> String {
        self.h.title.clone()
    }
    fn link(&self) -> String {
        format!("/hearings/{}", self.h.id)
    }
    /// Publication freezes an inquiry's delivery figures; a cancellation raises the
    /// calendars' SEQUENCE and sends the cancelled event.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, _: Option<&str>) -> AppResult<()> {
        match fired.to.as_str() {
            "published" => {
                let figures = if self.h.kind == "inquiry" {
                    let f = super::questions::delivery(tx, self.h.plan_id, who.now)?;
                    Some(serde_json::to_string(&f).map_err(|e| AppError::internal(e.to_string()))?)
                } else {
                    None
                };
                tx.execute(
                    "UPDATE hearings SET published_at = $1, figures = $2 WHERE id = $3",
                    params![who.now, figures, self.h.id],
                )?;
                // What becomes public is new to the open data's incremental sync.
                tx.execute(
                    "UPDATE hearing_questions SET updated_at = $1 WHERE hearing_id = $2",
                    params![who.now, self.h.id],
                )?;
                tx.execute(
                    "UPDATE hearing_commitments SET updated_at = $1 \
                     WHERE question_id IN (SELECT id FROM hearing_questions WHERE hearing_id = $2)",
                    params![who.now, self.h.id],
                )?;
            }
            "cancelled" => {
                tx.execute("UPDATE hearings SET sequence = sequence + 1 WHERE id = $1", params![self.h.id])?;
                let h = find(tx, self.h.id)?;
                invite(tx, who, &h, "hr-note-cancelled", self.base_url)?;
            }
            _ => {}
        }
        tx.execute("UPDATE hearings SET updated_at = $1 WHERE id = $2", params![who.now, self.h.id])?;
        Ok(())
    }
}

/// A step of a hearing's process, with its note.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = HearingStep)]
pub struct Step {
    /// `open`, `close`, `publish` or `cancel` (with a note).
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    step: &Step,
    base_url: &str,
) -> AppResult<Hearing> {
    let (transition, note) = (step.transition.as_str(), step.note.as_deref());
    let h = find(tx, id)?;
    let relations = relations(user, &h, organiser(tx, id)?);
    let firing = Firing { id, transition, relations: &relations, note, calendar: &rules.calendar };
    workflow::fire(tx, who, &super::HEARING, &rules.process, firing, &HearingSubject { h: &h, base_url })?;
    find(tx, id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HearingFilter {
    pub plan_id: Option<i64>,
    pub kind: Option<String>,
    pub state: Option<String>,
}

/// Hearings; `public` lists only what the public sees (published, or scheduled ahead).
pub fn list(tx: &mut Tx<'_>, f: &HearingFilter, p: &ListParams, public: bool) -> AppResult<Page<Hearing>> {
    let mut w = Where::default();
    if public {
        w.and_sql("h.state <> 'cancelled'");
    }
    if let Some(plan) = f.plan_id {
        w.and("h.plan_id = ?", plan);
    }
    for (col, v) in [("h.kind", &f.kind), ("h.state", &f.state)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            w.and(&format!("{col} = ?"), v);
        }
    }
    // Found by its title, its plan's, or the words of an answered question or its answer.
    if let Some(like) = p.like() {
        w.and(
            "(lower(h.title) LIKE lower(?) OR lower(p.title) LIKE lower(?) OR EXISTS (SELECT 1 FROM hearing_questions q \
             WHERE q.hearing_id = h.id AND q.state = 'answered' \
             AND (lower(q.question) LIKE lower(?) OR lower(q.answer) LIKE lower(?))))",
            like,
        );
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("h.starts_at DESC, h.id", &[("starts", "h.starts_at"), ("title", "h.title")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Every hearing and inquiry not cancelled long ago, for the public feed; or those a
/// person is named in, for theirs.
pub fn feed(tx: &mut Tx<'_>, person: Option<i64>) -> AppResult<Vec<Hearing>> {
    let sql = match person {
        Some(_) => format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE h.id IN (SELECT hearing_id FROM hearing_people WHERE user_id = $1) \
             ORDER BY h.starts_at LIMIT 1000"
        ),
        None => format!("SELECT {COLUMNS} FROM {FROM} WHERE h.id > $1 ORDER BY h.starts_at LIMIT 1000"),
    };
    let mut out = Vec::new();
    for r in tx.query(&sql, params![person.unwrap_or(0)])? {
        let mut h = from_row(&r)?;
        h.people = people(tx, h.id)?;
        out.push(h);
    }
    Ok(out)
}

/// A person's own feed address: a new secret each time it is asked for (the old one
/// stops working).
pub fn new_feed_token(tx: &mut Tx<'_>, who: &Who, user: i64) -> AppResult<String> {
    let token = random_hex(20)?;
    tx.execute("DELETE FROM calendar_feeds WHERE user_id = $1", params![user])?;
    tx.execute(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)",
        params![user, secret_digest(token.as_bytes()), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change { action: "new_feed", kind: "calendar_feed", id: Some(user), before: None, after: None },
    )?;
    Ok(token)
}

/// The person a feed secret belongs to.
pub fn feed_owner(tx: &mut Tx<'_>, token: &str) -> AppResult<i64> {
    Ok(tx
        .query_opt(
            "SELECT user_id FROM calendar_feeds WHERE token_hash = $1",
            params![secret_digest(token.as_bytes())],
        )?
        .ok_or(AppError::NotFound)?
        .int(0)?)
}
