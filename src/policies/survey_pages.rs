//! The satisfaction index for everyone (no sign-in): each campaign's method, the index per
//! department and per district with its sample and interval drawn as a chart, ties where
//! intervals overlap, and the raw anonymised answers as CSV; and the questionnaire an
//! invited enterprise answers by its token.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};

use super::survey::{self, AnswerInput, Area, CampaignInput, Index, InvitationInput, Question, TrendPoint};
use crate::kernel::access::{self, Action};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{
    self, Pick, Section, csrf_field, error_banner, input_field, picker_field, select_field, text_field,
};
use crate::kernel::web::{AppState, CsrfForm, Ctx, chart};

const SECTION: Section = Section::Of("satisfaction");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/satisfaction", get(campaigns).post(create))
        .route("/satisfaction/new", get(new_form))
        .route("/satisfaction/{id}", get(campaign))
        .route("/satisfaction/{id}/invitations", post(invite))
        .route("/satisfaction/{id}/raw.csv", get(raw_csv))
        .route("/survey/{token}", get(questionnaire).post(answer))
}

async fn campaigns(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "survey")?;
    let (all, trend) = s.db.read(|tx| Ok((survey::list(tx)?, survey::trend(tx)?))).await?;
    let body = html! {
        p.muted { (ctx.t("pl-satisfaction-desc")) }
        @if manages(&ctx) { div.actions { a.button href="/satisfaction/new" { (ctx.t("pl-campaign-new")) } } }
        @if all.is_empty() { (layout::empty_state(ctx.t("pl-no-campaigns"))) }
        ul { @for c in &all { li { a href=(format!("/satisfaction/{}", c.id)) { (c.title) } " · " (c.period) " · " (c.answered) " " (ctx.t("pl-responses")) } } }
        @if !trend.is_empty() { (trend_section(&ctx, &trend)) }
    };
    Ok(layout::page(&ctx, ctx.t("pl-satisfaction"), SECTION, body).into_response())
}

/// The index with its 95% interval on a 0–100 axis, one row per unit.
fn interval_chart(ctx: &Ctx, rows: &[Index]) -> Markup {
    let shown: Vec<&Index> = rows.iter().filter(|r| r.index.is_some()).collect();
    let (label_w, plot_w, row_h) = (150.0, 420.0, 22.0);
    let height = row_h * shown.len() as f64 + 24.0;
    let x = |v: f64| label_w + v / 100.0 * plot_w;
    html! {
        svg.chart viewBox=(format!("0 0 {} {height}", label_w + plot_w + 60.0)) role="img" aria-label=(ctx.t("pl-index-chart")) {
            @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(x(tick)) x2=(x(tick)) y1="0" y2=(height - 18.0) stroke="#e2e2e6" {}
                text x=(x(tick)) y=(height - 4.0) font-size="10" text-anchor="middle" { (tick) }
            }
            @for (i, r) in shown.iter().enumerate() {
                @let y = i as f64 * row_h + 14.0;
                text x=(label_w - 6.0) y=(y + 4.0) font-size="11" text-anchor="end" { (r.unit) }
                line x1=(x(r.low.unwrap_or(0.0))) x2=(x(r.high.unwrap_or(0.0))) y1=(y) y2=(y) stroke="#1f5fbf" stroke-width="2" {}
                circle cx=(x(r.index.unwrap_or(0.0))) cy=(y) r="4" fill="#1f5fbf" {}
                text x=(x(r.high.unwrap_or(0.0)) + 6.0) y=(y + 4.0) font-size="10" { (format!("{:.1}", r.index.unwrap_or(0.0))) }
            }
        }
    }
}

/// The city-wide index campaign by campaign as a line (with its interval in the table),
/// and each department's published index per campaign.
fn trend_section(ctx: &Ctx, trend: &[TrendPoint]) -> Markup {
    let labels: Vec<String> = trend.iter().map(|t| t.period.clone()).collect();
    let line =
        |f: fn(&Index) -> Option<f64>| trend.iter().map(|t| f(&t.city).unwrap_or(f64::NAN)).collect::<Vec<f64>>();
    // The interval's bounds first, so the index is drawn over them.
    let series = [
        (ctx.t("pl-interval"), "#9bb7e6", line(|i| i.low)),
        ("", "#9bb7e6", line(|i| i.high)),
        (ctx.t("pl-trend-city"), "#1f5fbf", line(|i| i.index)),
    ];
    let mut units: Vec<&str> = trend.iter().flat_map(|t| t.departments.iter().map(|d| d.unit.as_str())).collect();
    units.sort_unstable();
    units.dedup();
    let cell = |t: &TrendPoint, unit: &str| {
        t.departments
            .iter()
            .find(|d| d.unit == unit)
            .and_then(|d| d.index)
            .map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
    };
    html! {
        h2 { (ctx.t("pl-trend")) }
        @if trend.len() < 2 { p.muted { (ctx.t("pl-trend-none")) } }
        @else { div.card { (PreEscaped(chart::lines(ctx.t("pl-trend"), &labels, &series, 0.0, 100.0))) } }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("pl-responsible")) } @for t in trend { th { (t.period) } } } }
            tbody {
                tr { td { strong { (ctx.t("pl-trend-city")) } } @for t in trend { td { strong { (cell_of(&t.city)) } } } }
                @for u in &units { tr { td { (u) } @for t in trend { td { (cell(t, u)) } } } }
            }
        } }
    }
}

fn cell_of(i: &Index) -> String {
    match (i.index, i.low, i.high) {
        (Some(v), Some(l), Some(h)) => format!("{v:.1} ({l:.1}–{h:.1})"),
        _ => "—".to_owned(),
    }
}

fn index_table(ctx: &Ctx, rows: &[Index], unit: &str) -> Markup {
    html! {
        table.list {
            thead { tr { th { (ctx.t("pl-rank")) } th { (ctx.t(unit)) } th { (ctx.t("pl-index")) } th { (ctx.t("pl-interval")) } th { (ctx.t("pl-sample")) } } }
            tbody { @for r in rows { tr {
                td data-label=(ctx.t("pl-rank")) { @if let Some(k) = r.rank { (k) } @else { "—" } }
                td data-label=(ctx.t(unit)) { (r.unit) }
                td data-label=(ctx.t("pl-index")) { @match r.index { Some(v) => { (format!("{v:.1}")) }, None => { span.muted { (ctx.t("pl-not-published")) } } } }
                td data-label=(ctx.t("pl-interval")) { @if let (Some(l), Some(h)) = (r.low, r.high) { (format!("{l:.1} – {h:.1}")) } }
                td data-label=(ctx.t("pl-sample")) { (r.n) }
            } } }
        }
    }
}

async fn campaign(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    campaign_page(&s, &ctx, id, None, None).await
}

fn manages(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManagePolicies))
}

async fn campaign_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    issued: Option<&str>,
    retry: Option<&Retry>,
) -> AppResult<Response> {
    s.limit_public(ctx, "survey")?;
    let departments = if manages(ctx) { s.db.read(crate::org::departments::options).await? } else { Vec::new() };
    let departments: Vec<(String, String)> = departments.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let strata: Vec<(String, String)> = ["above_scale", "approval_hall"]
        .iter()
        .map(|k| ((*k).to_owned(), ctx.t(&format!("pl-stratum-{k}")).to_owned()))
        .collect();
    let (c, by_department, by_district) =
        s.db.read(move |tx| {
            let c = survey::find(tx, id)?;
            let raw = survey::raw(tx, id)?;
            Ok((survey::index(&c, &raw, "department"), survey::index(&c, &raw, "district"), c))
        })
        .await
        .map(|(a, b, c)| (c, a, b))?;
    let body = html! {
        p { (c.period) " · " (c.answered) "/" (c.invited) " " (ctx.t("pl-responses")) }
        details {
            summary { (ctx.t("pl-method")) }
            p { (c.frame) }
            p { (ctx.t("pl-method-text")) }
            p { (ctx.t("pl-min-sample")) " " (c.min_sample) }
            table.list {
                thead { tr { th { (ctx.t("pl-area")) } th { (ctx.t("pl-weight")) } th { (ctx.t("pl-questions")) } } }
                tbody { @for a in &c.areas { tr {
                    td data-label=(ctx.t("pl-area")) { (a.name) }
                    td data-label=(ctx.t("pl-weight")) { (format!("{:.2}", a.weight)) }
                    td data-label=(ctx.t("pl-questions")) { @for q in &a.questions { div { (q.code) " " (q.text) " (" (format!("{:.2}", q.weight)) ")" } } }
                } } }
            }
        }
        div.actions { a.button.secondary href=(format!("/satisfaction/{id}/raw.csv")) { (ctx.t("pl-raw")) } }
        @if manages(ctx) {
            section.no-print {
                h2 { (ctx.t("pl-invite")) }
                @if let Some(token) = issued {
                    div.notice.ok { (ctx.t("pl-invited-link")) " " code { (format!("/survey/{token}")) } }
                }
                form.stack method="post" action=(format!("/satisfaction/{id}/invitations")) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, "invitation")))
                    (picker_field(ctx, "enterprise_id", ctx.t("pl-enterprise"), &[], value(retry, "invitation", "enterprise_id", ""), None, &Pick::ENTERPRISE))
                    (select_field(ctx, "department_id", ctx.t("pl-rated-department"), &departments, value(retry, "invitation", "department_id", ""), None))
                    (select_field(ctx, "stratum", ctx.t("pl-stratum"), &strata, value(retry, "invitation", "stratum", "approval_hall"), None))
                    div { button type="submit" { (ctx.t("pl-invite")) } }
                }
            }
        }
        h2 { (ctx.t("pl-by-department")) }
        div.card { (interval_chart(ctx, &by_department)) }
        p.muted { (ctx.t("pl-ties")) }
        (index_table(ctx, &by_department, "pl-responsible"))
        h2 { (ctx.t("pl-by-district")) }
        (index_table(ctx, &by_district, "pl-district"))
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &c.title, SECTION, body)).into_response())
}

async fn invite(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    match attempt(&s, &ctx, Action::ManagePolicies, "invitation", form, move |tx, who, f: Fields| {
        let number =
            |k: &'static str| f.get(k).and_then(|v| v.parse::<i64>().ok()).ok_or(AppError::invalid("required", k));
        let input = InvitationInput {
            enterprise_id: number("enterprise_id")?,
            department_id: number("department_id")?,
            stratum: f.get("stratum").cloned().unwrap_or_default(),
        };
        survey::invite(tx, who, id, &input)
    })
    .await?
    {
        Ok(i) => campaign_page(&s, &ctx, id, Some(&i.token), None).await,
        Err(retry) => campaign_page(&s, &ctx, id, None, Some(&retry)).await,
    }
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    new_page(&s, &ctx, None)
}

fn new_page(_: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManagePolicies)?;
    let f = "campaign";
    let err = error(retry, f);
    let body = html! {
        form.stack method="post" action="/satisfaction" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (text_field(ctx, "title", ctx.t("pl-campaign-title"), value(retry, f, "title", ""), err, true))
            (text_field(ctx, "period", ctx.t("pl-campaign-period"), value(retry, f, "period", ""), err, true))
            label.field { span { (ctx.t("pl-frame")) } textarea name="frame" rows="3" required { (value(retry, f, "frame", "")) } }
            (input_field(ctx, "number", "min_sample", ctx.t("pl-min-sample"), value(retry, f, "min_sample", "30"), err, true))
            label.field { span { (ctx.t("pl-areas")) } textarea name="areas" rows="12" required placeholder=(ctx.t("pl-areas-hint")) { (value(retry, f, "areas", "")) } }
            p.muted { (ctx.t("pl-areas-help")) }
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/satisfaction" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("pl-campaign-new"), SECTION, body)).into_response())
}

/// `A1 0.5 审批服务` for an area, `- Q1 0.5 办事效率` for a question of the area above.
fn areas_of(text: &str) -> AppResult<Vec<Area>> {
    let mut areas: Vec<Area> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (question, rest) = match line.strip_prefix('-') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let mut parts = rest.splitn(3, char::is_whitespace);
        let (code, weight, name) =
            (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or("").trim());
        let weight: f64 =
            weight.parse().map_err(|_| AppError::invalid_detail("bad_weight", "areas", line.to_owned()))?;
        if question {
            let area =
                areas.last_mut().ok_or_else(|| AppError::invalid_detail("bad_weight", "areas", line.to_owned()))?;
            area.questions.push(Question { code: code.to_owned(), text: name.to_owned(), weight });
        } else {
            areas.push(Area { code: code.to_owned(), name: name.to_owned(), weight, questions: Vec::new() });
        }
    }
    Ok(areas)
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let user = ctx.require(Action::ManagePolicies)?.id;
    match attempt(&s, &ctx, Action::ManagePolicies, "campaign", form, move |tx, who, f: Fields| {
        let text = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = CampaignInput {
            title: text("title"),
            period: text("period"),
            frame: text("frame"),
            min_sample: text("min_sample")
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("bad_min_sample", "min_sample"))?,
            areas: areas_of(&text("areas"))?,
        };
        survey::create(tx, who, user, &input)
    })
    .await?
    {
        Ok(c) => Ok(axum::response::Redirect::to(&format!("/satisfaction/{}", c.id)).into_response()),
        Err(retry) => new_page(&s, &ctx, Some(&retry)),
    }
}

/// One row per response: the unit rated, the district, the stratum and every score.
async fn raw_csv(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    s.limit_public(&ctx, "survey")?;
    let (c, raw) = s.db.read(move |tx| Ok((survey::find(tx, id)?, survey::raw(tx, id)?))).await?;
    let codes: Vec<&str> = c.areas.iter().flat_map(|a| a.questions.iter().map(|q| q.code.as_str())).collect();
    let mut out = format!("department,district,stratum,{}\n", codes.join(","));
    let field = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    for r in &raw {
        let scores: Vec<String> =
            codes.iter().map(|q| r.answers.get(*q).map(i64::to_string).unwrap_or_default()).collect();
        out.push_str(&format!("{},{},{},{}\n", field(&r.department), field(&r.district), r.stratum, scores.join(",")));
    }
    let disposition = format!("attachment; filename=\"satisfaction-{id}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        out,
    )
        .into_response())
}

async fn questionnaire(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    form(&s, &ctx, &token, None).await
}

async fn form(s: &AppState, ctx: &Ctx, token: &str, err: Option<&AppError>) -> AppResult<Response> {
    s.limit_public(ctx, "survey")?;
    let t = token.to_owned();
    let (_, c, answered, department) = s.db.read(move |tx| survey::by_token(tx, &t)).await?;
    let scale: Vec<(i64, String)> = (1..=5).map(|v| (v, ctx.t(&format!("pl-score-{v}")).to_owned())).collect();
    let body = html! {
        p { (ctx.t("pl-rating")) " " strong { (department) } }
        @if answered { (layout::empty_state(ctx.t("pl-thanks"))) } @else {
            form.stack method="post" action=(format!("/survey/{token}")) {
                (csrf_field(ctx))
                (error_banner(ctx, err))
                @for a in &c.areas {
                    fieldset {
                        legend { (a.name) }
                        @for q in &a.questions {
                            div.field {
                                span { (q.text) }
                                div.scale { @for (v, label) in &scale {
                                    label.check { input type="radio" name=(q.code) value=(v) required; (label) }
                                } }
                            }
                        }
                    }
                }
                div { button type="submit" { (ctx.t("pl-submit-answers")) } }
            }
        }
    };
    let status = err.map_or(StatusCode::OK, AppError::status);
    Ok((status, layout::page(ctx, &c.title, SECTION, body)).into_response())
}

async fn answer(
    State(s): State<AppState>,
    Path(token): Path<String>,
    CsrfForm { ctx, form: f }: CsrfForm<Fields>,
) -> AppResult<Response> {
    s.limit_public(&ctx, "survey")?;
    let answers = f
        .iter()
        .filter(|(k, _)| k.as_str() != "_csrf")
        .filter_map(|(k, v)| Some((k.clone(), v.parse().ok()?)))
        .collect();
    let input = AnswerInput { token: token.clone(), answers };
    let who = ctx.who();
    match s.db.write(move |tx| survey::answer(tx, &who, &input)).await {
        Ok(()) => form(&s, &ctx, &token, None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => form(&s, &ctx, &token, Some(&e)).await,
        Err(e) => Err(e),
    }
}
