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
    let zh = ctx.lang == crate::kernel::i18n::Lang::Zh;
    let body = html! {
        div.actions {
            a.button href=(link_with(&ctx, &query, &[("verify", "1")])) { (if zh { "校验哈希链" } else { "Verify the hash chain" }) }
            a.button.secondary href="/api/v1/audit/verify" { "JSON" }
        }
        @if let Some(r) = &report {
            @if r.ok {
                div.notice { (if zh { "校验通过：" } else { "Chain intact: " }) (r.entries_checked) (if zh { " 条记录均未被篡改。" } else { " entries checked, none altered." }) }
            } @else {
                div.alert {
                    (if zh { "校验失败：首个异常记录 #" } else { "Chain broken: first bad entry #" })
                    (r.first_bad_id.unwrap_or(0)) " — " (r.problem.clone().unwrap_or_default())
                }
            }
        }
        form.filters method="get" action="/admin/audit" {
            (layout::text_field(&ctx, "kind", if zh { "记录类型" } else { "Record kind" }, f.kind.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "number", "record_id", if zh { "记录编号" } else { "Record id" }, &f.record_id.map(|v| v.to_string()).unwrap_or_default(), None, false))
            (layout::text_field(&ctx, "actor", if zh { "操作人（用户名）" } else { "Actor (username)" }, f.actor.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "date", "from", if zh { "起始日期" } else { "From" }, f.from.as_deref().unwrap_or(""), None, false))
            (layout::input_field(&ctx, "date", "to", if zh { "截止日期" } else { "To" }, f.to.as_deref().unwrap_or(""), None, false))
            button type="submit" { (ctx.t("common.filter")) }
            a href="/admin/audit" { (ctx.t("common.reset")) }
        }
        @if entries.is_empty() {
            (layout::empty_state(if zh { "没有符合条件的审计记录。每一次数据变更都会在这里留下不可篡改的记录。" } else { "No entries match. Every change to any record leaves an entry here that cannot be quietly edited." }))
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th { "#" } th { (if zh { "时间" } else { "Time" }) } th { (if zh { "操作人" } else { "Actor" }) }
                    th { (if zh { "操作" } else { "Action" }) } th { (if zh { "记录" } else { "Record" }) }
                    th { (if zh { "变更前" } else { "Before" }) } th { (if zh { "变更后" } else { "After" }) }
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
            div.pager { @if let Some(h) = older { a href=(h) { (if zh { "更早的记录 ›" } else { "Older ›" }) } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav.audit"), Section::Audit, body).into_response())
}
