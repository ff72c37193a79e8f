//! The audit trail for people: filter it by record, person and time, and check its chain.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::audit::{self, AuditEntry, AuditFilter, VerifyReport};
use crate::kernel::clock;
use crate::kernel::error::AppResult;
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::list::{link_with, url_encode};
use crate::kernel::web::{AppState, Ctx, Q};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_entries)).routes(routes!(verify_chain))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/audit", axum::routing::get(page))
}

/// Audit entries, newest first; page with `before=<id of the last entry seen>`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403)))]
async fn list_entries(State(s): State<AppState>, ctx: Ctx, Q(f): Q<AuditFilter>) -> AppResult<Json<Vec<AuditEntry>>> {
    s.look(&ctx, Action::ViewAudit, move |tx, _| audit::list(tx, &f)).await.map(Json)
}

/// Walk the hash chains and report the first entry that was edited, removed or reordered.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyReport), (status = 403)))]
async fn verify_chain(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<VerifyReport>> {
    s.look(&ctx, Action::ViewAudit, |tx, _| audit::verify(tx)).await.map(Json)
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    #[serde(flatten)]
    filter: AuditFilter,
    verify: Option<String>,
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PageQuery>) -> AppResult<Response> {
    let f = q.filter.clone();
    let run_verify = q.verify.is_some();
    let (entries, report) = s
        .look(&ctx, Action::ViewAudit, move |tx, _| {
            let report = if run_verify { Some(audit::verify(tx)?) } else { None };
            Ok((audit::list(tx, &f)?, report))
        })
        .await?;
    let f = &q.filter;
    let query: Vec<(&str, String)> = vec![
        ("kind", f.kind.clone().unwrap_or_default()),
        ("record_id", f.record_id.map(|v| v.to_string()).unwrap_or_default()),
        ("actor", f.actor.clone().unwrap_or_default()),
        ("from", f.from.clone().unwrap_or_default()),
        ("to", f.to.clone().unwrap_or_default()),
    ];
    let older = entries.last().map(|e| link_with(&ctx, &query, &[("before", &e.id.to_string())]));
    let body = html! {
        div.actions {
            a.button href=(link_with(&ctx, &query, &[("verify", "1")])) { (ctx.t("pf-verify-the-hash-chain")) }
            a.button.secondary href="/api/v1/audit/verify" { "JSON" }
        }
        @if let Some(r) = &report {
            @if r.ok {
                div.notice { (ctx.t("pf-chain-intact")) (r.entries_checked) (ctx.t("pf-entries-checked-none-altered")) }
            } @else {
                div.alert {
                    (ctx.t("pf-chain-broken-first-bad-entry"))
                    (r.first_bad_id.unwrap_or(0)) " — " (r.problem.clone().unwrap_or_default())
                }
            }
        }
        form.filters method="get" action="/admin/audit" {
            (layout::text_field(&ctx, "kind", ctx.t("pf-record-kind"), f.kind.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "number", "record_id", ctx.t("pf-record-id"), &f.record_id.map(|v| v.to_string()).unwrap_or_default(), None, false))
            (layout::text_field(&ctx, "actor", ctx.t("pf-actor-username"), f.actor.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "date", "from", ctx.t("pf-from"), f.from.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "date", "to", ctx.t("pf-to"), f.to.as_deref().unwrap_or(""), None, false))
            button type="submit" { (ctx.t("common-filter")) }
            a href="/admin/audit" { (ctx.t("common-reset")) }
        }
        @if entries.is_empty() {
            (layout::empty_state(ctx.t("pf-no-entries-match-every-change")))
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th { "#" } th { (ctx.t("pf-time")) } th { (ctx.t("pf-actor")) }
                    th { (ctx.t("pf-action")) } th { (ctx.t("pf-record")) }
                    th { (ctx.t("pf-before")) } th { (ctx.t("pf-after")) }
                } }
                tbody { @for e in &entries { tr {
                    td { (e.id) }
                    td { (clock::fmt_local(chrono::DateTime::parse_from_rfc3339(&e.at).map(|d| d.timestamp_millis()).unwrap_or(0))) br; span.muted { (e.ip) } }
                    td { a href=(format!("/admin/audit?actor={}", url_encode(&e.actor))) { (e.actor) } }
                    td { (e.action) }
                    td { a href=(format!("/admin/audit?kind={}&record_id={}", url_encode(&e.record_kind), e.record_id.unwrap_or(0))) { (e.record_kind) " #" (e.record_id.map(|v| v.to_string()).unwrap_or_default()) } }
                    td { @if let Some(b) = &e.before { pre.json { (b.to_string()) } } }
                    td { @if let Some(a) = &e.after { pre.json { (a.to_string()) } } }
                } } }
            } }
            div.pager { @if let Some(h) = older { a href=(h) { (ctx.t("pf-older")) } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-audit"), Section::Audit, body).into_response())
}
