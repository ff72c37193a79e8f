//! The evaluation pages: a commission and its report as everyone allowed sees them, the
//! evaluator's report form and its declaration of a tie, its standing declarations, the
//! institutions for the division, and the published criteria.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::commissions::{self, Commission, Criteria, CriteriaInput, Criterion, ItemOpinion, RecuseInput, ReportInput};
use super::idea::{self, Idea};
use super::idea_pages::{SECTION, render, tabs};
use crate::enterprises::ties::{self, KINDS, TieInput};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, choose_field, csrf_field, error_banner, text_field};
use crate::kernel::web::{AppState, CsrfForm, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/{id}/report", post(report))
        .route("/ideas/{id}/recuse", post(recuse))
        .route("/ideas/ties", get(ties_page).post(declare))
        .route("/ideas/evaluators", get(evaluators_page))
        .route("/ideas/criteria", get(criteria_page).post(publish))
}

fn feasibility_options(ctx: &Ctx) -> Vec<(String, String)> {
    commissions::FEASIBILITY
        .iter()
        .map(|f| ((*f).to_owned(), ctx.t(&format!("idea-feasibility-{f}")).to_owned()))
        .collect()
}

/// A commission: who, by when, how it ended, and its report.
pub fn commission_card(ctx: &Ctx, c: &Commission, criteria: Option<&Criteria>, mine_open: bool) -> Markup {
    // In the published order, named and weighted when the version is at hand.
    let scored: Vec<(String, i64)> = match criteria.filter(|cr| cr.version == c.criteria_version) {
        Some(cr) => cr
            .criteria
            .iter()
            .filter_map(|x| c.scores.get(&x.id).map(|s| (format!("{}（{}%）", x.name, x.weight), *s)))
            .collect(),
        None => c.scores.iter().map(|(id, s)| (id.clone(), *s)).collect(),
    };
    html! {
        section.card {
            h3 { (ctx.t("idea-commission")) " · " (c.evaluator_name) " " (layout::badge(ctx.t(&format!("idea-commission-{}", c.state)), if c.state == "reported" { "green" } else { "" })) }
            p.muted { (ctx.t("idea-commissioned-by")) " " (c.commissioned_by_name) " · " (fmt_local(c.created_at)) " · " (ctx.t("idea-evaluator-deadline")) " " (c.deadline)
                @if mine_open { " · " strong { (ctx.t("idea-your-turn")) } } }
            @if let Some(reason) = &c.reason { p { (ctx.t("idea-ended-because")) "：" (reason) } }
            @if let Some(f) = &c.feasibility {
                dl.facts {
                    dt { (ctx.t("idea-feasibility")) } dd { strong { (ctx.t(&format!("idea-feasibility-{f}"))) } }
                    dt { (ctx.t("idea-total-score")) } dd { (format!("{:.2}", c.total.unwrap_or(0.0))) " " span.muted { "(" (ctx.t("idea-criteria-version")) " " (c.criteria_version) ")" } }
                    @for (name, score) in &scored { dt { (name) } dd { (score) } }
                    dt { (ctx.t("idea-reasoning")) } dd { @for line in c.reasoning.clone().unwrap_or_default().lines() { (line) br; } }
                    @if let Some(cond) = &c.conditions { dt { (ctx.t("idea-conditions")) } dd { (cond) } }
                    @if let Some(at) = c.reported_at { dt { (ctx.t("idea-reported-at")) } dd { (fmt_local(at)) } }
                }
            }
        }
    }
}

/// The evaluator's report form, and the declaration that steps aside.
pub fn report_form(ctx: &Ctx, idea: &Idea, criteria: Option<&Criteria>, retry: Option<&Retry>) -> Markup {
    let f = "report";
    let err = error(retry, f);
    let opinions: Vec<(String, String)> = commissions::OPINIONS
        .iter()
        .map(|o| ((*o).to_owned(), ctx.t(&format!("idea-opinion-{o}")).to_owned()))
        .collect();
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("ent-tie-{k}")).to_owned())).collect();
    html! {
        form.stack method="post" action=(format!("/ideas/{}/report", idea.id)) {
            (csrf_field(ctx))
            h2 { (ctx.t("idea-report")) }
            (error_banner(ctx, err))
            (choose_field(ctx, "feasibility", ctx.t("idea-feasibility"), &feasibility_options(ctx), value(retry, f, "feasibility", ""), true, err))
            @if let Some(cr) = criteria {
                fieldset { legend { (ctx.t("idea-scores")) " · " (ctx.t("idea-criteria-version")) " " (cr.version) }
                    @for c in &cr.criteria {
                        label.field { span { (c.name) "（" (c.weight) "%）" }
                            input type="number" min="0" max="100" required name=(format!("score_{}", c.id)) value=(value(retry, f, &format!("score_{}", c.id), "")); }
                    }
                }
            }
            label.field { span { (ctx.t("idea-reasoning")) } textarea name="reasoning" rows="6" required { (value(retry, f, "reasoning", "")) } }
            label.field { span { (ctx.t("idea-conditions")) " " span.muted { (ctx.t("idea-conditions-hint")) } } textarea name="conditions" rows="3" { (value(retry, f, "conditions", "")) } }
            fieldset { legend { (ctx.t("idea-item-opinions")) }
                @for item in &idea.items {
                    div.item-row {
                        p { strong { (ctx.t(&format!("idea-item-{}", item.kind))) } " " (item.request) }
                        (choose_field(ctx, &format!("opinion_{}", item.id), ctx.t("idea-opinion"), &opinions, value(retry, f, &format!("opinion_{}", item.id), ""), true, None))
                        (text_field(ctx, &format!("comment_{}", item.id), ctx.t("idea-opinion-comment"), value(retry, f, &format!("comment_{}", item.id), ""), None, false))
                    }
                }
            }
            div { button.primary type="submit" { (ctx.t("idea-send-report")) } }
        }
        details.panel open[error(retry, "recuse").is_some()] {
            summary { (ctx.t("idea-recuse")) }
            form.stack method="post" action=(format!("/ideas/{}/recuse", idea.id)) {
                (csrf_field(ctx))
                (error_banner(ctx, error(retry, "recuse")))
                p.muted { (ctx.t("idea-recuse-hint")) }
                (choose_field(ctx, "kind", ctx.t("idea-tie-kind"), &kinds, value(retry, "recuse", "kind", ""), true, error(retry, "recuse")))
                (text_field(ctx, "detail", ctx.t("idea-tie-detail"), value(retry, "recuse", "detail", ""), error(retry, "recuse"), true))
                (layout::input_field(ctx, "date", "contract_on", ctx.t("idea-tie-contract-on"), value(retry, "recuse", "contract_on", ""), error(retry, "recuse"), false))
                div { button.danger type="submit" { (ctx.t("idea-recuse")) } }
            }
        }
    }
}

fn report_of(f: &Fields, idea: &Idea) -> AppResult<ReportInput> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut scores = BTreeMap::new();
    for (k, v) in f {
        if let Some(id) = k.strip_prefix("score_") {
            let score = v
                .trim()
                .parse()
                .map_err(|_| AppError::invalid_detail("score_out_of_range", "scores", id.to_owned()))?;
            scores.insert(id.to_owned(), score);
        }
    }
    let item_opinions = idea
        .items
        .iter()
        .filter(|i| f.get(&format!("opinion_{}", i.id)).is_some_and(|o| !o.is_empty()))
        .map(|i| ItemOpinion {
            item_id: i.id,
            opinion: text(&format!("opinion_{}", i.id)),
            comment: text(&format!("comment_{}", i.id)),
        })
        .collect();
    Ok(ReportInput {
        feasibility: text("feasibility"),
        scores,
        reasoning: text("reasoning"),
        conditions: text("conditions"),
        item_opinions,
    })
}

async fn report(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::EvaluateIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::EvaluateIdeas, "report", form, move |tx, who, fields: Fields| {
        let idea = idea::get(tx, &user, &rules, id, who.now)?.0;
        commissions::report(tx, who, &user, &rules, id, &report_of(&fields, &idea)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn recuse(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::EvaluateIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::EvaluateIdeas, "recuse", form, move |tx, who, input: RecuseInput| {
        commissions::recuse(tx, who, &user, &rules, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/ideas").into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn ties_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ties_view(&s, &ctx, None).await
}

async fn ties_view(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::EvaluateIdeas)?.clone();
    let declared = s
        .look(ctx, Action::EvaluateIdeas, move |tx, _| match idea::organisation_of(tx, &user)? {
            Some(org) => ties::declared(tx, org),
            None => Err(AppError::conflict("no_enterprise_linked")),
        })
        .await?;
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("ent-tie-{k}")).to_owned())).collect();
    let f = "tie";
    let err = error(retry, f);
    let body = html! {
        (tabs(ctx, "/ideas/ties"))
        p.muted { (ctx.t("idea-ties-hint")) }
        @if declared.is_empty() { (layout::empty_state(ctx.t("idea-no-ties"))) } @else {
            table.data { thead { tr { th { (ctx.t("idea-enterprise")) } th { (ctx.t("idea-tie-kind")) } th { (ctx.t("idea-tie-detail")) } th { (ctx.t("idea-declared-at")) } } }
                tbody { @for t in &declared { tr {
                    td { (t.enterprise_name) } td { (ctx.t(&format!("ent-tie-{}", t.kind))) }
                    td { (t.detail) @if let Some(d) = &t.contract_on { " （" (d) "）" } } td { (fmt_local(t.declared_at)) }
                } } } }
        }
        form.stack method="post" action="/ideas/ties" {
            (csrf_field(ctx))
            h2 { (ctx.t("idea-declare-tie")) }
            (error_banner(ctx, err))
            (layout::picker_field(ctx, "enterprise_id", ctx.t("idea-enterprise"), &[], value(retry, f, "enterprise_id", ""), err, &Pick::ENTERPRISE))
            (choose_field(ctx, "kind", ctx.t("idea-tie-kind"), &kinds, value(retry, f, "kind", ""), true, err))
            (text_field(ctx, "detail", ctx.t("idea-tie-detail"), value(retry, f, "detail", ""), err, true))
            (layout::input_field(ctx, "date", "contract_on", ctx.t("idea-tie-contract-on"), value(retry, f, "contract_on", ""), err, false))
            div { button type="submit" { (ctx.t("idea-declare-tie")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("idea-ties"), SECTION, body)).into_response())
}

async fn declare(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::EvaluateIdeas)?.clone();
    match attempt(&s, &ctx, Action::EvaluateIdeas, "tie", form, move |tx, who, input: TieInput| {
        let org = idea::organisation_of(tx, &user)?.ok_or_else(|| AppError::conflict("no_enterprise_linked"))?;
        ties::declare(tx, who, org, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/ideas/ties").into_response()),
        Err(retry) => ties_view(&s, &ctx, Some(&retry)).await,
    }
}

async fn evaluators_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::HandleIdeas)?;
    let list = s.look(&ctx, Action::HandleIdeas, |tx, _| commissions::evaluators(tx)).await?;
    let body = html! {
        (tabs(&ctx, "/ideas/evaluators"))
        p.muted { (ctx.t("idea-evaluators-hint")) }
        @if list.is_empty() { (layout::empty_state(ctx.t("idea-no-evaluators"))) } @else {
            table.data { thead { tr { th { (ctx.t("idea-evaluator")) } th { (ctx.t("idea-open-commissions")) } th { (ctx.t("idea-reports")) } } }
                tbody { @for e in &list { tr {
                    td data-label=(ctx.t("idea-evaluator")) { a href=(format!("/enterprises/{}", e.id)) { (e.name) } }
                    td data-label=(ctx.t("idea-open-commissions")) { (e.open) }
                    td data-label=(ctx.t("idea-reports")) { (e.reported) }
                } } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("idea-evaluators"), SECTION, body).into_response())
}

async fn criteria_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    criteria_view(&s, &ctx, None).await
}

async fn criteria_view(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ViewIdeas)?;
    let versions = s.look(ctx, Action::ViewIdeas, |tx, _| commissions::criteria_versions(tx)).await?;
    let may_publish = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::PublishCriteria));
    let current = versions
        .first()
        .map(|v| v.criteria.iter().map(|c| format!("{}|{}|{}", c.id, c.name, c.weight)).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default();
    let body = html! {
        (tabs(ctx, "/ideas/criteria"))
        p.muted { (ctx.t("idea-criteria-hint")) }
        @for (n, v) in versions.iter().enumerate() {
            details.panel open[n == 0] {
                summary { (ctx.t("idea-criteria-version")) " " (v.version) " · " (if v.published_at == 0 { ctx.t("idea-criteria-shipped").to_owned() } else { fmt_local(v.published_at) }) }
                table.data { thead { tr { th { (ctx.t("idea-criterion")) } th { (ctx.t("idea-weight")) } } }
                    tbody { @for c in &v.criteria { tr { td { (c.name) } td { (c.weight) "%" } } } } }
            }
        }
        @if may_publish {
            form.stack method="post" action="/ideas/criteria" {
                (csrf_field(ctx))
                h2 { (ctx.t("idea-publish-criteria")) }
                (error_banner(ctx, error(retry, "criteria")))
                label.field { span { (ctx.t("idea-criteria-lines")) } textarea name="lines" rows="6" required { (value(retry, "criteria", "lines", &current)) } }
                div { button type="submit" { (ctx.t("idea-publish-criteria")) } }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("idea-criteria"), SECTION, body)).into_response())
}

async fn publish(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::PublishCriteria, "criteria", form, move |tx, who, f: Fields| {
        let mut criteria = Vec::new();
        for line in f.get("lines").map_or("", String::as_str).lines().filter(|l| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let [id, name, weight] = parts[..] else {
                return Err(AppError::invalid_detail("bad_criteria", "lines", line.to_owned()));
            };
            let weight =
                weight.parse().map_err(|_| AppError::invalid_detail("bad_criteria", "lines", line.to_owned()))?;
            criteria.push(Criterion { id: id.to_owned(), name: name.to_owned(), weight });
        }
        commissions::publish_criteria(tx, who, &CriteriaInput { criteria })
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/ideas/criteria").into_response()),
        Err(retry) => criteria_view(&s, &ctx, Some(&retry)).await,
    }
}
