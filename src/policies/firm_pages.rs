//! The law-firm pages: the firms under contract with their workload, services per firm
//! and kind and notices per department; the service cases (an enterprise asks, a firm
//! takes, logs its time and closes); the notices, each with its steps and the
//! department's response.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::firms::{self, Case, CaseFilter, CaseInput, CloseInput, SERVICES};
use super::notices::{self, Notice, NoticeFilter, NoticeInput, ResponseInput};
use super::pages::{SECTION, application_retry, tabs};
use crate::kernel::access::{Action, Role};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::AppResult;
use crate::kernel::web::form::{Fields, Retry, attempt, error};
use crate::kernel::web::layout::{self, csrf_field, error_banner, input_field, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, period};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/law-firms", get(firms_page))
        .route("/service-cases", get(cases_page).post(open_case))
        .route("/service-cases/{id}/take", post(take_case))
        .route("/service-cases/{id}/close", post(close_case))
        .route("/policy-notices", get(notices_page).post(file_notice))
        .route("/policy-notices/{id}", get(notice_page))
        .route("/policy-notices/{id}/response", post(respond_notice))
}

async fn firms_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::ViewPolicies)?;
    let asked = q.asked()?;
    let (from, to) = q.bounds()?;
    let calendar = s.calendar();
    let (all, services, notices) = s
        .look(&ctx, Action::ViewPolicies, move |tx, _| {
            Ok((firms::list(tx)?, firms::figures(tx, from, to)?, notices::figures(tx, &calendar, from, to)?))
        })
        .await?;
    let manages = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, Action::ManagePolicies));
    let by_firm: Vec<(String, f64, String)> =
        all.iter().map(|f| (f.name.clone(), f.hours, format!("{:.1}", f.hours))).collect();
    let most = by_firm.iter().map(|r| r.1).fold(1.0, f64::max);
    let body = html! {
        (tabs(&ctx, "/law-firms"))
        @if manages { div.actions { a.button href="/law-firms/new" { (ctx.t("pl-firm-new")) } } }
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        @if !by_firm.is_empty() { div.card { (maud::PreEscaped(crate::kernel::web::chart::bars(ctx.t("pl-hours-by-firm"), &by_firm, most, "#1f5fbf"))) } }
        table.list {
            thead { tr { th { (ctx.t("pl-firm")) } th { (ctx.t("pl-lawyers")) } th { (ctx.t("pl-open-cases")) } th { (ctx.t("pl-closed-cases")) } th { (ctx.t("pl-hours")) } } }
            tbody { @for f in &all { tr {
                td data-label=(ctx.t("pl-firm")) { a href=(format!("/law-firms/{}", f.id)) { (f.name) } }
                td data-label=(ctx.t("pl-lawyers")) { (f.lawyers.join("、")) }
                td data-label=(ctx.t("pl-open-cases")) { (f.open_cases) }
                td data-label=(ctx.t("pl-closed-cases")) { (f.closed_cases) }
                td data-label=(ctx.t("pl-hours")) { (format!("{:.1}", f.hours)) }
            } } }
        }
        h2 { (ctx.t("pl-services-by-firm")) }
        table.list {
            thead { tr { th { (ctx.t("pl-firm")) } th { (ctx.t("pl-service")) } th { (ctx.t("pl-cases")) } th { (ctx.t("pl-closed-cases")) } th { (ctx.t("pl-hours")) } } }
            tbody { @for r in &services { tr {
                td data-label=(ctx.t("pl-firm")) { (r.firm) }
                td data-label=(ctx.t("pl-service")) { (ctx.t(&format!("pl-service-{}", r.kind))) }
                td data-label=(ctx.t("pl-cases")) { (r.cases) }
                td data-label=(ctx.t("pl-closed-cases")) { (r.closed) }
                td data-label=(ctx.t("pl-hours")) { (format!("{:.1}", r.hours)) }
            } } }
        }
        h2 { (ctx.t("pl-notices-by-department")) }
        table.list {
            thead { tr {
                th { (ctx.t("pl-responsible")) } th { (ctx.t("pl-notices")) } th { (ctx.t("pl-notice-delivered")) } th { (ctx.t("pl-notice-explained")) }
                th { (ctx.t("pl-notice-escalated")) } th { (ctx.t("pl-notice-referred")) } th { (ctx.t("pl-days-to-response")) }
            } }
            tbody { @for r in &notices { tr {
                td data-label=(ctx.t("pl-responsible")) { (r.department) }
                td data-label=(ctx.t("pl-notices")) { (r.notices) }
                td data-label=(ctx.t("pl-notice-delivered")) { (r.delivered) }
                td data-label=(ctx.t("pl-notice-explained")) { (r.explained) }
                td data-label=(ctx.t("pl-notice-escalated")) { (r.escalated) }
                td data-label=(ctx.t("pl-notice-referred")) { (r.referred) }
                td data-label=(ctx.t("pl-days-to-response")) { (r.mean_days_to_response.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())) }
            } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pl-firms"), SECTION, body).into_response())
}

async fn cases_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<CaseFilter>,
) -> AppResult<Response> {
    cases_render(&s, &ctx, &p, &f, None).await
}

async fn cases_render(
    s: &AppState,
    ctx: &Ctx,
    p: &ListParams,
    f: &CaseFilter,
    retry: Option<&Retry>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let role = user.role;
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(ctx, Action::ViewPolicies, move |tx, _| firms::cases(tx, &user, &fq, &pq)).await?;
    let table = Table::new()
        .text("enterprise", ctx.t("pl-enterprise"), |c: &Case| c.enterprise_name.clone())
        .text("kind", ctx.t("pl-service"), |c| ctx.t(&format!("pl-service-{}", c.kind)).to_owned())
        .sorts("kind")
        .text("request", ctx.t("pl-request"), |c| c.request.clone())
        .text("firm", ctx.t("pl-firm"), |c| c.firm_name.clone().unwrap_or_default())
        .column(
            "state",
            ctx.t("pl-state"),
            |c| html! {
                (ctx.t(&format!("pl-case-{}", c.state)))
                @if role == Role::LawFirm && c.state == "requested" {
                    form.inline method="post" action=(format!("/service-cases/{}/take", c.id)) { (csrf_field(ctx)) " " button.secondary type="submit" { (ctx.t("pl-take")) } }
                }
                @if role == Role::LawFirm && c.state == "open" {
                    form.row-form method="post" action=(format!("/service-cases/{}/close", c.id)) {
                        (csrf_field(ctx))
                        (input_field(ctx, "number", "minutes", ctx.t("pl-minutes"), "60", None, true))
                        (text_field(ctx, "outcome", ctx.t("pl-outcome"), "", None, true))
                        button.secondary type="submit" { (ctx.t("pl-close")) }
                    }
                }
                @if c.state == "closed" { div.muted { (c.outcome) " · " (c.minutes) " " (ctx.t("pl-minutes")) } }
            },
            |c| ctx.t(&format!("pl-case-{}", c.state)).to_owned(),
        )
        .sorts("state")
        .text("opened", ctx.t("pl-opened"), |c| fmt_local(c.created_at));
    let services: Vec<(String, String)> =
        SERVICES.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("pl-service-{k}")).to_owned())).collect();
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    respond(p, "service-cases", &table, &page.items, || {
        let extra = vec![("state", f.state.clone().unwrap_or_default()), ("kind", f.kind.clone().unwrap_or_default())];
        let mut kinds = vec![(String::new(), ctx.t("common-all").to_owned())];
        kinds.extend(services.iter().cloned());
        let body = html! {
            (tabs(ctx, "/service-cases"))
            @if role == Role::Enterprise {
                h2 { (ctx.t("pl-ask-service")) }
                form.stack method="post" action="/service-cases" {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, "case")))
                    (select_field(ctx, "kind", ctx.t("pl-service"), &services, "applicability", None))
                    label.field { span { (ctx.t("pl-request")) } textarea name="request" rows="3" required {} }
                    div { button type="submit" { (ctx.t("pl-ask-service")) } }
                }
            }
            form.filters method="get" action="/service-cases" {
                (text_field(ctx, "q", ctx.t("pl-search"), p.q().unwrap_or(""), None, false))
                (select_field(ctx, "kind", ctx.t("pl-service"), &kinds, f.kind.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(ctx, p, &extra, &page.items, ctx.t("pl-no-cases")))
            (pager(ctx, p, &extra, page.total))
        };
        (status, layout::page(ctx, ctx.t("pl-cases"), SECTION, body)).into_response()
    })
}

async fn open_case(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    match attempt(&s, &ctx, Action::ViewPolicies, "case", form, move |tx, who, f: Fields| {
        let input = CaseInput {
            kind: f.get("kind").cloned().unwrap_or_default(),
            request: f.get("request").cloned().unwrap_or_default(),
            policy_id: f.get("policy_id").and_then(|v| v.parse().ok()),
            enterprise_id: f.get("enterprise_id").and_then(|v| v.parse().ok()),
        };
        firms::open_case(tx, who, &user, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/service-cases").into_response()),
        Err(retry) => cases_render(&s, &ctx, &ListParams::default(), &CaseFilter::default(), Some(&retry)).await,
    }
}

async fn take_case(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ServeEnterprises)?.clone();
    match attempt(&s, &ctx, Action::ServeEnterprises, "case", form, move |tx, who, _: Fields| {
        firms::take_case(tx, who, &user, id)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/service-cases").into_response()),
        Err(retry) => cases_render(&s, &ctx, &ListParams::default(), &CaseFilter::default(), Some(&retry)).await,
    }
}

async fn close_case(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ServeEnterprises)?.clone();
    match attempt(&s, &ctx, Action::ServeEnterprises, "case", form, move |tx, who, f: Fields| {
        let input = CloseInput {
            minutes: f.get("minutes").and_then(|v| v.trim().parse().ok()).unwrap_or(0),
            outcome: f.get("outcome").cloned().unwrap_or_default(),
        };
        firms::close_case(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/service-cases").into_response()),
        Err(retry) => cases_render(&s, &ctx, &ListParams::default(), &CaseFilter::default(), Some(&retry)).await,
    }
}

async fn notices_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<NoticeFilter>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewPolicies, move |tx, _| notices::list(tx, &user, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "policy",
            ctx.t("pl-title"),
            |n: &Notice| html! { a href=(format!("/policy-notices/{}", n.id)) { (n.policy_title) " · " (ctx.t("pl-clause")) " " (n.clause) } },
            |n| n.policy_title.clone(),
        )
        .text("enterprise", ctx.t("pl-enterprise"), |n| n.enterprise_name.clone())
        .text("firm", ctx.t("pl-firm"), |n| n.firm_name.clone())
        .text("department", ctx.t("pl-responsible"), |n| n.department_name.clone())
        .text("due", ctx.t("pl-due"), |n| n.due_on.clone())
        .sorts("due")
        .text("state", ctx.t("pl-state"), |n| ctx.t(&format!("pl-notice-{}", n.state)).to_owned())
        .sorts("state");
    respond(&p, "policy-notices", &table, &page.items, || {
        let extra = vec![("state", f.state.clone().unwrap_or_default())];
        let body = html! {
            (tabs(&ctx, "/policy-notices"))
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("pl-no-notices")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("pl-notices"), SECTION, body).into_response()
    })
}

async fn file_notice(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::ServeEnterprises)?.clone(), s.calendar());
    let application = form.get("application_id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    match attempt(&s, &ctx, Action::ServeEnterprises, "notice", form, move |tx, who, f: Fields| {
        let input = NoticeInput {
            application_id: application,
            clause: f.get("clause").cloned().unwrap_or_default(),
            facts: f.get("facts").cloned().unwrap_or_default(),
        };
        notices::file(tx, who, &user, &calendar, &input)
    })
    .await?
    {
        Ok(n) => Ok(Redirect::to(&format!("/policy-notices/{}", n.id)).into_response()),
        Err(retry) => application_retry(&s, &ctx, application, &retry).await,
    }
}

async fn notice_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    notice_render(&s, &ctx, id, None).await
}

async fn notice_render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let u = user.clone();
    let n = s.look(ctx, Action::ViewPolicies, move |tx, _| notices::get(tx, &u, id)).await?;
    let answers = matches!(n.state.as_str(), "open" | "escalated" | "referred")
        && user.role.is_government()
        && (user.department_id == Some(n.department_id));
    let today = crate::kernel::clock::local_date(ctx.now).to_string();
    let steps = [
        (Some(n.created_at), "pl-step-filed"),
        (n.escalated_at, "pl-step-escalated"),
        (n.lead_id.map(|_| n.escalated_at.unwrap_or(n.created_at)), "pl-step-referred"),
        (n.responded_at, "pl-step-answered"),
    ];
    let body = html! {
        (tabs(ctx, "/policy-notices"))
        (error_banner(ctx, error(retry, "response")))
        article.gongwen {
            h2.doc-title { (ctx.t("pl-notice-title")) }
            p { (n.department_name) "：" }
            p.para { (ctx.t("pl-notice-lead")) "《" (n.policy_title) "》" (ctx.t("pl-clause")) " " (n.clause) "：" (n.clause_text) }
            p.para { (n.facts) }
            p.para { (ctx.t("pl-notice-ask")) " " (n.due_on) }
            p.signature { (n.firm_name) br; (fmt_local(n.created_at)) }
        }
        h2 { (ctx.t("pl-steps")) }
        ol.steps { @for (at, key) in steps { @if let Some(at) = at { li { (fmt_local(at)) " " (ctx.t(key)) } } } }
        @if let Some(d) = &n.leader_due_on { p { (ctx.t("pl-leader-due")) " " (d) } }
        p { (ctx.t("pl-state")) "：" (ctx.t(&format!("pl-notice-{}", n.state))) @if n.late { " " (layout::badge(ctx.t("pl-late"), "red")) } }
        @if !n.response.is_empty() {
            div.card { h3 { (ctx.t("pl-response")) } p { (n.response) } @if !n.legal_basis.is_empty() { p.muted { (ctx.t("pl-legal-basis")) "：" (n.legal_basis) } } }
        }
        @if answers {
            form.stack.no-print method="post" action=(format!("/policy-notices/{id}/response")) {
                (csrf_field(ctx))
                label.field { span { (ctx.t("pl-response")) } textarea name="response" rows="3" required {} }
                (text_field(ctx, "legal_basis", ctx.t("pl-legal-basis"), "", None, false))
                @if n.due_on < today { label.check { input type="checkbox" name="late" value="1"; (ctx.t("pl-late-flag")) } }
                div {
                    button type="submit" name="outcome" value="delivered" { (ctx.t("pl-notice-deliver")) }
                    button.secondary type="submit" name="outcome" value="explained" { (ctx.t("pl-notice-explain")) }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("pl-notice-title"), SECTION, body)).into_response())
}

async fn respond_notice(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::DeliverPolicies)?.clone();
    match attempt(&s, &ctx, Action::DeliverPolicies, "response", form, move |tx, who, f: Fields| {
        let input = ResponseInput {
            outcome: f.get("outcome").cloned().unwrap_or_default(),
            response: f.get("response").cloned().unwrap_or_default(),
            legal_basis: f.get("legal_basis").cloned().unwrap_or_default(),
            late: f.contains_key("late"),
        };
        notices::respond(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/policy-notices/{id}")).into_response()),
        Err(retry) => notice_render(&s, &ctx, id, Some(&retry)).await,
    }
}
