//! Mechanism 2 — 平台法推进"双招双引": platforms (large enterprises, intermediaries,
//! conferences, exhibitions, forums) and the cohorts entrusted to them, the yearly events
//! with their meetings and follow-up contacts, and the projects they bring, followed from
//! 洽谈 to 投产 on the workflow kernel (a project that stalls turns yellow, then red, and
//! is escalated like a task). The figures say what each platform and event multiplied;
//! the public catalogue opens enterprises, events, platforms and projects as open data.

mod api;
mod datasets;
mod demo;
mod event_pages;
pub mod events;
pub mod figures;
mod figures_pages;
mod platform_pages;
pub mod platforms;
mod project_import;
mod project_pages;
pub mod projects;
pub mod search;

use crate::kernel::access::{Action, CurrentUser, Role, Rule};
use crate::kernel::analytics::Facets;
use crate::kernel::i18n::{Lang, Translations};
use crate::kernel::registry::{Home, HomeCard, HomeFuture, Mechanism, NavEntry, PublicEntry, QuickAction};
use crate::kernel::settings::Setting;
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// Platforms, events, projects and their figures: everyone inside government.
    pub const ViewInvestment: Action = Action::new("view_investment", Rule::Government);
    /// Record and follow up platforms, events and projects: the investment-promotion
    /// staff of a department (for their own department), its heads, leaders and the
    /// administrator (for any); which records is decided per record in `projects::relations`.
    pub const RecordInvestment: Action =
        Action::new("record_investment", Rule::Roles(&[Role::Staff, Role::DivisionHead, Role::DeptHead, Role::Leader]));
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewInvestment, RecordInvestment);
}

pub static PROJECT: Spec = Spec {
    kind: "project",
    table: "projects",
    relations: &["responsible", "department", "department_head", "department_leader"],
    guards: &[],
    required_transitions: &["sign", "land", "produce"],
    required_states: &["negotiating", "signed", "landed", "producing"],
    builtin: include_str!("processes/project.toml"),
    deadlines: Some(&projects::DEADLINES),
};

/// Working days a project has to reach its next stage before it counts as stalled.
pub const STALL_WORKING_DAYS: Setting =
    Setting { key: "investment.stall_working_days", default: 20, min: 5, max: 250, meaning: "inv-setting-stall-days" };

/// Projects, for process analytics, by the responsible department.
static PROJECT_FACETS: Facets = Facets::by_department("project", "r.department_id");

pub static MECHANISM: Mechanism = Mechanism {
    number: 2,
    id: "investment",
    nav: &[NavEntry { href: "/investment", key: "m2", section: "investment", needs: Action::ViewInvestment }],
    public: &[PublicEntry { href: "/opendata", key: "inv-public-opendata", desc: "inv-public-opendata-desc" }],
    home: Some(home),
    processes: &[&PROJECT],
    sweeps: &[],
    search: &[&search::SOURCE],
    api: api::router,
    pages: all_pages,
    tasks: None,
    follows_tasks: None,
    leads: None,
    assessment: &[],
    personal: &[],
    facets: &[&PROJECT_FACETS],
    migrations: &[
        crate::migration!(43, "investment", "0043_investment"),
        crate::migration!(44, "project_search", "0044_project_search"),
        crate::migration!(45, "opendata_withdrawn", "0045_opendata_withdrawn"),
    ],
    settings: &[&STALL_WORKING_DAYS],
    demo: Some(demo::seed),
    datasets: &[&datasets::ENTERPRISES, &datasets::PROJECTS, &datasets::EVENTS, &datasets::PLATFORMS],
    translations: Translations {
        folder: "investment",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

fn all_pages() -> axum::Router<AppState> {
    project_pages::router()
        .merge(project_import::router())
        .merge(event_pages::router())
        .merge(platform_pages::router())
        .merge(figures_pages::router())
}

/// The projects waiting for the caller: stalled or near stalling, theirs first.
fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        if !crate::kernel::access::allows(&user, Action::ViewInvestment) {
            return Ok(Home::default());
        }
        let rules = s.rules(&PROJECT)?;
        let records = crate::kernel::access::allows(&user, Action::RecordInvestment);
        let (queue, stalled) =
            s.db.read(move |tx| {
                Ok((projects::queue(tx, &user, &rules, now, lang)?, projects::stalled(tx, &user, &rules, now)?))
            })
            .await?;
        let cards = vec![HomeCard {
            title: crate::kernel::i18n::t(lang, "inv-stalled-projects").to_owned(),
            value: stalled,
            href: "/investment?light=red".to_owned(),
            tone: if stalled > 0 { "red" } else { "" },
        }];
        let actions = if records {
            vec![QuickAction {
                label: crate::kernel::i18n::lookup(lang, "inv-new-project").unwrap_or_default().to_owned(),
                href: "/investment/projects/new".to_owned(),
            }]
        } else {
            Vec::new()
        };
        Ok(Home { queue, cards, actions })
    })
}
