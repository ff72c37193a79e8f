//! The home page for each role, the seven mechanisms' entry pages, and the language switch.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;

use crate::kernel::access;
use crate::kernel::auth::LANG_COOKIE;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::registry::{Home, WorkItem};
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::list::ListParams;
use crate::kernel::web::table::Table;
use crate::kernel::web::{AppState, Ctx, Q, safe_next, set_cookie};
use crate::kernel::workflow::Light;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/m/{n}", get(mechanism)).route("/lang/{code}", get(switch_lang))
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let Some(user) = ctx.user.clone() else {
        return Ok(front_page(&ctx).into_response());
    };
    let mut mine = Home::default();
    for m in &s.registry.mechanisms {
        if let Some(home) = m.home {
            let part = home(s.clone(), user.clone(), ctx.lang, ctx.now).await?;
            mine.queue.extend(part.queue);
            mine.cards.extend(part.cards);
            mine.actions.extend(part.actions);
        }
    }
    let uid = user.id;
    let awaiting = s.db.read(move |tx| crate::kernel::workflow::directives::awaiting(tx, uid, 50)).await?;
    mine.queue.extend(awaiting.into_iter().map(|d| WorkItem {
        ask: ctx.t("k-answer-it").to_owned(),
        kind: match d.kind {
            crate::kernel::workflow::directives::Kind::Urge => ctx.t("k-urge-document").to_owned(),
            crate::kernel::workflow::directives::Kind::Instruction => ctx.t("k-instruction-document").to_owned(),
        },
        title: d.title,
        href: format!("/directives/{}", d.id),
        light: None,
        deadline: None,
        since: d.created_at,
        more: "/directives".into(),
    }));
    if access::allows(&user, access::Action::ManageRoles) {
        let now = ctx.now;
        let locked = s.db.read(move |tx| crate::accounts::service::locked(tx, now, 50)).await?;
        mine.queue.extend(locked.into_iter().map(|(id, name, since)| WorkItem {
            ask: ctx.t("acc-unlock").to_owned(),
            kind: ctx.t("acc-locked-after-failed-sign-ins").to_owned(),
            title: name,
            href: format!("/admin/users/{id}"),
            light: None,
            deadline: None,
            since,
            more: "/admin/users?status=locked".into(),
        }));
    }
    mine.queue.sort_by_key(urgency);
    let (queue_rows, more) = first_of_each(&mine.queue);
    let dept = user.department_id;
    let (dept_name, previous) =
        s.db.read(move |tx| {
            let name = match dept {
                Some(d) => tx
                    .query_opt("SELECT name FROM departments WHERE id = $1", crate::params![d])?
                    .map(|r| r.text(0))
                    .transpose()?,
                None => None,
            };
            Ok((name, crate::kernel::auth::previous_sign_in(tx, uid)?))
        })
        .await?;
    let queue = Table::new()
        .shown(ctx.t("home-queue-ask"), |w: &WorkItem| html! { strong { (w.ask) } })
        .shown(ctx.t("home-queue-kind"), |w| html! { (w.kind) })
        .shown(ctx.t("home-queue-title"), |w| html! { a href=(w.href) { (w.title) } })
        .shown(ctx.t("home-queue-deadline"), |w| {
            html! { @if let Some(d) = &w.deadline { (layout::light_badge(&ctx, w.light)) " " span.nowrap { (d) } } }
        });
    let body = html! {
        div.card.welcome {
            p { (ctx.t("home-welcome")) strong { (user.display_name) } " · " (ctx.t(&user.role.label_key()))
                @if let Some(d) = &dept_name { " · " (d) } }
            p.muted { (ctx.t(&format!("home-role-{}", user.role.as_str()))) }
            @if ctx.idle_minutes.is_some() {
                p.muted.previous-sign-in {
                    @match &previous {
                        Some((at, ip)) => { (ctx.t_args("home-previous-sign-in", &[("at", &crate::kernel::clock::fmt_local(*at)), ("ip", ip)])) },
                        None => { (ctx.t("home-first-sign-in")) },
                    }
                }
            }
            @if !mine.actions.is_empty() {
                div.actions { @for a in &mine.actions { a.button href=(a.href) { (a.label) } } }
            }
        }
        h2 { (ctx.t("home-queue")) " " span.badge { (mine.queue.len()) } }
        (queue.render(&ctx, &ListParams::default(), &[], &queue_rows, ctx.t("home-queue-empty")))
        @if !more.is_empty() {
            ul.more { @for (w, n) in &more {
                li { a href=(w.more) { (ctx.t_args("home-queue-more", &[("count", &n.to_string()), ("kind", &w.kind), ("ask", &w.ask)])) } }
            } }
        }
        @if !mine.cards.is_empty() {
            h2 { (ctx.t("pf-my-work")) }
            div.cards {
                @for c in &mine.cards {
                    a.card href=(c.href) class=(c.tone) { h3 { (c.title) } div.stat { (c.value) } }
                }
            }
        }
        h2 { (ctx.t("nav-mechanisms")) }
        div.cards.compact {
            @for n in 1..=7u8 {
                @let entry = s.registry.numbered(n).and_then(|m| m.nav.iter().find(|e| access::allows(&user, e.needs)));
                @if let Some(e) = entry {
                    a.card href=(e.href) {
                        h3 { (n) ". " (ctx.t(&format!("m{n}"))) }
                        p.muted { (ctx.t(&format!("m{n}-desc"))) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-home"), Section::Home, body).into_response())
}

/// The public's front page: what anyone can do without an account, from the registry.
fn front_page(ctx: &Ctx) -> axum::response::Html<String> {
    let body = html! {
        p.muted { (ctx.t("home-front-intro")) }
        div.cards {
            @for e in ctx.registry.mechanisms.iter().flat_map(|m| m.public.iter()) {
                a.card href=(e.href) { h3 { (ctx.t(e.key)) } p.muted { (ctx.t(e.desc)) } }
            }
        }
        p { a href="/login" { (ctx.t("home-front-staff")) } }
    };
    layout::page(ctx, ctx.t("home-front"), Section::Home, body)
}

/// At most this many records waiting for the same thing are listed on the home page;
/// the rest are a link away.
const SAME_ASK_SHOWN: usize = 5;

/// The queue as shown: the first few of each kind of request, and for each kind with
/// more, one of them (for its link) and how many more there are.
fn first_of_each(queue: &[WorkItem]) -> (Vec<WorkItem>, Vec<(WorkItem, usize)>) {
    let mut seen: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    let mut shown = Vec::new();
    let mut more: Vec<(WorkItem, usize)> = Vec::new();
    for w in queue {
        let n = seen.entry((w.kind.as_str(), w.ask.as_str())).or_default();
        *n += 1;
        if *n <= SAME_ASK_SHOWN {
            shown.push(w.clone());
        } else if let Some(m) = more.iter_mut().find(|(m, _)| m.kind == w.kind && m.ask == w.ask) {
            m.1 += 1;
        } else {
            more.push((w.clone(), 1));
        }
    }
    (shown, more)
}

/// Red before yellow before the rest; then the nearest deadline; then the longest waiting.
fn urgency(w: &WorkItem) -> (u8, String, i64) {
    let band = match w.light {
        Some(Light::Red) => 0,
        Some(Light::Yellow) => 1,
        Some(Light::Green) => 2,
        None => 3,
    };
    (band, w.deadline.clone().unwrap_or_else(|| "9999".into()), w.since)
}

async fn mechanism(ctx: Ctx, Path(n): Path<u8>) -> AppResult<Response> {
    ctx.user()?;
    if !(1..=7).contains(&n) {
        return Err(AppError::NotFound);
    }
    let body = html! {
        p.muted { (ctx.t(&format!("m{n}-desc"))) }
        (layout::empty_state(ctx.t("not_built-body")))
    };
    let title = format!("{}. {} — {}", n, ctx.t(&format!("m{n}")), ctx.t("not_built"));
    Ok(layout::page(&ctx, &title, Section::Mechanism(n), body).into_response())
}

#[derive(serde::Deserialize)]
struct Next {
    next: Option<String>,
}

/// Remember the chosen language in a cookie and go back where the user was.
async fn switch_lang(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Q(q): Q<Next>,
    _h: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let next = safe_next(q.next.as_deref());
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), 365 * 86_400, s.settings.secure_cookies));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::{SAME_ASK_SHOWN, WorkItem, first_of_each};

    fn item(ask: &str, n: i64) -> WorkItem {
        WorkItem {
            ask: ask.into(),
            kind: "线索".into(),
            title: format!("#{n}"),
            href: format!("/x/{n}"),
            light: None,
            deadline: None,
            since: n,
            more: format!("/x?ask={ask}"),
        }
    }

    #[test]
    fn many_records_waiting_for_the_same_thing_become_a_link() {
        let mut queue: Vec<WorkItem> = (0..12).map(|n| item("移送", n)).collect();
        queue.push(item("核实", 99));
        let (shown, more) = first_of_each(&queue);
        assert_eq!(shown.len(), SAME_ASK_SHOWN + 1, "five to transfer and the one to verify");
        assert_eq!(more.len(), 1);
        assert_eq!((more[0].0.more.as_str(), more[0].1), ("/x?ask=移送", 12 - SAME_ASK_SHOWN));
    }
}
