//! The platform pages: the list with what each multiplied, a new platform, and one
//! platform with the cohorts it is entrusted with, their members and who qualified.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::platforms::{self, CohortInput, KINDS, Platform, PlatformInput, Qualification};
use super::project_pages::{
    SECTION, as_choices as options, enterprise_fields, id_field, may_record, named_of, tabs, text_of,
};
use crate::kernel::access::Action;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate::fen_in_words;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/investment/platforms", get(list).post(create))
        .route("/investment/platforms/{id}", get(show).post(update))
        .route("/investment/platforms/{id}/cohorts", post(entrust))
        .route("/investment/cohorts/{id}/members", post(add_member))
        .route("/investment/cohorts/{id}/members/{enterprise}", post(qualify))
}

fn kind_name(ctx: &Ctx, kind: &str) -> String {
    ctx.t(&format!("inv-platform-kind-{kind}")).to_owned()
}

fn platform_fields(ctx: &Ctx, p: Option<&Platform>, departments: &[(String, String)], retry: Option<&Retry>) -> Markup {
    let f = "platform";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let kinds: Vec<(String, String)> = KINDS.iter().map(|k| ((*k).to_owned(), kind_name(ctx, k))).collect();
    let mine = ctx.user.as_ref().and_then(|u| u.department_id).map(|d| d.to_string()).unwrap_or_default();
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "name", ctx.t("common-name"), &was("name", p.map(|p| p.name.clone()).unwrap_or_default()), err, true))
        (select_field(ctx, "kind", ctx.t("inv-platform-kind"), &kinds, &was("kind", p.map_or("enterprise".to_owned(), |p| p.kind.clone())), err))
        (text_field(ctx, "aggregates", ctx.t("inv-aggregates"), &was("aggregates", p.map(|p| p.aggregates.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "sectors", ctx.t("inv-sectors"), &was("sectors", p.map(|p| p.sectors.clone()).unwrap_or_default()), err, false))
        (layout::picker_field(ctx, "department_id", ctx.t("inv-department"), departments, &was("department_id", p.map_or(mine, |p| p.department_id.to_string())), err, &Pick::UNIT))
    }
}

fn input_of(f: &Fields) -> AppResult<PlatformInput> {
    Ok(PlatformInput {
        name: text_of(f, "name"),
        kind: text_of(f, "kind"),
        aggregates: text_of(f, "aggregates"),
        sectors: text_of(f, "sectors"),
        department_id: id_field(f, "department_id")?.ok_or(AppError::invalid("required", "department_id"))?,
        enterprise_id: id_field(f, "enterprise_id")?,
    })
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>) -> AppResult<Response> {
    list_page(&s, &ctx, p, None).await
}

async fn list_page(s: &AppState, ctx: &Ctx, p: ListParams, retry: Option<&Retry>) -> AppResult<Response> {
    let pq = p.clone();
    let (page, departments) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            Ok((platforms::list(tx, &pq)?, crate::org::departments::options(tx)?))
        })
        .await?;
    let table = Table::new()
        .column(
            "name",
            ctx.t("common-name"),
            |p: &Platform| html! { a href=(format!("/investment/platforms/{}", p.id)) { (p.name) } },
            |p| p.name.clone(),
        )
        .sorts("name")
        .text("kind", ctx.t("inv-platform-kind"), |p| kind_name(ctx, &p.kind))
        .text("aggregates", ctx.t("inv-aggregates"), |p| p.aggregates.clone())
        .text("projects", ctx.t("inv-projects"), |p| p.projects.to_string())
        .sorts("projects")
        .column(
            "amount",
            ctx.t("inv-amount"),
            |p| html! { (fen_in_words(p.amount_fen)) },
            |p| format!("{:.2}", p.amount_fen as f64 / 100.0),
        )
        .sorts("amount")
        .exported("sectors", ctx.t("inv-sectors"), |p| p.sectors.clone())
        .exported("department", ctx.t("inv-department"), |p| p.department_name.clone());
    respond(&p, "platforms", &table, &page.items, || {
        let departments = options(departments);
        let body = html! {
            (tabs(ctx, "/investment/platforms"))
            @if may_record(ctx) {
                details.panel open[retry.is_some()] {
                    summary { (ctx.t("inv-new-platform")) }
                    form.stack method="post" action="/investment/platforms" {
                        (csrf_field(ctx))
                        (platform_fields(ctx, None, &departments, retry))
                        div { button type="submit" { (ctx.t("common-save")) } }
                    }
                }
            }
            (table.render(ctx, &p, &[], &page.items, ctx.t("inv-no-platforms")))
            (pager(ctx, &p, &[], page.total))
        };
        let status = retry.map_or(StatusCode::OK, |r| r.err.status());
        (status, layout::page(ctx, ctx.t("inv-platforms"), SECTION, body)).into_response()
    })
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "platform", form, move |tx, who, f: Fields| {
        platforms::create(tx, who, &user, &input_of(&f)?)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/investment/platforms/{}", p.id)).into_response()),
        Err(retry) => list_page(&s, &ctx, ListParams::default(), Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (p, cohorts, departments) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            let cohorts = platforms::cohorts(tx, id)?;
            let mut with_members = Vec::new();
            for c in cohorts {
                let members = platforms::members(tx, c.id, &ListParams::default())?;
                with_members.push((c, members));
            }
            Ok((platforms::find(tx, id)?, with_members, crate::org::departments::options(tx)?))
        })
        .await?;
    let changes =
        may_record(ctx) && ctx.user.as_ref().is_some_and(|u| super::projects::may_record_for(u, p.department_id));
    let cf = "cohort";
    let body = html! {
        (tabs(ctx, "/investment/platforms"))
        div.card { dl.facts {
            dt { (ctx.t("inv-platform-kind")) } dd { (kind_name(ctx, &p.kind)) }
            dt { (ctx.t("inv-aggregates")) } dd { (p.aggregates) }
            dt { (ctx.t("inv-sectors")) } dd { (p.sectors) }
            dt { (ctx.t("inv-projects")) } dd {
                a href=(format!("/investment?platform_id={}", p.id)) { (ctx.t_args("inv-projects-count", &[("count", &p.projects.to_string())])) }
                " · " (fen_in_words(p.amount_fen))
            }
            dt { (ctx.t("inv-department")) } dd { (p.department_name) }
        } }
        h2 { (ctx.t("inv-cohorts")) }
        @if cohorts.is_empty() { (layout::empty_state(ctx.t("inv-no-cohorts"))) }
        @for (c, members) in &cohorts {
            section.card {
                h3 { (c.name) }
                p.muted { (ctx.t("inv-entrusted-on")) " " (c.entrusted_on) " · " (ctx.t("inv-opened")) " " (c.opened) }
                p { (ctx.t_args("inv-cohort-progress", &[("members", &c.members.to_string()), ("target", &c.target.to_string()), ("qualified", &c.qualified.to_string())])) }
                @if c.target > 0 { progress max=(c.target) value=(c.qualified) aria-label=(ctx.t("inv-qualified")) {} }
                div.table-wrap { table.list {
                    thead { tr { th { (ctx.t("inv-enterprise")) } th { (ctx.t("inv-joined-on")) } th { (ctx.t("inv-qualified-on")) } } }
                    tbody { @for m in &members.items { tr {
                        td data-label=(ctx.t("inv-enterprise")) { div.cell { a href=(format!("/enterprises/{}", m.enterprise_id)) { (m.enterprise_name) } } }
                        td data-label=(ctx.t("inv-joined-on")) { div.cell { (m.joined_on) } }
                        td data-label=(ctx.t("inv-qualified-on")) { div.cell {
                            @if changes {
                                form.inline method="post" action=(format!("/investment/cohorts/{}/members/{}", c.id, m.enterprise_id)) {
                                    (csrf_field(ctx))
                                    input type="date" name="qualified_on" value=(m.qualified_on.clone().unwrap_or_default()) aria-label=(ctx.t("inv-qualified-on"));
                                    button.secondary type="submit" { (ctx.t("common-save")) }
                                }
                            } @else { (m.qualified_on.clone().unwrap_or_default()) }
                        } }
                    } } }
                } }
                @if members.total > members.items.len() as i64 { p.muted { (ctx.t_args("inv-more-members", &[("count", &(members.total - members.items.len() as i64).to_string())])) } }
                @if changes {
                    details.panel open[error(retry, "member").is_some()] {
                        summary { (ctx.t("inv-add-member")) }
                        form.stack method="post" action=(format!("/investment/cohorts/{}/members", c.id)) {
                            (csrf_field(ctx))
                            (error_banner(ctx, error(retry, "member")))
                            (enterprise_fields(ctx, retry, "member", None))
                            (layout::input_field(ctx, "date", "joined_on", ctx.t("inv-joined-on"), value(retry, "member", "joined_on", ""), error(retry, "member"), true))
                            div { button type="submit" { (ctx.t("common-save")) } }
                        }
                    }
                }
            }
        }
        @if changes {
            details.panel open[error(retry, cf).is_some()] {
                summary { (ctx.t("inv-entrust")) }
                form.stack method="post" action=(format!("/investment/platforms/{}/cohorts", p.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, cf)))
                    (text_field(ctx, "name", ctx.t("inv-cohort-name"), value(retry, cf, "name", ""), error(retry, cf), true))
                    (text_field(ctx, "opened", ctx.t("inv-opened"), value(retry, cf, "opened", ""), error(retry, cf), false))
                    (layout::input_field(ctx, "date", "entrusted_on", ctx.t("inv-entrusted-on"), value(retry, cf, "entrusted_on", ""), error(retry, cf), true))
                    (layout::input_field(ctx, "number", "target", ctx.t("inv-target"), value(retry, cf, "target", "0"), error(retry, cf), false))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            details.panel open[error(retry, "platform").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/investment/platforms/{}", p.id)) {
                    (csrf_field(ctx))
                    (platform_fields(ctx, Some(&p), &options(departments), retry))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        p { (layout::history_link(ctx, "platform", p.id)) " " a href="/investment/platforms" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &p.name, SECTION, body)).into_response())
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "platform", form, move |tx, who, f: Fields| {
        platforms::update(tx, who, &user, id, &input_of(&f)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/platforms/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn entrust(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "cohort", form, move |tx, who, f: Fields| {
        let target = match text_of(&f, "target").trim() {
            "" => 0,
            t => t.parse().map_err(|_| AppError::invalid("bad_value", "target"))?,
        };
        let input = CohortInput {
            name: text_of(&f, "name"),
            opened: text_of(&f, "opened"),
            entrusted_on: text_of(&f, "entrusted_on"),
            target,
        };
        platforms::entrust(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/platforms/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn add_member(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    let platform =
        s.look(&ctx, Action::ViewInvestment, move |tx, _| Ok(platforms::cohort(tx, id)?.platform_id)).await?;
    match attempt(&s, &ctx, Action::RecordInvestment, "member", form, move |tx, who, f: Fields| {
        let input = platforms::CohortMemberInput { enterprise: named_of(&f)?, joined_on: text_of(&f, "joined_on") };
        platforms::add_member(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/platforms/{platform}")).into_response()),
        Err(retry) => render(&s, &ctx, platform, Some(&retry)).await,
    }
}

async fn qualify(
    State(s): State<AppState>,
    Path((id, enterprise)): Path<(i64, i64)>,
    f: CsrfForm<Fields>,
) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "qualify", form, move |tx, who, q: Qualification| {
        platforms::qualify(tx, who, &user, id, enterprise, &q)
    })
    .await?
    {
        Ok(c) => Ok(Redirect::to(&format!("/investment/platforms/{}", c.platform_id)).into_response()),
        Err(retry) => Err(retry.err),
    }
}
