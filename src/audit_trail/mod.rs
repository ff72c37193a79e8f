//! The audit trail for people: filter it by record, person and time, and check its chain.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use std::collections::HashMap;

use crate::kernel::access::Action;
use crate::kernel::audit::{self, AuditEntry, AuditFilter, VerifyReport};
use crate::kernel::clock;
use crate::kernel::db::id_list;
use crate::kernel::error::AppResult;
use crate::kernel::i18n;
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
    let (entries, report, names) = s
        .look(&ctx, Action::ViewAudit, move |tx, _| {
            let report = if run_verify { Some(audit::verify(tx)?) } else { None };
            let entries = audit::list(tx, &f)?;
            let ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
            let sql = format!("SELECT id, display_name FROM users WHERE id IN ({})", id_list(&ids));
            let names: HashMap<i64, String> =
                tx.query(&sql, &[])?.iter().map(|r| Ok((r.int(0)?, r.text(1)?))).collect::<AppResult<_>>()?;
            Ok((entries, report, names))
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
                    th colspan="2" { (ctx.t("pf-before")) " → " (ctx.t("pf-after")) }
                } }
                tbody { @for e in &entries { tr {
                    td { (e.id) }
                    td { (clock::fmt_local(chrono::DateTime::parse_from_rfc3339(&e.at).map(|d| d.timestamp_millis()).unwrap_or(0))) br; span.muted { (e.ip) } }
                    td { a href=(format!("/admin/audit?actor={}", url_encode(&e.actor))) {
                        (e.actor_id.and_then(|id| names.get(&id)).unwrap_or(&e.actor)) } }
                    td { (action_words(&s, &ctx, e)) }
                    td { a href=(format!("/admin/audit?kind={}&record_id={}", url_encode(&e.record_kind), e.record_id.unwrap_or(0))) { (record_words(&ctx, &e.record_kind)) " #" (e.record_id.map(|v| v.to_string()).unwrap_or_default()) } }
                    td colspan="2" { (changes(e.before.as_ref(), e.after.as_ref())) }
                } } }
            } }
            div.pager { @if let Some(h) = older { a href=(h) { (ctx.t("pf-older")) } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-audit"), Section::Audit, body).into_response())
}

/// What was done, in words: a transition by its name in the record's process, other
/// actions by their message (`action-<action>`), else the code.
fn action_words(s: &AppState, ctx: &Ctx, e: &AuditEntry) -> String {
    if let Some(t) = e.action.strip_prefix("transition:") {
        let named = s
            .processes
            .get(&e.record_kind)
            .ok()
            .and_then(|p| p.transition(t).map(|t| (t.name.clone(), t.name_en.clone())));
        if let Some((zh, en)) = named {
            return if ctx.lang == i18n::Lang::En { en } else { zh };
        }
    }
    i18n::lookup(ctx.lang, &format!("action-{}", e.action)).map_or_else(|| e.action.clone(), str::to_owned)
}

/// A kind of record in words (`record-<kind>`, from the folder that keeps it), else the code.
fn record_words(ctx: &Ctx, kind: &str) -> String {
    i18n::lookup(ctx.lang, &format!("record-{kind}")).map_or_else(|| kind.to_owned(), str::to_owned)
}

fn plain(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields a change touched, each as before → after; a record created or removed
/// shows its fields on one side.
fn changes(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Markup {
    if !before.is_some_and(|v| v.is_object()) && !after.is_some_and(|v| v.is_object()) {
        return html! { @if before.is_some() || after.is_some() { (plain(before)) " → " (plain(after)) } };
    }
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_object()).unwrap_or(&empty).clone();
    let (b, a) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let changed: Vec<(&String, String, String)> =
        keys.into_iter().filter(|k| b.get(*k) != a.get(*k)).map(|k| (k, plain(b.get(k)), plain(a.get(k)))).collect();
    html! {
        @if !changed.is_empty() {
            dl.changes { @for (k, was, now) in &changed {
                dt { (k) } dd { @if before.is_some() { del { (was) } " → " } ins { (now) } }
            } }
        }
    }
}
