//! The departments' assessment (考核) by period, as a ranked table with a chart and
//! exports; and a department's page with its parts, its last four quarters and its
//! divisions' service-rating ranks beside them.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{PreEscaped, html};

use super::api::{AssessmentQuery, period_or_current};
use super::assessment::{self, DepartmentAssessment, PartWeight};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::period::Period;
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::list::ListParams;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, Ctx, Q, chart, period};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluation/assessment", get(all_departments))
        .route("/evaluation/assessment/{department_id}", get(one_department))
}

const COLORS: [&str; 4] = ["#1f5fbf", "#1e7b34", "#a86b00", "#6b3fa0"];

fn shown(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"))
}

fn weights_note(ctx: &Ctx, parts: &[PartWeight]) -> maud::Markup {
    html! {
        details {
            summary { (ctx.t("ev-assessment-method")) }
            ul { @for p in parts { li { strong { (p.name) } " · " (ctx.t("ev-assessment-weight")) " " (p.weight) "% — " (p.method) } } }
        }
    }
}

async fn all_departments(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(q): Q<AssessmentQuery>,
    Q(export): Q<ListParams>,
) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let asked = Period::parse(&period_or_current(q.period.as_deref(), ctx.now)?)?;
    let (registry, lang, p) = (s.registry, ctx.lang, asked.clone());
    let a = s.look(&ctx, Action::ViewRankings, move |tx, _| assessment::assess(tx, registry, &p, lang)).await?;
    let key = a.period.clone();
    let mut table = Table::new()
        .text("rank", "#", |d: &DepartmentAssessment| d.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()))
        .column(
            "department",
            ctx.t("common-department"),
            |d| html! { a href=(format!("/evaluation/assessment/{}?period={key}", d.department_id)) { (d.department_name) } },
            |d| d.department_name.clone(),
        );
    for (part, weighed) in s.registry.assessment_parts().into_iter().zip(&a.parts) {
        let label = format!("{} ({}%)", weighed.name, weighed.weight);
        table = table.text(part.id, &label, move |d| shown(d.score_of(part.id).map(|s| s.score)));
    }
    let table = table.column(
        "total",
        ctx.t("ev-assessment-total"),
        |d| html! { strong { (shown(d.total)) } },
        |d| shown(d.total),
    );
    let bars: Vec<(String, f64, String)> = a
        .departments
        .iter()
        .filter_map(|d| d.total.map(|t| (d.department_name.clone(), t, format!("{t:.1}"))))
        .take(20)
        .collect();
    respond(&export, &format!("assessment-{}", a.period), &table, &a.departments, || {
        let body = html! {
            (period::chooser(&ctx, &[], Some(&asked), false))
            (weights_note(&ctx, &a.parts))
            p.no-print {
                a href=(format!("/evaluation/assessment?period={}&format=csv", a.period)) { (ctx.t("common-export_csv")) } " · "
                a href=(format!("/evaluation/assessment?period={}&format=xlsx", a.period)) { (ctx.t("common-export_xlsx")) } " · "
                button.link type="button" onclick="window.print()" { (ctx.t("k-print")) }
            }
            @if bars.is_empty() { (layout::empty_state(ctx.t("ev-assessment-none"))) }
            @else { div.card { (PreEscaped(chart::bars(ctx.t("ev-assessment-total"), &bars, 100.0, "#1f5fbf"))) } }
            (table.render(&ctx, &export, &[], &a.departments, ""))
        };
        let title = format!("{} · {}", ctx.t("ev-assessment"), period::label(&ctx, &asked));
        layout::page(&ctx, &title, Section::Of("evaluation"), body).into_response()
    })
}

async fn one_department(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(department_id): Path<i64>,
    Q(q): Q<AssessmentQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let asked = Period::parse(&period_or_current(q.period.as_deref(), ctx.now)?)?;
    let (registry, lang, now, p) = (s.registry, ctx.lang, ctx.now, asked.clone());
    let u = s
        .look(&ctx, Action::ViewRankings, move |tx, _| {
            assessment::of_department(tx, registry, department_id, &p, (lang, now))
        })
        .await?;
    let labels: Vec<String> = u.quarters.iter().map(|q| q.period.clone()).collect();
    let mut series: Vec<(&str, &str, Vec<f64>)> = vec![(
        ctx.t("ev-assessment-total"),
        "#b3261e",
        u.quarters.iter().map(|q| q.total.unwrap_or(f64::NAN)).collect(),
    )];
    for (i, part) in u.parts.iter().enumerate() {
        let values = u
            .quarters
            .iter()
            .map(|q| q.scores.iter().find(|s| s.part == part.id).map_or(f64::NAN, |s| s.score))
            .collect();
        series.push((part.name.as_str(), COLORS[i % COLORS.len()], values));
    }
    let body = html! {
        p { a href=(format!("/evaluation/assessment?period={}", u.period)) { "← " (ctx.t("ev-assessment")) } }
        (period::chooser(&ctx, &[], Some(&asked), false))
        div.cards {
            div.card { h3 { (ctx.t("ev-assessment-total")) } div.stat { (shown(u.current.total)) } }
            div.card { h3 { (ctx.t("ev-assessment-rank")) } div.stat {
                @match u.current.rank { Some(r) => { (r) " / " (u.of_departments) }, None => { "—" } }
            } }
            @for part in &u.parts {
                div.card {
                    h3 { (part.name) " (" (part.weight) "%)" }
                    div.stat { (shown(u.current.score_of(&part.id).map(|s| s.score))) }
                    @if let Some(sc) = u.current.score_of(&part.id) { p.muted { (ctx.t_args("ev-assessment-sample", &[("n", &sc.sample.to_string())])) } }
                }
            }
        }
        (weights_note(&ctx, &u.parts))
        h2 { (ctx.t("ev-assessment-quarters")) }
        div.card { (PreEscaped(chart::lines(ctx.t("ev-assessment-quarters"), &labels, &series, 0.0, 100.0))) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("ev-quarter")) } @for p in &u.parts { th { (p.name) } } th { (ctx.t("ev-assessment-total")) } } }
            tbody { @for q in &u.quarters { tr {
                td { (q.period) }
                @for p in &u.parts { td { (shown(q.scores.iter().find(|s| s.part == p.id).map(|s| s.score))) } }
                td { strong { (shown(q.total)) } }
            } } }
        } }
        h2 { (ctx.t("ev-assessment-divisions")) }
        @if u.divisions.is_empty() { (layout::empty_state(ctx.t("ev-no-ratings-in-this-period"))) }
        @else {
            div.table-wrap { table {
                thead { tr { th { "#" } th { (ctx.t("common-division")) } th { (ctx.t("ev-head-s-score")) } th { (ctx.t("ev-average")) } th { (ctx.t("ev-members-ratings")) } } }
                tbody { @for d in &u.divisions { tr {
                    td { @if d.ranked { (d.rank) } @else { span.muted { (ctx.t("ev-unranked")) } } }
                    td { a href=(format!("/evaluation?division_id={}&period={}", d.division_id, u.period)) { (d.division_name) } }
                    td { (format!("{:.2}", d.sum_score)) }
                    td { (format!("{:.2}", d.average_score)) }
                    td { (d.members_rated) " / " (d.ratings) }
                } } }
            } }
        }
    };
    let title = format!("{} · {} · {}", u.current.department_name, ctx.t("ev-assessment"), period::label(&ctx, &asked));
    Ok(layout::page(&ctx, &title, Section::Of("evaluation"), body).into_response())
}
