//! The mechanisms this service runs, as the kernel and the shell see them. Each
//! mechanism's folder exports one [`Mechanism`]; `app.rs` lists them, and the list
//! travels in `AppState` (and in each request's `Ctx`), so no kernel or platform module
//! names a mechanism.

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use super::access::{Action, CurrentUser};
use super::audit::Who;
use super::db::Tx;
use super::db::migrate::Migration;
use super::error::AppResult;
use super::i18n::{Lang, Translations};
use super::scheduler::Sweep;
use super::search::Source;
use super::settings::Setting;
use super::web::AppState;
use super::workflow::Spec;

/// An entry of the navigation.
pub struct NavEntry {
    pub href: &'static str,
    /// i18n key of its label.
    pub key: &'static str,
    /// The page section it highlights (pages pass it as `Section::Of`).
    pub section: &'static str,
    /// Shown to those who hold this permission.
    pub needs: Action,
}

/// A page for the public, on the front page and in everyone's navigation who is not
/// government staff (report a problem, track it, read the exposures; later the open
/// data, the hearings and the policies).
pub struct PublicEntry {
    pub href: &'static str,
    /// Message ids of its label and its one-line description.
    pub key: &'static str,
    pub desc: &'static str,
}

/// A figure on a user's home page, linking to the list behind it.
pub struct HomeCard {
    pub title: String,
    pub value: i64,
    pub href: String,
    /// `red`, `yellow` or empty, to draw the eye.
    pub tone: &'static str,
}

/// One record waiting for the user: the head of their home page's work queue.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// What is asked of the user, in words (the transitions they may fire, or why it is
    /// shown, such as 逾期).
    pub ask: String,
    /// What kind of record it is (任务, 监督线索…).
    pub kind: String,
    pub title: String,
    pub href: String,
    pub light: Option<super::workflow::Light>,
    /// `YYYY-MM-DD`, when the record has a deadline.
    pub deadline: Option<String>,
    /// When it last changed (ms), to order items without a deadline.
    pub since: i64,
    /// The list of every record waiting for the same thing, when the queue shows only
    /// the first few.
    pub more: String,
}

/// A one-click start of the user's most frequent job.
pub struct QuickAction {
    pub label: String,
    pub href: String,
}

/// A mechanism's part of a user's home page: the records waiting for them, figures and
/// quick actions.
#[derive(Default)]
pub struct Home {
    pub queue: Vec<WorkItem>,
    pub cards: Vec<HomeCard>,
    pub actions: Vec<QuickAction>,
}

pub type HomeFuture = Pin<Box<dyn Future<Output = AppResult<Home>> + Send>>;

/// What a mechanism adds to a user's home page.
pub type HomeCards = fn(AppState, CurrentUser, Lang, i64) -> HomeFuture;

/// What a port's functions need of the running service, taken before the transaction.
#[derive(Clone)]
pub struct Environment {
    pub processes: std::sync::Arc<super::workflow::Registry>,
    pub calendar: std::sync::Arc<super::calendar::WorkCalendar>,
    /// Those told when a task is done (the mechanisms that handed records over as tasks).
    pub task_followers: Vec<TaskFinished>,
    /// The lead seam, where a mechanism offers it.
    pub leads: Option<&'static LeadPort>,
    /// The personal information kept (for the retention sweep).
    pub personal: Vec<&'static super::privacy::Personal>,
}

/// Told, in the task's transaction, that task `id` is done, with the feedback accepted.
pub type TaskFinished = fn(&mut Tx<'_>, &Who, i64, &str) -> AppResult<()>;

/// How a task stands, for the record it was made from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TaskStanding {
    pub id: i64,
    /// Its state, in words (zh and en).
    pub state: String,
    pub state_en: String,
    pub finished: bool,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    pub light: Option<super::workflow::Light>,
    /// 0–100.
    pub progress: i64,
}

/// How work handed over as a task was delivered, for the mechanism that follows it:
/// `on_time`, `late`, `overdue` (not done, its deadline passed) or `under_way`. Dates are
/// `YYYY-MM-DD`, so they compare as text.
pub fn delivery(deadline: &str, delivered_on: Option<&str>, today: &str) -> &'static str {
    match delivered_on {
        Some(d) if d <= deadline => "on_time",
        Some(_) => "late",
        None if deadline < today => "overdue",
        None => "under_way",
    }
}

/// Work handed to one responsible person by a deadline, under a leader's open matter.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    pub matter_id: i64,
    pub title: String,
    pub description: String,
    pub assignee_id: i64,
    pub lead_department_id: i64,
    /// A date (YYYY-MM-DD)…
    pub deadline: Option<String>,
    /// …or a number of working days from today.
    pub working_days: Option<i64>,
}

/// Move task `id` by transition, with an optional note, as `user`.
pub type FireTask = fn(&mut Tx<'_>, &Who, &CurrentUser, i64, &str, Option<&str>, &Environment) -> AppResult<()>;

/// A matter a leader opens through the task seam.
#[derive(Debug, Clone)]
pub struct MatterRequest {
    pub title: String,
    pub description: String,
}

/// Choices for a form's select, as (value, label).
pub type Choices = Vec<(String, String)>;

/// The seam "make this a task": offered by the mechanism that runs tasks and used by
/// those that hand their records over as tasks (leads today; ideas, hearings and
/// meetings next), without naming each other.
pub struct TaskPort {
    /// Who may hand work over as tasks.
    pub decides: Action,
    /// Create the task; answers it as the task API shows it (with its `id`).
    pub create: fn(&mut Tx<'_>, &Who, &CurrentUser, &TaskRequest, &Environment) -> AppResult<serde_json::Value>,
    /// Open a matter decided by `user` for a body of work handed over as tasks (a support
    /// package's measures, a hearing's follow-ups); answers its id.
    pub open_matter: fn(&mut Tx<'_>, &Who, &CurrentUser, &MatterRequest, &Environment) -> AppResult<i64>,
    /// Move task `id` as `user` would (accept, submit feedback, approve…): for work a
    /// mechanism records as already done (a demo's history, an import).
    pub fire: FireTask,
    /// The open matters `user` may add tasks to, as (id, title).
    pub open_matters: fn(&mut Tx<'_>, &CurrentUser) -> AppResult<Choices>,
    /// The people tasks may be assigned to, as (id, name with department).
    pub assignable: fn(&mut Tx<'_>) -> AppResult<Choices>,
    /// How task `id` stands at `now` (ms).
    pub standing: fn(&mut Tx<'_>, i64, &Environment, i64) -> AppResult<Option<TaskStanding>>,
    /// The open tasks a person is responsible for, as (id, title).
    pub open_of: fn(&mut Tx<'_>, i64, &Environment, i64) -> AppResult<Choices>,
}

/// A problem handed to the supervision office as a lead (a notice escalated past its
/// last deadline, say), through the seam the mechanism that runs leads offers.
#[derive(Debug, Clone)]
pub struct LeadRequest {
    /// One of the six channels.
    pub channel: &'static str,
    /// A lead category code.
    pub category: &'static str,
    pub description: String,
    /// Where the problem is, in words (an enterprise's name and address).
    pub address: String,
}

/// The seam "hand this to supervision": offered by the mechanism that runs leads.
pub struct LeadPort {
    /// File the lead as staff would; answers its id.
    pub file: fn(&mut Tx<'_>, &Who, &LeadRequest, &Environment) -> AppResult<i64>,
}

/// A department's score on 0–100 in one part of its assessment, with the sample behind it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnitScore {
    pub department_id: i64,
    pub score: f64,
    pub sample: i64,
}

/// One part of each department's assessment score (考核), offered by a mechanism: the
/// service ratings of mechanism 1b, the entrepreneurs' satisfaction index of mechanism 6.
/// A department's assessment is the weighted mean of the parts it has a score in.
pub struct AssessmentPart {
    pub id: &'static str,
    /// Message id of its name.
    pub name: &'static str,
    /// Message id of how the score is made.
    pub method: &'static str,
    /// Its weight, in percent.
    pub weight: &'static Setting,
    /// The departments' scores in a period (those without one are left out).
    pub scores: fn(&mut Tx<'_>, &super::period::Period) -> AppResult<Vec<UnitScore>>,
}

/// What a mechanism's demo seed is given: the organisation and the accounts are built
/// already, and the mechanisms before it in the registry have seeded theirs.
pub struct Demo<'a> {
    pub now: i64,
    /// The password hash for the accounts of people nobody signs in as.
    pub locked_hash: &'a str,
    pub registry: &'a Registry,
}

impl Demo<'_> {
    /// The environment the running service would give the ports, for a seed that goes
    /// through them: the shipped processes, the calendar as the database holds it.
    pub fn environment(&self, tx: &mut Tx<'_>) -> AppResult<Environment> {
        Ok(Environment {
            processes: std::sync::Arc::new(
                super::workflow::Registry::load(self.registry.processes.clone(), &[])
                    .map_err(super::error::AppError::internal)?,
            ),
            calendar: std::sync::Arc::new(super::calendar::load(tx)?),
            task_followers: self.registry.task_followers.clone(),
            leads: self.registry.leads().ok(),
            personal: self.registry.personal.clone(),
        })
    }
}

pub type DemoSeed = fn(&mut Tx<'_>, &Demo<'_>) -> AppResult<()>;

/// One of the article's mechanisms.
pub struct Mechanism {
    /// The article's number, 1–7.
    pub number: u8,
    pub id: &'static str,
    pub nav: &'static [NavEntry],
    /// Its pages for the public.
    pub public: &'static [PublicEntry],
    pub home: Option<HomeCards>,
    /// The processes it runs on the workflow kernel.
    pub processes: &'static [&'static Spec],
    /// Its periodic work (reminders, escalations).
    pub sweeps: &'static [Sweep],
    /// The kinds of record full-text search finds.
    pub search: &'static [&'static Source],
    /// API routes with their OpenAPI description.
    pub api: fn() -> OpenApiRouter<AppState>,
    /// Pages (and other routes, such as a public standard's).
    pub pages: fn() -> Router<AppState>,
    /// The task seam, offered by the mechanism that runs tasks.
    pub tasks: Option<&'static TaskPort>,
    /// Told when a task is done, for a record it handed over as a task.
    pub follows_tasks: Option<TaskFinished>,
    /// The lead seam, offered by the mechanism that runs supervision leads.
    pub leads: Option<&'static LeadPort>,
    /// Its parts of each department's assessment score.
    pub assessment: &'static [AssessmentPart],
    /// The personal information it keeps, and for how long.
    pub personal: &'static [&'static super::privacy::Personal],
    /// Its processes' departments, channels, visibility and links, for process analytics.
    pub facets: &'static [&'static super::analytics::Facets],
    /// Its schema, numbered in the one sequence all migrations share.
    pub migrations: &'static [Migration],
    /// The settings administrators may change, with defaults and bounds.
    pub settings: &'static [&'static Setting],
    /// Its part of the demo city.
    pub demo: Option<DemoSeed>,
    /// What it opens to society as open data.
    pub datasets: &'static [&'static super::opendata::Dataset],
    /// Its messages, in `i18n/zh-CN.ftl` and `i18n/en.ftl` in its folder.
    pub translations: Translations,
}

/// The mechanisms, and what the kernel gathers from them once.
#[derive(Default)]
pub struct Registry {
    pub mechanisms: Vec<&'static Mechanism>,
    pub processes: Vec<&'static Spec>,
    pub sweeps: Vec<Sweep>,
    pub sources: Vec<&'static Source>,
    pub settings: Vec<&'static Setting>,
    pub task_followers: Vec<TaskFinished>,
    /// The kernel's migrations and every mechanism's, to be applied in number order.
    pub migrations: Vec<&'static Migration>,
    /// Every mechanism's open datasets.
    pub datasets: Vec<&'static super::opendata::Dataset>,
    /// The personal information kept: the kernel's and every mechanism's.
    pub personal: Vec<&'static super::privacy::Personal>,
    /// Every process kind's departments, channels, visibility and links.
    pub facets: Vec<&'static super::analytics::Facets>,
}

/// The kernel's own schema: organisation, accounts, audit, inbox, search queue.
pub static KERNEL_MIGRATIONS: [Migration; 25] = [
    crate::migration!(1, "foundation", "0001_foundation"),
    crate::migration!(9, "search", "0009_search"),
    crate::migration!(16, "open_once", "0016_open_once"),
    crate::migration!(17, "outbox_claims", "0017_outbox_claims"),
    crate::migration!(18, "notification_messages", "0018_notification_messages"),
    crate::migration!(20, "inbox_by_time", "0020_inbox_by_time"),
    crate::migration!(21, "notification_prefs", "0021_notification_prefs"),
    crate::migration!(22, "notification_digests", "0022_notification_digests"),
    crate::migration!(23, "direct_messages", "0023_direct_messages"),
    crate::migration!(25, "desks", "0025_desks"),
    crate::migration!(26, "delivery_backoff", "0026_delivery_backoff"),
    crate::migration!(27, "deadline_steps", "0027_deadline_steps"),
    crate::migration!(29, "directives", "0029_directives"),
    crate::migration!(37, "bulletins", "0037_bulletins"),
    crate::migration!(41, "enterprises", "0041_enterprises"),
    crate::migration!(42, "enterprise_accounts", "0042_enterprise_accounts"),
    crate::migration!(47, "enterprise_ties", "0047_enterprise_ties"),
    crate::migration!(49, "note_attachments", "0049_note_attachments"),
    crate::migration!(55, "session_idle", "0055_session_idle"),
    crate::migration!(56, "password_history", "0056_password_history"),
    crate::migration!(57, "separation_of_duties", "0057_separation_of_duties"),
    crate::migration!(58, "password_age", "0058_password_age"),
    crate::migration!(59, "second_factor", "0059_second_factor"),
    crate::migration!(61, "database_facts", "0061_database_facts"),
    crate::migration!(62, "process_versions", "0062_process_versions"),
];

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.mechanisms.iter().map(|m| m.id)).finish()
    }
}

impl Registry {
    /// The kinds of note a person can choose how to receive: each process's (its
    /// transitions) and the deadline engine's reminders and escalations, and 批示 and 催办. Each is named by
    /// `record-<kind>`.
    pub fn note_kinds(&self) -> Vec<&'static str> {
        self.processes
            .iter()
            .map(|p| p.kind)
            .chain(["reminder", "escalation"])
            .chain(super::workflow::directives::Kind::NOTE_KINDS)
            .collect()
    }

    /// `kernel_sweeps` run after the mechanisms' own.
    pub fn new(mechanisms: &[&'static Mechanism], kernel_sweeps: &[Sweep]) -> Registry {
        Registry {
            mechanisms: mechanisms.to_vec(),
            processes: mechanisms.iter().flat_map(|m| m.processes.iter().copied()).collect(),
            sweeps: mechanisms
                .iter()
                .flat_map(|m| m.sweeps.iter().copied())
                .chain(kernel_sweeps.iter().copied())
                .collect(),
            // A rebuild indexes the sources in this order. Leads (a million in the
            // benchmark) indexed before matters and tasks searched twice as fast as after
            // them (full runs, 2026-11-30), so the later-listed mechanisms come first.
            sources: mechanisms.iter().rev().flat_map(|m| m.search.iter().copied()).collect(),
            settings: super::settings::KERNEL_SETTINGS
                .iter()
                .copied()
                .chain(mechanisms.iter().flat_map(|m| m.settings.iter().copied()))
                .collect(),
            task_followers: mechanisms.iter().filter_map(|m| m.follows_tasks).collect(),
            migrations: KERNEL_MIGRATIONS.iter().chain(mechanisms.iter().flat_map(|m| m.migrations.iter())).collect(),
            datasets: mechanisms.iter().flat_map(|m| m.datasets.iter().copied()).collect(),
            personal: super::privacy::KERNEL_PERSONAL
                .iter()
                .copied()
                .chain(mechanisms.iter().flat_map(|m| m.personal.iter().copied()))
                .collect(),
            facets: mechanisms.iter().flat_map(|m| m.facets.iter().copied()).collect(),
        }
    }

    /// What `kind`'s mechanism declares of its records for process analytics.
    pub fn facets(&self, kind: &str) -> Option<&'static super::analytics::Facets> {
        self.facets.iter().copied().find(|f| f.kind == kind)
    }

    /// The mechanism with the article's number `n`, if this service runs it.
    pub fn numbered(&self, n: u8) -> Option<&'static Mechanism> {
        self.mechanisms.iter().copied().find(|m| m.number == n)
    }

    /// The lead seam, if a registered mechanism offers it.
    pub fn leads(&self) -> AppResult<&'static LeadPort> {
        self.mechanisms.iter().find_map(|m| m.leads).ok_or(super::error::AppError::NotFound)
    }

    /// Every mechanism's parts of the departments' assessment, in registry order.
    pub fn assessment_parts(&self) -> Vec<&'static AssessmentPart> {
        self.mechanisms.iter().flat_map(|m| m.assessment.iter()).collect()
    }

    /// The task seam, if a registered mechanism offers it.
    pub fn tasks(&self) -> AppResult<&'static TaskPort> {
        self.mechanisms.iter().find_map(|m| m.tasks).ok_or(super::error::AppError::NotFound)
    }

    pub fn dataset(&self, name: &str) -> Option<&'static super::opendata::Dataset> {
        self.datasets.iter().copied().find(|d| d.name == name)
    }

    pub fn source(&self, kind: &str) -> Option<&'static Source> {
        self.sources.iter().copied().find(|s| s.kind == kind)
    }
}
