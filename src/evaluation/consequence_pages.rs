//! The consequences page: commendations, interviews to hold and on record, adjustment
//! proposals, and (for administrators) the thresholds behind them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::api::decision_period_or_current;
use super::consequences::Consequences;
use super::consequences::{self, AdjustmentInput, InterviewInput};
use super::scores::DivisionRank;
use crate::kernel::access::{self, Action};
use crate::kernel::error::AppResult;
use crate::kernel::i18n::Lang;
use crate::kernel::settings;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, text_field};
use crate::kernel::web::list::{ListParams, url_encode};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluation/consequences", get(page))
        .route("/evaluation/interviews", post(interview))
        .route("/evaluation/interviews/{id}", get(interview_record))
        .route("/evaluation/adjustments", post(adjustment))
        .route("/evaluation/settings/{key}", post(setting))
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    period: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    department_id: Option<i64>,
    /// `csv` or `xlsx`: the three lists as one table.
    format: Option<String>,
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PageQuery>) -> AppResult<Response> {
    let as_file = ListParams { format: q.format.clone(), ..Default::default() };
    render(&s, &ctx, q.period, q.department_id, None, &as_file).await
}

/// Whom the department head's own department limits the lists to.
fn scope(ctx: &Ctx, department: Option<i64>) -> AppResult<Option<i64>> {
    let user = ctx.user()?;
    Ok(department.or(if user.role == crate::kernel::access::Role::DeptHead { user.department_id } else { None }))
}

/// One commendation, interview or adjustment proposal, as a line of the export.
struct Line<'a> {
    kind: &'a str,
    rank: &'a DivisionRank,
    note: String,
}

/// Commendations, interviews (with those held) and adjustment proposals, one line each.
fn lines<'a>(ctx: &'a Ctx, c: &'a Consequences) -> Vec<Line<'a>> {
    let mut lines: Vec<Line<'a>> =
        c.commended.iter().map(|r| Line { kind: ctx.t("ev-commendation"), rank: r, note: String::new() }).collect();
    for r in &c.to_interview {
        let held: Vec<String> = c
            .interviews
            .iter()
            .filter(|i| i.division_id == r.division_id)
            .map(|i| format!("{} {}：{}", i.held_on, i.interviewer, i.agreed))
            .collect();
        let note = if held.is_empty() { ctx.t("ev-to-interview").to_owned() } else { held.join("；") };
        lines.push(Line { kind: ctx.t("ev-interview"), rank: r, note });
    }
    for pr in &c.proposals {
        let decision = pr.decision.clone().unwrap_or_else(|| ctx.t("ev-undecided").to_owned());
        let note = format!("{} {decision}", pr.periods.join("、"));
        lines.push(Line { kind: ctx.t("ev-adjustment-proposal"), rank: &pr.division, note });
    }
    lines
}

fn line_table<'a>(ctx: &Ctx, period: &'a str) -> Table<'a, Line<'a>> {
    Table::new()
        .exported("period", ctx.t("col-period"), move |_: &Line<'_>| period.to_owned())
        .exported("kind", ctx.t("col-kind"), |l| l.kind.to_owned())
        .exported("rank", ctx.t("col-rank"), |l| l.rank.rank.to_string())
        .exported("department", ctx.t("col-department"), |l| l.rank.department_name.clone())
        .exported("division", ctx.t("col-division"), |l| l.rank.division_name.clone())
        .exported("sum_score", ctx.t("col-sum_score"), |l| format!("{:.2}", l.rank.sum_score))
        .exported("average_score", ctx.t("col-average_score"), |l| format!("{:.2}", l.rank.average_score))
        .exported("ratings", ctx.t("col-ratings"), |l| l.rank.ratings.to_string())
        .exported("note", ctx.t("col-note"), |l| l.note.clone())
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    period: Option<String>,
    department: Option<i64>,
    retry: Option<&Retry>,
    as_file: &ListParams,
) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let period = decision_period_or_current(period.as_deref(), ctx.now)?;
    let p = period.clone();
    let user = ctx.user()?.clone();
    let dept = scope(ctx, department)?;
    let (c, all_settings) = s
        .look(ctx, Action::ViewRankings, move |tx, _| {
            Ok((consequences::for_period(tx, &p, dept)?, settings::all(tx, super::MECHANISM.settings)?))
        })
        .await?;
    let z = ctx.lang == Lang::Zh;
    let admin = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageProcesses));
    let (fi, fa) = ("interview", "adjustment");
    let row = |r: &super::scores::DivisionRank| {
        html! { (r.rank) ". " (r.department_name) " · " (r.division_name) " — " strong { (format!("{:.2}", r.sum_score)) } span.muted { " (" (ctx.t("ev-avg")) (format!("{:.2}", r.average_score)) ", " (r.ratings) (ctx.t("ev-ratings")) ")" } }
    };
    let body = html! {
        form.filters method="get" action="/evaluation/consequences" {
            (text_field(ctx, "period", ctx.t("ev-period"), &period, None, false))
            button type="submit" { (ctx.t("common-filter")) }
        }
        p {
            a href=(format!("/evaluation/consequences?period={}&format=csv", url_encode(&period))) { (ctx.t("common-export_csv")) } " · "
            a href=(format!("/evaluation/consequences?period={}&format=xlsx", url_encode(&period))) { (ctx.t("common-export_xlsx")) }
        }
        p.muted { @for st in &all_settings { (if z { &st.meaning } else { &st.meaning_en }) "：" strong { (st.value) } "。 " } }
        h2 { (ctx.t("ev-commendations")) }
        @if c.commended.is_empty() { (layout::empty_state(ctx.t("ev-no-ratings-this-period"))) }
        @else { ul { @for r in &c.commended { li { (row(r)) " " (badge(ctx.t("ev-commended"), "green")) } } } }
        h2 { (ctx.t("ev-interviews")) }
        @if c.to_interview.is_empty() { (layout::empty_state(ctx.t("ev-no-interviews-this-period"))) }
        @else { ul { @for r in &c.to_interview {
            li {
                (row(r))
                @let held: Vec<_> = c.interviews.iter().filter(|i| i.division_id == r.division_id).collect();
                @if held.is_empty() { " " (badge(ctx.t("ev-to-interview"), "red")) }
                @for i in held { div.muted { (i.held_on) " · " (i.interviewer) (ctx.t("ev-interviewed")) (i.head_name) "：" (i.said) " — " (ctx.t("ev-agreed")) (i.agreed) " " a href=(format!("/evaluation/interviews/{}", i.id)) { (ctx.t("ev-interview-record")) } } }
            }
        } } }
        @if !c.to_interview.is_empty() {
            details.panel open[error(retry, fi).is_some()] {
                summary { (ctx.t("ev-record-an-interview")) }
                form.stack method="post" action="/evaluation/interviews" {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fi)))
                    input type="hidden" name="period" value=(period);
                    (layout::select_field(ctx, "division_id", ctx.t("common-division"), &c.to_interview.iter().map(|r| (r.division_id.to_string(), format!("{} · {}", r.department_name, r.division_name))).collect::<Vec<_>>(), value(retry, fi, "division_id", ""), error(retry, fi)))
                    (layout::input_field(ctx, "date", "held_on", ctx.t("ev-held-on"), value(retry, fi, "held_on", ""), error(retry, fi), true))
                    (text_field(ctx, "interviewer", ctx.t("ev-interviewer"), value(retry, fi, "interviewer", &user.display_name), error(retry, fi), true))
                    label.field { span { (ctx.t("ev-what-was-said")) } textarea name="said" rows="3" required { (value(retry, fi, "said", "")) } }
                    label.field { span { (ctx.t("ev-improvements-agreed")) } textarea name="agreed" rows="2" required { (value(retry, fi, "agreed", "")) } }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("ev-adjustment-proposals")) }
        @if c.proposals.is_empty() { (layout::empty_state(ctx.t("ev-no-division-has-been-at"))) }
        @else { ul { @for pr in &c.proposals { li {
            (row(&pr.division)) " · " (pr.periods.join("、"))
            @match &pr.decision {
                Some(d) => { " " (badge(&format!("{}：{d}", ctx.t("ev-decided")), "blue")) }
                None => {
                    form.filters method="post" action="/evaluation/adjustments" {
                        (csrf_field(ctx))
                        (error_banner(ctx, error(retry, fa)))
                        input type="hidden" name="division_id" value=(pr.division.division_id);
                        input type="hidden" name="periods" value=(pr.periods.join(","));
                        input type="text" name="note" placeholder=(ctx.t("ev-note")) aria-label=(ctx.t("ev-note"));
                        button type="submit" name="decision" value="adjust" { (ctx.t("ev-adjust")) }
                        button.secondary type="submit" name="decision" value="keep" { (ctx.t("ev-keep-and-watch")) }
                    }
                }
            }
        } } } }
        @if admin {
            h2 { (ctx.t("ev-thresholds")) }
            @for st in &all_settings {
                form.filters method="post" action=(format!("/evaluation/settings/{}", st.key)) {
                    (csrf_field(ctx))
                    (layout::input_field(ctx, "number", "value", if z { &st.meaning } else { &st.meaning_en }, &st.value.to_string(), None, true))
                    button.secondary type="submit" { (ctx.t("common-save")) }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    let title = format!("{} · {period}", ctx.t("ev-consequences"));
    respond(as_file, "consequences", &line_table(ctx, &period), &lines(ctx, &c), || {
        (status, layout::page(ctx, &title, Section::Of("evaluation"), body)).into_response()
    })
}

async fn interview(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let period = form.get("period").cloned();
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "interview", form, move |tx, who, input: InterviewInput| {
        consequences::record_interview(tx, who, &user, &input)
    })
    .await?
    {
        Ok(i) => Ok(Redirect::to(&format!("/evaluation/consequences?period={}", i.period)).into_response()),
        Err(retry) => render(&s, &ctx, period, None, Some(&retry), &ListParams::default()).await,
    }
}

async fn adjustment(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let period = form.get("periods").and_then(|p| p.rsplit(',').next()).map(str::to_owned);
    let user = ctx.user()?.clone();
    let p = period.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "adjustment", form, move |tx, who, input: AdjustmentInput| {
        consequences::decide_adjustment(tx, who, &user, &input)
    })
    .await?
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/evaluation/consequences?period={}", p.unwrap_or_default())).into_response())
        }
        Err(retry) => render(&s, &ctx, period, None, Some(&retry), &ListParams::default()).await,
    }
}

#[derive(serde::Deserialize)]
struct SettingForm {
    value: i64,
}

async fn setting(State(s): State<AppState>, Path(key): Path<String>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageProcesses, "setting", form, move |tx, who, input: SettingForm| {
        settings::set(tx, who, super::MECHANISM.settings, &key, input.value)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/evaluation/consequences").into_response()),
        Err(retry) => render(&s, &ctx, None, None, Some(&retry), &ListParams::default()).await,
    }
}

/// 约谈记录: an interview on record laid out as the document filed, printing on A4.
async fn interview_record(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = s
        .look(&ctx, Action::ViewEvaluation, move |tx, u| {
            consequences::interview(tx, u.ok_or(crate::kernel::error::AppError::Unauthenticated)?, id)
        })
        .await?;
    let i = &r.interview;
    let body = html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href=(format!("/evaluation/consequences?period={}", url_encode(&i.period))) { (ctx.t("common-back")) }
        }
        article.gongwen {
            header { p.issuer { (r.department_name) } p.number { (ctx.t_args("ev-interview-number", &[("period", &i.period), ("id", &i.id.to_string())])) } }
            h2.doc-title { (ctx.t("ev-interview-record")) }
            table.slip {
                tr { th { (ctx.t("ev-interviewee")) } td { (i.head_name) } th { (ctx.t("common-division")) } td { (r.division_name) } }
                tr { th { (ctx.t("ev-interviewer")) } td { (i.interviewer) } th { (ctx.t("ev-held-on")) } td { (i.held_on) } }
                tr { th { (ctx.t("ev-period")) } td colspan="3" { (i.period) } }
                tr { th { (ctx.t("ev-interview-said")) } td colspan="3" { @for p in i.said.lines() { p { (p) } } } }
                tr { th { (ctx.t("ev-interview-agreed")) } td colspan="3" { @for p in i.agreed.lines() { p { (p) } } } }
            }
            p.signature { (ctx.t("ev-interview-signatures")) }
        }
    };
    Ok(layout::page(&ctx, ctx.t("ev-interview-record"), Section::Of("evaluation"), body).into_response())
}
