//! The consequences page: commendations, interviews to hold and on record, adjustment
//! proposals, and (for administrators) the thresholds behind them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::api::period_or_current;
use super::consequences::{self, AdjustmentInput, InterviewInput};
use crate::kernel::access::{self, Action};
use crate::kernel::error::AppResult;
use crate::kernel::i18n::Lang;
use crate::kernel::settings;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, text_field};
use crate::kernel::web::list::{ListParams, export, url_encode};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluation/consequences", get(page))
        .route("/evaluation/interviews", post(interview))
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
    if as_file.is_export() {
        return export_all(&s, &ctx, q.period, q.department_id, &as_file).await;
    }
    render(&s, &ctx, q.period, q.department_id, None).await
}

/// Whom the department head's own department limits the lists to.
fn scope(ctx: &Ctx, department: Option<i64>) -> AppResult<Option<i64>> {
    let user = ctx.user()?;
    Ok(department.or(if user.role == crate::kernel::access::Role::DeptHead { user.department_id } else { None }))
}

/// Commendations, interviews and adjustment proposals of a period, one row each.
async fn export_all(
    s: &AppState,
    ctx: &Ctx,
    period: Option<String>,
    department: Option<i64>,
    as_file: &ListParams,
) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let period = period_or_current(period.as_deref(), ctx.now)?;
    let dept = scope(ctx, department)?;
    let p = period.clone();
    let c = s.look(ctx, Action::ViewRankings, move |tx, _| consequences::for_period(tx, &p, dept)).await?;
    let z = ctx.zh();
    let line = |kind: &str, r: &super::scores::DivisionRank, note: String| {
        vec![
            period.clone(),
            kind.to_owned(),
            r.rank.to_string(),
            r.department_name.clone(),
            r.division_name.clone(),
            format!("{:.2}", r.sum_score),
            format!("{:.2}", r.average_score),
            r.ratings.to_string(),
            note,
        ]
    };
    let mut rows = Vec::new();
    for r in &c.commended {
        rows.push(line(if z { "表彰" } else { "commendation" }, r, String::new()));
    }
    for r in &c.to_interview {
        let held: Vec<String> = c
            .interviews
            .iter()
            .filter(|i| i.division_id == r.division_id)
            .map(|i| format!("{} {}：{}", i.held_on, i.interviewer, i.agreed))
            .collect();
        let note =
            if held.is_empty() { (if z { "待约谈" } else { "to interview" }).to_owned() } else { held.join("；") };
        rows.push(line(if z { "约谈" } else { "interview" }, r, note));
    }
    for pr in &c.proposals {
        let note = format!(
            "{} {}",
            pr.periods.join("、"),
            pr.decision.clone().unwrap_or_else(|| (if z { "待决定" } else { "undecided" }).to_owned())
        );
        rows.push(line(if z { "调整建议" } else { "adjustment proposal" }, &pr.division, note));
    }
    let header: &[&str] = if z {
        &["期间", "类别", "排名", "部门", "处室", "得分合计", "人均得分", "评价数", "说明"]
    } else {
        &["period", "kind", "rank", "department", "division", "sum_score", "average_score", "ratings", "note"]
    };
    export(as_file, "consequences", header, rows)
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    period: Option<String>,
    department: Option<i64>,
    retry: Option<&Retry>,
) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let period = period_or_current(period.as_deref(), ctx.now)?;
    let p = period.clone();
    let user = ctx.user()?.clone();
    let dept = scope(ctx, department)?;
    let (c, all_settings) = s
        .look(ctx, Action::ViewRankings, move |tx, _| Ok((consequences::for_period(tx, &p, dept)?, settings::all(tx)?)))
        .await?;
    let z = ctx.lang == Lang::Zh;
    let admin = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageProcesses));
    let (fi, fa) = ("interview", "adjustment");
    let row = |r: &super::scores::DivisionRank| {
        html! { (r.rank) ". " (r.department_name) " · " (r.division_name) " — " strong { (format!("{:.2}", r.sum_score)) } span.muted { " (" (if z { "人均 " } else { "avg " }) (format!("{:.2}", r.average_score)) ", " (r.ratings) (if z { " 条评价" } else { " ratings" }) ")" } }
    };
    let body = html! {
        form.filters method="get" action="/evaluation/consequences" {
            (text_field(ctx, "period", if z { "期间" } else { "Period" }, &period, None, false))
            button type="submit" { (ctx.t("common.filter")) }
        }
        p {
            a href=(format!("/evaluation/consequences?period={}&format=csv", url_encode(&period))) { (ctx.t("common.export_csv")) } " · "
            a href=(format!("/evaluation/consequences?period={}&format=xlsx", url_encode(&period))) { (ctx.t("common.export_xlsx")) }
        }
        p.muted { @for st in &all_settings { (if z { &st.meaning } else { &st.meaning_en }) "：" strong { (st.value) } "。 " } }
        h2 { (if z { "表彰名单" } else { "Commendations" }) }
        @if c.commended.is_empty() { (layout::empty_state(if z { "本期尚无评价。" } else { "No ratings this period." })) }
        @else { ul { @for r in &c.commended { li { (row(r)) " " (badge(if z { "表彰" } else { "commended" }, "green")) } } } }
        h2 { (if z { "约谈" } else { "Interviews" }) }
        @if c.to_interview.is_empty() { (layout::empty_state(if z { "本期无须约谈。" } else { "No interviews this period." })) }
        @else { ul { @for r in &c.to_interview {
            li {
                (row(r))
                @let held: Vec<_> = c.interviews.iter().filter(|i| i.division_id == r.division_id).collect();
                @if held.is_empty() { " " (badge(if z { "待约谈" } else { "to interview" }, "red")) }
                @for i in held { div.muted { (i.held_on) " · " (i.interviewer) (if z { " 约谈 " } else { " interviewed " }) (i.head_name) "：" (i.said) " — " (if z { "整改承诺：" } else { "agreed: " }) (i.agreed) } }
            }
        } } }
        @if !c.to_interview.is_empty() {
            details.panel open[error(retry, fi).is_some()] {
                summary { (if z { "记录约谈" } else { "Record an interview" }) }
                form.stack method="post" action="/evaluation/interviews" {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fi)))
                    input type="hidden" name="period" value=(period);
                    (layout::select_field(ctx, "division_id", ctx.t("common.division"), &c.to_interview.iter().map(|r| (r.division_id.to_string(), format!("{} · {}", r.department_name, r.division_name))).collect::<Vec<_>>(), value(retry, fi, "division_id", ""), error(retry, fi)))
                    (layout::input_field(ctx, "date", "held_on", if z { "约谈日期" } else { "Held on" }, value(retry, fi, "held_on", ""), error(retry, fi), true))
                    (text_field(ctx, "interviewer", if z { "约谈人" } else { "Interviewer" }, value(retry, fi, "interviewer", &user.display_name), error(retry, fi), true))
                    label.field { span { (if z { "谈话内容" } else { "What was said" }) } textarea name="said" rows="3" required { (value(retry, fi, "said", "")) } }
                    label.field { span { (if z { "整改承诺" } else { "Improvements agreed" }) } textarea name="agreed" rows="2" required { (value(retry, fi, "agreed", "")) } }
                    div { button type="submit" { (ctx.t("common.save")) } }
                }
            }
        }
        h2 { (if z { "调整建议" } else { "Adjustment proposals" }) }
        @if c.proposals.is_empty() { (layout::empty_state(if z { "没有连续处于末位的处室。" } else { "No division has been at the bottom long enough." })) }
        @else { ul { @for pr in &c.proposals { li {
            (row(&pr.division)) " · " (pr.periods.join("、"))
            @match &pr.decision {
                Some(d) => { " " (badge(&format!("{}：{d}", if z { "已决定" } else { "decided" }), "blue")) }
                None => {
                    form.filters method="post" action="/evaluation/adjustments" {
                        (csrf_field(ctx))
                        (error_banner(ctx, error(retry, fa)))
                        input type="hidden" name="division_id" value=(pr.division.division_id);
                        input type="hidden" name="periods" value=(pr.periods.join(","));
                        input type="text" name="note" placeholder=(if z { "意见" } else { "Note" }) aria-label=(if z { "意见" } else { "Note" });
                        button type="submit" name="decision" value="adjust" { (if z { "调整" } else { "Adjust" }) }
                        button.secondary type="submit" name="decision" value="keep" { (if z { "留任观察" } else { "Keep and watch" }) }
                    }
                }
            }
        } } } }
        @if admin {
            h2 { (if z { "阈值设置" } else { "Thresholds" }) }
            @for st in &all_settings {
                form.filters method="post" action=(format!("/evaluation/settings/{}", st.key)) {
                    (csrf_field(ctx))
                    (layout::input_field(ctx, "number", "value", if z { &st.meaning } else { &st.meaning_en }, &st.value.to_string(), None, true))
                    button.secondary type="submit" { (ctx.t("common.save")) }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((
        status,
        layout::page(
            ctx,
            &format!("{} · {period}", if z { "评价结果运用" } else { "Consequences" }),
            Section::Of("evaluation"),
            body,
        ),
    )
        .into_response())
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
        Err(retry) => render(&s, &ctx, period, None, Some(&retry)).await,
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
        Err(retry) => render(&s, &ctx, period, None, Some(&retry)).await,
    }
}

#[derive(serde::Deserialize)]
struct SettingForm {
    value: i64,
}

async fn setting(State(s): State<AppState>, Path(key): Path<String>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageProcesses, "setting", form, move |tx, who, input: SettingForm| {
        settings::set(tx, who, &key, input.value)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/evaluation/consequences").into_response()),
        Err(retry) => render(&s, &ctx, None, None, Some(&retry)).await,
    }
}
