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
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx, Q, safe_next, set_cookie};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/m/{n}", get(mechanism)).route("/lang/{code}", get(switch_lang))
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let Some(user) = ctx.user.clone() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let gov = user.role.is_government();
    let dept = user.department_id;
    let mut cards = Vec::new();
    for m in &s.registry.mechanisms {
        if let Some(home) = m.home {
            cards.extend(home(s.clone(), user.clone(), ctx.lang, ctx.now).await?);
        }
    }
    let (counts, dept_name) =
        s.db.read(move |tx| {
            let c = tx.query_one(
                "SELECT (SELECT COUNT(*) FROM departments WHERE active = 1), \
                 (SELECT COUNT(*) FROM divisions WHERE active = 1), \
                 (SELECT COUNT(*) FROM people WHERE active = 1), \
                 (SELECT COUNT(*) FROM divisions WHERE active = 1 AND kind = 'market_allocation')",
                &[],
            )?;
            let name = match dept {
                Some(d) => tx
                    .query_opt("SELECT name FROM departments WHERE id = $1", crate::params![d])?
                    .map(|r| r.text(0))
                    .transpose()?,
                None => None,
            };
            Ok(([c.int(0)?, c.int(1)?, c.int(2)?, c.int(3)?], name))
        })
        .await?;
    let body = html! {
        div.card {
            p { (ctx.t("home-welcome")) strong { (user.display_name) } }
            dl.facts {
                dt { (ctx.t("home-your_role")) } dd { (ctx.t(&user.role.label_key())) }
                @if let Some(d) = &dept_name { dt { (ctx.t("home-your_department")) } dd { (d) } }
            }
            p.muted { (ctx.t(&format!("home-role-{}", user.role.as_str()))) }
        }
        @if !cards.is_empty() {
            h2 { (ctx.t("pf-my-work")) }
            div.cards {
                @for c in &cards {
                    a.card href=(c.href) class=(c.tone) { h3 { (c.title) } div.stat { (c.value) } }
                }
            }
        }
        @if gov {
            h2 { (ctx.t("home-stats")) }
            div.cards {
                div.card { h3 { (ctx.t("pf-departments-and-districts")) } div.stat { (counts[0]) } }
                div.card { h3 { (ctx.t("pf-divisions")) } div.stat { (counts[1]) } }
                div.card { h3 { (ctx.t("pf-market-allocation-divisions")) } div.stat { (counts[3]) } }
                div.card { h3 { (ctx.t("pf-people")) } div.stat { (counts[2]) } }
            }
        }
        h2 { (ctx.t("nav-mechanisms")) }
        div.cards {
            @for n in 1..=7u8 {
                @let entry = s.registry.numbered(n).and_then(|m| m.nav.iter().find(|e| access::allows(&user, e.needs)));
                @let live = entry.is_some();
                @let href = entry.map_or_else(|| format!("/m/{n}"), |e| e.href.to_owned());
                a.card href=(href) {
                    h3 { (n) ". " (ctx.t(&format!("m{n}"))) }
                    p.muted { (ctx.t(&format!("m{n}-desc"))) }
                    @if live { (layout::badge(ctx.t("pf-live"), "green")) } @else { (layout::badge(ctx.t("not_built"), "yellow")) }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-home"), Section::Home, body).into_response())
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
