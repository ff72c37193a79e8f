//! Registering a law firm under contract (its record in the enterprise registry and its
//! lawyers, one per line) and its contracts (scope, districts, period, budget), and a
//! firm's page with its workload.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::firms::{self, ContractInput, FirmInput};
use super::pages::SECTION;
use crate::kernel::access::{self, Action};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate::fen_to_yuan;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, csrf_field, error_banner, input_field, picker_field, text_field};
use crate::kernel::web::{AppState, CsrfForm, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/law-firms/new", get(new_form))
        .route("/law-firms", post(create))
        .route("/law-firms/{id}", get(firm))
        .route("/law-firms/{id}/contracts", post(add_contract))
}

/// One entry per line (or separated by 、，,).
fn entries(text: &str) -> Vec<String> {
    text.split(['\n', '、', '，', ','].as_ref()).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    new_page(&ctx, None)
}

fn new_page(ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    let f = "firm";
    let err = error(retry, f);
    let body = html! {
        form.stack method="post" action="/law-firms" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (picker_field(ctx, "enterprise_id", ctx.t("pl-firm-record"), &[], value(retry, f, "enterprise_id", ""), err, &Pick::ENTERPRISE))
            p.muted { (ctx.t("pl-firm-record-help")) }
            label.field { span { (ctx.t("pl-lawyers")) } textarea name="lawyers" rows="5" required placeholder=(ctx.t("pl-lawyers-hint")) { (value(retry, f, "lawyers", "")) } }
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/law-firms" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("pl-firm-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    match attempt(&s, &ctx, Action::ManagePolicies, "firm", form, |tx, who, f: Fields| {
        let enterprise_id = f
            .get("enterprise_id")
            .and_then(|v| v.trim().parse().ok())
            .ok_or(AppError::invalid("required", "enterprise_id"))?;
        let lawyers = entries(f.get("lawyers").map_or("", String::as_str));
        firms::create(tx, who, &FirmInput { enterprise_id, lawyers })
    })
    .await?
    {
        Ok(f) => Ok(Redirect::to(&format!("/law-firms/{}", f.id)).into_response()),
        Err(retry) => new_page(&ctx, Some(&retry)),
    }
}

async fn firm(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    firm_page(&s, &ctx, id, None).await
}

async fn firm_page(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ViewPolicies)?;
    let (f, contracts) =
        s.look(ctx, Action::ViewPolicies, move |tx, _| Ok((firms::find(tx, id)?, firms::contracts(tx, id)?))).await?;
    let manages = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManagePolicies));
    let k = "contract";
    let err = error(retry, k);
    let body = html! {
        p { a href="/law-firms" { "← " (ctx.t("pl-firms")) } }
        div.cards {
            div.card { h3 { (ctx.t("pl-open-cases")) } div.stat { (f.open_cases) } }
            div.card { h3 { (ctx.t("pl-closed-cases")) } div.stat { (f.closed_cases) } }
            div.card { h3 { (ctx.t("pl-hours")) } div.stat { (format!("{:.1}", f.hours)) } }
        }
        div.card { dl.facts {
            dt { (ctx.t("pl-lawyers")) } dd { (f.lawyers.join("、")) }
            dt { (ctx.t("common-status")) } dd { @if f.active { (ctx.t("common-active")) } @else { (ctx.t("common-inactive")) } }
        } }
        h2 { (ctx.t("pl-contracts")) }
        @if contracts.is_empty() { (layout::empty_state(ctx.t("pl-no-contracts"))) }
        @else {
            table.list {
                thead { tr { th { (ctx.t("pl-contract-scope")) } th { (ctx.t("pl-contract-districts")) } th { (ctx.t("pl-contract-period")) } th { (ctx.t("pl-contract-budget")) } } }
                tbody { @for c in &contracts { tr {
                    td data-label=(ctx.t("pl-contract-scope")) { (c.scope) }
                    td data-label=(ctx.t("pl-contract-districts")) { (c.districts.join("、")) }
                    td data-label=(ctx.t("pl-contract-period")) { (c.starts_on) " – " (c.ends_on) }
                    td data-label=(ctx.t("pl-contract-budget")) { (fen_to_yuan(c.budget_fen)) " " (ctx.t("pl-yuan")) }
                } } }
            }
        }
        @if manages {
            details.panel.no-print open[err.is_some()] {
                summary { (ctx.t("pl-contract-new")) }
                form.stack method="post" action=(format!("/law-firms/{id}/contracts")) {
                    (csrf_field(ctx))
                    (error_banner(ctx, err))
                    label.field { span { (ctx.t("pl-contract-scope")) } textarea name="scope" rows="3" required { (value(retry, k, "scope", "")) } }
                    (text_field(ctx, "districts", ctx.t("pl-contract-districts-hint"), value(retry, k, "districts", ""), err, true))
                    (input_field(ctx, "date", "starts_on", ctx.t("pl-contract-starts"), value(retry, k, "starts_on", ""), err, true))
                    (input_field(ctx, "date", "ends_on", ctx.t("pl-contract-ends"), value(retry, k, "ends_on", ""), err, true))
                    (text_field(ctx, "budget", ctx.t("pl-contract-budget"), value(retry, k, "budget", ""), err, true))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &f.name, SECTION, body)).into_response())
}

async fn add_contract(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    match attempt(&s, &ctx, Action::ManagePolicies, "contract", form, move |tx, who, f: Fields| {
        let text = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = ContractInput {
            scope: text("scope"),
            districts: entries(&text("districts")),
            starts_on: text("starts_on"),
            ends_on: text("ends_on"),
            budget: text("budget"),
        };
        firms::add_contract(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/law-firms/{id}")).into_response()),
        Err(retry) => firm_page(&s, &ctx, id, Some(&retry)).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn entries_split_on_lines_and_chinese_commas() {
        assert_eq!(super::entries("张律师\n李律师、王律师， 赵律师,\n\n"), ["张律师", "李律师", "王律师", "赵律师"]);
    }
}
