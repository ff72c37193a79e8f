//! Mechanism 4 — 重大决策公开答辩: the plans (作战方案) of the city's offensives and of
//! districts' and departments' policies, in text versions that are compared paragraph by
//! paragraph and character by character; public hearings with their chair, defense team
//! and invited participants, announced by invitation and iCalendar; questions (the
//! public's moderated) anchored to the plan, answered by the team, with commitments that
//! become tasks of mechanism 1 through the kernel's task seam; the full record published,
//! changed only by visible corrections; and each year's public inquiry with an
//! implementation report computed from the tasks and the panel's satisfaction vote.

mod api;
mod datasets;
mod demo;
pub mod diff;
pub mod figures;
mod hearing_pages;
mod plan_pages;
pub mod plans;
mod public;
pub mod questions;
pub mod sessions;

use crate::kernel::access::{Action, CurrentUser, Role, Rule};
use crate::kernel::analytics::{Facets, Link};
use crate::kernel::i18n::{Lang, Translations};
use crate::kernel::registry::{Home, HomeCard, HomeFuture, Mechanism, NavEntry, PublicEntry, QuickAction, WorkItem};
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// Plans, drafts and the hearings' working records: everyone inside government.
    pub const ViewPlans: Action = Action::new("view_plans", Rule::Government);
    /// Write plans and their versions, schedule hearings, moderate and correct: leaders,
    /// and the implementing departments' staff and heads (per plan and hearing).
    pub const ManagePlans: Action =
        Action::new("manage_plans", Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Ask a question (beforehand, moderated; or in the session when invited), answer one
    /// (the defense team), vote (the inquiry panel): decided per hearing.
    pub const TakePart: Action = Action::new("take_part", Rule::Anyone);
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewPlans, ManagePlans, TakePart);
}

pub static PLAN: Spec = Spec {
    kind: "plan",
    table: "plans",
    relations: &["leader", "department"],
    guards: &["heard", "new_version"],
    required_transitions: &["defend", "adopt"],
    required_states: &["drafting", "defended", "adopted"],
    builtin: include_str!("processes/plan.toml"),
    deadlines: None,
};

pub static HEARING: Spec = Spec {
    kind: "hearing",
    table: "hearings",
    relations: &["organiser", "chair", "people"],
    guards: &[],
    required_transitions: &["open", "close", "publish"],
    required_states: &["scheduled", "in_session", "closed", "published"],
    builtin: include_str!("processes/hearing.toml"),
    deadlines: None,
};

/// Plans and hearings, for process analytics: a hearing hears a plan, a plan may be carried
/// out as a matter.
static PLAN_FACETS: Facets = Facets {
    links: &[Link {
        to: "matter",
        qualifier: "carried out as",
        sql: "SELECT id AS source, matter_id AS target FROM plans WHERE matter_id IS NOT NULL",
    }],
    ..Facets::by_department("plan", "r.owner_department_id")
};
static HEARING_FACETS: Facets = Facets {
    links: &[Link { to: "plan", qualifier: "hears", sql: "SELECT id AS source, plan_id AS target FROM hearings" }],
    ..Facets::by_department("hearing", "(SELECT p.owner_department_id FROM plans p WHERE p.id = r.plan_id)")
};

pub static MECHANISM: Mechanism = Mechanism {
    number: 4,
    id: "hearings",
    nav: &[NavEntry { href: "/plans", key: "m4", section: "plans", needs: Action::ViewPlans }],
    public: &[PublicEntry { href: "/hearings", key: "hr-public", desc: "hr-public-desc" }],
    home: Some(home),
    processes: &[&PLAN, &HEARING],
    sweeps: &[],
    search: &[],
    api: api::router,
    pages: all_pages,
    tasks: None,
    follows_tasks: Some(questions::task_done),
    leads: None,
    assessment: &[],
    personal: &[],
    facets: &[&PLAN_FACETS, &HEARING_FACETS],
    migrations: &[crate::migration!(50, "hearings", "0050_hearings")],
    settings: &[],
    demo: Some(demo::seed),
    datasets: &[&datasets::HEARING_QUESTIONS, &datasets::COMMITMENTS],
    translations: Translations {
        folder: "hearings",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

fn all_pages() -> axum::Router<AppState> {
    plan_pages::router().merge(hearing_pages::router()).merge(public::router())
}

/// The hearings the caller is invited to that are still ahead, and the questions waiting
/// for the caller's moderation or answer.
fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        let u = user.clone();
        let (queue, ahead) =
            s.db.read(move |tx| {
                let rows = tx.query(
                    "SELECT h.id, h.title, h.starts_at, h.updated_at, x.role, \
                     (SELECT COUNT(*) FROM hearing_questions q WHERE q.hearing_id = h.id AND \
                      ((x.role IN ('chair') AND q.state = 'pending') OR (x.role = 'team' AND q.state = 'open'))) \
                     FROM hearings h JOIN hearing_people x ON x.hearing_id = h.id AND x.user_id = $1 \
                     WHERE h.state IN ('scheduled', 'in_session', 'closed') ORDER BY h.starts_at LIMIT 20",
                    crate::params![u.id],
                )?;
                let mut queue = Vec::new();
                for r in &rows {
                    let (id, title, starts, role, waiting) = (r.int(0)?, r.text(1)?, r.int(2)?, r.text(4)?, r.int(5)?);
                    let ask = if waiting > 0 {
                        crate::kernel::i18n::t(lang, &format!("hr-ask-{role}")).replace("{n}", &waiting.to_string())
                    } else {
                        crate::kernel::i18n::t(lang, &format!("hr-role-{role}")).to_owned()
                    };
                    queue.push(WorkItem {
                        ask,
                        kind: crate::kernel::i18n::t(lang, "hr-hearing").to_owned(),
                        title,
                        href: format!("/hearings/{id}"),
                        light: None,
                        deadline: Some(crate::kernel::clock::local_date(starts).to_string()),
                        since: r.int(3)?,
                        more: "/hearings".to_owned(),
                    });
                }
                let ahead = tx.count(
                    "SELECT COUNT(*) FROM hearings WHERE state = 'scheduled' AND starts_at >= $1",
                    crate::params![now],
                )?;
                Ok((queue, ahead))
            })
            .await?;
        let government = user.role.is_government();
        let cards = if government {
            vec![HomeCard {
                title: crate::kernel::i18n::t(lang, "hr-ahead").to_owned(),
                value: ahead,
                href: "/hearings".to_owned(),
                tone: "",
            }]
        } else {
            Vec::new()
        };
        let actions = if crate::kernel::access::allows(&user, Action::ManagePlans) && user.role == Role::Leader {
            vec![QuickAction {
                label: crate::kernel::i18n::t(lang, "hr-new-plan").to_owned(),
                href: "/plans/new".to_owned(),
            }]
        } else {
            Vec::new()
        };
        Ok(Home { queue, cards, actions })
    })
}
