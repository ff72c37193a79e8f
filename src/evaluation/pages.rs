//! Pages: the public rating form, one's own scores and invitations, the division
//! scoreboard with its formulas and charts, the rankings, and bad reviews.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};

use super::api::{may_read_division, period_or_current, public_limit};
use super::bad_reviews::{self, BadReviewFilter};
use super::ratings::{self, InteractionInput, Rating, RatingInput};
use super::scores;
use super::{DIMENSIONS, LEVELS};
use crate::kernel::access::{Action, Role};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::period::Period;
use crate::kernel::web::chart;
use crate::kernel::web::form::{Fields, Retry, TransitionForm, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluation", get(overview))
        .route("/evaluation/invite", post(invite))
        .route("/evaluation/ranking", get(ranking))
        .route("/evaluation/bad-reviews", get(bad_review_list))
        .route("/evaluation/bad-reviews/{id}", get(bad_review).post(bad_review_transition))
        .route("/rate/{token}", get(rate_form).post(rate_submit))
}

fn dim_name(i: usize, z: bool) -> &'static str {
    let lang = if z { Lang::Zh } else { Lang::En };
    crate::kernel::i18n::lookup(lang, &format!("ev-dimension-{}", DIMENSIONS[i])).unwrap_or(DIMENSIONS[i])
}

fn level_name(lang: Lang, level: i64) -> &'static str {
    crate::kernel::i18n::lookup(lang, &format!("ev-level-{level}")).unwrap_or("")
}

#[derive(serde::Deserialize, Default)]
struct OverviewQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    division_id: Option<i64>,
    /// `csv` or `xlsx`: the scoreboard as a download.
    format: Option<String>,
}

async fn overview(State(s): State<AppState>, ctx: Ctx, Q(q): Q<OverviewQuery>) -> AppResult<Response> {
    render(&s, &ctx, q, None, None).await
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    q: OverviewQuery,
    retry: Option<&Retry>,
    invitation: Option<ratings::Invitation>,
) -> AppResult<Response> {
    ctx.require(Action::ViewEvaluation)?;
    let user = ctx.user()?.clone();
    let z = ctx.zh();
    let period = asked_period(q.period.as_deref(), q.from.as_deref(), q.to.as_deref(), ctx.now)?;
    let shown = Period::parse(&period)?;
    let export_as = ListParams { format: q.format.clone(), ..Default::default() };
    let u = user.clone();
    let p = period.clone();
    let (mine, trend, board, division_trend, divisions) = s
        .look(ctx, Action::ViewEvaluation, move |tx, _| {
            let mine = ratings::of_staff(tx, u.id, 20)?;
            let trend = scores::member_trend(tx, u.id)?;
            let divisions: Vec<(i64, String)> = match u.role {
                Role::DivisionHead => u.division_id.map(|d| vec![(d, String::new())]).unwrap_or_default(),
                Role::DeptHead => tx
                    .query(
                        "SELECT id, name FROM divisions WHERE department_id = $1 AND active = 1 ORDER BY name",
                        crate::params![u.department_id.unwrap_or(-1)],
                    )?
                    .iter()
                    .map(|r| Ok((r.int(0)?, r.text(1)?)))
                    .collect::<AppResult<_>>()?,
                Role::Leader | Role::Supervisor => crate::org::divisions::options(tx)?,
                _ => Vec::new(),
            };
            let chosen = q.division_id.or_else(|| divisions.first().map(|(d, _)| *d));
            let (board, dtrend) = match chosen {
                Some(d) => {
                    may_read_division(tx, &u, d)?;
                    (Some(scores::scoreboard(tx, d, &p)?), scores::division_trend(tx, d)?)
                }
                None => (None, Vec::new()),
            };
            Ok((mine, trend, board, dtrend, divisions))
        })
        .await?;
    let mut members: Table<'_, scores::MemberScore> = Table::new()
        .text("member", ctx.t("ev-member"), |m: &scores::MemberScore| m.name.clone())
        .text("ratings", ctx.t("ev-ratings-2"), |m| m.ratings.to_string());
    for (i, key) in DIMENSIONS.iter().enumerate() {
        members = members.text(key, dim_name(i, z), move |m| format!("{:.2}", m.dimensions[i]));
    }
    let members = members.column(
        "score",
        ctx.t("ev-score"),
        |m| html! { strong { (format!("{:.2}", m.score)) } },
        |m| format!("{:.2}", m.score),
    );
    let f = "invite";
    let err = error(retry, f);
    let kinds: Vec<(String, String)> = ratings::KINDS
        .iter()
        .filter(|k| **k != "task" && **k != "lead")
        .map(|k| ((*k).to_owned(), ctx.t(&format!("interaction-{k}")).to_owned()))
        .collect();
    let can_invite = matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead);
    let trend_table = |rows: &[scores::Trend]| {
        html! {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("ev-quarter")) } th { (ctx.t("ev-ratings-2")) } @for i in 0..4 { th { (dim_name(i, z)) } } th { (ctx.t("ev-score")) } } }
                tbody { @for t in rows { tr { td { (t.period) } td { (t.ratings) } @for d in t.dimensions { td { (format!("{d:.2}")) } } td { (format!("{:.2}", t.dimensions.iter().sum::<f64>())) } } } }
            } }
        }
    };
    let body = html! {
        div.actions {
            a.button.secondary href="/evaluation/bad-reviews" { (ctx.t("ev-bad-reviews")) }
            a.button.secondary href="/evaluation/pool" { (ctx.t("ev-unfit-staff-pool")) }
            @if ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, Action::ViewRankings)) {
                a.button.secondary href=(format!("/evaluation/ranking?period={period}")) { (ctx.t("ev-rankings")) }
                a.button.secondary href=(format!("/evaluation/assessment?period={period}")) { (ctx.t("ev-assessment")) }
                a.button.secondary href=(format!("/evaluation/consequences?period={period}")) { (ctx.t("ev-commendations-interviews-adjustments")) }
            }
        }
        @if let Some(inv) = &invitation {
            div.notice role="status" {
                p { (ctx.t_args(&format!("ev-invitation-sent-{}", inv.channel), &[("to", &inv.sent_to)])) }
            }
        }
        @if can_invite {
            details.panel #invite open[err.is_some() || invitation.is_none()] {
                summary { (ctx.t("ev-log-a-service-and-issue")) }
                form.stack method="post" action="/evaluation/invite" {
                    (csrf_field(ctx))
                    (error_banner(ctx, err))
                    (select_field(ctx, "kind", ctx.t("common-kind"), &kinds, value(retry, f, "kind", "counter"), err))
                    (text_field(ctx, "summary", ctx.t("ev-what-was-done-shown-to"), value(retry, f, "summary", ""), err, true))
                    (text_field(ctx, "served_name", ctx.t("ev-person-or-enterprise-served"), value(retry, f, "served_name", ""), err, false))
                    (layout::input_field(ctx, "tel", "served_contact", ctx.t("ev-served-contact"), value(retry, f, "served_contact", ""), err, true))
                    p.muted { (ctx.t("ev-served-contact-why")) }
                    div { button type="submit" { (ctx.t("ev-send-the-invitation")) } }
                }
            }
        }
        h2 { (ctx.t("ev-my-scores")) }
        @if trend.is_empty() { (layout::empty_state(ctx.t("ev-no-ratings-yet-issue-an"))) }
        @else {
            @if trend.len() > 1 { div.card { (PreEscaped(trend_chart(&trend, ctx))) } }
            (trend_table(&trend))
        }
        @if !mine.is_empty() {
            h2 { (ctx.t("ev-recent-ratings")) }
            ul { @for r in &mine { li {
                (fmt_local(r.created_at)) " · " (r.summary) " · " strong { (r.total) "/20" }
                @if r.bad { " " (badge(ctx.t("ev-bad-review"), "red")) }
                @if !r.counted { " " (badge(ctx.t("ev-voided"), "")) }
                @if !r.comment.is_empty() { " — " (r.comment) }
            } } }
        }
        @if let Some(b) = &board {
            h2 { (ctx.t("ev-division-scoreboard")) (period::label(ctx, &shown)) }
            @if divisions.len() > 1 {
                form.filters method="get" action="/evaluation" {
                    (select_field(ctx, "division_id", ctx.t("common-division"), &divisions.iter().map(|(i, n)| (i.to_string(), n.clone())).collect::<Vec<_>>(), &b.division_id.to_string(), None))
                    input type="hidden" name="period" value=(b.period);
                    button type="submit" { (ctx.t("common-filter")) }
                }
            }
            (period::chooser(ctx, &[("division_id", b.division_id.to_string())], Some(&shown), false))
            p.muted { (ctx.t("ev-formula")) }
            p.no-print { a href=(format!("/evaluation?division_id={}&period={}&format=csv", b.division_id, b.period)) { (ctx.t("common-export_csv")) } " · "
                a href=(format!("/evaluation?division_id={}&period={}&format=xlsx", b.division_id, b.period)) { (ctx.t("common-export_xlsx")) } " · "
                button.link type="button" onclick="window.print()" { (ctx.t("k-print")) } }
            p.print-only { (ctx.t("ev-scoreboard-printed")) (fmt_local(ctx.now)) }
            div.cards {
                div.card { h3 { (ctx.t("ev-head-s-score-sum-of")) } div.stat { (period::beside(ctx, &format!("{:.2}", b.sum_score), Some(&format!("{:.2}", b.previous.sum_score)))) } }
                div.card { h3 { (ctx.t("ev-per-member-average")) } div.stat { (format!("{:.2}", b.average_score)) } }
                div.card { h3 { (ctx.t("ev-ratings-3")) } div.stat { (period::beside(ctx, &b.ratings.to_string(), Some(&b.previous.ratings.to_string()))) } }
            }
            @if b.refused_attempts > 0 || b.repeated_top_scores > 0 {
                div.alert role="alert" {
                    @if b.refused_attempts > 0 { p { (ctx.t_args("ev-flag-refused-attempts", &[("n", &b.refused_attempts.to_string())])) } }
                    @if b.repeated_top_scores > 0 { p { (ctx.t_args("ev-flag-repeated-top-scores", &[("n", &b.repeated_top_scores.to_string())])) } }
                }
            }
            @if b.members.is_empty() { (layout::empty_state(ctx.t("ev-no-ratings-in-this-period"))) }
            @else {
                div.card { (PreEscaped(chart::bars(ctx.t("ev-members-scores-of-20"), &b.members.iter().map(|m| (m.name.clone(), m.score, format!("{:.2}", m.score))).collect::<Vec<_>>(), 20.0, "#1f5fbf"))) }
                (members.render(ctx, &ListParams::default(), &[], &b.members, ""))
            }
            @if !division_trend.is_empty() {
                h2 { (ctx.t("ev-the-four-dimensions-by-quarter")) }
                div.card { (PreEscaped(trend_chart(&division_trend, ctx))) }
                (trend_table(&division_trend))
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    let (rows, name) = match &board {
        Some(b) => (b.members.as_slice(), format!("scoreboard-{}", b.period)),
        None => (&[][..], format!("scoreboard-{period}")),
    };
    respond(&export_as, &name, &members, rows, || {
        (status, layout::page(ctx, ctx.t("ev-service-ratings"), Section::Of("evaluation"), body)).into_response()
    })
}

const COLORS: [&str; 4] = ["#b3261e", "#1f5fbf", "#1e7b34", "#a86b00"];

/// The four dimensions' mean levels, quarter by quarter.
fn trend_chart(rows: &[scores::Trend], ctx: &Ctx) -> String {
    let z = ctx.zh();
    let labels: Vec<String> = rows.iter().map(|t| t.period.clone()).collect();
    let series: Vec<(&str, &str, Vec<f64>)> =
        (0..4).map(|i| (dim_name(i, z), COLORS[i], rows.iter().map(|t| t.dimensions[i]).collect())).collect();
    chart::lines(ctx.t("ev-mean-level-per-dimension-1"), &labels, &series, 1.0, 5.0)
}

async fn invite(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let base = s.settings.public_base_url.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "invite", form, move |tx, who, input: InteractionInput| {
        ratings::invite(tx, who, &user, &input, &base)
    })
    .await?
    {
        Ok(issued) => render(&s, &ctx, OverviewQuery::default(), None, Some(issued.invitation)).await,
        Err(retry) => render(&s, &ctx, OverviewQuery::default(), Some(&retry), None).await,
    }
}

#[derive(serde::Deserialize, Default)]
struct RankingQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    department_id: Option<i64>,
    format: Option<String>,
}

async fn ranking(State(s): State<AppState>, ctx: Ctx, Q(q): Q<RankingQuery>) -> AppResult<Response> {
    ctx.require(Action::ViewRankings)?;
    let period = asked_period(q.period.as_deref(), q.from.as_deref(), q.to.as_deref(), ctx.now)?;
    let shown = Period::parse(&period)?;
    let p = period.clone();
    let dept = q.department_id;
    let (rows, depts, least) = s
        .look(&ctx, Action::ViewRankings, move |tx, _| {
            Ok((
                scores::ranking(tx, &p, dept)?,
                crate::org::departments::options(tx)?,
                crate::kernel::settings::get(tx, &super::MIN_RATINGS)?,
            ))
        })
        .await?;
    let export_as = ListParams { format: q.format.clone(), ..Default::default() };
    let table = Table::new()
        .column(
            "rank",
            "#",
            |r: &scores::DivisionRank| html! {
                @if r.ranked { (r.rank) } @else { span.muted title=(ctx.t("ev-too-few-ratings-to-rank")) { (ctx.t("ev-unranked")) } }
                " " span.muted { "(" (ctx.t_args("ev-n-ratings", &[("n", &r.ratings.to_string())])) ")" }
            },
            |r| if r.ranked { r.rank.to_string() } else { ctx.t("ev-unranked").to_owned() },
        )
        .column(
            "division",
            ctx.t("common-division"),
            |r| html! { a href=(format!("/evaluation?division_id={}&period={}", r.division_id, period)) { (r.division_name) } },
            |r| r.division_name.clone(),
        )
        .text("department", ctx.t("common-department"), |r| r.department_name.clone())
        .column("sum_score", ctx.t("ev-head-s-score"), |r| html! { strong { (format!("{:.2}", r.sum_score)) } }, |r| {
            format!("{:.2}", r.sum_score)
        })
        .text("average_score", ctx.t("ev-average"), |r| format!("{:.2}", r.average_score))
        .column("members_rated", ctx.t("ev-members-ratings"), |r| html! { (r.members_rated) " / " (r.ratings) }, |r| {
            r.members_rated.to_string()
        })
        .exported("ratings", ctx.t("col-ratings"), |r| r.ratings.to_string())
        .text("previous_rank", ctx.t("ev-previous-rank"), |r| match &r.previous {
            Some(p) if p.rank > 0 => p.rank.to_string(),
            Some(_) => ctx.t("ev-unranked").to_owned(),
            None => "—".to_owned(),
        })
        .text("previous_sum_score", ctx.t("ev-previous-sum-score"), |r| {
            r.previous.as_ref().map_or("—".to_owned(), |p| format!("{:.2}", p.sum_score))
        });
    let mut dept_opts = vec![(String::new(), (ctx.t("ev-whole-city")).to_owned())];
    dept_opts.extend(depts.into_iter().map(|(i, n)| (i.to_string(), n)));
    let top: Vec<(String, f64, String)> = rows
        .iter()
        .filter(|r| r.ranked)
        .take(15)
        .map(|r| (format!("{} {}", r.department_name, r.division_name), r.sum_score, format!("{:.1}", r.sum_score)))
        .collect();
    let max = rows.first().map_or(1.0, |r| r.sum_score);
    respond(&export_as, &format!("ranking-{period}"), &table, &rows, || {
        let body = html! {
            (period::chooser(&ctx, &[("department_id", dept.map(|d| d.to_string()).unwrap_or_default())], Some(&shown), false))
            form.filters method="get" action="/evaluation/ranking" {
                input type="hidden" name="period" value=(period);
                (select_field(&ctx, "department_id", ctx.t("common-department"), &dept_opts, &dept.map(|d| d.to_string()).unwrap_or_default(), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            p.muted { (ctx.t("ev-formula")) " " (ctx.t_args("ev-min-ratings-rule", &[("n", &least.to_string())])) }
            p { a href=(format!("/evaluation/ranking?period={period}&department_id={}&format=csv", dept.map(|d| d.to_string()).unwrap_or_default())) { (ctx.t("common-export_csv")) } " · "
                a href=(format!("/evaluation/ranking?period={period}&department_id={}&format=xlsx", dept.map(|d| d.to_string()).unwrap_or_default())) { (ctx.t("common-export_xlsx")) } }
            @if rows.is_empty() { (layout::empty_state(ctx.t("ev-no-ratings-in-this-period"))) }
            @else {
                div.card { (PreEscaped(chart::bars(ctx.t("ev-heads-scores-sum-of-members"), &top, max, "#b3261e"))) }
                (table.render(&ctx, &export_as, &[], &rows, ""))
            }
        };
        layout::page(
            &ctx,
            &format!("{} · {}", ctx.t("ev-rankings-2"), period::label(&ctx, &shown)),
            Section::Of("evaluation"),
            body,
        )
        .into_response()
    })
}

fn state_label(p: &crate::kernel::workflow::Process, state: &str, lang: Lang) -> Markup {
    let class = if p.is_final(state) {
        "green"
    } else if state == "submitted" {
        "red"
    } else {
        "yellow"
    };
    badge(&p.state_name(state, lang), class)
}

async fn bad_review_list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<BadReviewFilter>,
) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let page = s
        .look(&ctx, Action::ViewEvaluation, move |tx, u| {
            bad_reviews::list(tx, u.ok_or(AppError::Unauthenticated)?, &fq, &pq)
        })
        .await?;
    let rules = s.rules(&super::BAD_REVIEW)?;
    let today = crate::kernel::clock::local_date(ctx.now);
    let table = Table::new()
        .column(
            "time",
            ctx.t("ev-when"),
            |r: &Rating| html! { a href=(format!("/evaluation/bad-reviews/{}", r.id)) { (fmt_local(r.created_at)) } },
            |r| fmt_local(r.created_at),
        )
        .text("member", ctx.t("ev-member-2"), |r| r.staff_name.clone())
        .text("service", ctx.t("ev-service"), |r| r.summary.clone())
        .column("score", ctx.t("ev-score"), |r| html! { (r.total) "/20" }, |r| r.total.to_string())
        .column("state", ctx.t("common-status"), |r| state_label(&rules.process, &r.state, ctx.lang), |r| {
            rules.process.state_name(&r.state, ctx.lang)
        })
        .column(
            "fix_by",
            ctx.t("ev-fix-by"),
            |r| html! { (r.rectify_deadline.clone().unwrap_or_default()) @if let Some(d) = &r.rectify_deadline { " " (layout::light_badge(&ctx, rules.process.light(&rules.calendar, &r.state, d, today))) } },
            |r| r.rectify_deadline.clone().unwrap_or_default(),
        )
        .exported("comment", ctx.t("col-comment"), |r| r.comment.clone());
    let mut states = vec![(String::new(), ctx.t("common-all").to_owned())];
    states.extend(rules.process.states.iter().map(|st| (st.id.clone(), rules.process.state_name(&st.id, ctx.lang))));
    let extra: Vec<(&str, String)> = vec![("state", f.state.clone().unwrap_or_default())];
    respond(&p, "bad-reviews", &table, &page.items, || {
        let body = html! {
            p.muted { (ctx.t("ev-a-bad-review-any-dimension")) }
            form.filters method="get" action="/evaluation/bad-reviews" {
                (select_field(&ctx, "state", ctx.t("common-status"), &states, f.state.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("ev-no-bad-reviews")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("ev-bad-reviews"), Section::Of("evaluation"), body).into_response()
    })
}

async fn bad_review(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    bad_review_page(&s, &ctx, id, None).await
}

async fn bad_review_page(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (r, history) = s
        .look(ctx, Action::ViewEvaluation, move |tx, u| {
            let r = bad_reviews::get(tx, u.ok_or(AppError::Unauthenticated)?, id)?;
            Ok((r, crate::kernel::workflow::history(tx, "bad_review", id)?))
        })
        .await?;
    if !r.bad {
        return Err(AppError::NotFound);
    }
    let rules = s.rules(&super::BAD_REVIEW)?;
    let user = ctx.user()?;
    let z = ctx.zh();
    let available = rules.process.available(&r.state, &bad_reviews::relations(user, &r));
    let body = html! {
        @if let Some(rt) = retry { (error_banner(ctx, Some(&rt.err))) }
        div.card { dl.facts {
            dt { (ctx.t("ev-member-2")) } dd { (r.staff_name) }
            dt { (ctx.t("ev-service")) } dd { (r.summary) }
            @for (i, v) in [r.attitude, r.style, r.efficiency, r.competence].iter().enumerate() {
                dt { (dim_name(i, z)) } dd { (level_name(ctx.lang, *v)) @if *v <= 2 { " " (badge("!", "red")) } }
            }
            @if !r.comment.is_empty() { dt { (ctx.t("ev-comment")) } dd { (r.comment) } }
            @if let Some(n) = &r.rater_name { dt { (ctx.t("ev-rater-for-the-call-back")) } dd { (n) " " (r.rater_contact.clone().unwrap_or_default()) } }
            dt { (ctx.t("common-status")) } dd { (state_label(&rules.process, &r.state, ctx.lang)) @if !r.counted { " " (badge(ctx.t("ev-not-counted"), "")) } }
            @if let Some(d) = &r.rectify_deadline { dt { (ctx.t("ev-fix-by")) } dd { (d) } }
        } }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/evaluation/bad-reviews/{}", r.id), &available, |_| html! {}))
        }
        h2 { (ctx.t("ev-record")) }
        @if history.is_empty() { (layout::empty_state(ctx.t("ev-not-handled-yet"))) }
        (layout::history(ctx, &rules.process, &history))
    };
    let status = retry.map_or(StatusCode::OK, |rt| rt.err.status());
    Ok((status, layout::page(ctx, ctx.t("ev-bad-review-2"), Section::Of("evaluation"), body)).into_response())
}

async fn bad_review_transition(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<Fields>,
) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::BAD_REVIEW)?;
    let base = s.settings.public_base_url.clone();
    match attempt(&s, &ctx, Action::ViewEvaluation, "transition", form, move |tx, who, t: TransitionForm| {
        bad_reviews::transition(tx, who, &user, &rules, id, &t.transition, t.note.as_deref(), &base)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluation/bad-reviews/{id}")).into_response()),
        Err(retry) => bad_review_page(&s, &ctx, id, Some(&retry)).await,
    }
}

/// The public rating page: no sign-in, the invitation is the proof of the service.
fn rate_page(
    ctx: &Ctx,
    token: &str,
    shown: Result<&ratings::Invited, &AppError>,
    form: Option<&Fields>,
    err: Option<&AppError>,
    done: bool,
) -> Html<String> {
    let z = ctx.zh();
    let v = |k: &str| form.and_then(|f| f.get(k)).cloned().unwrap_or_default();
    let body = html! {
        p { span.logo { "再造" } " " strong { (ctx.t("ev-rate-a-government-service")) } }
        @if done {
            div.notice { (ctx.t("ev-thank-you-your-rating-helps")) }
        } @else {
            @match shown {
                Err(e) => { div.alert { (ctx.t(e.code())) } }
                Ok(inv) => {
                    dl.facts {
                        dt { (ctx.t("ev-served-by")) } dd { (inv.staff_name) }
                        dt { (ctx.t("ev-unit")) } dd { (inv.department_name) @if let Some(d) = &inv.division_name { " · " (d) } }
                        dt { (ctx.t("ev-service-2")) } dd { (inv.summary) }
                    }
                    @if let Some(e) = err { div.alert role="alert" { (ctx.t(e.code())) } }
                    form.stack method="post" action=(format!("/rate/{token}")) {
                        @if inv.needs_code {
                            label.field {
                                span { (ctx.t("ev-one-time-code")) }
                                input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required value=(v("code"));
                            }
                        }
                        @for (i, key) in DIMENSIONS.iter().enumerate() {
                            fieldset {
                                legend { (dim_name(i, z)) }
                                @for level in LEVELS {
                                    label { input type="radio" name=(key) value=(level) required checked[v(key) == level.to_string()]; " " (level_name(ctx.lang, level)) } " "
                                }
                            }
                        }
                        label.field { span { (ctx.t("ev-comment-optional")) } textarea name="comment" rows="3" { (v("comment")) } }
                        label.field { span { (ctx.t("ev-your-name-optional-only-for")) } input type="text" name="rater_name" value=(v("rater_name")); }
                        label.field { span { (ctx.t("ev-contact-optional")) } input type="text" name="rater_contact" value=(v("rater_contact")); }
                        button type="submit" { (ctx.t("ev-submit")) }
                    }
                }
            }
        }
        p { a href=(format!("/lang/{}?next=/rate/{token}", if z { "en" } else { "zh" })) { (ctx.t("nav-lang")) } }
    };
    layout::bare_page(ctx.lang, ctx.t("ev-rate-a-service"), body)
}

async fn rate_form(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    public_limit(&s, &ctx)?;
    let (now, t) = (ctx.now, token.clone());
    let shown = s.db.read(move |tx| ratings::invited(tx, &t, now)).await;
    let status = shown.as_ref().err().map_or(StatusCode::OK, AppError::status);
    Ok((status, rate_page(&ctx, &token, shown.as_ref(), None, None, false)).into_response())
}

async fn rate_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    public_limit(&s, &ctx)?;
    let fields: Fields = crate::kernel::web::form::parse(&body)?;
    let mut all = fields.clone();
    all.insert("token".into(), token.clone());
    let result = match crate::kernel::web::form::typed::<RatingInput>(&all) {
        Ok(input) => {
            let (who, rater) = (ctx.who(), super::api::rater(&ctx, &headers));
            s.db.write(move |tx| ratings::rate(tx, &who, &rater, &input)).await.and_then(|refused| refused)
        }
        Err(_) => Err(AppError::invalid("bad_level", "attitude")),
    };
    match result {
        Ok(_) => Ok(rate_page(&ctx, &token, Err(&AppError::NotFound), None, None, true).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (now, t) = (ctx.now, token.clone());
            let shown = s.db.read(move |tx| ratings::invited(tx, &t, now)).await;
            Ok((e.status(), rate_page(&ctx, &token, shown.as_ref(), Some(&fields), Some(&e), false)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The period a page was asked for (two days typed, or a written period), else the
/// current quarter.
fn asked_period(period: Option<&str>, from: Option<&str>, to: Option<&str>, now: i64) -> AppResult<String> {
    let asked = period::asked(period, from, to)?.map(|p| p.key());
    period_or_current(asked.as_deref(), now)
}
