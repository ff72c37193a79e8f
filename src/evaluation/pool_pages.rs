//! Pages of the unfit-staff pool: the list with the return form, and one case with its
//! plan, assessments, the member's response and the decisions.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::pool::{self, AssessmentInput, Plan, PoolCase, Proposal, Step};
use crate::kernel::access::{Action, Role};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::ListParams;
use crate::kernel::web::table::{self, Table};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};
use crate::kernel::workflow::Process;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluation/pool", get(list).post(propose))
        .route("/evaluation/pool/{id}", get(show).post(step))
        .route("/evaluation/pool/{id}/plan", post(plan))
        .route("/evaluation/pool/{id}/assessments", post(assess))
        .route("/evaluation/pool/{id}/response", post(respond))
}

fn state_badge(s: &AppState, state: &str, lang: Lang) -> AppResult<maud::Markup> {
    let p = s.processes.get(super::POOL_CASE.kind)?;
    Ok(badge(&p.state_name(state, lang), if p.is_final(state) { "green" } else { "yellow" }))
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    format: Option<String>,
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(q): Q<ListQuery>) -> AppResult<Response> {
    render_list(&s, &ctx, None, &ListParams { format: q.format, ..Default::default() }).await
}

/// The pool's list: shown on the page and exported in full (reasons and the member's
/// response included).
fn case_table<'a>(ctx: &'a Ctx, process: &'a Process) -> Table<'a, PoolCase> {
    let plan =
        |c: &PoolCase| c.plan_kind.as_deref().map(|k| ctx.t(&format!("pool-{k}")).to_owned()).unwrap_or_default();
    Table::new()
        .column(
            "member",
            ctx.t("ev-member-3"),
            |c: &PoolCase| html! { a href=(format!("/evaluation/pool/{}", c.id)) { (c.staff_name) } },
            |c| c.staff_name.clone(),
        )
        .text("division", ctx.t("common-division"), |c| c.division_name.clone())
        .column(
            "state",
            ctx.t("common-status"),
            |c| badge(&process.state_name(&c.state, ctx.lang), if process.is_final(&c.state) { "green" } else { "yellow" }),
            |c| process.state_name(&c.state, ctx.lang),
        )
        .column(
            "plan",
            ctx.t("ev-plan"),
            move |c| html! { @if c.plan_kind.is_some() { (plan(c)) " " (c.start_date.clone().unwrap_or_default()) "–" (c.end_date.clone().unwrap_or_default()) } },
            move |c| plan(c),
        )
        .exported("start", ctx.t("col-start"), |c| c.start_date.clone().unwrap_or_default())
        .exported("end", ctx.t("col-end"), |c| c.end_date.clone().unwrap_or_default())
        .exported("reasons", ctx.t("col-reasons"), |c| c.reasons.clone())
        .exported("response", ctx.t("col-response"), |c| c.response.clone())
        .text("created", ctx.t("common-created_at"), |c| fmt_local(c.created_at))
}

async fn render_list(s: &AppState, ctx: &Ctx, retry: Option<&Retry>, p: &ListParams) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let u = user.clone();
    let (cases, members) = s
        .look(ctx, Action::ViewEvaluation, move |tx, _| {
            let members: Vec<(String, String)> = if u.role == Role::DivisionHead {
                tx.query(
                    "SELECT id, display_name FROM users WHERE division_id = $1 AND active = 1 AND id <> $2 ORDER BY display_name",
                    crate::params![u.division_id.unwrap_or(-1), u.id],
                )?
                .iter()
                .map(|r| Ok((r.int(0)?.to_string(), r.text(1)?)))
                .collect::<AppResult<_>>()?
            } else {
                Vec::new()
            };
            Ok((pool::list(tx, &u)?, members))
        })
        .await?;
    let process = s.processes.get(super::POOL_CASE.kind)?;
    let table = case_table(ctx, &process);
    table::respond(p, "pool", &table, &cases, || {
        let f = "propose";
        let body = html! {
            p.muted { (ctx.t("ev-a-division-head-may-return")) }
            @if !members.is_empty() {
                details.panel open[error(retry, f).is_some()] {
                    summary { (ctx.t("ev-return-a-member")) }
                    form.stack method="post" action="/evaluation/pool" {
                        (csrf_field(ctx))
                        (error_banner(ctx, error(retry, f)))
                        (select_field(ctx, "staff_id", ctx.t("ev-member"), &members, value(retry, f, "staff_id", ""), error(retry, f)))
                        label.field { span { (ctx.t("ev-reasons")) } textarea name="reasons" rows="3" required { (value(retry, f, "reasons", "")) } }
                        label.field { span { (ctx.t("ev-evidence-ratings-interviews")) } textarea name="evidence" rows="2" { (value(retry, f, "evidence", "")) } }
                        div { button type="submit" { (ctx.t("ev-submit-for-approval")) } }
                    }
                }
            }
            p { a href="/evaluation/pool?format=csv" { (ctx.t("common-export_csv")) } " · " a href="/evaluation/pool?format=xlsx" { (ctx.t("common-export_xlsx")) } }
            (table.render(ctx, p, &[], &cases, ctx.t("ev-no-cases")))
        };
        let status = retry.map_or(StatusCode::OK, |r| r.err.status());
        (status, layout::page(ctx, ctx.t("ev-unfit-staff-pool"), Section::Of("evaluation"), body)).into_response()
    })
}

async fn propose(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "propose", form, move |tx, who, input: Proposal| {
        pool::propose(tx, who, &user, &input)
    })
    .await?
    {
        Ok(c) => Ok(Redirect::to(&format!("/evaluation/pool/{}", c.id)).into_response()),
        Err(retry) => render_list(&s, &ctx, Some(&retry), &ListParams::default()).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (port, env, now) = (s.registry.tasks().ok(), s.environment(), ctx.now);
    let (c, history, divisions, open_tasks): (PoolCase, _, _, _) = s
        .look(ctx, Action::ViewEvaluation, move |tx, u| {
            let c = pool::get(tx, u.ok_or(AppError::Unauthenticated)?, id)?;
            let open_tasks = match port {
                Some(p) if c.state == "training" => (p.open_of)(tx, c.staff_id, &env, now)?,
                _ => Vec::new(),
            };
            Ok((
                c,
                crate::kernel::workflow::history(tx, super::POOL_CASE.kind, id)?,
                crate::org::divisions::post_options(tx)?,
                open_tasks,
            ))
        })
        .await?;
    let user = ctx.user()?;
    let process = s.processes.get(super::POOL_CASE.kind)?;
    let rel = pool::relations(user, &c);
    let available = process.available(&c.state, &rel);

    let (fp, fa, fr, fs) = ("plan", "assessment", "response", "step");
    let kinds: Vec<(String, String)> =
        pool::PLAN_KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("pool-{k}")).to_owned())).collect();
    let results: Vec<(String, String)> =
        pool::RESULTS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("pool-{k}")).to_owned())).collect();
    let post_opts: Vec<(String, String)> = divisions.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
    let body = html! {
        (error_banner(ctx, error(retry, fs)))
        div.card { dl.facts {
            dt { (ctx.t("ev-member-3")) } dd { (c.staff_name) " · " (c.division_name) }
            dt { (ctx.t("common-status")) } dd { (state_badge(s, &c.state, ctx.lang)?) }
            dt { (ctx.t("ev-reasons-2")) } dd { (c.reasons) }
            @if !c.evidence.is_empty() { dt { (ctx.t("ev-evidence")) } dd { (c.evidence) } }
            @if let Some(k) = &c.plan_kind {
                dt { (ctx.t("ev-plan-2")) } dd { (ctx.t(&format!("pool-{k}"))) " " (c.start_date.clone().unwrap_or_default()) " – " (c.end_date.clone().unwrap_or_default())
                    @if !c.host_enterprise.is_empty() { " · " (c.host_enterprise) } @if !c.mentor.is_empty() { " · " (ctx.t("ev-mentor")) (c.mentor) } }
            }
            dt { (ctx.t("ev-member-s-response")) } dd { @if c.response.is_empty() { span.muted { (ctx.t("ev-none-yet")) } } @else { (c.response) } }
        } }
        @if !open_tasks.is_empty() {
            div.card {
                h3 { (ctx.t("ev-open-tasks-to-reassign")) }
                ul { @for (tid, title) in &open_tasks { li { a href=(format!("/tasks/{tid}")) { (title) } } } }
            }
        }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/evaluation/pool/{}", c.id), &available, |t| html! {
                @if t.id == "reassign" { (select_field(ctx, "post_id", ctx.t("ev-to-post"), &post_opts, "", None)) }
            }))
        }
        @if c.state == "training" && rel.contains(&"approver") {
            details.panel open[error(retry, fp).is_some()] {
                summary { (ctx.t("ev-training-plan")) }
                form.stack method="post" action=(format!("/evaluation/pool/{}/plan", c.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fp)))
                    (select_field(ctx, "plan_kind", ctx.t("common-kind"), &kinds, value(retry, fp, "plan_kind", c.plan_kind.as_deref().unwrap_or("study")), error(retry, fp)))
                    (text_field(ctx, "host_enterprise", ctx.t("ev-host-enterprise"), value(retry, fp, "host_enterprise", &c.host_enterprise), error(retry, fp), false))
                    (text_field(ctx, "mentor", ctx.t("ev-mentor-2"), value(retry, fp, "mentor", &c.mentor), error(retry, fp), false))
                    (layout::input_field(ctx, "date", "start_date", ctx.t("common-start_date"), value(retry, fp, "start_date", c.start_date.as_deref().unwrap_or("")), error(retry, fp), true))
                    (layout::input_field(ctx, "date", "end_date", ctx.t("common-end_date"), value(retry, fp, "end_date", c.end_date.as_deref().unwrap_or("")), error(retry, fp), true))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("ev-assessments")) }
        @if c.assessments.is_empty() { (layout::empty_state(ctx.t("ev-no-assessments-yet"))) }
        @else { ul { @for a in &c.assessments { li { (a.assessed_on) " · " (a.assessor) " · " strong { (ctx.t(&format!("pool-{}", a.result))) } " — " (a.note) } } } }
        @if c.state == "training" && (rel.contains(&"approver") || rel.contains(&"proposer")) {
            form.filters method="post" action=(format!("/evaluation/pool/{}/assessments", c.id)) {
                (csrf_field(ctx))
                (error_banner(ctx, error(retry, fa)))
                (layout::input_field(ctx, "date", "assessed_on", ctx.t("ev-date"), value(retry, fa, "assessed_on", ""), error(retry, fa), true))
                (select_field(ctx, "result", ctx.t("ev-result"), &results, value(retry, fa, "result", "improving"), error(retry, fa)))
                (text_field(ctx, "note", ctx.t("ev-note-3"), value(retry, fa, "note", ""), error(retry, fa), true))
                button type="submit" { (ctx.t("ev-record-2")) }
            }
        }
        @if rel.contains(&"member") {
            details.panel open[error(retry, fr).is_some()] {
                summary { (ctx.t("ev-my-response")) }
                form.stack method="post" action=(format!("/evaluation/pool/{}/response", c.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fr)))
                    textarea name="response" rows="3" required aria-label=(ctx.t("ev-response")) { (value(retry, fr, "response", &c.response)) }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("ev-record")) }
        (layout::history(ctx, &process, &history))
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((
        status,
        layout::page(ctx, &format!("{} · {}", ctx.t("ev-pool-case"), c.staff_name), Section::Of("evaluation"), body),
    )
        .into_response())
}

async fn step(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::POOL_CASE)?;
    match attempt(&s, &ctx, Action::ViewEvaluation, "step", form, move |tx, who, st: Step| {
        pool::transition(tx, who, &user, &rules, id, &st)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/pool/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn plan(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "plan", form, move |tx, who, p: Plan| {
        pool::set_plan(tx, who, &user, id, &p)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/pool/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn assess(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "assessment", form, move |tx, who, a: AssessmentInput| {
        pool::assess(tx, who, &user, id, &a)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/pool/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

#[derive(serde::Deserialize)]
struct ResponseForm {
    response: String,
}

async fn respond(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "response", form, move |tx, who, r: ResponseForm| {
        pool::respond(tx, who, &user, id, &r.response)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/pool/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}
