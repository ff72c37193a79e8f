//! Mechanism 1b — 中层干部组织力、执行力评价: the people served rate each member of a
//! division on four dimensions; the head's score is the sum of the members' scores.
//! A bad review is verified, rectified and called back — or appealed and reviewed by
//! someone outside the division — on the workflow kernel; nothing is silently deleted.

pub mod api;
pub mod assessment;
mod assessment_pages;
pub mod bad_reviews;
mod callback_pages;
pub mod callbacks;
mod consequence_pages;
pub mod consequences;
mod demo;
mod pages;
pub mod pool;
mod pool_pages;
pub mod ratings;
pub mod scores;

use crate::kernel::access::CurrentUser;
use crate::kernel::access::{Action, Role, Rule};
use crate::kernel::analytics::Facets;
use crate::kernel::i18n::Lang;
use crate::kernel::i18n::Translations;
use crate::kernel::privacy::Personal;
use crate::kernel::registry::{AssessmentPart, Home, HomeFuture, Mechanism, NavEntry, QuickAction};
use crate::kernel::settings::Setting;
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// Service ratings: issue invitations, see one's own scores, handle bad reviews.
    pub const ViewEvaluation: Action = Action::new("view_evaluation", Rule::Government);
    /// Division rankings across a department or the city.
    pub const ViewRankings: Action = Action::new(
        "view_rankings",
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Supervisor]),
    );
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewEvaluation, ViewRankings);
}

pub static BAD_REVIEW: Spec = Spec {
    kind: "bad_review",
    table: "ratings",
    relations: &["unit", "reviewer", "reviewers", "rater"],
    guards: &[],
    required_transitions: &["found", "uphold_appeal"],
    required_states: &["submitted", "voided"],
    builtin: include_str!("processes/bad_review.toml"),
    deadlines: Some(&bad_reviews::DEADLINES),
};

pub static POOL_CASE: Spec = Spec {
    kind: "pool_case",
    table: "pool_cases",
    relations: &["proposer", "approver", "member"],
    guards: &[],
    required_transitions: &["approve", "reassign"],
    required_states: &["proposed", "training"],
    builtin: include_str!("processes/pool_case.toml"),
    deadlines: None,
};

/// The four dimensions, by column; named by `ev-dimension-<column>`.
pub const DIMENSIONS: [&str; 4] = ["attitude", "style", "efficiency", "competence"];

/// The national five-level scale, from 5 down to 1; named by `ev-level-<n>`.
pub const LEVELS: [i64; 5] = [5, 4, 3, 2, 1];

/// Every page of the mechanism.
pub fn router() -> axum::Router<crate::kernel::web::AppState> {
    pages::router()
        .merge(assessment_pages::router())
        .merge(consequence_pages::router())
        .merge(pool_pages::router())
        .merge(callback_pages::router())
}

/// The top N divisions of a period are commended.
pub const COMMEND_TOP: Setting =
    Setting { key: "evaluation.commend_top", default: 3, min: 0, max: 100, meaning: "ev-setting-commend-top" };
/// The heads of the bottom N divisions are interviewed.
pub const INTERVIEW_BOTTOM: Setting = Setting {
    key: "evaluation.interview_bottom",
    default: 3,
    min: 0,
    max: 100,
    meaning: "ev-setting-interview-bottom",
};
/// Invitations a member may issue in a day.
pub const INVITATIONS_PER_DAY: Setting = Setting {
    key: "evaluation.invitations_per_day",
    default: 40,
    min: 1,
    max: 1000,
    meaning: "ev-setting-invitations-per-day",
};
/// Days an invitation stays valid.
pub const INVITATION_DAYS: Setting =
    Setting { key: "evaluation.invitation_days", default: 30, min: 1, max: 365, meaning: "ev-setting-invitation-days" };
/// A division with fewer ratings in the period is listed but not ranked, and draws no
/// commendation, interview or adjustment.
pub const MIN_RATINGS: Setting =
    Setting { key: "evaluation.min_ratings", default: 5, min: 1, max: 1000, meaning: "ev-setting-min-ratings" };
/// At the bottom K quarters in a row: an adjustment proposal.
pub const ADJUST_AFTER: Setting =
    Setting { key: "evaluation.adjust_after", default: 2, min: 1, max: 12, meaning: "ev-setting-adjust-after" };

/// The weight, in percent, of the service ratings in each department's assessment.
/// A rater's name and contact (given for a call back) are kept this many days.
pub const RATER_DAYS: Setting =
    Setting { key: "evaluation.rater_days", default: 365, min: 0, max: 3650, meaning: "ev-setting-rater-days" };

static RATER: Personal = Personal {
    kind: "rater",
    table: "ratings",
    columns: &["rater_name", "rater_contact"],
    retention: Some(&RATER_DAYS),
    kept_from: "created_at",
    owner: Some("rater_user_id"),
};

/// The address a person served gave to be asked for a rating, kept as long as a rater's.
static REPLY_ADDRESS: Personal = Personal {
    kind: "served_contact",
    table: "interactions",
    columns: &["reply_address"],
    retention: Some(&RATER_DAYS),
    kept_from: "created_at",
    owner: Some("served_user_id"),
};

pub const ASSESSMENT_WEIGHT: Setting = Setting {
    key: "evaluation.assessment_weight",
    default: 70,
    min: 0,
    max: 100,
    meaning: "ev-setting-assessment-weight",
};

/// Bad reviews and pool cases, for process analytics, by the department concerned.
static BAD_REVIEW_FACETS: Facets = Facets::by_department("bad_review", "r.department_id");
static POOL_CASE_FACETS: Facets = Facets { kind: "pool_case", ..BAD_REVIEW_FACETS };

pub static MECHANISM: Mechanism = Mechanism {
    number: 1,
    id: "evaluation",
    nav: &[NavEntry {
        href: "/evaluation",
        key: "nav-evaluation",
        section: "evaluation",
        needs: Action::ViewEvaluation,
    }],
    public: &[],
    home: Some(home),
    processes: &[&BAD_REVIEW, &POOL_CASE],
    sweeps: &[],
    search: &[],
    api: api::router,
    pages: router,
    tasks: None,
    follows_tasks: None,
    leads: None,
    assessment: &[AssessmentPart {
        id: "service_ratings",
        name: "ev-assessment-part",
        method: "ev-assessment-part-method",
        weight: &ASSESSMENT_WEIGHT,
        scores: scores::by_department,
    }],
    personal: &[&RATER, &REPLY_ADDRESS],
    facets: &[&BAD_REVIEW_FACETS, &POOL_CASE_FACETS],
    migrations: &[
        crate::migration!(4, "evaluation", "0004_evaluation"),
        crate::migration!(5, "consequences", "0005_consequences"),
        crate::migration!(6, "pool", "0006_pool"),
        crate::migration!(19, "rectify_reminders", "0019_rectify_reminders"),
        crate::migration!(24, "rating_integrity", "0024_rating_integrity"),
        crate::migration!(30, "callbacks", "0030_callbacks"),
        crate::migration!(36, "ratings_by_time", "0036_ratings_by_time"),
        crate::migration!(46, "ratings_by_division_time", "0046_ratings_by_division_time"),
    ],
    settings: &[
        &ASSESSMENT_WEIGHT,
        &COMMEND_TOP,
        &INTERVIEW_BOTTOM,
        &ADJUST_AFTER,
        &INVITATIONS_PER_DAY,
        &INVITATION_DAYS,
        &MIN_RATINGS,
        &RATER_DAYS,
    ],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations {
        folder: "evaluation",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

/// Bad reviews waiting for the caller, and for those who serve people a one-click start
/// of logging a service and issuing its rating invitation.
fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        if !crate::kernel::access::allows(&user, Action::ViewEvaluation) {
            return Ok(Home::default());
        }
        let serves = matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead);
        let actions = if serves {
            let label = crate::kernel::i18n::t(lang, "ev-log-a-service-and-issue").to_owned();
            vec![QuickAction { label, href: "/evaluation#invite".into() }]
        } else {
            Vec::new()
        };
        let rules = s.rules(&BAD_REVIEW)?;
        let queue = s.db.read(move |tx| bad_reviews::queue(tx, &user, &rules, now, lang)).await?;
        Ok(Home { queue, actions, ..Home::default() })
    })
}
