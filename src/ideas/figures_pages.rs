//! The figures page: ideas by stage and field, decisions and the share adopted, measures
//! delivered on time per department (as a chart), and the evaluators' turnaround; for a
//! period, exported as CSV or Excel.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{PreEscaped, html};

use super::api::FiguresQuery;
use super::figures::{self, DepartmentDelivery};
use super::idea_pages::{SECTION, field_name, state_name, tabs};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, link_with};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, Ctx, Q, chart, layout, period};

pub fn router() -> Router<AppState> {
    Router::new().route("/ideas/figures", get(page))
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FiguresQuery>, Q(p): Q<ListParams>) -> AppResult<Response> {
    ctx.require(Action::HandleIdeas)?;
    let asked = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let (calendar, now, shown) = (s.calendar(), ctx.now, asked.clone());
    let f =
        s.look(&ctx, Action::HandleIdeas, move |tx, _| figures::figures(tx, &calendar, shown.as_ref(), now)).await?;
    let table = Table::new()
        .text("department", ctx.t("idea-department"), |d: &DepartmentDelivery| d.department_name.clone())
        .text("measures", ctx.t("idea-measures"), |d| d.measures.to_string())
        .text("on_time", ctx.t("idea-delivery-on_time"), |d| d.on_time.to_string())
        .text("late", ctx.t("idea-delivery-late"), |d| d.late.to_string())
        .text("overdue", ctx.t("idea-delivery-overdue"), |d| d.overdue.to_string())
        .text("under_way", ctx.t("idea-delivery-under_way"), |d| d.under_way.to_string());
    respond(&p, "idea-delivery", &table, &f.delivery, || {
        let keep: Vec<(&str, String)> = vec![("period", asked.as_ref().map(|p| p.key()).unwrap_or_default())];
        let bars: Vec<(String, f64, String)> = f
            .delivery
            .iter()
            .map(|d| {
                let share = if d.measures == 0 { 0.0 } else { d.on_time as f64 * 100.0 / d.measures as f64 };
                (d.department_name.clone(), share, format!("{share:.0}%"))
            })
            .collect();
        let dec = &f.decisions;
        let body = html! {
            (tabs(&ctx, "/ideas/figures"))
            (period::chooser(&ctx, &[], asked.as_ref(), true))
            @if let Some(p) = &asked { p.muted { (period::label(&ctx, p)) } }
            div.cards {
                div.card { h3 { (ctx.t("idea-decided")) } div.stat { (dec.decided) } }
                div.card { h3 { (ctx.t("idea-adopted-share")) } div.stat { (dec.adopted_share.map(|s| format!("{s:.1}%")).unwrap_or_else(|| "—".into())) } }
                div.card { h3 { (ctx.t("idea-days-to-decision")) } div.stat { (dec.mean_working_days.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())) } }
            }
            h2 { (ctx.t("idea-by-stage")) }
            @if f.by_stage.is_empty() { (layout::empty_state(ctx.t("idea-none"))) } @else {
                table.data { thead { tr { th { (ctx.t("idea-field")) } th { (ctx.t("idea-stage")) } th { (ctx.t("idea-count")) } } }
                    tbody { @for r in &f.by_stage { tr {
                        td { (field_name(&ctx, &r.field)) } td { a href=(format!("/ideas?state={}&field={}", r.state, r.field)) { (state_name(&s, &ctx, &r.state)) } } td { (r.count) }
                    } } } }
            }
            h2 { (ctx.t("idea-delivery-by-department")) }
            @if f.delivery.is_empty() { (layout::empty_state(ctx.t("idea-no-packages"))) } @else {
                div.card { (PreEscaped(chart::bars(ctx.t("idea-on-time-share"), &bars, 100.0, "#1f7a3f"))) }
                p { a href=(link_with(&ctx, &keep, &[("format", "csv")])) { (ctx.t("common-export_csv")) } " · " a href=(link_with(&ctx, &keep, &[("format", "xlsx")])) { (ctx.t("common-export_xlsx")) } }
                (table.render(&ctx, &ListParams::default(), &[], &f.delivery, ""))
            }
            h2 { (ctx.t("idea-evaluator-turnaround")) }
            @if f.evaluators.is_empty() { (layout::empty_state(ctx.t("idea-no-evaluators"))) } @else {
                table.data { thead { tr { th { (ctx.t("idea-evaluator")) } th { (ctx.t("idea-reports")) } th { (ctx.t("idea-late-reports")) } th { (ctx.t("idea-open-commissions")) } th { (ctx.t("idea-mean-days")) } } }
                    tbody { @for e in &f.evaluators { tr {
                        td { (e.evaluator_name) } td { (e.reported) } td { (e.late) } td { (e.open) }
                        td { (e.mean_working_days.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())) }
                    } } } }
            }
        };
        layout::page(&ctx, ctx.t("idea-figures"), SECTION, body).into_response()
    })
}
