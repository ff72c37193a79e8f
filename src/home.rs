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
    mine.queue.sort_by_key(urgency);
    let dept = user.department_id;
    let dept_name =
        s.db.read(move |tx| match dept {
            Some(d) => Ok(tx
                .query_opt("SELECT name FROM departments WHERE id = $1", crate::params![d])?
                .map(|r| r.text(0))
                .transpose()?),
            None => Ok(None),
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
            @if !mine.actions.is_empty() {
                div.actions { @for a in &mine.actions { a.button href=(a.href) { (a.label) } } }
            }
        }
        h2 { (ctx.t("home-queue")) " " span.badge { (mine.queue.len()) } }
        (queue.render(&ctx, &ListParams::default(), &[], &mine.queue, ctx.t("home-queue-empty")))
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
