//! The figures page: what each platform, event, sector, district or department brought in
//! a period (the period before beside it), as a chart and a table that exports; and how
//! many projects stand in each stage now.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{PreEscaped, html};

use super::api::FiguresQuery;
use super::figures::{self, FigureRow, GROUPS};
use super::project_pages::{SECTION, stage_name, tabs};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::validate::fen_in_words;
use crate::kernel::web::list::{ListParams, link_with};
use crate::kernel::web::period;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, Ctx, Q, chart, layout};

pub fn router() -> Router<AppState> {
    Router::new().route("/investment/figures", get(page))
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FiguresQuery>, Q(p): Q<ListParams>) -> AppResult<Response> {
    let asked = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let group = q.group.clone().filter(|g| GROUPS.contains(&g.as_str())).unwrap_or_else(|| "platform".to_owned());
    let (g, shown) = (group.clone(), asked.clone());
    let (rows, stages) = s
        .look(&ctx, Action::ViewInvestment, move |tx, _| {
            Ok((figures::figures(tx, &g, shown.as_ref())?, figures::by_stage(tx)?))
        })
        .await?;
    let process = s.rules(&super::PROJECT)?.process;
    let mut stages = stages;
    stages.sort_by_key(|(state, _, _)| process.states.iter().position(|st| st.id == *state).unwrap_or(usize::MAX));
    let before = |r: &FigureRow, f: fn(&figures::Counts) -> i64| r.previous.as_ref().map(f);
    let none = ctx.t("inv-none").to_owned();
    let table = Table::new()
        .text("name", ctx.t(&format!("inv-group-{group}")), |r: &FigureRow| {
            if r.name.is_empty() { none.clone() } else { r.name.clone() }
        })
        .column(
            "started",
            ctx.t("inv-started"),
            |r| {
                period::beside(
                    &ctx,
                    &r.counts.started.to_string(),
                    before(r, |c| c.started).map(|v| v.to_string()).as_deref(),
                )
            },
            |r| r.counts.started.to_string(),
        )
        .column(
            "signed",
            ctx.t("inv-signed"),
            |r| {
                period::beside(
                    &ctx,
                    &r.counts.signed.to_string(),
                    before(r, |c| c.signed).map(|v| v.to_string()).as_deref(),
                )
            },
            |r| r.counts.signed.to_string(),
        )
        .column(
            "signed_amount",
            ctx.t("inv-signed-amount"),
            |r| {
                period::beside(
                    &ctx,
                    &fen_in_words(r.counts.signed_fen),
                    before(r, |c| c.signed_fen).map(fen_in_words).as_deref(),
                )
            },
            |r| format!("{:.2}", r.counts.signed_fen as f64 / 100.0),
        )
        .column(
            "landed",
            ctx.t("inv-landed"),
            |r| {
                period::beside(
                    &ctx,
                    &r.counts.landed.to_string(),
                    before(r, |c| c.landed).map(|v| v.to_string()).as_deref(),
                )
            },
            |r| r.counts.landed.to_string(),
        )
        .column(
            "producing",
            ctx.t("inv-producing"),
            |r| {
                period::beside(
                    &ctx,
                    &r.counts.producing.to_string(),
                    before(r, |c| c.producing).map(|v| v.to_string()).as_deref(),
                )
            },
            |r| r.counts.producing.to_string(),
        )
        .exported("previous_signed_amount", ctx.t("inv-previous-signed-amount"), |r| {
            before(r, |c| c.signed_fen).map(|f| format!("{:.2}", f as f64 / 100.0)).unwrap_or_default()
        });
    respond(&p, &format!("investment-figures-{group}"), &table, &rows, || {
        let keep: Vec<(&str, String)> =
            vec![("group", group.clone()), ("period", asked.as_ref().map(|p| p.key()).unwrap_or_default())];
        let max = rows.iter().map(|r| r.counts.signed_fen).max().unwrap_or(0).max(1) as f64;
        let bars: Vec<(String, f64, String)> = rows
            .iter()
            .take(15)
            .map(|r| {
                (
                    if r.name.is_empty() { none.clone() } else { r.name.clone() },
                    r.counts.signed_fen as f64,
                    fen_in_words(r.counts.signed_fen),
                )
            })
            .collect();
        let body = html! {
            (tabs(&ctx, "/investment/figures"))
            div.cards { @for (state, count, fen) in &stages {
                a.card href=(format!("/investment?state={state}")) {
                    h3 { (stage_name(&ctx, &process, state)) } div.stat { (count) } p.muted { (fen_in_words(*fen)) }
                }
            } }
            nav.tabs aria-label=(ctx.t("inv-group-by")) { @for g in GROUPS {
                a href=(link_with(&ctx, &keep, &[("group", g)])) aria-current=[(g == group).then_some("page")] { (ctx.t(&format!("inv-group-{g}"))) }
            } }
            (period::chooser(&ctx, &[("group", group.clone())], asked.as_ref(), true))
            @if let Some(p) = &asked { p.muted { (period::label(&ctx, p)) " · " (ctx.t("inv-figures-in-period")) } }
            @if rows.is_empty() { (layout::empty_state(ctx.t("inv-no-figures"))) }
            @else {
                div.card { (PreEscaped(chart::bars(ctx.t("inv-signed-amount"), &bars, max, "#1f5fbf"))) }
                p { a href=(link_with(&ctx, &keep, &[("format", "csv")])) { (ctx.t("common-export_csv")) } " · " a href=(link_with(&ctx, &keep, &[("format", "xlsx")])) { (ctx.t("common-export_xlsx")) } }
                (table.render(&ctx, &ListParams::default(), &[], &rows, ""))
            }
        };
        layout::page(&ctx, ctx.t("inv-figures"), SECTION, body).into_response()
    })
}
