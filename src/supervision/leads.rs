//! Leads: filing (from any channel, the public web page or Open311), the one procedure,
//! linking duplicates, and what the public may see of a lead.

use crate::kernel::workflow::directives::{self, Directive, Giving};
use serde::{Deserialize, Serialize};

use super::{CHANNELS, LEAD};
use crate::kernel::access::{CurrentUser, Role, Visibility};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto::{self, random_hex, secret_digest};
use crate::kernel::db::{Row, Tx, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::notify::{self, Note};
use crate::kernel::registry::WorkItem;
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::deadlines::Kept;
use crate::kernel::workflow::{self, Fired, Firing, Process, Rules, Subject};
use crate::params;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LeadInput {
    /// One of party, congress, cppcc, government, public, media.
    #[serde(default = "public")]
    pub channel: String,
    /// A lead category code (an Open311 service code).
    pub category: String,
    pub description: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Left empty, the lead is anonymous and followed by its token only.
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_contact: String,
    /// The reporter asks that their identity be kept confidential (举报人保护).
    #[serde(default, deserialize_with = "crate::kernel::web::de::flag")]
    pub reporter_confidential: bool,
}

fn public() -> String {
    "public".into()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    pub id: i64,
    /// The tracking token, shown once; none when the same report was already filed.
    pub token: Option<String>,
    /// True when this repeated a report filed moments before (nothing was stored twice).
    pub repeated: bool,
}

/// Text that looks like markup is refused rather than stored.
pub fn plain(text: &str, field: &'static str, max: usize) -> AppResult<String> {
    let t = validate::text(text, field, max)?;
    let tagged = t.char_indices().any(|(i, c)| {
        c == '<' && t[i + 1..].chars().next().is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!')
    });
    if tagged { Err(AppError::invalid("markup_not_allowed", field)) } else { Ok(t) }
}

pub fn opt_plain(text: &str, field: &'static str, max: usize) -> AppResult<String> {
    if text.trim().is_empty() { Ok(String::new()) } else { plain(text, field, max) }
}

/// File a lead. `source` is `web`, `open311` or `staff`; `key` the Open311 key's id.
pub fn file(
    tx: &mut Tx<'_>,
    who: &Who,
    process: &Process,
    input: &LeadInput,
    source: &str,
    key: Option<i64>,
) -> AppResult<Filed> {
    if !CHANNELS.contains(&input.channel.as_str()) {
        return Err(AppError::invalid("bad_value", "channel"));
    }
    let active = tx.count(
        "SELECT COUNT(*) FROM lead_categories WHERE code = $1 AND active = 1",
        params![input.category.as_str()],
    )?;
    if active == 0 {
        return Err(AppError::invalid("unknown_category", "category"));
    }
    let description = plain(&input.description, "description", 2000)?;
    let address = opt_plain(&input.address, "address", 200)?;
    let located = match (input.lat, input.lon) {
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(AppError::invalid("bad_location", "lat"));
            }
            true
        }
        (None, None) => false,
        _ => return Err(AppError::invalid("bad_location", "lat")),
    };
    if !located && address.is_empty() {
        return Err(AppError::invalid("location_required", "address"));
    }
    let name = opt_plain(&input.reporter_name, "reporter_name", 60)?;
    let contact = opt_plain(&input.reporter_contact, "reporter_contact", 100)?;
    // The same report from the same source moments apart is stored once.
    let digest =
        secret_digest(format!("{}\u{1f}{description}\u{1f}{address}\u{1f}{source}", input.category).as_bytes());
    let repeat = tx.query_opt(
        "SELECT id FROM leads WHERE report_digest = $1 AND created_at > $2 ORDER BY id DESC LIMIT 1",
        params![digest.as_str(), who.now - 600_000],
    )?;
    if let Some(r) = repeat {
        return Ok(Filed { id: r.int(0)?, token: None, repeated: true });
    }
    let token = random_hex(12)?;
    let visibility = visibility_at_filing(&input.channel, source);
    let id = tx.insert(
        "INSERT INTO leads (channel, category_code, description, address, lat, lon, reporter_name, reporter_contact, token_hash, \
         source, source_key_id, state, created_at, updated_at, report_digest, visibility, reporter_confidential) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16) RETURNING id",
        params![
            input.channel.as_str(), input.category.as_str(), description.as_str(), address.as_str(), input.lat, input.lon, crypto::seal(&name)?, crypto::seal(&contact)?,
            secret_digest(token.as_bytes()), source, key, process.initial.as_str(), who.now, digest.as_str(), visibility.as_str(),
            input.reporter_confidential
        ],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "file",
            kind: "lead",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "channel": input.channel, "category": input.category, "source": source })),
        },
    )?;
    let office = office_users(tx)?;
    notify::send(
        tx,
        who,
        &office,
        &Note {
            kind: "lead",
            message: "sv-note-new-lead",
            params: vec![
                ("id", id.to_string().into()),
                ("short", description.chars().take(30).collect::<String>().into()),
            ],
            body: address,
            link: format!("/supervision/leads/{id}"),
        },
    )?;
    Ok(Filed { id, token: Some(token), repeated: false })
}

/// Sources through which the public files leads itself: the report page and Open311.
pub const PUBLIC_INTAKE: [&str; 2] = ["web", "open311"];

/// What a lead shows to whom from the start: the public sees what it filed through public
/// intake; party-discipline leads stay with the office and the unit.
fn visibility_at_filing(channel: &str, source: &str) -> Visibility {
    if channel == "party" {
        Visibility::Confidential
    } else if PUBLIC_INTAKE.contains(&source) {
        Visibility::Public
    } else {
        Visibility::Internal
    }
}

/// The heads of a responsible unit, who answer for its leads.
pub fn unit_heads(tx: &mut Tx<'_>, department: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE active = 1 AND department_id = $1 AND role IN ('dept_head', 'division_head') LIMIT 20",
        params![department],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

pub fn office_users(tx: &mut Tx<'_>) -> AppResult<Vec<i64>> {
    crate::accounts::service::active_with_role(tx, crate::kernel::access::Role::Supervisor)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: i64,
    pub channel: String,
    pub category: String,
    pub category_name: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Shown to those who see the lead, unless the reporter is protected
    /// ([`Lead::protects_reporter`]); then to the supervision office and the discipline
    /// commission only, and withheld (empty) for everyone else.
    pub reporter_name: String,
    /// In full for the supervision office (and, on a protected lead, the discipline
    /// commission); masked for the others who may know the reporter.
    pub reporter_contact: String,
    /// The reporter asked for confidentiality.
    pub reporter_confidential: bool,
    /// The reporter's identity is withheld from this caller.
    pub reporter_withheld: bool,
    /// The caller was given the reporter in full (a view the audit trail records).
    #[serde(skip)]
    pub reporter_in_full: bool,
    pub source: String,
    pub unit_department_id: Option<i64>,
    pub unit_name: Option<String>,
    /// Transferred to the discipline commission (纪委).
    pub to_discipline: bool,
    pub state: String,
    pub deadline: Option<String>,
    /// The lead this one was linked to; it is handled there.
    pub primary_id: Option<i64>,
    /// The published notice.
    pub outcome: String,
    /// The reporter's judgement of the outcome: satisfied, basically_satisfied or dissatisfied.
    pub judgement: Option<String>,
    pub judgement_comment: String,
    /// The coordination task this lead became.
    pub task_id: Option<i64>,
    /// Public for what came in through public intake or was exposed in public;
    /// confidential for party-discipline leads and those sent to the discipline commission.
    pub visibility: Visibility,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "l.id, l.channel, l.category_code AS category, c.name AS category_name, l.description, l.address, \
    l.lat, l.lon, l.reporter_name, l.reporter_contact, l.source, l.unit_department_id, \
    d.name AS unit_name, l.to_discipline, l.state, l.deadline, l.primary_id, l.outcome, \
    l.created_at, l.updated_at, l.reporter_judgement AS judgement, l.judgement_comment, l.task_id, \
    l.visibility, l.reporter_confidential";
const FROM: &str =
    "leads l JOIN lead_categories c ON c.code = l.category_code LEFT JOIN departments d ON d.id = l.unit_department_id";

fn from_row(r: &Row) -> AppResult<Lead> {
    Ok(Lead {
        id: r.int("id")?,
        channel: r.text("channel")?,
        category: r.text("category")?,
        category_name: r.text("category_name")?,
        description: r.text("description")?,
        address: r.text("address")?,
        lat: r.opt_real("lat")?,
        lon: r.opt_real("lon")?,
        reporter_name: crypto::open(&r.text("reporter_name")?)?,
        reporter_contact: crypto::open(&r.text("reporter_contact")?)?,
        reporter_confidential: r.bool("reporter_confidential")?,
        reporter_withheld: false,
        reporter_in_full: false,
        source: r.text("source")?,
        unit_department_id: r.opt_int("unit_department_id")?,
        unit_name: r.opt_text("unit_name")?,
        to_discipline: r.bool("to_discipline")?,
        state: r.text("state")?,
        deadline: r.opt_text("deadline")?,
        primary_id: r.opt_int("primary_id")?,
        outcome: r.text("outcome")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        judgement: r.opt_text("judgement")?,
        judgement_comment: r.text("judgement_comment")?,
        task_id: r.opt_int("task_id")?,
        visibility: Visibility::parse(&r.text("visibility")?).unwrap_or(Visibility::Confidential),
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Lead> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn is_office(user: &CurrentUser) -> bool {
    user.role == Role::Supervisor
}

pub fn relations(user: &CurrentUser, l: &Lead) -> Vec<&'static str> {
    let mut r = Vec::new();
    if is_office(user) {
        r.push("office");
    }
    if user.role.is_government() && user.department_id.is_some() && user.department_id == l.unit_department_id {
        r.push("unit");
    }
    r
}

/// How much of a reporter's identity a caller may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReporterSight {
    /// Name and contact in full (each view logged).
    Full,
    /// The name, and the contact masked.
    Masked,
    /// Nothing: the identity is withheld.
    Withheld,
}

impl Lead {
    /// 举报人保护: the reporter's identity is protected on a party-discipline lead, one sent
    /// to the discipline commission, a confidential one, and where the reporter asked.
    pub fn protects_reporter(&self) -> bool {
        self.channel == "party"
            || self.to_discipline
            || self.visibility == Visibility::Confidential
            || self.reporter_confidential
    }

    /// Keep of the reporter's identity only what `sight` allows.
    pub fn show_reporter(&mut self, sight: ReporterSight) {
        match sight {
            ReporterSight::Full => self.reporter_in_full = true,
            ReporterSight::Masked => {
                self.reporter_contact = crate::kernel::validate::mask_contact(&self.reporter_contact)
            }
            ReporterSight::Withheld => {
                self.reporter_withheld = !(self.reporter_name.is_empty() && self.reporter_contact.is_empty());
                self.reporter_name.clear();
                self.reporter_contact.clear();
            }
        }
    }

    pub fn seen(&self) -> super::sight::Seen<'_> {
        super::sight::Seen {
            channel: &self.channel,
            unit: self.unit_department_id,
            to_discipline: self.to_discipline,
            visibility: self.visibility,
        }
    }
}

pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Lead> {
    let l = find(tx, id)?;
    if !super::sight::of(tx, user)?.sees(&l.seen()) {
        return Err(AppError::NotFound);
    }
    Ok(l)
}

/// The leads waiting for `user`: for the supervision office those to transfer, disputed
/// or fed back, and those whose feedback is overdue; for a unit those to answer.
pub fn queue(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, now: i64, lang: Lang) -> AppResult<Vec<WorkItem>> {
    let (p, today) = (&rules.process, crate::kernel::clock::local_date(now));
    let mut w = Where::default();
    let mut any = Vec::new();
    if is_office(user) {
        let states = w.marks(&p.actionable(&["office"]));
        any.push(format!("l.state IN ({states})"));
        let running: Vec<&str> = p.timing.running.iter().map(String::as_str).collect();
        let (running, day) = (w.marks(&running), w.push(today.to_string()));
        any.push(format!("(l.state IN ({running}) AND l.deadline < {day})"));
    }
    if let (true, Some(d)) = (user.role.is_government(), user.department_id) {
        let (states, unit) = (w.marks(&p.actionable(&["unit"])), w.push(d));
        any.push(format!("(l.state IN ({states}) AND l.unit_department_id = {unit})"));
    }
    // A leader sees the exposed problems still unanswered past their response hours.
    let late = user.role == crate::kernel::access::Role::Leader;
    if late {
        let (running, at) = (w.marks(&["transferred", "rework"]), w.push(now));
        any.push(format!("(l.respond_by < {at} AND l.state IN ({running}) AND l.visibility <> 'confidential')"));
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    w.and_sql(&format!("l.primary_id IS NULL AND ({})", any.join(" OR ")));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{} ORDER BY l.deadline, l.id LIMIT 50", w.sql);
    let overdue = crate::kernel::i18n::t(lang, if late { "sv-exposure-unanswered" } else { "sv-feedback-overdue" });
    let kind = crate::kernel::i18n::t(lang, "sv-lead");
    let mut items = Vec::new();
    for r in tx.query(&sql, &w.args)? {
        let l = from_row(&r)?;
        let asks = p.asks(&l.state, &relations(user, &l), lang);
        let light = l.deadline.as_deref().and_then(|d| p.light(&rules.calendar, &l.state, d, today));
        items.push(WorkItem {
            ask: if asks.is_empty() { overdue.to_owned() } else { asks },
            kind: kind.to_owned(),
            title: l.description.chars().take(40).collect(),
            href: format!("/supervision/leads/{}", l.id),
            light,
            more: format!("/supervision?state={}", l.state),
            deadline: l.deadline,
            since: l.updated_at,
        });
    }
    Ok(items)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadFilter {
    pub state: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &LeadFilter, p: &ListParams) -> AppResult<Page<Lead>> {
    let mut w = Where::default();
    super::sight::of(tx, user)?.restrict(&mut w);
    for (col, v) in [("l.state", &f.state), ("l.channel", &f.channel), ("l.category_code", &f.category)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            w.and(&format!("{col} = ?"), v);
        }
    }
    if let Some(like) = p.like() {
        w.contains(&["l.description", "l.address"], like);
    }
    let total = count_capped(tx, &format!("FROM leads l{}", w.sql), &w.args)?;
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{} ORDER BY l.id DESC LIMIT {lm} OFFSET {o}", w.sql);
    let mut items: Vec<Lead> = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    for l in &mut items {
        // Lists and exports never carry a protected reporter's identity, nor a contact in full.
        l.show_reporter(if l.protects_reporter() { ReporterSight::Withheld } else { ReporterSight::Masked });
    }
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Character pairs of a text, for a rough similarity that needs no word segmentation.
fn bigrams(text: &str) -> std::collections::HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    let union = x.union(&y).count();
    if union == 0 { 0.0 } else { x.intersection(&y).count() as f64 / union as f64 }
}

/// Metres between two points on the earth.
fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub id: i64,
    pub description: String,
    pub address: String,
    pub state: String,
    /// `nearby` (within `supervision.dedupe_distance_m`), `similar text`, or both.
    pub reason: String,
}

/// Open leads of the same category that look like the same problem.
pub fn candidates(tx: &mut Tx<'_>, l: &Lead) -> AppResult<Vec<Candidate>> {
    let window = crate::kernel::settings::get(tx, &super::DEDUPE_WINDOW)?;
    let within = crate::kernel::settings::get(tx, &super::DEDUPE_DISTANCE)? as f64;
    let alike = crate::kernel::settings::get(tx, &super::DEDUPE_SIMILARITY)? as f64 / 100.0;
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE l.category_code = $1 AND l.id <> $2 AND l.primary_id IS NULL \
         AND l.state <> 'closed' ORDER BY l.id DESC LIMIT $3"
    );
    let mut out = Vec::new();
    for r in tx.query(&sql, params![l.category.as_str(), l.id, window])? {
        let o = from_row(&r)?;
        let near = match (l.lat, l.lon, o.lat, o.lon) {
            (Some(a), Some(b), Some(c), Some(d)) => distance_m((a, b), (c, d)) <= within,
            _ => false,
        };
        let similar =
            similarity(&l.description, &o.description) >= alike || (!l.address.is_empty() && l.address == o.address);
        if near || similar {
            let reason = match (near, similar) {
                (true, true) => "nearby, similar text",
                (true, false) => "nearby",
                _ => "similar text",
            };
            out.push(Candidate {
                id: o.id,
                description: o.description,
                address: o.address,
                state: o.state,
                reason: reason.into(),
            });
        }
    }
    Ok(out)
}

/// Link a lead to the one that handles the same problem (the supervision office).
pub fn link(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, primary: i64) -> AppResult<Lead> {
    if !is_office(user) {
        return Err(AppError::Forbidden);
    }
    let before = find(tx, id)?;
    let p = find(tx, primary).map_err(|_| AppError::invalid("not_found", "primary_id"))?;
    if id == primary || p.primary_id.is_some() || before.primary_id.is_some() {
        return Err(AppError::invalid("bad_link", "primary_id"));
    }
    tx.execute("UPDATE leads SET primary_id = $1, updated_at = $2 WHERE id = $3", params![primary, who.now, id])?;
    tx.execute("UPDATE leads SET primary_id = $1 WHERE primary_id = $2", params![primary, id])?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("link", "lead", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Step {
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
    /// For `transfer`: the responsible unit (the discipline commission when violations
    /// are suspected, with `to_discipline`). For `redirect`: the unit to transfer to
    /// instead, in the same step (without it the lead goes back to be transferred later).
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub unit_department_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::flag")]
    pub to_discipline: bool,
}

struct LeadSubject<'a> {
    l: &'a Lead,
    /// The responsible unit, as the transition leaves it.
    unit: Option<i64>,
    /// A transfer sends the lead to the discipline commission.
    to_discipline: bool,
}

impl Subject for LeadSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match (relation, self.unit) {
            ("office", _) => office_users(tx),
            ("unit", Some(d)) => unit_heads(tx, d),
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        format!("线索 #{}", self.l.id)
    }
    fn link(&self) -> String {
        format!("/supervision/leads/{}", self.l.id)
    }
    /// A transfer records the unit (a lead for the discipline commission becomes
    /// confidential); the published notice is every linked reporter's outcome; the first
    /// feedback decides the response rate and the time to feedback.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, note: Option<&str>) -> AppResult<()> {
        let id = self.l.id;
        match fired.transition.as_str() {
            "transfer" => {
                let confidential = self.to_discipline || self.l.visibility == Visibility::Confidential;
                let visibility = if confidential { Visibility::Confidential } else { self.l.visibility };
                tx.execute(
                    "UPDATE leads SET unit_department_id = $1, to_discipline = $2, visibility = $3 WHERE id = $4",
                    params![self.unit, self.to_discipline, visibility.as_str(), id],
                )?;
            }
            "notify" => {
                tx.execute(
                    "UPDATE leads SET outcome = $1 WHERE id = $2 OR primary_id = $2",
                    params![note.unwrap_or(""), id],
                )?;
                super::notices::issue(tx, who, self.l, note.unwrap_or(""))?;
            }
            "feed_back" => super::notices::fed_back(tx, who, self.l, note.unwrap_or(""))?,
            _ => {}
        }
        if let Kept::Finished { met } = fired.deadline {
            tx.execute(
                "UPDATE leads SET first_feedback_at = $1, fed_back_on_time = $2 WHERE id = $3 AND first_feedback_at IS NULL",
                params![who.now, i64::from(met), id],
            )?;
        }
        Ok(())
    }
}

/// Feed a lead back with the outcome of the task it became, as its unit would.
pub fn feed_back_from_task(
    tx: &mut Tx<'_>,
    who: &Who,
    process: &Process,
    calendar: &crate::kernel::calendar::WorkCalendar,
    id: i64,
    note: &str,
) -> AppResult<Fired> {
    let l = find(tx, id)?;
    let firing = Firing { id, transition: "feed_back", relations: &["unit"], note: Some(note), calendar };
    let subject = LeadSubject { l: &l, unit: l.unit_department_id, to_discipline: l.to_discipline };
    workflow::fire(tx, who, &LEAD, process, firing, &subject)
}

/// File a lead for a channel, as the supervision office (any channel) or a channel's
/// office (its own); others are refused (`channel_not_yours`).
pub fn file_for_channel(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    process: &Process,
    input: &LeadInput,
) -> AppResult<Filed> {
    if !super::sight::of(tx, user)?.may_file(&input.channel) {
        return Err(AppError::invalid("channel_not_yours", "channel"));
    }
    file(tx, who, process, input, "staff", None)
}

/// A 批示 or 催办 on a lead, by those its process file allows.
pub fn direct(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    process: &Process,
    id: i64,
    giving: &Giving,
) -> AppResult<Directive> {
    let l = get(tx, user, id)?;
    let rel = relations(user, &l);
    let subject = LeadSubject { l: &l, unit: l.unit_department_id, to_discipline: l.to_discipline };
    directives::give(tx, who, &super::LEAD, process, user, &rel, id, giving, &subject)
}

/// Move a lead along the one procedure. A transfer names the unit (the kernel starts the
/// feedback deadline); the published notice is the outcome every linked reporter sees.
pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    step: &Step,
) -> AppResult<Fired> {
    let l = get(tx, user, id)?;
    if l.primary_id.is_some() {
        return Err(AppError::conflict("lead_linked"));
    }
    let mut unit = l.unit_department_id;
    if step.transition == "transfer" {
        let d = step.unit_department_id.ok_or_else(|| AppError::invalid("required", "unit_department_id"))?;
        if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![d])? == 0 {
            return Err(AppError::invalid("unknown_department", "unit_department_id"));
        }
        unit = Some(d);
    }
    let rel = relations(user, &l);
    let note = step.note.as_deref();
    let firing = Firing { id, transition: &step.transition, relations: &rel, note, calendar: &rules.calendar };
    let subject = LeadSubject { l: &l, unit, to_discipline: step.to_discipline };
    let fired = workflow::fire(tx, who, &LEAD, &rules.process, firing, &subject)?;
    if step.transition == "redirect" && step.unit_department_id.is_some() {
        // 改由他单位办理: straight on to the unit named, as one change.
        let onward = Step { transition: "transfer".into(), note: None, ..step.clone() };
        return transition(tx, who, user, rules, id, &onward);
    }
    Ok(fired)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicLead {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `open` or `closed`.
    pub status: String,
    /// The procedure's state, in words.
    pub status_name: String,
    pub status_name_en: String,
    pub outcome: String,
    pub agency: Option<String>,
    pub requested_at: i64,
    pub updated_at: i64,
    /// The reporter's judgement of the outcome, once given.
    pub judgement: Option<String>,
    /// The outcome is published and not yet judged: the reporter may judge it now.
    pub can_judge: bool,
    /// The reporter's first photo, shown at `/report/photos/{id}`.
    pub photo_id: Option<i64>,
}

/// Leads by id, in one query, in the order of `ids`.
pub fn find_many(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<Lead>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.id IN ({})", list);
    let mut found: Vec<Lead> = tx.query(&sql, &[])?.iter().map(from_row).collect::<AppResult<_>>()?;
    found.sort_by_key(|l| ids.iter().position(|i| *i == l.id));
    Ok(found)
}

/// What anyone may see of some leads: their own text and place, and the status and
/// outcome of the lead that handles each (fetched together, not one by one).
pub fn public_views(tx: &mut Tx<'_>, leads: &[Lead], process: &Process) -> AppResult<Vec<PublicLead>> {
    let mut primaries: Vec<i64> = leads.iter().filter_map(|l| l.primary_id).collect();
    primaries.sort_unstable();
    primaries.dedup();
    let handlers = find_many(tx, &primaries)?;
    let photos = super::photos::first_of(tx, &leads.iter().map(|l| l.id).collect::<Vec<_>>())?;
    Ok(leads
        .iter()
        .map(|l| {
            let handler = l.primary_id.and_then(|p| handlers.iter().find(|h| h.id == p)).unwrap_or(l);
            // A confidential lead that handles this one lends it its status only.
            let withheld = handler.id != l.id && handler.visibility == Visibility::Confidential;
            PublicLead {
                id: l.id,
                category: l.category.clone(),
                category_name: l.category_name.clone(),
                description: l.description.clone(),
                address: l.address.clone(),
                lat: l.lat,
                lon: l.lon,
                status: if process.is_final(&handler.state) { "closed".into() } else { "open".into() },
                status_name: process.state_name(&handler.state, crate::kernel::i18n::Lang::Zh),
                status_name_en: process.state_name(&handler.state, crate::kernel::i18n::Lang::En),
                outcome: if withheld { String::new() } else { handler.outcome.clone() },
                agency: if withheld { None } else { handler.unit_name.clone() },
                requested_at: l.created_at,
                updated_at: handler.updated_at.max(l.updated_at),
                judgement: l.judgement.clone(),
                can_judge: l.judgement.is_none() && super::judgement::resolved(&handler.state),
                photo_id: photos.get(&l.id).copied(),
            }
        })
        .collect())
}

pub fn public_view(tx: &mut Tx<'_>, l: &Lead, process: &Process) -> AppResult<PublicLead> {
    public_views(tx, std::slice::from_ref(l), process)?.pop().ok_or(AppError::NotFound)
}

/// What the reporter holding `token` may see of their lead.
pub fn track(tx: &mut Tx<'_>, token: &str, process: &Process) -> AppResult<PublicLead> {
    let l = by_token(tx, token)?;
    public_view(tx, &l, process)
}

pub fn by_token(tx: &mut Tx<'_>, token: &str) -> AppResult<Lead> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.token_hash = $1");
    // The code as shown (in groups of four) or as typed, in either case.
    let code: String = token.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    tx.query_opt(&sql, params![secret_digest(code.as_bytes())])?
        .map(|r| from_row(&r))
        .transpose()?
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_refused_and_plain_text_kept() {
        assert!(plain("路口<script>alert(1)</script>", "description", 100).is_err());
        assert!(plain("<b>x</b>", "description", 100).is_err());
        assert_eq!(plain("温度 < 5 度时路面结冰", "description", 100).ok().as_deref(), Some("温度 < 5 度时路面结冰"));
    }

    #[test]
    fn duplicates_are_found_by_place_and_by_text() {
        assert!(distance_m((36.0671, 120.3826), (36.0690, 120.3830)) < 500.0);
        assert!(distance_m((36.0671, 120.3826), (36.1000, 120.3826)) > 3000.0);
        assert!(similarity("香港中路与山东路路口井盖缺失", "山东路香港中路路口井盖缺失很危险") > 0.4);
        assert!(similarity("井盖缺失", "企业补贴未兑现") < 0.1);
    }
}
