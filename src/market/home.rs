//! Mechanism 5 on a user's home page. An association's home is its document account:
//! documents not yet acknowledged, then the meetings it is invited to. An enterprise sees
//! the direct-line answers waiting for its judgement; a leader the requests waiting for a
//! responder; a responder the requests to answer; a department's heads and office the
//! documents their department has not acknowledged.

use crate::kernel::access::{self, Action, CurrentUser, Role};
use crate::kernel::error::AppResult;
use crate::kernel::i18n::{Lang, t};
use crate::kernel::registry::{Home, HomeFuture, QuickAction, WorkItem};
use crate::kernel::web::AppState;

use super::documents::{self, Account};
use super::{direct_line, meetings};

pub fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        let u = user.clone();
        let queue = s.db.read(move |tx| queue(tx, &u, lang, now)).await?;
        let mut actions = Vec::new();
        if user.role == Role::Enterprise {
            actions.push(QuickAction { label: t(lang, "mk-line-new").to_owned(), href: "/direct-line/new".to_owned() });
        }
        Ok(Home { queue, cards: Vec::new(), actions })
    })
}

fn queue(tx: &mut crate::kernel::db::Tx<'_>, user: &CurrentUser, lang: Lang, now: i64) -> AppResult<Vec<WorkItem>> {
    let mut out = Vec::new();
    if access::allows(user, Action::UseDirectLine) {
        for (r, subject) in direct_line::waiting(tx, user, now)? {
            let ask = match (r.state.as_str(), r.responder_id) {
                ("answered", _) => "mk-ask-judge",
                (_, None) => "mk-ask-assign",
                _ => "mk-ask-answer",
            };
            out.push(WorkItem {
                ask: t(lang, ask).to_owned(),
                kind: t(lang, "mk-line-request").to_owned(),
                title: format!("{subject}：{}", r.asked.chars().take(40).collect::<String>()),
                href: format!("/direct-line/{}", r.thread_id),
                light: None,
                deadline: (r.state == "open").then(|| r.due_on.clone()),
                since: r.answered_at.unwrap_or(r.created_at),
                more: "/direct-line?open=true".to_owned(),
            });
        }
    }
    let keeps_mail = user.role == Role::Association || user.role == Role::DeptHead;
    if keeps_mail && let Some(account) = documents::account_of(tx, user)? {
        for d in documents::unacknowledged(tx, account)? {
            out.push(WorkItem {
                ask: t(lang, if d.first_read_at.is_some() { "mk-ask-acknowledge" } else { "mk-ask-read" }).to_owned(),
                kind: t(lang, "mk-document").to_owned(),
                title: format!("{} {}", d.document.number, d.document.title),
                href: format!("/documents/{}", d.document.id),
                light: None,
                deadline: Some(d.document.read_by.clone()),
                since: d.document.created_at,
                more: "/documents?unread=true".to_owned(),
            });
        }
        if let Account::Association(_) = account {
            for m in meetings::upcoming_for(tx, user, now)? {
                out.push(WorkItem {
                    ask: t(lang, "mk-ask-attend").to_owned(),
                    kind: t(lang, "mk-meeting").to_owned(),
                    title: m.title.clone(),
                    href: format!("/meetings/{}", m.id),
                    light: None,
                    deadline: Some(crate::kernel::clock::local_date(m.starts_at).to_string()),
                    since: m.created_at,
                    more: "/meetings".to_owned(),
                });
            }
        }
    }
    Ok(out)
}
