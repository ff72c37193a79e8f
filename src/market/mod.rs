//! Mechanism 5 — 促进市场优化资源配置: industry associations and chambers treated like
//! departments, with accounts that receive the city's documents in the same dispatch as
//! departments, read receipts, acknowledgement and feedback, and overdue unread
//! documents reminded by the kernel's sweep.

mod api;
mod association_pages;
pub mod associations;
mod demo;
mod document_pages;
pub mod documents;

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
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Admin, Role::Association]),
    );
    /// Issue and dispatch documents for one's department.
    pub const IssueDocuments: Action =
        Action::new("issue_documents", Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Admin]));
    /// Acknowledge a received document, give feedback, record a read receipt.
    pub const ReceiveDocuments: Action = Action::new(
        "receive_documents",
        Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Admin, Role::Association]),
    );
    /// Keep the association registry: the divisions that work with associations.
    pub const ManageAssociations: Action = Action::new(
        "manage_associations",
        Rule::Roles(&[Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Admin]),
    );
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewDocuments, IssueDocuments, ReceiveDocuments, ManageAssociations);
}

pub static MECHANISM: Mechanism = Mechanism {
    number: 5,
    id: "market",
    nav: &[NavEntry { href: "/documents", key: "m5", section: "documents", needs: Action::ViewDocuments }],
    public: &[],
    home: None,
    processes: &[],
    sweeps: &[documents::remind_unread],
    search: &[],
    api: api::router,
    pages: all_pages,
    tasks: None,
    follows_tasks: None,
    migrations: &[crate::migration!(51, "market", "0051_market")],
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
    document_pages::router().merge(association_pages::router())
}
