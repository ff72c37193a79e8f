//! The outbox as administrators see it: messages that failed every attempt (with the
//! gateway's last answer, and a retry), those waiting, and those sent.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::clock::fmt_local;
use crate::kernel::error::AppResult;
use crate::kernel::notify::{self, Queued};
use crate::kernel::web::form::Fields;
use crate::kernel::web::layout::{self, Section, badge, csrf_field};
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q, need};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_deliveries)).routes(routes!(retry_delivery))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/deliveries", get(page)).route("/admin/deliveries/{id}/retry", post(retry_page))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `failed` (default), `waiting` or `sent`.
    pub state: Option<String>,
}

/// E-mail and SMS in the outbox, newest first (addresses masked).
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "settings", params(DeliveryQuery),
    responses((status = 200, body = Vec<Queued>), (status = 403), (status = 422)))]
async fn list_deliveries(State(s): State<AppState>, ctx: Ctx, Q(q): Q<DeliveryQuery>) -> AppResult<Json<Vec<Queued>>> {
    let (state, lang) = (q.state.unwrap_or_else(|| "failed".into()), ctx.lang);
    s.look(&ctx, Action::ManageDeliveries, move |tx, _| notify::queued(tx, &state, 200, lang)).await.map(Json)
}

/// Try a message that failed every attempt again, from the start.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "settings",
    responses((status = 204), (status = 403), (status = 404)))]
async fn retry_delivery(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageDeliveries>,
    Path(id): Path<i64>,
) -> AppResult<axum::http::StatusCode> {
    s.change(&ctx, Action::ManageDeliveries, move |tx, who| notify::retry(tx, who, id)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<DeliveryQuery>) -> AppResult<Response> {
    let state = q.state.unwrap_or_else(|| "failed".into());
    let (st, lang) = (state.clone(), ctx.lang);
    let rows = s.look(&ctx, Action::ManageDeliveries, move |tx, _| notify::queued(tx, &st, 200, lang)).await?;
    let body = html! {
        p.muted { (ctx.t("pf-deliveries-explained")) }
        nav.tabs {
            @for tab in ["failed", "waiting", "sent"] {
                a href=(format!("/admin/deliveries?state={tab}")) aria-current=[(tab == state).then_some("page")] { (ctx.t(&format!("pf-delivery-{tab}"))) }
            }
        }
        @if rows.is_empty() { (layout::empty_state(ctx.t("pf-no-deliveries"))) }
        @else {
            div.table-wrap { table {
                thead { tr {
                    th { (ctx.t("pf-time")) } th { (ctx.t("pf-delivery-to")) } th { (ctx.t("pf-notification")) }
                    th { (ctx.t("pf-delivery-attempts")) } th { (ctx.t("pf-delivery-answer")) } th {}
                } }
                tbody { @for m in &rows { tr {
                    td { div.cell { (fmt_local(m.created_at)) } }
                    td { div.cell { (badge(ctx.t(&format!("pf-channel-{}", m.channel)), "")) " " (m.address) } }
                    td { div.cell { (m.subject) } }
                    td { div.cell {
                        (m.attempts) " / " (notify::ATTEMPTS)
                        @if let Some(at) = m.next_attempt_at.filter(|_| m.sent_at.is_none() && m.attempts < notify::ATTEMPTS) {
                            div.muted { (ctx.t("pf-delivery-next")) " " (fmt_local(at)) }
                        }
                        @if let Some(at) = m.sent_at { div.muted { (ctx.t("pf-delivery-sent-at")) " " (fmt_local(at)) } }
                    } }
                    td { div.cell { (m.last_error.clone().unwrap_or_default()) } }
                    td { div.cell { @if m.sent_at.is_none() && m.attempts >= notify::ATTEMPTS {
                        form.inline method="post" action=(format!("/admin/deliveries/{}/retry", m.id)) {
                            (csrf_field(&ctx)) button.secondary type="submit" { (ctx.t("pf-delivery-retry")) }
                        }
                    } } }
                } } }
            } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-deliveries"), Section::Of("deliveries"), body).into_response())
}

async fn retry_page(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    s.change(&f.ctx, Action::ManageDeliveries, move |tx, who| notify::retry(tx, who, id)).await?;
    crate::kernel::web::form::confirm("k-done");
    Ok(Redirect::to("/admin/deliveries?state=waiting").into_response())
}
