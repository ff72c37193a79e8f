//! Process definitions: read by anyone in government, drawn as state diagrams, and
//! replaceable by administrators (validated before they take effect).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{PreEscaped, html};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::web::form::Fields;
use crate::kernel::web::layout::{self, Section, csrf_field};
use crate::kernel::web::{ApiJson, AppState, Can, CsrfForm, Ctx, need};
use crate::kernel::workflow::{self, Process, diagram};
use crate::params;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get_one, replace))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/processes", get(index)).route("/admin/processes/{kind}", get(show).post(submit))
}

#[utoipa::path(get, path = "/api/v1/processes", tag = "processes", responses((status = 200, body = Vec<Process>)))]
async fn list(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Process>>> {
    ctx.require(Action::ViewProcesses)?;
    Ok(Json(s.processes.all().iter().map(|p| p.as_ref().clone()).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcessSource {
    pub process: Process,
    /// The definition as TOML.
    pub definition: String,
    /// True when an administrator's override is in force.
    pub overridden: bool,
}

async fn source(s: &AppState, kind: &str) -> AppResult<ProcessSource> {
    let spec = s.processes.spec(kind).ok_or(AppError::NotFound)?;
    let k = spec.kind;
    let text =
        s.db.read(move |tx| {
            Ok(tx
                .query_opt("SELECT definition FROM process_overrides WHERE kind = $1", params![k])?
                .map(|r| r.text(0))
                .transpose()?)
        })
        .await?;
    Ok(ProcessSource {
        process: s.processes.get(kind)?.as_ref().clone(),
        overridden: text.is_some(),
        definition: text.unwrap_or_else(|| spec.builtin.to_owned()),
    })
}

#[utoipa::path(get, path = "/api/v1/processes/{kind}", tag = "processes", responses((status = 200, body = ProcessSource), (status = 404)))]
async fn get_one(State(s): State<AppState>, ctx: Ctx, Path(kind): Path<String>) -> AppResult<Json<ProcessSource>> {
    ctx.require(Action::ViewProcesses)?;
    source(&s, &kind).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DefinitionInput {
    /// The new definition as TOML; `null` goes back to the shipped one.
    pub definition: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problems {
    pub problems: Vec<String>,
}

/// Check a definition and store it: records in a state it drops would be stranded.
fn store(tx: &mut Tx<'_>, who: &Who, s: &AppState, kind: &str, text: Option<&str>) -> AppResult<Process> {
    let spec = s.processes.spec(kind).ok_or(AppError::NotFound)?;
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let p = workflow::parse(spec, text.unwrap_or(spec.builtin))
        .map_err(|errs| AppError::invalid_detail("bad_process", "definition", errs.join("; ")))?;
    let sql = format!("SELECT DISTINCT state FROM {}", spec.table);
    for r in tx.query(&sql, &[])? {
        let state = r.text(0)?;
        if p.state(&state).is_none() {
            return Err(AppError::invalid_detail(
                "bad_process",
                "definition",
                format!("records are in state {state:?}, which it drops"),
            ));
        }
    }
    tx.execute("DELETE FROM process_overrides WHERE kind = $1", params![spec.kind])?;
    if let Some(t) = text {
        tx.execute(
            "INSERT INTO process_overrides (kind, definition, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
            params![spec.kind, t, who.actor.as_str(), who.now],
        )?;
    }
    crate::kernel::analytics::versions::record(tx, who, spec.kind, text.unwrap_or(spec.builtin))?;
    audit::record(
        tx,
        who,
        Change {
            action: if text.is_some() { "override" } else { "revert" },
            kind: "process",
            id: None,
            before: Some(serde_json::json!({ "kind": spec.kind })),
            after: text.map(|t| serde_json::json!({ "definition": t })),
        },
    )?;
    Ok(p)
}

/// Replace a process definition (administrators); it is validated first and takes effect
/// at once.
#[utoipa::path(put, path = "/api/v1/processes/{kind}", tag = "processes", request_body = DefinitionInput,
    responses((status = 200, body = Process), (status = 403), (status = 422)))]
async fn replace(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageProcesses>,
    Path(kind): Path<String>,
    ApiJson(input): ApiJson<DefinitionInput>,
) -> AppResult<Json<Process>> {
    let st = s.clone();
    let p = s
        .change(&ctx, Action::ManageProcesses, move |tx, who| store(tx, who, &st, &kind, input.definition.as_deref()))
        .await?;
    s.processes.replace(p.clone())?;
    Ok(Json(p))
}

async fn index(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewProcesses)?;
    let zh = ctx.lang == Lang::Zh;
    let body = html! {
        p.muted { (ctx.t("pf-each-record-kind-s-process")) }
        @for p in s.processes.all() {
            div.card {
                h3 { a href=(format!("/admin/processes/{}", p.kind)) { (if zh { &p.name } else { &p.name_en }) } }
                div.diagram { (PreEscaped(diagram::svg(&p, ctx.lang))) }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pf-processes"), Section::Processes, body).into_response())
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(kind): Path<String>) -> AppResult<Response> {
    render(&s, &ctx, &kind, None, None).await
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    kind: &str,
    typed: Option<&str>,
    err: Option<&AppError>,
) -> AppResult<Response> {
    ctx.require(Action::ViewProcesses)?;
    let src = source(s, kind).await?;
    let p = &src.process;
    let zh = ctx.lang == Lang::Zh;
    let admin = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, Action::ManageProcesses));
    let body = html! {
        @if let Some(e) = err { div.alert { (ctx.t(e.code())) @if let Some(d) = e.detail() { ": " (d) } } }
        p { a href=(format!("/admin/processes/{}/analytics", p.kind)) { (ctx.t("pa-title")) " →" } }
        div.diagram { (PreEscaped(diagram::svg(p, ctx.lang))) }
        h2 { (ctx.t("pf-transitions")) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("pf-transition")) } th { (ctx.t("pf-from-2")) } th { (ctx.t("pf-to-2")) } th { (ctx.t("pf-by")) } th { (ctx.t("pf-notifies")) } } }
            tbody { @for t in &p.transitions { tr {
                td { (if zh { &t.name } else { &t.name_en }) " " code { (t.id) } @if t.needs_note { " " (layout::badge(ctx.t("pf-note-required"), "yellow")) } }
                td { (t.from.iter().map(|f| p.state_name(f, ctx.lang)).collect::<Vec<_>>().join("、")) }
                td { (p.state_name(&t.to, ctx.lang)) }
                td { (t.by.join(", ")) }
                td { (t.notify.join(", ")) }
            } } }
        } }
        @if !p.timing.running.is_empty() {
            p.muted { (ctx.t("pf-deadline-rules-yellow-within")) (p.timing.yellow_working_days) (ctx.t("pf-working-days-red-when-overdue")) (p.timing.remind_working_days_before) (ctx.t("pf-working-days-before")) @if p.timing.escalate_overdue { (ctx.t("pf-overdue-tasks-escalate-to-the")) } }
        }
        @if admin {
            h2 { (ctx.t("pf-edit-the-definition")) @if src.overridden { " " (layout::badge(ctx.t("pf-overridden"), "yellow")) } }
            form.stack method="post" action=(format!("/admin/processes/{}", p.kind)) {
                (csrf_field(ctx))
                textarea name="definition" rows="24" spellcheck="false" { (typed.unwrap_or(&src.definition)) }
                div.actions {
                    button type="submit" { (ctx.t("common-save")) }
                    button.secondary type="submit" name="revert" value="true" { (ctx.t("pf-revert-to-shipped")) }
                }
            }
        }
    };
    let status = err.map_or(StatusCode::OK, AppError::status);
    let title = format!("{} · {}", ctx.t("pf-process"), if zh { &p.name } else { &p.name_en });
    Ok((status, layout::page(ctx, &title, Section::Processes, body)).into_response())
}

async fn submit(State(s): State<AppState>, Path(kind): Path<String>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    ctx.require(Action::ManageProcesses)?;
    let revert = form.get("revert").is_some_and(|v| v == "true");
    let text = if revert { None } else { form.get("definition").cloned() };
    let (st, k, t) = (s.clone(), kind.clone(), text.clone());
    match s.change(&ctx, Action::ManageProcesses, move |tx, who| store(tx, who, &st, &k, t.as_deref())).await {
        Ok(p) => {
            s.processes.replace(p)?;
            Ok(Redirect::to(&format!("/admin/processes/{kind}")).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => render(&s, &ctx, &kind, text.as_deref(), Some(&e)).await,
        Err(e) => Err(e),
    }
}
