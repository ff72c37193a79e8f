//! Mechanism 3 — 激发企业家创意创新: an enterprise submits an idea for gathering resources
//! and growing a cluster, with the support it asks of government item by item; the
//! market-allocation promotion division of the department it concerns triages it; an
//! independent evaluator (refused when tied to the enterprise) reports on it against the
//! published criteria; a feasible idea becomes a support package (一业一策 for an
//! industry, 一企一策 for an enterprise) approved by the leader in charge, whose measures
//! are delivered as tasks of mechanism 1 through the kernel's task seam.

mod api;
pub mod commissions;
mod demo;
pub mod figures;
mod figures_pages;
pub mod idea;
mod idea_pages;
mod package_pages;
pub mod packages;
mod public;
mod review_pages;

use crate::kernel::access::{Action, CurrentUser, Role, Rule};
use crate::kernel::analytics::{Facets, Link};
use crate::kernel::i18n::{Lang, Translations};
use crate::kernel::registry::{Home, HomeCard, HomeFuture, Mechanism, NavEntry, PublicEntry, QuickAction};
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// Ideas and packages: the enterprise its own, the evaluator those commissioned to it,
    /// government the ones its department handles or is asked for (decided per record in
    /// `idea::may_see`); leaders and the administrator all.
    pub const ViewIdeas: Action = Action::new(
        "view_ideas",
        Rule::Roles(&[
            Role::Enterprise,
            Role::Evaluator,
            Role::Staff,
            Role::DivisionHead,
            Role::DeptHead,
            Role::Leader,
        ]),
    );
    /// Write and submit ideas: an enterprise's account, for its own enterprise.
    pub const SubmitIdeas: Action = Action::new("submit_ideas", Rule::Roles(&[Role::Enterprise]));
    /// Triage ideas, commission evaluators and draft packages: the market-allocation
    /// promotion division of the responsible department and its head (per record).
    pub const HandleIdeas: Action =
        Action::new("handle_ideas", Rule::Roles(&[Role::Staff, Role::DivisionHead, Role::DeptHead]));
    /// Report on the ideas commissioned to one's institution, or declare a tie.
    pub const EvaluateIdeas: Action = Action::new("evaluate_ideas", Rule::Roles(&[Role::Evaluator]));
    /// Approve or return a support package: the leader it is submitted to.
    pub const ApprovePackages: Action = Action::new("approve_packages", Rule::Roles(&[Role::Leader]));
    /// Publish a new version of the evaluation criteria and weights.
    pub const PublishCriteria: Action = Action::new("publish_criteria", Rule::Roles(&[Role::SystemAdmin]));
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewIdeas, SubmitIdeas, HandleIdeas, EvaluateIdeas, ApprovePackages, PublishCriteria);
}

pub static IDEA: Spec = Spec {
    kind: "idea",
    table: "ideas",
    relations: &["enterprise", "division", "division_head", "evaluator", "leader"],
    guards: &[],
    required_transitions: &["submit", "resubmit", "accept", "request_more", "commission", "report", "recuse", "adopt"],
    required_states: &["draft", "submitted", "more_requested", "accepted", "evaluating", "evaluated", "adopted"],
    builtin: include_str!("processes/idea.toml"),
    deadlines: Some(&idea::DEADLINES),
};

pub static PACKAGE: Spec = Spec {
    kind: "support_package",
    table: "support_packages",
    relations: &["department", "leader"],
    guards: &[],
    required_transitions: &["submit", "approve"],
    required_states: &["drafting", "submitted", "approved"],
    builtin: include_str!("processes/package.toml"),
    deadlines: None,
};

/// Ideas and support packages, for process analytics: an idea is supported by packages,
/// whose measures a matter may carry out.
static IDEA_FACETS: Facets = Facets {
    links: &[Link {
        to: "support_package",
        qualifier: "supported by",
        sql: "SELECT idea_id AS source, package_id AS target FROM package_ideas",
    }],
    ..Facets::by_department("idea", "r.department_id")
};
static PACKAGE_FACETS: Facets = Facets {
    links: &[Link {
        to: "matter",
        qualifier: "carried out as",
        sql: "SELECT id AS source, matter_id AS target FROM support_packages WHERE matter_id IS NOT NULL",
    }],
    ..Facets::by_department("support_package", "r.department_id")
};

pub static MECHANISM: Mechanism = Mechanism {
    number: 3,
    id: "ideas",
    nav: &[NavEntry { href: "/ideas", key: "m3", section: "ideas", needs: Action::ViewIdeas }],
    public: &[PublicEntry { href: "/support", key: "idea-public", desc: "idea-public-desc" }],
    home: Some(home),
    processes: &[&IDEA, &PACKAGE],
    sweeps: &[],
    search: &[],
    api: api::router,
    pages: all_pages,
    tasks: None,
    follows_tasks: Some(packages::task_done),
    leads: None,
    assessment: &[],
    personal: &[],
    facets: &[&IDEA_FACETS, &PACKAGE_FACETS],
    migrations: &[crate::migration!(48, "ideas", "0048_ideas")],
    settings: &[],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations { folder: "ideas", zh: include_str!("i18n/zh-CN.ftl"), en: include_str!("i18n/en.ftl") },
};

fn all_pages() -> axum::Router<AppState> {
    idea_pages::router()
        .merge(review_pages::router())
        .merge(package_pages::router())
        .merge(figures_pages::router())
        .merge(public::router())
}

/// The ideas and packages waiting for the caller.
fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        if !crate::kernel::access::allows(&user, Action::ViewIdeas) {
            return Ok(Home::default());
        }
        let (rules, package_rules) = (s.rules(&IDEA)?, s.rules(&PACKAGE)?);
        let u = user.clone();
        let (mut queue, waiting) =
            s.db.read(move |tx| {
                let mut queue = idea::queue(tx, &u, &rules, now, lang)?;
                queue.extend(packages::queue(tx, &u, &package_rules, lang)?);
                let waiting = queue.len() as i64;
                Ok((queue, waiting))
            })
            .await?;
        queue.truncate(20);
        let mut actions = Vec::new();
        if crate::kernel::access::allows(&user, Action::SubmitIdeas) {
            actions.push(QuickAction {
                label: crate::kernel::i18n::t(lang, "idea-new").to_owned(),
                href: "/ideas/new".to_owned(),
            });
        }
        let cards = if user.role.is_government() || waiting > 0 {
            vec![HomeCard {
                title: crate::kernel::i18n::t(lang, "idea-waiting").to_owned(),
                value: waiting,
                href: "/ideas?scope=waiting".to_owned(),
                tone: if waiting > 0 { "yellow" } else { "" },
            }]
        } else {
            Vec::new()
        };
        Ok(Home { queue, cards, actions })
    })
}
