//! The in-app inbox: every user's notifications, with an unread count in the header.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::clock;
use crate::kernel::error::AppResult;
use crate::kernel::notify::{self, Notification};
use crate::kernel::web::form::Fields;
use crate::kernel::web::layout::{self, Section, csrf_field};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(mark_one)).routes(routes!(mark_all))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/inbox", get(page))
        .route("/inbox/{id}/read", post(read_one_page))
        .route("/inbox/{id}/open", get(open_page))
        .route("/inbox/read-all", post(read_all_page))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `true` for unread notes only.
    #[serde(default, deserialize_with = "crate::kernel::web::de::flag")]
    pub unread: bool,
    /// Keyset paging: the notes after this one (the last seen).
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub before: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<Notification>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "inbox", params(InboxQuery), responses((status = 200, body = Inbox)))]
async fn list(State(s): State<AppState>, ctx: Ctx, Q(q): Q<InboxQuery>) -> AppResult<Json<Inbox>> {
    let uid = ctx.user()?.id;
    s.look(&ctx, Action::ReadInbox, move |tx, _| {
        Ok(Inbox { unread: notify::unread_count(tx, uid)?, items: notify::inbox(tx, uid, q.unread, q.before, 50)? })
    })
    .await
    .map(Json)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "inbox", responses((status = 200, body = Marked)))]
async fn mark_one(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Marked>> {
    let uid = ctx.user()?.id;
    s.change(&ctx, Action::ReadInbox, move |tx, who| Ok(Marked { marked: notify::mark_read(tx, who, uid, Some(id))? }))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "inbox", responses((status = 200, body = Marked)))]
async fn mark_all(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Marked>> {
    let uid = ctx.user()?.id;
    s.change(&ctx, Action::ReadInbox, move |tx, who| Ok(Marked { marked: notify::mark_read(tx, who, uid, None)? }))
        .await
        .map(Json)
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<InboxQuery>) -> AppResult<Response> {
    let uid = ctx.user()?.id;
    let unread_only = q.unread;
    let items = s.look(&ctx, Action::ReadInbox, move |tx, _| notify::inbox(tx, uid, q.unread, q.before, 50)).await?;
    let older =
        items.last().map(|n| format!("/inbox?before={}{}", n.id, if unread_only { "&unread=true" } else { "" }));
    let body = html! {
        div.actions {
            a.button.secondary href="/inbox" { (ctx.t("pf-all")) }
            a.button.secondary href="/inbox?unread=true" { (ctx.t("pf-unread-only")) }
            form.inline method="post" action="/inbox/read-all" { (csrf_field(&ctx)) button type="submit" { (ctx.t("pf-mark-all-read")) } }
        }
        @if items.is_empty() {
            (layout::empty_state(ctx.t("pf-no-notifications-new-tasks-reminders")))
        } @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("pf-time")) } th { (ctx.t("pf-notification")) } th {} } }
                tbody { @for (n, earlier) in about_one_record(&items) { tr class=@if n.read { "inactive" } {
                    td { (clock::fmt_local(n.created_at)) }
                    td {
                        @if !n.read { (layout::badge(ctx.t("pf-new"), "red")) " " }
                        a href=(format!("/inbox/{}/open", n.id)) { (n.title_in(ctx.lang)) }
                        @if n.repeats > 1 { " " (layout::badge(&format!("×{}", n.repeats), "")) }
                        @if !n.body.is_empty() { div.muted { (n.body) } }
                        @if !earlier.is_empty() {
                            details.earlier {
                                summary { (ctx.t_args("pf-earlier-about-the-same", &[("count", &earlier.len().to_string())])) }
                                ul { @for e in &earlier { li class=@if e.read { "inactive" } {
                                    span.muted { (clock::fmt_local(e.created_at)) } " " (e.title_in(ctx.lang))
                                    @if !e.body.is_empty() { " · " span.muted { (e.body) } }
                                } } }
                            }
                        }
                    }
                    td { @if !n.read { form.inline method="post" action=(format!("/inbox/{}/read", n.id)) { (csrf_field(&ctx)) button.link type="submit" { (ctx.t("pf-mark-read")) } } } }
                } } }
            } }
            div.pager { @if let Some(h) = older { a href=(h) { (ctx.t("pf-older-2")) } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pf-inbox"), Section::Inbox, body).into_response())
}

/// The notes grouped by the record they link to, newest first: the newest note about a
/// record, and the earlier ones about it on this page, so twenty reminders about one lead
/// take one row.
fn about_one_record(items: &[Notification]) -> Vec<(&Notification, Vec<&Notification>)> {
    let mut groups: Vec<(&Notification, Vec<&Notification>)> = Vec::new();
    for n in items {
        match groups.iter_mut().find(|(first, _)| !n.link.is_empty() && first.link == n.link) {
            Some((_, earlier)) => earlier.push(n),
            None => groups.push((n, Vec::new())),
        }
    }
    groups
}

async fn read_one_page(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let uid = f.ctx.user()?.id;
    s.change(&f.ctx, Action::ReadInbox, move |tx, who| notify::mark_read(tx, who, uid, Some(id))).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// Follow a note to its record, marking it read on the way.
async fn open_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let uid = ctx.user()?.id;
    let link = s.change(&ctx, Action::ReadInbox, move |tx, who| notify::open(tx, who, uid, id)).await?;
    Ok(Redirect::to(&crate::kernel::web::safe_next(Some(&link))).into_response())
}

async fn read_all_page(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let uid = f.ctx.user()?.id;
    s.change(&f.ctx, Action::ReadInbox, move |tx, who| notify::mark_read(tx, who, uid, None)).await?;
    Ok(Redirect::to("/inbox").into_response())
}
