//! The workflow kernel. A process — its states, transitions, who may fire each, and its
//! deadline rules — is data: a TOML file per record kind in its mechanism's `processes/`, shipped in
//! the binary and overridable by an administrator. This module validates definitions,
//! and fires transitions: it checks the state and the caller's relation to the record,
//! moves the state, records the event, writes the audit entry and sends notifications,
//! all in the caller's transaction. A mechanism brings a definition and a [`Spec`]; it
//! never brings its own engine.

pub mod bulletins;
pub mod deadlines;
pub mod diagram;
pub mod directives;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use super::audit::{self, Change, Who};
use super::calendar::WorkCalendar;
use super::db::Tx;
use super::error::{AppError, AppResult};
use super::i18n::Lang;
use super::notify::{self, Note, Param};
use crate::params;
pub use deadlines::Deadlines;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    #[serde(default)]
    pub yellow_working_days: u32,
    #[serde(default)]
    pub remind_working_days_before: u32,
    /// Relations reminded before the deadline.
    #[serde(default)]
    pub remind: Vec<String>,
    #[serde(default)]
    pub escalate_overdue: bool,
    /// Relations told once the deadline has passed (with `escalate_overdue`).
    #[serde(default)]
    pub escalate: Vec<String>,
    /// States in which the deadline runs.
    #[serde(default)]
    pub running: Vec<String>,
    /// Working days a record gets to finish when it enters a running state (0: set by
    /// the mechanism).
    #[serde(default)]
    pub deadline_working_days: u32,
    /// Further escalation while a record stays overdue, each step once, e.g. to the leader
    /// in charge of the unit after 2 working days, to the principal leader after 5.
    #[serde(default)]
    pub escalation: Vec<EscalationStep>,
    /// While overdue, remind (催办) `repeat` again every this many working days (0: never).
    #[serde(default)]
    pub repeat_working_days: u32,
    #[serde(default)]
    pub repeat: Vec<String>,
}

/// One further step of escalation: whom to tell once a record is this many working days
/// overdue.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EscalationStep {
    pub after_working_days: u32,
    pub to: Vec<String>,
}

/// How a running deadline stands: green, yellow (near) or red (passed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    pub id: String,
    pub name: String,
    pub name_en: String,
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    pub id: String,
    pub from: Vec<String>,
    pub to: String,
    pub name: String,
    pub name_en: String,
    /// Relations to the record that may fire it (e.g. `assignee`, `leader`).
    pub by: Vec<String>,
    /// Relations to notify when it fires.
    #[serde(default)]
    pub notify: Vec<String>,
    #[serde(default)]
    pub needs_note: bool,
    /// A named condition the mechanism checks before it may fire.
    #[serde(default)]
    pub guard: Option<String>,
    /// How its button looks: `primary` (the step forward), `danger` (sending back,
    /// refusing), or plain (anything else).
    #[serde(default)]
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Primary,
    #[default]
    Plain,
    Danger,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub initial: String,
    #[serde(default)]
    pub timing: Timing,
    pub states: Vec<StateDef>,
    pub transitions: Vec<TransitionDef>,
    /// Who may give 批示 and 催办 by hand, and whom they go to.
    #[serde(default)]
    pub directives: directives::Rules,
}

/// What a mechanism declares about the records a process governs.
pub struct Spec {
    pub kind: &'static str,
    /// The table holding the records; it has `id`, `state` and `updated_at` columns.
    pub table: &'static str,
    /// The relations a caller can have to a record.
    pub relations: &'static [&'static str],
    pub guards: &'static [&'static str],
    /// Transitions the mechanism's code fires by name; an override must keep them.
    pub required_transitions: &'static [&'static str],
    /// States the mechanism's code relies on; an override must keep them.
    pub required_states: &'static [&'static str],
    pub builtin: &'static str,
    /// Where its records keep a deadline, for the kernel's reminders and escalations.
    pub deadlines: Option<&'static Deadlines>,
}

impl Process {
    pub fn state(&self, id: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.id == id)
    }
    pub fn transition(&self, id: &str) -> Option<&TransitionDef> {
        self.transitions.iter().find(|t| t.id == id)
    }
    pub fn state_name(&self, id: &str, lang: Lang) -> String {
        match self.state(id) {
            Some(s) if lang == Lang::En => s.name_en.clone(),
            Some(s) => s.name.clone(),
            None => id.to_owned(),
        }
    }
    pub fn is_final(&self, id: &str) -> bool {
        self.state(id).is_some_and(|s| s.is_final)
    }
    /// Transitions from `state` that a caller with `relations` may fire.
    pub fn available(&self, state: &str, relations: &[&str]) -> Vec<&TransitionDef> {
        self.transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == state) && t.by.iter().any(|b| relations.contains(&b.as_str())))
            .collect()
    }
    /// The states in which a caller holding `relations` has something to do (a transition
    /// they may fire), final states aside.
    pub fn actionable(&self, relations: &[&str]) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| !s.is_final && !self.available(&s.id, relations).is_empty())
            .map(|s| s.id.as_str())
            .collect()
    }
    /// What a caller holding `relations` may do to a record in `state`, in words.
    pub fn asks(&self, state: &str, relations: &[&str], lang: Lang) -> String {
        let names: Vec<&str> = self
            .available(state, relations)
            .iter()
            .map(|t| if lang == Lang::En { t.name_en.as_str() } else { t.name.as_str() })
            .collect();
        names.join(if lang == Lang::En { " / " } else { "、" })
    }
    pub fn runs_deadline(&self, state: &str) -> bool {
        self.timing.running.iter().any(|s| s == state)
    }

    /// The light of a record in `state` due on `deadline` (YYYY-MM-DD), seen on `today`.
    pub fn light(
        &self,
        cal: &super::calendar::WorkCalendar,
        state: &str,
        deadline: &str,
        today: chrono::NaiveDate,
    ) -> Option<Light> {
        if !self.runs_deadline(state) {
            return None;
        }
        let due = super::clock::parse_date(deadline)?;
        if today > due {
            Some(Light::Red)
        } else if cal.working_days_between(today, due) <= i64::from(self.timing.yellow_working_days) {
            Some(Light::Yellow)
        } else {
            Some(Light::Green)
        }
    }
}

/// Check a definition against its spec; every problem is listed.
pub fn validate(spec: &Spec, p: &Process) -> Vec<String> {
    let mut errors = Vec::new();
    if p.kind != spec.kind {
        errors.push(format!("kind is {:?}, expected {:?}", p.kind, spec.kind));
    }
    let mut ids = HashSet::new();
    for s in &p.states {
        if !ids.insert(s.id.as_str()) {
            errors.push(format!("state {:?} is declared twice", s.id));
        }
    }
    if !ids.contains(p.initial.as_str()) {
        errors.push(format!("initial state {:?} is not declared", p.initial));
    }
    for s in spec.required_states {
        if !ids.contains(s) {
            errors.push(format!("state {s:?} is needed by the {} mechanism", spec.kind));
        }
    }
    let later = p.timing.escalation.iter().flat_map(|e| e.to.iter());
    for r in p.timing.remind.iter().chain(&p.timing.escalate).chain(later).chain(&p.timing.repeat) {
        if !spec.relations.contains(&r.as_str()) {
            errors.push(format!("timing names unknown relation {r:?} (known: {})", spec.relations.join(", ")));
        }
    }
    if !(p.timing.remind.is_empty() && p.timing.escalate.is_empty()) && spec.deadlines.is_none() {
        errors.push(format!("the {} mechanism keeps no deadline to remind of", spec.kind));
    }
    let mut tids = HashSet::new();
    for t in &p.transitions {
        if !tids.insert(t.id.as_str()) {
            errors.push(format!("transition {:?} is declared twice", t.id));
        }
        for f in t.from.iter().chain(std::iter::once(&t.to)) {
            if !ids.contains(f.as_str()) {
                errors.push(format!("transition {:?} names unknown state {f:?}", t.id));
            }
        }
        if t.from.is_empty() || t.by.is_empty() {
            errors.push(format!("transition {:?} needs `from` and `by`", t.id));
        }
        for r in t.by.iter().chain(&t.notify) {
            if !spec.relations.contains(&r.as_str()) {
                errors.push(format!(
                    "transition {:?} names unknown relation {r:?} (known: {})",
                    t.id,
                    spec.relations.join(", ")
                ));
            }
        }
        if let Some(g) = &t.guard
            && !spec.guards.contains(&g.as_str())
        {
            errors.push(format!("transition {:?} names unknown guard {g:?}", t.id));
        }
    }
    for t in spec.required_transitions {
        if !tids.contains(t) {
            errors.push(format!("transition {t:?} is needed by the {} mechanism", spec.kind));
        }
    }
    for s in &p.timing.running {
        if !ids.contains(s.as_str()) {
            errors.push(format!("timing.running names unknown state {s:?}"));
        }
    }
    directives::validate(spec, &p.directives, &mut errors);
    for s in p.states.iter().filter(|s| !s.is_final) {
        if !p.transitions.iter().any(|t| t.from.contains(&s.id)) {
            errors.push(format!("state {:?} is not final but has no way out", s.id));
        }
    }
    let mut reached = HashSet::from([p.initial.as_str()]);
    loop {
        let before = reached.len();
        for t in &p.transitions {
            if t.from.iter().any(|f| reached.contains(f.as_str())) {
                reached.insert(t.to.as_str());
            }
        }
        if reached.len() == before {
            break;
        }
    }
    for s in &p.states {
        if !reached.contains(s.id.as_str()) {
            errors.push(format!("state {:?} cannot be reached from {:?}", s.id, p.initial));
        }
    }
    errors
}

/// Parse and validate a definition.
pub fn parse(spec: &Spec, text: &str) -> Result<Process, Vec<String>> {
    let p: Process = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let errors = validate(spec, &p);
    if errors.is_empty() { Ok(p) } else { Err(errors) }
}

/// Every process the service runs: shipped definitions, replaced by administrators'
/// overrides where given.
pub struct Registry {
    specs: Vec<&'static Spec>,
    processes: RwLock<HashMap<&'static str, Arc<Process>>>,
}

impl Registry {
    /// Load and validate every definition; a broken one stops the start-up with a message
    /// naming the process and its problems.
    pub fn load(specs: Vec<&'static Spec>, overrides: &[(String, String)]) -> Result<Registry, String> {
        let mut processes = HashMap::new();
        for spec in &specs {
            let text = overrides.iter().find(|(k, _)| k == spec.kind).map_or(spec.builtin, |(_, t)| t.as_str());
            let p = parse(spec, text)
                .map_err(|errs| format!("process {:?} is not valid:\n  - {}", spec.kind, errs.join("\n  - ")))?;
            processes.insert(spec.kind, Arc::new(p));
        }
        Ok(Registry { specs, processes: RwLock::new(processes) })
    }

    pub fn spec(&self, kind: &str) -> Option<&'static Spec> {
        self.specs.iter().copied().find(|s| s.kind == kind)
    }

    pub fn get(&self, kind: &str) -> AppResult<Arc<Process>> {
        self.processes
            .read()
            .map_err(|_| AppError::internal("process registry poisoned"))?
            .get(kind)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("no process {kind}")))
    }

    pub fn all(&self) -> Vec<Arc<Process>> {
        let map = self.processes.read().map(|m| m.clone()).unwrap_or_default();
        self.specs.iter().filter_map(|s| map.get(s.kind).cloned()).collect()
    }

    /// Replace a definition in memory (after it was validated and stored).
    pub fn replace(&self, p: Process) -> AppResult<()> {
        let spec = self.spec(&p.kind).ok_or(AppError::NotFound)?;
        self.processes
            .write()
            .map_err(|_| AppError::internal("process registry poisoned"))?
            .insert(spec.kind, Arc::new(p));
        Ok(())
    }
}

/// What transitions of one kind are judged by: the process in force and the calendar.
#[derive(Clone)]
pub struct Rules {
    pub process: Arc<Process>,
    pub calendar: Arc<WorkCalendar>,
}

impl Rules {
    pub fn of(processes: &Registry, calendar: Arc<WorkCalendar>, spec: &Spec) -> AppResult<Rules> {
        Ok(Rules { process: processes.get(spec.kind)?, calendar })
    }

    /// The shipped definition and the stored calendar, for work done before the service
    /// runs (the demo seed).
    pub fn shipped(tx: &mut Tx<'_>, spec: &Spec) -> AppResult<Rules> {
        let process = parse(spec, spec.builtin).map_err(|e| AppError::internal(e.join("; ")))?;
        Ok(Rules { process: Arc::new(process), calendar: Arc::new(super::calendar::load(tx)?) })
    }
}

/// What the mechanism knows about one record, for the kernel to ask.
pub trait Subject {
    /// Whether the named guard holds.
    fn guard(&self, tx: &mut Tx<'_>, name: &str) -> AppResult<bool>;
    /// Users who hold `relation` to the record.
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>>;
    /// A short title and a link, for notifications.
    fn title(&self) -> String;
    fn link(&self) -> String;
    /// What the mechanism records once the transition has fired, in the same transaction
    /// (its own columns, counters, history).
    fn after_fire(&self, _tx: &mut Tx<'_>, _who: &Who, _fired: &Fired, _note: Option<&str>) -> AppResult<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Fired {
    pub from: String,
    pub to: String,
    pub transition: String,
    /// What the transition did to the record's deadline.
    #[serde(skip)]
    pub deadline: deadlines::Kept,
    /// The record reached a final state.
    #[serde(skip)]
    pub is_final: bool,
}

/// One request to move a record: which record, which transition, the caller's relations
/// to the record, and an optional note.
pub struct Firing<'a> {
    pub id: i64,
    pub transition: &'a str,
    pub relations: &'a [&'a str],
    pub note: Option<&'a str>,
    /// The calendar deadlines are counted in.
    pub calendar: &'a WorkCalendar,
}

/// Fire a transition on a record for a caller holding some relations to it: move its
/// state, keep its deadline, record the event and the audit entry, notify, and let the
/// subject record the rest ([`Subject::after_fire`]).
pub fn fire(
    tx: &mut Tx<'_>,
    who: &Who,
    spec: &Spec,
    process: &Process,
    firing: Firing<'_>,
    subject: &dyn Subject,
) -> AppResult<Fired> {
    let Firing { id, transition, relations, note, calendar } = firing;
    let t = process.transition(transition).ok_or_else(|| AppError::invalid("unknown_transition", "transition"))?;
    let sql = format!("SELECT state FROM {} WHERE id = $1{}", spec.table, tx.dialect().for_update());
    let current = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?.text(0)?;
    if !t.by.iter().any(|b| relations.contains(&b.as_str())) {
        return Err(AppError::Forbidden);
    }
    if !t.from.contains(&current) {
        return Err(AppError::Conflict { code: "illegal_transition", field: Some("transition") });
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if t.needs_note && note.is_none() {
        return Err(AppError::invalid("required", "note"));
    }
    if let Some(n) = note
        && n.chars().count() > 4000
    {
        return Err(AppError::invalid("too_long", "note"));
    }
    if let Some(g) = &t.guard
        && !subject.guard(tx, g)?
    {
        return Err(AppError::Conflict { code: "guard_failed", field: Some("transition") });
    }
    let sql = format!("UPDATE {} SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4", spec.table);
    if tx.execute(&sql, params![t.to.as_str(), who.now, id, current.as_str()])? != 1 {
        return Err(AppError::conflict("illegal_transition"));
    }
    tx.execute(
        "INSERT INTO workflow_events (kind, record_id, transition, from_state, to_state, actor_id, actor, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![
            spec.kind,
            id,
            t.id.as_str(),
            current.as_str(),
            t.to.as_str(),
            who.actor_id,
            who.actor.as_str(),
            note,
            who.now
        ],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: &format!("transition:{}", t.id),
            kind: spec.kind,
            id: Some(id),
            before: Some(serde_json::json!({ "state": current })),
            after: Some(serde_json::json!({ "state": t.to, "note": note })),
        },
    )?;
    let mut users = Vec::new();
    for r in &t.notify {
        users.extend(subject.recipients(tx, r)?);
    }
    if !users.is_empty() {
        let title = subject.title();
        notify::send(
            tx,
            who,
            &users,
            &Note {
                kind: spec.kind,
                message: "note-transition",
                params: vec![
                    ("transition", Param::Named { zh: t.name.clone(), en: t.name_en.clone() }),
                    ("title", title.into()),
                    (
                        "state",
                        Param::Named {
                            zh: process.state_name(&t.to, Lang::Zh).to_owned(),
                            en: process.state_name(&t.to, Lang::En).to_owned(),
                        },
                    ),
                ],
                body: note.unwrap_or("").to_owned(),
                link: subject.link(),
            },
        )?;
    }
    let kept = deadlines::on_transition(tx, who, spec, process, calendar, id, &current, &t.to)?;
    let is_final = process.is_final(&t.to);
    let fired = Fired { from: current, to: t.to.clone(), transition: t.id.clone(), deadline: kept, is_final };
    subject.after_fire(tx, who, &fired, note)?;
    Ok(fired)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    /// The account's username, as recorded.
    pub actor: String,
    /// The person's name (the username when the account is gone).
    pub actor_name: String,
    pub note: Option<String>,
    pub at: i64,
}

/// The transitions a record went through, oldest first.
/// The definition of `spec` as the database holds it now (an administrator's override,
/// or the shipped one), for work that runs outside a request (the scheduler's sweeps);
/// `None` if it does not parse.
pub fn current(tx: &mut Tx<'_>, spec: &Spec) -> AppResult<Option<Process>> {
    let text = tx
        .query_opt("SELECT definition FROM process_overrides WHERE kind = $1", params![spec.kind])?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_else(|| spec.builtin.to_owned());
    Ok(parse(spec, &text).ok())
}

pub fn history(tx: &mut Tx<'_>, kind: &str, id: i64) -> AppResult<Vec<Event>> {
    tx.query(
        "SELECT e.transition, e.from_state, e.to_state, e.actor, COALESCE(u.display_name, e.actor) AS actor_name, \
         e.note, e.at FROM workflow_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.kind = $1 AND e.record_id = $2 ORDER BY e.id",
        params![kind, id],
    )?
    .iter()
    .map(|r| {
        Ok(Event {
            transition: r.text("transition")?,
            from_state: r.text("from_state")?,
            to_state: r.text("to_state")?,
            actor: r.text("actor")?,
            actor_name: r.text("actor_name")?,
            note: r.opt_text("note")?,
            at: r.int("at")?,
        })
    })
    .collect()
}
