//! Mechanism 6 — 政府购买法律服务督促政策落实, first part: the enterprise-support policy
//! registry with clauses, eligibility rules as data and promises; enterprises' applications
//! tracked against the promised working days; law firms under contract with their five
//! services logged as cases; and non-fulfilment notices (督促函) that a department must
//! answer by a deadline, escalated to its leader in charge and then, through the kernel's
//! lead seam, to the supervision office.

mod api;
pub mod applications;
mod demo;
mod firm_pages;
mod firm_registry_pages;
pub mod firms;
mod home;
pub mod notices;
mod pages;
pub mod policy;
pub mod survey;
mod survey_api;
mod survey_pages;

use crate::kernel::access::{Action, Role, Rule};
use crate::kernel::i18n::Translations;
use crate::kernel::registry::{AssessmentPart, Mechanism, NavEntry, PublicEntry};
use crate::kernel::settings::Setting;

#[allow(non_upper_case_globals)]
impl Action {
    /// Read the policy registry, and one's own applications, cases and notices.
    pub const ViewPolicies: Action = Action::new("view_policies", Rule::Anyone);
    /// Keep the policy registry and the firms under contract.
    pub const ManagePolicies: Action =
        Action::new("manage_policies", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Apply for a policy, and ask for a firm's service: enterprises.
    pub const ApplyForPolicies: Action = Action::new("apply_for_policies", Rule::Roles(&[Role::Enterprise]));
    /// Deliver or refuse applications, answer notices: the responsible departments.
    pub const DeliverPolicies: Action =
        Action::new("deliver_policies", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Log service cases and file notices: law firms under contract.
    pub const ServeEnterprises: Action = Action::new("serve_enterprises", Rule::Roles(&[Role::LawFirm]));
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewPolicies, ManagePolicies, ApplyForPolicies, DeliverPolicies, ServeEnterprises);
}

/// The weight, in percent, of the satisfaction index in each department's assessment.
pub const ASSESSMENT_WEIGHT: Setting = Setting {
    key: "policies.assessment_weight",
    default: 30,
    min: 0,
    max: 100,
    meaning: "pl-setting-assessment-weight",
};

pub static MECHANISM: Mechanism = Mechanism {
    number: 6,
    id: "policies",
    nav: &[
        NavEntry { href: "/policies", key: "m6", section: "policies", needs: Action::ViewPolicies },
        NavEntry { href: "/policy-notices", key: "pl-notices", section: "policy-notices", needs: Action::ViewPolicies },
    ],
    public: &[PublicEntry { href: "/satisfaction", key: "pl-satisfaction", desc: "pl-satisfaction-desc" }],
    home: Some(home::home),
    processes: &[],
    sweeps: &[applications::remind_due, notices::escalate],
    search: &[],
    api: || api::router().merge(survey_api::router()),
    pages: || {
        pages::router().merge(firm_pages::router()).merge(firm_registry_pages::router()).merge(survey_pages::router())
    },
    tasks: None,
    follows_tasks: None,
    leads: None,
    assessment: &[AssessmentPart {
        id: "satisfaction",
        name: "pl-assessment-part",
        method: "pl-assessment-method",
        weight: &ASSESSMENT_WEIGHT,
        scores: survey::assessment_scores,
    }],
    personal: &[],
    facets: &[],
    migrations: &[crate::migration!(53, "policies", "0053_policies"), crate::migration!(54, "surveys", "0054_surveys")],
    settings: &[&ASSESSMENT_WEIGHT],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations {
        folder: "policies",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};
