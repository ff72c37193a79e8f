//! Mechanism 6 on a user's home page: a department's applications to deliver and notices
//! to answer; a leader's notices escalated to them; a firm's requests waiting and cases
//! open; an enterprise's applications under way.

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::i18n::{Lang, t};
use crate::kernel::registry::{Home, HomeFuture, QuickAction, WorkItem};
use crate::kernel::web::AppState;
use crate::kernel::web::list::ListParams;

use super::applications::{self, ApplicationFilter};
use super::firms::{self, CaseFilter};
use super::notices::{self, NoticeFilter};

pub fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        let u = user.clone();
        let queue = s.db.read(move |tx| queue(tx, &u, lang, now)).await?;
        let actions = match user.role {
            Role::Enterprise => {
                vec![QuickAction { label: t(lang, "pl-find").to_owned(), href: "/policies/applicable".to_owned() }]
            }
            Role::LawFirm => {
                vec![QuickAction { label: t(lang, "pl-cases").to_owned(), href: "/service-cases".to_owned() }]
            }
            _ => Vec::new(),
        };
        Ok(Home { queue, cards: Vec::new(), actions })
    })
}

/// A queue entry: what is asked (`ask`, `kind`, the list of all such as `more`, as
/// message ids and a path) of which record.
fn item(
    lang: Lang,
    (ask, kind, more): (&str, &str, &str),
    title: String,
    href: String,
    deadline: Option<String>,
    since: i64,
) -> WorkItem {
    WorkItem {
        ask: t(lang, ask).to_owned(),
        kind: t(lang, kind).to_owned(),
        title,
        href,
        light: None,
        deadline,
        since,
        more: more.to_owned(),
    }
}

fn queue(tx: &mut Tx<'_>, user: &CurrentUser, lang: Lang, now: i64) -> AppResult<Vec<WorkItem>> {
    let mut out = Vec::new();
    let first = ListParams { per: Some(10), ..ListParams::default() };
    let in_state = |state: &str| NoticeFilter { state: Some(state.to_owned()) };
    let applied = ApplicationFilter { state: Some("applied".into()), overdue: None };
    match user.role {
        Role::Enterprise => {
            for a in applications::list(tx, user, &applied, &first, now)?.items {
                let href = format!("/policy-applications/{}", a.id);
                let what = ("pl-ask-awaiting", "pl-application", "/policy-applications");
                out.push(item(lang, what, a.policy_title, href, Some(a.due_on), a.created_at));
            }
        }
        Role::LawFirm => {
            let f = CaseFilter { kind: None, state: Some("requested".into()) };
            for c in firms::cases(tx, user, &f, &first)?.items {
                let title = format!("{}：{}", c.enterprise_name, c.request);
                let what = ("pl-ask-take", "pl-case", "/service-cases");
                out.push(item(lang, what, title, "/service-cases?state=requested".into(), None, c.created_at));
            }
        }
        Role::Leader => {
            for n in notices::list(tx, user, &in_state("escalated"), &first)?.items {
                let title = format!("{} · {}", n.department_name, n.policy_title);
                let what = ("pl-ask-press", "pl-notice", "/policy-notices");
                let due = n.leader_due_on.unwrap_or(n.due_on);
                out.push(item(lang, what, title, format!("/policy-notices/{}", n.id), Some(due), n.created_at));
            }
        }
        r if r.is_government() && r != Role::Supervisor => {
            for state in ["open", "escalated", "referred"] {
                for n in notices::list(tx, user, &in_state(state), &first)?.items {
                    let title = format!("{} · {}", n.firm_name, n.policy_title);
                    let what = ("pl-ask-respond", "pl-notice", "/policy-notices");
                    out.push(item(
                        lang,
                        what,
                        title,
                        format!("/policy-notices/{}", n.id),
                        Some(n.due_on),
                        n.created_at,
                    ));
                }
            }
            for a in applications::list(tx, user, &applied, &first, now)?.items {
                let title = format!("{} · {}", a.enterprise_name, a.policy_title);
                let what = ("pl-ask-deliver", "pl-application", "/policy-applications");
                let href = format!("/policy-applications/{}", a.id);
                out.push(item(lang, what, title, href, Some(a.due_on), a.created_at));
            }
        }
        _ => {}
    }
    Ok(out)
}
