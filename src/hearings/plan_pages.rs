//! The plan pages: the list (paged, filtered, exported), a new plan, and one plan with its
//! goals, its versions and any two compared, its hearings, its commitments and how they
//! are delivered, and its stage.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::api::{self, PlanDetail};
use super::diff;
use super::plans::{self, Goal, KINDS, Plan, PlanFilter, PlanInput, VersionInput};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, TransitionForm, attempt, error, value, with_repeated};
use crate::kernel::web::layout::{
    self, Section, checks_field, choose_field, csrf_field, error_banner, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub const SECTION: Section = Section::Of("plans");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/new", get(new_form))
        .route("/plans/figures", get(super::hearing_pages::figures_page))
        .route("/plans/{id}", get(show))
        .route("/plans/{id}/versions", post(add_version))
        .route("/plans/{id}/compare", get(compare))
        .route("/plans/{id}/transition", post(transition))
}

pub fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let tabs = [("/plans", "hr-plans"), ("/hearings", "hr-hearings"), ("/plans/figures", "hr-figures")];
    html! {
        nav.tabs aria-label=(ctx.t("m4")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

pub fn may_manage(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManagePlans))
}

fn state_name(s: &AppState, ctx: &Ctx, state: &str) -> String {
    s.rules(&super::PLAN).map(|r| r.process.state_name(state, ctx.lang)).unwrap_or_else(|_| state.to_owned())
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<PlanFilter>) -> AppResult<Response> {
    ctx.require(Action::ViewPlans)?;
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewPlans, move |tx, _| plans::list(tx, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "title",
            ctx.t("hr-plan"),
            |p: &Plan| html! { a href=(format!("/plans/{}", p.id)) { (p.title) } },
            |p| p.title.clone(),
        )
        .sorts("title")
        .text("kind", ctx.t("hr-plan-kind"), |p| ctx.t(&format!("hr-kind-{}", p.kind)).to_owned())
        .text("state", ctx.t("hr-stage"), |p| state_name(&s, &ctx, &p.state))
        .sorts("state")
        .text("leader", ctx.t("hr-lead-leader"), |p| p.leader_name.clone())
        .text("version", ctx.t("hr-version"), |p| format!("v{}", p.version))
        .exported("updated", ctx.t("common-updated_at"), |p| fmt_local(p.updated_at));
    respond(&p, "plans", &table, &page.items, || {
        let extra = vec![("state", f.state.clone().unwrap_or_default()), ("kind", f.kind.clone().unwrap_or_default())];
        let mut kinds = vec![(String::new(), ctx.t("common-all").to_owned())];
        kinds.extend(KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("hr-kind-{k}")).to_owned())));
        let body = html! {
            (tabs(&ctx, "/plans"))
            @if may_manage(&ctx) { div.actions { a.button href="/plans/new" { (ctx.t("hr-new-plan")) } } }
            form.filters method="get" action="/plans" {
                (text_field(&ctx, "q", ctx.t("hr-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "kind", ctx.t("hr-plan-kind"), &kinds, f.kind.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("hr-no-plans")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("m4"), SECTION, body).into_response()
    })
}

const GOAL_ROWS: usize = 5;

fn input_of(f: &Fields, departments: Vec<i64>) -> AppResult<PlanInput> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let goals = (0..GOAL_ROWS)
        .map(|n| Goal { goal: text(&format!("goal_{n}")), target: text(&format!("target_{n}")) })
        .filter(|g| !g.goal.trim().is_empty())
        .collect();
    Ok(PlanInput {
        kind: text("kind"),
        title: text("title"),
        summary: text("summary"),
        leader_id: text("leader_id").trim().parse().map_err(|_| AppError::invalid("required", "leader_id"))?,
        owner_department_id: text("owner_department_id").trim().parse().ok(),
        department_ids: departments,
        goals,
        body: text("body"),
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManagePlans)?;
    let (leaders, departments) = s
        .look(ctx, Action::ManagePlans, |tx, _| {
            let leaders = tx
                .query("SELECT id, display_name FROM users WHERE role = 'leader' AND active = 1 ORDER BY id", &[])?
                .iter()
                .map(|r| Ok((r.int(0)?.to_string(), r.text(1)?)))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((leaders, crate::org::departments::options(tx)?))
        })
        .await?;
    let departments: Vec<(String, String)> = departments.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let f = "plan";
    let err = error(retry, f);
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("hr-kind-{k}")).to_owned())).collect();
    let mut owners = vec![(String::new(), ctx.t("hr-city-offensive").to_owned())];
    owners.extend(departments.iter().cloned());
    let body = html! {
        form.stack method="post" action="/plans" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (choose_field(ctx, "kind", ctx.t("hr-plan-kind"), &kinds, value(retry, f, "kind", "offensive"), true, err))
            (text_field(ctx, "title", ctx.t("hr-plan"), value(retry, f, "title", ""), err, true))
            (choose_field(ctx, "leader_id", ctx.t("hr-lead-leader"), &leaders, value(retry, f, "leader_id", ""), true, err))
            (select_field(ctx, "owner_department_id", ctx.t("hr-owner"), &owners, value(retry, f, "owner_department_id", ""), err))
            (checks_field("department_ids", ctx.t("hr-departments"), &departments, &[]))
            label.field { span { (ctx.t("hr-summary")) } textarea name="summary" rows="3" { (value(retry, f, "summary", "")) } }
            fieldset { legend { (ctx.t("hr-goals")) }
                @for n in 0..GOAL_ROWS {
                    div.item-row {
                        (text_field(ctx, &format!("goal_{n}"), ctx.t("hr-goal"), value(retry, f, &format!("goal_{n}"), ""), None, false))
                        (text_field(ctx, &format!("target_{n}"), ctx.t("hr-target"), value(retry, f, &format!("target_{n}"), ""), None, false))
                    }
                }
            }
            label.field { span { (ctx.t("hr-body")) " " span.muted { (ctx.t("hr-body-hint")) } } textarea name="body" rows="14" { (value(retry, f, "body", "")) } }
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/plans" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("hr-new-plan"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, departments) = with_repeated(&ctx, &body, "department_ids")?;
    let (user, rules) = (ctx.require(Action::ManagePlans)?.clone(), s.rules(&super::PLAN)?);
    match attempt(&s, &ctx, Action::ManagePlans, "plan", form, move |tx, who, fields: Fields| {
        plans::create(tx, who, &user, &rules, &input_of(&fields, departments)?)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

pub fn delivery_badge(ctx: &Ctx, delivery: &str) -> Markup {
    let tone = match delivery {
        "on_time" => "green",
        "late" | "overdue" => "red",
        _ => "",
    };
    layout::badge(ctx.t(&format!("hr-delivery-{delivery}")), tone)
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPlans)?.clone();
    let now = ctx.now;
    let (d, history) = s
        .look(ctx, Action::ViewPlans, move |tx, _| {
            Ok((api::plan_detail(tx, &user, id, now)?, crate::kernel::workflow::history(tx, "plan", id)?))
        })
        .await?;
    let PlanDetail { plan, relations, versions, hearings, commitments, delivery } = &d;
    let rules = s.rules(&super::PLAN)?;
    let rel: Vec<&str> = relations.iter().map(String::as_str).collect();
    let available = rules.process.available(&plan.state, &rel);
    let latest = versions.last();
    let body = html! {
        (tabs(ctx, "/plans"))
        (error_banner(ctx, retry.map(|r| &r.err)))
        div.card { dl.facts {
            dt { (ctx.t("hr-stage")) } dd { (rules.process.state_name(&plan.state, ctx.lang)) }
            dt { (ctx.t("hr-plan-kind")) } dd { (ctx.t(&format!("hr-kind-{}", plan.kind))) @if let Some(o) = &plan.owner_department_name { " · " (o) } }
            dt { (ctx.t("hr-lead-leader")) } dd { (plan.leader_name) }
            dt { (ctx.t("hr-departments")) } dd { (plan.departments.iter().map(|d| d.1.as_str()).collect::<Vec<_>>().join("、")) }
            @if !plan.summary.is_empty() { dt { (ctx.t("hr-summary")) } dd { (plan.summary) } }
        } }
        @if !plan.goals.is_empty() {
            h2 { (ctx.t("hr-goals")) }
            table.data { thead { tr { th { (ctx.t("hr-goal")) } th { (ctx.t("hr-target")) } } }
                tbody { @for g in &plan.goals { tr { td data-label=(ctx.t("hr-goal")) { (g.goal) } td data-label=(ctx.t("hr-target")) { (g.target) } } } } }
        }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/plans/{}/transition", plan.id), &available, |_| html! {}))
        }
        h2 { (ctx.t("hr-versions")) }
        @if versions.is_empty() { (layout::empty_state(ctx.t("hr-no-versions"))) } @else {
            table.data { thead { tr { th { (ctx.t("hr-version")) } th { (ctx.t("hr-version-note")) } th { (ctx.t("common-updated_at")) } th {} } }
                tbody { @for v in versions { tr {
                    td data-label=(ctx.t("hr-version")) { "v" (v.version) @if plan.defended_version == Some(v.version) { " " (layout::badge(ctx.t("hr-defended-version"), "")) } }
                    td data-label=(ctx.t("hr-version-note")) { (v.note) }
                    td data-label=(ctx.t("common-updated_at")) { (fmt_local(v.created_at)) " · " (v.created_by) }
                    td { @if v.version > 1 { a href=(format!("/plans/{}/compare?from={}&to={}", plan.id, v.version - 1, v.version)) { (ctx.t("hr-compare-previous")) } } }
                } } } }
            @if let Some(v) = latest {
                details.panel { summary { (ctx.t("hr-text")) " v" (v.version) }
                    ol.paragraphs { @for p in diff::paragraphs(&v.body) { li { (p) } } } }
            }
        }
        @if !relations.is_empty() && plan.state != "adopted" {
            details.panel open[error(retry, "version").is_some()] {
                summary { (ctx.t("hr-new-version")) }
                form.stack method="post" action=(format!("/plans/{}/versions", plan.id)) {
                    (csrf_field(ctx))
                    label.field { span { (ctx.t("hr-body")) } textarea name="body" rows="14" required { (value(retry, "version", "body", &latest.map(|v| v.body.clone()).unwrap_or_default())) } }
                    (text_field(ctx, "note", ctx.t("hr-version-note"), value(retry, "version", "note", ""), None, false))
                    div { button type="submit" { (ctx.t("hr-save-version")) } }
                }
            }
        }
        h2 { (ctx.t("hr-hearings")) }
        @if may_manage(ctx) && !relations.is_empty() { p { a.button.secondary href=(format!("/hearings/new?plan_id={}", plan.id)) { (ctx.t("hr-new-hearing")) } } }
        @if hearings.is_empty() { (layout::empty_state(ctx.t("hr-no-hearings"))) }
        ul { @for h in hearings { li { a href=(format!("/hearings/{}", h.id)) { (h.title) } " · " (fmt_local(h.starts_at)) " · " (ctx.t(&format!("hr-kind-{}", h.kind))) } } }
        h2 { (ctx.t("hr-commitments")) " " span.muted { (ctx.t("hr-delivery-summary").replace("{n}", &delivery.commitments.to_string()).replace("{on_time}", &delivery.on_time.to_string()).replace("{overdue}", &delivery.overdue.to_string())) } }
        @if commitments.is_empty() { (layout::empty_state(ctx.t("hr-no-commitments"))) } @else {
            table.data { thead { tr { th { (ctx.t("hr-commitment")) } th { (ctx.t("hr-department")) } th { (ctx.t("hr-deadline")) } th { (ctx.t("hr-delivery")) } } }
                tbody { @for c in commitments { tr {
                    td data-label=(ctx.t("hr-commitment")) { (c.content) }
                    td data-label=(ctx.t("hr-department")) { (c.department_name) " · " (c.assignee_name) }
                    td data-label=(ctx.t("hr-deadline")) { (c.deadline) }
                    td data-label=(ctx.t("hr-delivery")) { (delivery_badge(ctx, &c.delivery)) @if let Some(t) = c.task_id { " " a href=(format!("/tasks/{t}")) { (ctx.t("hr-task")) } } }
                } } } }
        }
        h2 { (ctx.t("common-history")) }
        (layout::history(ctx, &rules.process, &history))
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &plan.title, SECTION, body)).into_response())
}

async fn add_version(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::ManagePlans)?.clone();
    match attempt(&s, &ctx, Action::ManagePlans, "version", form, move |tx, who, input: VersionInput| {
        plans::add_version(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(v) => Ok(Redirect::to(&format!("/plans/{id}/compare?from={}&to={}", (v.version - 1).max(1), v.version))
            .into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn transition(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::ManagePlans)?.clone(), s.rules(&super::PLAN)?);
    match attempt(&s, &ctx, Action::ManagePlans, "transition", form, move |tx, who, t: TransitionForm| {
        plans::transition(tx, who, &user, &rules, id, &t.transition, t.note.as_deref())
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

#[derive(Debug, Deserialize)]
struct Versions {
    from: Option<i64>,
    to: Option<i64>,
}

/// Any two versions side by side as one text: removed runs struck through, added ones
/// underlined, unchanged paragraphs folded.
async fn compare(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Q(q): Q<Versions>) -> AppResult<Response> {
    ctx.require(Action::ViewPlans)?;
    let (plan, versions) =
        s.look(&ctx, Action::ViewPlans, move |tx, _| Ok((plans::find(tx, id)?, plans::versions(tx, id)?))).await?;
    let last = versions.last().map_or(1, |v| v.version);
    let (from, to) = (q.from.unwrap_or((last - 1).max(1)), q.to.unwrap_or(last));
    let find = |n: i64| versions.iter().find(|v| v.version == n).ok_or(AppError::NotFound);
    let (a, b) = (find(from)?, find(to)?);
    let paragraphs = diff::compare(&a.body, &b.body);
    let choices: Vec<(String, String)> =
        versions.iter().map(|v| (v.version.to_string(), format!("v{}", v.version))).collect();
    let body = html! {
        (tabs(&ctx, "/plans"))
        form.filters method="get" action=(format!("/plans/{id}/compare")) {
            (select_field(&ctx, "from", ctx.t("hr-compare-from"), &choices, &from.to_string(), None))
            (select_field(&ctx, "to", ctx.t("hr-compare-to"), &choices, &to.to_string(), None))
            button type="submit" { (ctx.t("hr-compare")) }
        }
        p.muted { (ctx.t("hr-compare-legend")) }
        div.card.diff { @for p in &paragraphs {
            p class=(format!("diff-{}", p.op)) { @for s in &p.spans {
                @match s.op { "removed" => { del { (s.text) } } "added" => { ins { (s.text) } } _ => { (s.text) } }
            } }
        } }
        p { a href=(format!("/plans/{id}")) { (ctx.t("common-back")) } " · " (plan.title) }
    };
    Ok(layout::page(&ctx, &format!("{} · v{from} → v{to}", plan.title), SECTION, body).into_response())
}
