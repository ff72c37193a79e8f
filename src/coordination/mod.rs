//! Mechanism 1a — 顶格协调推进: a matter that needs a leader's final say is opened by that
//! leader, who records the kickoff and assigns tasks with deadlines (dates or working
//! days); tasks run on the workflow kernel with lights, reminders and escalation.

pub mod api;
pub mod bulletins;
pub mod co_feedback;
mod demo;
pub mod extensions;
mod matter_pages;
pub mod matters;
#[cfg(test)]
mod process_tests;
pub mod reassign;
pub mod research;
pub mod search;
pub mod stats;
pub mod sweep;
mod task_import;
mod task_pages;
mod task_print;
pub mod tasks;

use crate::kernel::access::{Action, CurrentUser, Role, Rule};
use crate::kernel::analytics::{Facets, Link};
use crate::kernel::i18n::{self, Lang, Translations};
use crate::kernel::registry::{Home, HomeCard, HomeFuture, Mechanism, NavEntry, TaskPort};
use crate::kernel::settings::Setting;
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// See matters and tasks (those the record's visibility allows).
    pub const ViewCoordination: Action = Action::new("view_coordination", Rule::Government);
    /// Open a top-level matter: city leaders and department heads (局长).
    pub const OpenMatter: Action = Action::new("open_matter", Rule::Roles(&[Role::Leader, Role::DeptHead]));
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewCoordination, OpenMatter);
}

pub use sweep::sweep;

pub static MATTER: Spec = Spec {
    kind: "matter",
    table: "matters",
    relations: &["leader", "assignees"],
    guards: &["all_tasks_finished"],
    required_transitions: &["close"],
    required_states: &["open"],
    builtin: include_str!("processes/matter.toml"),
    deadlines: None,
};

pub static TASK: Spec = Spec {
    kind: "task",
    table: "tasks",
    relations: &["assignee", "executor", "researcher", "leader", "lead_head", "lead_leader", "principal_leader"],
    guards: &[research::REPORT_WRITTEN],
    required_transitions: &["submit_feedback"],
    required_states: &["assigned"],
    builtin: include_str!("processes/task.toml"),
    deadlines: Some(&sweep::DEADLINES),
};

pub static SPECS: [&Spec; 2] = [&MATTER, &TASK];

pub fn router() -> axum::Router<crate::kernel::web::AppState> {
    matter_pages::router().merge(task_pages::router()).merge(task_import::router())
}

/// How many people a form's list of responsible people holds before the type-ahead.
pub const ASSIGNABLE_OPTIONS: Setting = Setting {
    key: "coordination.assignable_options",
    default: 2000,
    min: 100,
    max: 50_000,
    meaning: "co-setting-assignable-options",
};

/// Matters and their tasks, for process analytics: a task is part of its matter.
static MATTER_FACETS: Facets =
    Facets { visibility: "r.visibility", ..Facets::by_department("matter", "r.department_id") };
static TASK_FACETS: Facets = Facets {
    visibility: "(SELECT m.visibility FROM matters m WHERE m.id = r.matter_id)",
    links: &[Link { to: "matter", qualifier: "part of", sql: "SELECT id AS source, matter_id AS target FROM tasks" }],
    ..Facets::by_department("task", "r.lead_department_id")
};

pub static MECHANISM: Mechanism = Mechanism {
    number: 1,
    id: "coordination",
    nav: &[
        NavEntry { href: "/matters", key: "m1", section: "matters", needs: Action::ViewCoordination },
        NavEntry { href: "/tasks", key: "nav-my_tasks", section: "tasks", needs: Action::ViewCoordination },
    ],
    public: &[],
    home: Some(home_cards),
    processes: &SPECS,
    sweeps: &[sweep, bulletins::sweep],
    search: &[&search::MATTERS, &search::TASKS],
    api: api::router,
    pages: router,
    tasks: Some(&TASK_PORT),
    follows_tasks: None,
    leads: None,
    assessment: &[],
    personal: &[],
    facets: &[&MATTER_FACETS, &TASK_FACETS],
    migrations: &[
        crate::migration!(2, "coordination", "0002_coordination"),
        crate::migration!(3, "list_speed", "0003_list_speed"),
        crate::migration!(32, "co_feedback", "0032_co_feedback"),
        crate::migration!(33, "overdue_bulletins", "0033_overdue_bulletins"),
        crate::migration!(34, "tasks_by_time", "0034_tasks_by_time"),
        crate::migration!(38, "bulletins_in_kernel", "0038_bulletins_in_kernel"),
        crate::migration!(39, "research_reports", "0039_research_reports"),
    ],
    settings: &[&ASSIGNABLE_OPTIONS],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations {
        folder: "coordination",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

static TASK_PORT: TaskPort = TaskPort {
    decides: Action::OpenMatter,
    create: |tx, who, user, req, env| {
        let view = tasks::View::from_environment(env, who.now)?;
        let input = tasks::TaskInput {
            title: req.title.clone(),
            description: req.description.clone(),
            kind: "execute".into(),
            assignee_id: req.assignee_id,
            lead_department_id: req.lead_department_id,
            co_department_ids: Vec::new(),
            deadline: req.deadline.clone().filter(|d| !d.trim().is_empty()),
            working_days: req.working_days,
        };
        let task = tasks::create(tx, who, user, req.matter_id, &input, &view)?;
        serde_json::to_value(task).map_err(|e| crate::kernel::error::AppError::internal(e.to_string()))
    },
    open_matter: |tx, who, user, req, env| {
        let input = matters::MatterInput {
            title: req.title.clone(),
            description: req.description.clone(),
            ..Default::default()
        };
        Ok(matters::create(tx, who, user, &*env.processes.get("matter")?, &input)?.id)
    },
    fire: |tx, who, user, id, transition, note, env| {
        let view = tasks::View::from_environment(env, who.now)?;
        tasks::transition(tx, who, user, id, transition, note, &view).map(|_| ())
    },
    open_matters: matters::open_for,
    assignable: tasks::assignable,
    standing: |tx, id, env, now| tasks::standing(tx, id, &tasks::View::from_environment(env, now)?),
    open_of: |tx, user, env, now| reassign::open_of(tx, user, &tasks::View::from_environment(env, now)?),
};

/// The tasks waiting for the caller, and their tasks in hand, overdue and due soon.
fn home_cards(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        if !crate::kernel::access::allows(&user, Action::ViewCoordination) {
            return Ok(Home::default());
        }
        let view = tasks::View::of(&s, now)?;
        let ((open, red, yellow), queue) =
            s.db.read(move |tx| Ok((tasks::my_counts(tx, user.id, &view)?, tasks::queue(tx, &user, &view, lang)?)))
                .await?;
        let card = |key: &str, value: i64, href: &str, tone: &'static str| HomeCard {
            title: i18n::t(lang, key).into(),
            value,
            href: href.into(),
            tone,
        };
        // Figures of one's own tasks, for those who have any.
        let cards = if open == 0 {
            Vec::new()
        } else {
            vec![
                card("co-tasks-in-hand", open, "/tasks?scope=mine", ""),
                card("co-overdue-3", red, "/tasks?scope=mine&light=red", "red"),
                card("co-due-soon", yellow, "/tasks?scope=mine&light=yellow", "yellow"),
            ]
        };
        Ok(Home { queue, cards, actions: Vec::new() })
    })
}
