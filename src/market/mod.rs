//! Mechanism 5 — 促进市场优化资源配置: market-allocation divisions with their remit and
//! classified questions; industry associations and chambers treated like departments,
//! with accounts that receive the city's documents in the same dispatch as departments
//! (read receipts, acknowledgement, feedback, overdue unread reminded by the sweep) and
//! 列席 seats at economic meetings; and the direct line between enterprises and leaders.

mod api;
mod association_pages;
pub mod associations;
mod demo;
pub mod direct_line;
mod document_pages;
pub mod documents;
mod home;
mod line_api;
mod line_pages;
mod meeting_api;
mod meeting_pages;
pub mod meetings;
pub mod remit;
mod remit_pages;
mod search;

use crate::kernel::access::{Action, Role, Rule};
use crate::kernel::i18n::Translations;
use crate::kernel::registry::{Mechanism, NavEntry};
use crate::kernel::web::AppState;

#[allow(non_upper_case_globals)]
impl Action {
    /// Read documents received or issued, and the association registry: government and
    /// associations' accounts.
    pub const ViewDocuments: Action = Action::new(
        "view_documents",
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Association]),
    );
    /// Issue and dispatch documents for one's department.
    pub const IssueDocuments: Action =
        Action::new("issue_documents", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Acknowledge a received document, give feedback, record a read receipt.
    pub const ReceiveDocuments: Action = Action::new(
        "receive_documents",
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Association]),
    );
    /// Read economic meetings: government, and associations invited to them.
    pub const ViewMeetings: Action = Action::new(
        "view_meetings",
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Association]),
    );
    /// Convene meetings and keep their minutes.
    pub const ConveneMeetings: Action =
        Action::new("convene_meetings", Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Hold direct-line threads: enterprises with leaders and their departments.
    pub const UseDirectLine: Action = Action::new(
        "use_direct_line",
        Rule::Roles(&[Role::Enterprise, Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff]),
    );
    /// Read the market-allocation divisions' remit and figures.
    pub const ViewRemit: Action = Action::new("view_remit", Rule::Government);
    /// Record and classify questions in a division's remit.
    pub const ClassifyQuestions: Action =
        Action::new("classify_questions", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff]));
    /// Keep the association registry: the divisions that work with associations.
    pub const ManageAssociations: Action =
        Action::new("manage_associations", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff]));
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(
        ViewDocuments,
        IssueDocuments,
        ReceiveDocuments,
        ManageAssociations,
        ViewMeetings,
        ConveneMeetings,
        UseDirectLine,
        ViewRemit,
        ClassifyQuestions
    );
}

pub static MECHANISM: Mechanism = Mechanism {
    number: 5,
    id: "market",
    nav: &[
        NavEntry { href: "/documents", key: "mk-documents", section: "documents", needs: Action::ViewDocuments },
        NavEntry { href: "/meetings", key: "mk-meetings", section: "meetings", needs: Action::ViewMeetings },
        NavEntry { href: "/direct-line", key: "mk-line", section: "direct-line", needs: Action::UseDirectLine },
        NavEntry { href: "/remit", key: "mk-remit", section: "remit", needs: Action::ViewRemit },
    ],
    public: &[],
    home: Some(home::home),
    processes: &[],
    sweeps: &[documents::remind_unread, direct_line::escalate_late],
    search: &[&search::SOURCE],
    api: || api::router().merge(meeting_api::router()).merge(line_api::router()),
    pages: all_pages,
    tasks: None,
    follows_tasks: None,
    leads: None,
    assessment: &[],
    personal: &[],
    facets: &[],
    migrations: &[
        crate::migration!(51, "market", "0051_market"),
        crate::migration!(52, "market_meetings", "0052_market_meetings"),
    ],
    settings: &[],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations {
        folder: "market",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

fn all_pages() -> axum::Router<AppState> {
    document_pages::router()
        .merge(association_pages::router())
        .merge(meeting_pages::router())
        .merge(line_pages::router())
        .merge(remit_pages::router())
}
