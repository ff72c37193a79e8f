//! The policy pages: the registry (paged, filtered, exported), a new policy with its
//! clauses and rules written one per line, one policy with who it applies to in words,
//! the enterprise's "which apply to me" page that asks only what the registry leaves open,
//! and the applications with the department's decision.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::applications::{self, Application, ApplicationFilter, ApplyInput, DecisionInput};
use super::notices;
use super::policy::{self, Clause, FIELDS, Policy, PolicyFilter, PolicyInput, Rule};
use crate::kernel::access::{self, Action, Role};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner, input_field, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub const SECTION: Section = Section::Of("policies");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list).post(create))
        .route("/policies/new", get(new_form))
        .route("/policies/applicable", get(applicable_page))
        .route("/policies/{id}", get(show))
        .route("/policies/{id}/apply", post(apply))
        .route("/policy-applications", get(applications_page))
        .route("/policy-applications/{id}", get(application_page))
        .route("/policy-applications/{id}/decision", post(decide))
}

pub fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let role = ctx.user.as_ref().map(|u| u.role);
    let mut tabs = vec![("/policies", "pl-registry")];
    if role == Some(Role::Enterprise) {
        tabs.push(("/policies/applicable", "pl-find"));
    }
    tabs.extend([
        ("/policy-applications", "pl-applications"),
        ("/service-cases", "pl-cases"),
        ("/policy-notices", "pl-notices"),
        ("/law-firms", "pl-firms"),
    ]);
    html! {
        nav.tabs aria-label=(ctx.t("m6")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

/// A rule in words: 行业为 海洋、软件.
pub fn rule_words(ctx: &Ctx, r: &Rule) -> String {
    format!("{}{} {}", ctx.t(&format!("pl-field-{}", r.field)), ctx.t(&format!("pl-op-{}", r.op)), r.values.join("、"))
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<PolicyFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let pq = p.clone();
    let fq = f.clone();
    let page =
        s.look(&ctx, Action::ViewPolicies, move |tx, _| policy::list(tx, &fq, &pq, user.role.is_government())).await?;
    let table = Table::new()
        .column(
            "title",
            ctx.t("pl-title"),
            |p: &Policy| html! { a href=(format!("/policies/{}", p.id)) { (p.title) } @if !p.active { " " (layout::badge(ctx.t("pl-withdrawn"), "")) } },
            |p| p.title.clone(),
        )
        .sorts("title")
        .text("number", ctx.t("pl-document-number"), |p| p.document_number.clone())
        .text("department", ctx.t("pl-responsible"), |p| p.responsible_name.clone())
        .text("promise", ctx.t("pl-promise"), |p| p.promise.clone())
        .text("days", ctx.t("pl-delivery-days"), |p| p.delivery_days.to_string())
        .sorts("days")
        .text("applications", ctx.t("pl-applications"), |p| p.applications.to_string());
    respond(&p, "policies", &table, &page.items, || {
        let extra = vec![("department_id", f.department_id.map(|d| d.to_string()).unwrap_or_default())];
        let manages = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManagePolicies));
        let body = html! {
            (tabs(&ctx, "/policies"))
            @if manages { div.actions { a.button href="/policies/new" { (ctx.t("pl-new")) } } }
            form.filters method="get" action="/policies" {
                (text_field(&ctx, "q", ctx.t("pl-search"), p.q().unwrap_or(""), None, false))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("pl-none")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("m6"), SECTION, body).into_response()
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    let departments = s.look(ctx, Action::ManagePolicies, |tx, _| crate::org::departments::options(tx)).await?;
    let mut choices = vec![(String::new(), ctx.t("k-picker-unchosen").to_owned())];
    choices.extend(departments.into_iter().map(|(i, n)| (i.to_string(), n)));
    let own = ctx.user.as_ref().and_then(|u| u.department_id).map(|d| d.to_string()).unwrap_or_default();
    let f = "policy";
    let err = error(retry, f);
    let body = html! {
        (tabs(ctx, "/policies"))
        form.stack method="post" action="/policies" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (text_field(ctx, "title", ctx.t("pl-title"), value(retry, f, "title", ""), err, true))
            (text_field(ctx, "document_number", ctx.t("pl-document-number"), value(retry, f, "document_number", ""), err, false))
            (select_field(ctx, "issuer_department_id", ctx.t("pl-issuer"), &choices, value(retry, f, "issuer_department_id", &own), err))
            (select_field(ctx, "responsible_department_id", ctx.t("pl-responsible"), &choices, value(retry, f, "responsible_department_id", &own), err))
            label.field { span { (ctx.t("pl-clauses")) } textarea name="clauses" rows="6" required placeholder=(ctx.t("pl-clauses-hint")) { (value(retry, f, "clauses", "")) } }
            label.field { span { (ctx.t("pl-rules")) } textarea name="rules" rows="4" placeholder=(ctx.t("pl-rules-hint")) { (value(retry, f, "rules", "")) } }
            p.muted { (ctx.t("pl-rules-help")) }
            label.field { span { (ctx.t("pl-promise")) } textarea name="promise" rows="2" required { (value(retry, f, "promise", "")) } }
            (text_field(ctx, "amount", ctx.t("pl-amount"), value(retry, f, "amount", ""), err, false))
            (input_field(ctx, "number", "delivery_days", ctx.t("pl-delivery-days"), value(retry, f, "delivery_days", "20"), err, true))
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/policies" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("pl-new"), SECTION, body)).into_response())
}

/// `第一条 text` per line: the number is the first word.
fn clauses_of(text: &str) -> Vec<Clause> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let l = l.trim();
            let (number, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            Clause { number: number.to_owned(), text: rest.trim().to_owned() }
        })
        .collect()
}

/// `industry in 海洋,软件` per line.
fn rules_of(text: &str) -> Vec<Rule> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let field = parts.next().unwrap_or_default().to_owned();
            let op = parts.next().unwrap_or_default().to_owned();
            let values = parts.collect::<Vec<_>>().join(" ");
            let values =
                values.split([',', '，', '、']).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
            Rule { field, op, values }
        })
        .collect()
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let user = ctx.require(Action::ManagePolicies)?.id;
    match attempt(&s, &ctx, Action::ManagePolicies, "policy", form, move |tx, who, f: Fields| {
        let text = |k: &str| f.get(k).cloned().unwrap_or_default();
        let id = |k: &'static str| text(k).parse::<i64>().map_err(|_| AppError::invalid("required", k));
        let input = PolicyInput {
            title: text("title"),
            document_number: text("document_number"),
            issuer_department_id: id("issuer_department_id")?,
            responsible_department_id: id("responsible_department_id")?,
            clauses: clauses_of(&text("clauses")),
            rules: rules_of(&text("rules")),
            promise: text("promise"),
            amount: Some(text("amount")),
            delivery_days: text("delivery_days")
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("bad_delivery_days", "delivery_days"))?,
            active: true,
        };
        policy::create(tx, who, user, &input)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/policies/{}", p.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

fn policy_body(ctx: &Ctx, p: &Policy) -> Markup {
    html! {
        p.muted { (p.issuer_name) @if !p.document_number.is_empty() { " · " (p.document_number) } " · " (ctx.t("pl-responsible")) " " (p.responsible_name) }
        div.card {
            h3 { (ctx.t("pl-promise")) }
            p { (p.promise) @if let Some(fen) = p.amount_fen { " · " (crate::kernel::validate::fen_to_yuan(fen)) " " (ctx.t("pl-yuan")) } }
            p.muted { (ctx.t("pl-delivered-within")) " " (p.delivery_days) " " (ctx.t("pl-working-days")) }
        }
        h3 { (ctx.t("pl-who")) }
        @if p.rules.is_empty() { p { (ctx.t("pl-everyone")) } }
        ul { @for r in &p.rules { li { (rule_words(ctx, r)) } } }
        h3 { (ctx.t("pl-clauses")) }
        dl { @for c in &p.clauses { dt { (c.number) } dd { (c.text) } } }
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let government = user.role.is_government();
    let p = s
        .look(&ctx, Action::ViewPolicies, move |tx, _| {
            let p = policy::find(tx, id)?;
            if p.active || government { Ok(p) } else { Err(AppError::NotFound) }
        })
        .await?;
    let body = html! {
        (tabs(&ctx, ""))
        (policy_body(&ctx, &p))
        @if user.role == Role::Enterprise { div.actions { a.button href=(format!("/policies/applicable#policy-{}", p.id)) { (ctx.t("pl-check-and-apply")) } } }
    };
    Ok(layout::page(&ctx, &p.title, SECTION, body).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct Answers {
    industry: Option<String>,
    size: Option<String>,
    district: Option<String>,
    registered_years: Option<String>,
}

impl Answers {
    fn map(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        for (k, v) in [
            ("industry", &self.industry),
            ("size", &self.size),
            ("district", &self.district),
            ("registered_years", &self.registered_years),
        ] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                m.insert(k.to_owned(), serde_json::Value::String(v.to_owned()));
            }
        }
        m
    }
}

async fn applicable_page(State(s): State<AppState>, ctx: Ctx, Q(a): Q<Answers>) -> AppResult<Response> {
    applicable_render(&s, &ctx, &a, None).await
}

async fn applicable_render(s: &AppState, ctx: &Ctx, a: &Answers, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ApplyForPolicies)?.clone();
    let (answers, now) = (a.map(), ctx.now);
    let kept = answers.clone();
    let rows =
        s.look(ctx, Action::ApplyForPolicies, move |tx, _| applications::applicable(tx, &user, &kept, now)).await?;
    let mut asked: Vec<String> = Vec::new();
    for r in &rows {
        for q in &r.fit.questions {
            if !asked.contains(q) {
                asked.push(q.clone());
            }
        }
    }
    let answered = |k: &str| answers.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let hidden: Vec<(String, String)> =
        FIELDS.iter().map(|(k, _)| ((*k).to_owned(), answered(k))).filter(|(_, v)| !v.is_empty()).collect();
    let body = html! {
        (tabs(ctx, "/policies/applicable"))
        p.muted { (ctx.t("pl-applicable-intro")) }
        (error_banner(ctx, error(retry, "apply")))
        @if !asked.is_empty() {
            form.filters method="get" action="/policies/applicable" {
                @for (k, v) in &hidden { @if !asked.contains(k) { input type="hidden" name=(k) value=(v); } }
                @for q in &asked { (text_field(ctx, q, ctx.t(&format!("pl-question-{q}")), &answered(q), None, false)) }
                button type="submit" { (ctx.t("pl-answer")) }
            }
        }
        @for r in &rows {
            div.card id=(format!("policy-{}", r.policy.id)) {
                h3 { a href=(format!("/policies/{}", r.policy.id)) { (r.policy.title) } " "
                    (layout::badge(ctx.t(&format!("pl-verdict-{}", r.fit.verdict)), match r.fit.verdict.as_str() { "applies" => "green", "questions" => "yellow", _ => "" })) }
                p { (r.policy.promise) " · " (r.policy.responsible_name) }
                @if !r.fit.unmet.is_empty() { p.muted { (ctx.t("pl-unmet")) "：" @for u in &r.fit.unmet { (rule_words(ctx, u)) "；" } } }
                @if let Some(id) = r.application_id { p { a href=(format!("/policy-applications/{id}")) { (ctx.t("pl-applied-see")) } } }
                @else if r.fit.verdict == "applies" {
                    form method="post" action=(format!("/policies/{}/apply", r.policy.id)) {
                        (csrf_field(ctx))
                        @for (k, v) in &hidden { input type="hidden" name=(k) value=(v); }
                        button type="submit" { (ctx.t("pl-apply")) }
                    }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("pl-find"), SECTION, body)).into_response())
}

async fn apply(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::ApplyForPolicies)?.clone(), s.calendar());
    let answers = Answers {
        industry: form.get("industry").cloned(),
        size: form.get("size").cloned(),
        district: form.get("district").cloned(),
        registered_years: form.get("registered_years").cloned(),
    };
    let input = ApplyInput { answers: answers.map() };
    match attempt(&s, &ctx, Action::ApplyForPolicies, "apply", form, move |tx, who, _: Fields| {
        applications::apply(tx, who, &user, &calendar, id, &input)
    })
    .await?
    {
        Ok(a) => Ok(Redirect::to(&format!("/policy-applications/{}", a.id)).into_response()),
        Err(retry) => applicable_render(&s, &ctx, &answers, Some(&retry)).await,
    }
}

fn delivery_badge(ctx: &Ctx, delivery: &str) -> Markup {
    let tone = match delivery {
        "on_time" => "green",
        "late" | "overdue" => "red",
        _ => "",
    };
    layout::badge(ctx.t(&format!("pl-delivery-{delivery}")), tone)
}

async fn applications_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<ApplicationFilter>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let (pq, fq, now) = (p.clone(), f.clone(), ctx.now);
    let page = s.look(&ctx, Action::ViewPolicies, move |tx, _| applications::list(tx, &user, &fq, &pq, now)).await?;
    let table = Table::new()
        .column(
            "policy",
            ctx.t("pl-title"),
            |a: &Application| html! { a href=(format!("/policy-applications/{}", a.id)) { (a.policy_title) } },
            |a| a.policy_title.clone(),
        )
        .sorts("policy")
        .text("enterprise", ctx.t("pl-enterprise"), |a| a.enterprise_name.clone())
        .text("department", ctx.t("pl-responsible"), |a| a.department_name.clone())
        .text("due", ctx.t("pl-due"), |a| a.due_on.clone())
        .sorts("due")
        .column(
            "delivery",
            ctx.t("pl-state"),
            |a| delivery_badge(&ctx, &a.delivery),
            |a| ctx.t(&format!("pl-delivery-{}", a.delivery)).to_owned(),
        );
    respond(&p, "policy-applications", &table, &page.items, || {
        let extra = vec![("state", f.state.clone().unwrap_or_default())];
        let body = html! {
            (tabs(&ctx, "/policy-applications"))
            form.filters method="get" action="/policy-applications" {
                (text_field(&ctx, "q", ctx.t("pl-search"), p.q().unwrap_or(""), None, false))
                label.check { input type="checkbox" name="overdue" value="true" checked[f.overdue == Some(true)]; (ctx.t("pl-only-overdue")) }
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("pl-no-applications")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("pl-applications"), SECTION, body).into_response()
    })
}

async fn application_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    application_render(&s, &ctx, id, None).await
}

async fn application_render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewPolicies)?.clone();
    let now = ctx.now;
    let u = user.clone();
    let (a, p, notices) = s
        .look(ctx, Action::ViewPolicies, move |tx, _| {
            let a = applications::get(tx, &u, id, now)?;
            let p = policy::find(tx, a.policy_id)?;
            let f = notices::NoticeFilter::default();
            let all = notices::list(tx, &u, &f, &ListParams { per: Some(200), ..ListParams::default() })?.items;
            Ok((a, p, all.into_iter().filter(|n| n.application_id == id).collect::<Vec<_>>()))
        })
        .await?;
    let decides = access::allows(&user, Action::DeliverPolicies) && (user.department_id == Some(a.department_id));
    let firm = user.role == Role::LawFirm;
    let clauses: Vec<(String, String)> = p
        .clauses
        .iter()
        .map(|c| (c.number.clone(), format!("{} {}", c.number, c.text.chars().take(40).collect::<String>())))
        .collect();
    let body = html! {
        (tabs(ctx, "/policy-applications"))
        (error_banner(ctx, error(retry, "decision")))
        (error_banner(ctx, error(retry, "notice")))
        dl.facts {
            dt { (ctx.t("pl-enterprise")) } dd { (a.enterprise_name) }
            dt { (ctx.t("pl-responsible")) } dd { (a.department_name) }
            dt { (ctx.t("pl-due")) } dd { (a.due_on) " " (delivery_badge(ctx, &a.delivery)) }
            @if !a.outcome.is_empty() { dt { (ctx.t("pl-outcome")) } dd { (a.outcome) } }
        }
        (policy_body(ctx, &p))
        @if !notices.is_empty() {
            h2 { (ctx.t("pl-notices")) }
            ul { @for n in &notices { li { a href=(format!("/policy-notices/{}", n.id)) { (n.firm_name) " · " (ctx.t("pl-clause")) " " (n.clause) } " " (ctx.t(&format!("pl-notice-{}", n.state))) } } }
        }
        @if decides && a.state == "applied" {
            form.stack.no-print method="post" action=(format!("/policy-applications/{id}/decision")) {
                (csrf_field(ctx))
                label.field { span { (ctx.t("pl-outcome")) } textarea name="note" rows="2" required {} }
                div {
                    button type="submit" name="outcome" value="delivered" { (ctx.t("pl-deliver")) }
                    button.secondary type="submit" name="outcome" value="refused" { (ctx.t("pl-refuse")) }
                }
            }
        }
        @if firm && a.state == "applied" {
            h2.no-print { (ctx.t("pl-file-notice")) }
            form.stack.no-print method="post" action="/policy-notices" {
                (csrf_field(ctx))
                input type="hidden" name="application_id" value=(a.id);
                (select_field(ctx, "clause", ctx.t("pl-clause"), &clauses, "", None))
                label.field { span { (ctx.t("pl-facts")) } textarea name="facts" rows="3" required {} }
                div { button type="submit" { (ctx.t("pl-file-notice")) } }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &a.policy_title, SECTION, body)).into_response())
}

pub async fn application_retry(s: &AppState, ctx: &Ctx, id: i64, retry: &Retry) -> AppResult<Response> {
    application_render(s, ctx, id, Some(retry)).await
}

async fn decide(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::DeliverPolicies)?.clone();
    match attempt(&s, &ctx, Action::DeliverPolicies, "decision", form, move |tx, who, f: Fields| {
        let input = DecisionInput {
            outcome: f.get("outcome").cloned().unwrap_or_default(),
            note: f.get("note").cloned().unwrap_or_default(),
        };
        applications::decide(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/policy-applications/{id}")).into_response()),
        Err(retry) => application_render(&s, &ctx, id, Some(&retry)).await,
    }
}
