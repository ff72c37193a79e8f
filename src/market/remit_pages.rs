//! The remit pages: the questions of the market-allocation divisions with their class
//! and reason (paged, filtered, exported), recording and reclassifying one, and a
//! division's figures page.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, PreEscaped, html};

use super::associations;
use super::remit::{self, CLASSES, Question, QuestionFilter, QuestionInput};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::AppResult;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, chart, period};

pub const SECTION: Section = Section::Of("remit");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/remit", get(list).post(create))
        .route("/remit/new", get(new_form))
        .route("/remit/questions/{id}", get(edit_form).post(update))
        .route("/remit/divisions/{id}", get(division_page))
}

fn class_badge(ctx: &Ctx, class: &str) -> Markup {
    let tone = match class {
        "to_market" => "green",
        "cultivate" => "blue",
        _ => "yellow",
    };
    layout::badge(ctx.t(&format!("mk-class-q-{class}")), tone)
}

fn may_classify(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ClassifyQuestions))
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(mut f): Q<QuestionFilter>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ViewRemit)?.clone();
    let (pq, fq) = (p.clone(), f.clone());
    let (page, divisions) = s
        .look(&ctx, Action::ViewRemit, move |tx, _| {
            Ok((remit::list(tx, &fq, &pq)?, crate::org::divisions::market_allocation(tx)?))
        })
        .await?;
    if f.division_id.is_none() {
        f.division_id = user.division_id.filter(|d| divisions.iter().any(|(id, _)| id == d));
    }
    let table = Table::new()
        .column(
            "title",
            ctx.t("mk-question"),
            |q: &Question| html! { a href=(format!("/remit/questions/{}", q.id)) { (q.title) } },
            |q| q.title.clone(),
        )
        .sorts("title")
        .column(
            "class",
            ctx.t("mk-question-class"),
            |q| class_badge(&ctx, &q.class),
            |q| ctx.t(&format!("mk-class-q-{}", q.class)).to_owned(),
        )
        .sorts("class")
        .text("reason", ctx.t("mk-question-reason"), |q| q.reason.clone())
        .text("handed", ctx.t("mk-question-handed"), |q| {
            q.association_name.clone().unwrap_or_else(|| q.platform.clone())
        })
        .text("division", ctx.t("mk-division"), |q| q.division_name.clone())
        .text("updated", ctx.t("mk-updated"), |q| fmt_local(q.updated_at))
        .sorts("updated");
    respond(&p, "market-questions", &table, &page.items, || {
        let extra = vec![
            ("division_id", f.division_id.map(|d| d.to_string()).unwrap_or_default()),
            ("class", f.class.clone().unwrap_or_default()),
        ];
        let mut division_choices = vec![(String::new(), ctx.t("common-all").to_owned())];
        division_choices.extend(divisions.iter().map(|(i, n)| (i.to_string(), n.clone())));
        let mut classes = vec![(String::new(), ctx.t("common-all").to_owned())];
        classes.extend(CLASSES.iter().map(|c| ((*c).to_owned(), ctx.t(&format!("mk-class-q-{c}")).to_owned())));
        let body = html! {
            p.muted { (ctx.t("mk-remit-intro")) }
            div.actions {
                @if may_classify(&ctx) { a.button href="/remit/new" { (ctx.t("mk-question-new")) } }
                @if let Some(d) = f.division_id { a.button.secondary href=(format!("/remit/divisions/{d}")) { (ctx.t("mk-division-figures")) } }
                a.button.secondary href="/direct-line/figures" { (ctx.t("mk-line-figures")) }
            }
            form.filters method="get" action="/remit" {
                (text_field(&ctx, "q", ctx.t("mk-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "division_id", ctx.t("mk-division"), &division_choices, &f.division_id.map(|d| d.to_string()).unwrap_or_default(), None))
                (select_field(&ctx, "class", ctx.t("mk-question-class"), &classes, f.class.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("mk-no-questions")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("mk-remit"), SECTION, body).into_response()
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None, None).await
}

async fn edit_form(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    form_page(&s, &ctx, Some(id), None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, id: Option<i64>, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ViewRemit)?;
    let (existing, divisions, associations) = s
        .look(ctx, Action::ViewRemit, move |tx, _| {
            let q = id.map(|id| remit::find(tx, id)).transpose()?;
            Ok((q, crate::org::divisions::market_allocation(tx)?, associations::options(tx)?))
        })
        .await?;
    let f = "question";
    let err = error(retry, f);
    let q = existing.as_ref();
    let own = ctx.user.as_ref().and_then(|u| u.division_id).map(|d| d.to_string()).unwrap_or_default();
    let division_now = q.map(|q| q.division_id.to_string()).unwrap_or(own);
    let divisions: Vec<(String, String)> = divisions.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let mut assoc = vec![(String::new(), String::new())];
    assoc.extend(associations.into_iter().map(|(i, n)| (i.to_string(), n)));
    let classes: Vec<(String, String)> =
        CLASSES.iter().map(|c| ((*c).to_owned(), ctx.t(&format!("mk-class-q-{c}")).to_owned())).collect();
    let action = id.map_or("/remit".to_owned(), |id| format!("/remit/questions/{id}"));
    let title = q.map_or(ctx.t("mk-question-new").to_owned(), |q| q.title.clone());
    let body = html! {
        p.muted { (ctx.t("mk-class-guide")) }
        @if may_classify(ctx) {
            form.stack method="post" action=(action) {
                (csrf_field(ctx))
                (error_banner(ctx, err))
                (select_field(ctx, "division_id", ctx.t("mk-division"), &divisions, value(retry, f, "division_id", &division_now), err))
                (text_field(ctx, "title", ctx.t("mk-question"), value(retry, f, "title", q.map_or("", |q| q.title.as_str())), err, true))
                label.field { span { (ctx.t("mk-question-detail")) } textarea name="detail" rows="3" { (value(retry, f, "detail", q.map_or("", |q| q.detail.as_str()))) } }
                (select_field(ctx, "class", ctx.t("mk-question-class"), &classes, value(retry, f, "class", q.map_or("to_market", |q| q.class.as_str())), err))
                label.field { span { (ctx.t("mk-question-reason")) } textarea name="reason" rows="3" required { (value(retry, f, "reason", q.map_or("", |q| q.reason.as_str()))) } }
                (select_field(ctx, "association_id", ctx.t("mk-handed-association"), &assoc, value(retry, f, "association_id", &q.and_then(|q| q.association_id).map(|a| a.to_string()).unwrap_or_default()), err))
                (text_field(ctx, "platform", ctx.t("mk-handed-platform"), value(retry, f, "platform", q.map_or("", |q| q.platform.as_str())), err, false))
                div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/remit" { (ctx.t("common-cancel")) } }
            }
        } @else if let Some(q) = q {
            p { (class_badge(ctx, &q.class)) " " (q.reason) }
            p { (q.detail) }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &title, SECTION, body)).into_response())
}

fn input_of(f: &Fields) -> QuestionInput {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    QuestionInput {
        division_id: f.get("division_id").and_then(|v| v.parse().ok()),
        title: text("title"),
        detail: text("detail"),
        class: text("class"),
        reason: text("reason"),
        association_id: f.get("association_id").and_then(|v| v.parse().ok()),
        platform: text("platform"),
    }
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let user = ctx.require(Action::ClassifyQuestions)?.clone();
    match attempt(&s, &ctx, Action::ClassifyQuestions, "question", form, move |tx, who, f: Fields| {
        remit::create(tx, who, &user, &input_of(&f))
    })
    .await?
    {
        Ok(q) => Ok(Redirect::to(&format!("/remit?division_id={}", q.division_id)).into_response()),
        Err(retry) => form_page(&s, &ctx, None, Some(&retry)).await,
    }
}

async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ClassifyQuestions)?.clone();
    match attempt(&s, &ctx, Action::ClassifyQuestions, "question", form, move |tx, who, f: Fields| {
        remit::update(tx, who, &user, id, &input_of(&f))
    })
    .await?
    {
        Ok(q) => Ok(Redirect::to(&format!("/remit?division_id={}", q.division_id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(id), Some(&retry)).await,
    }
}

async fn division_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ViewRemit)?;
    let asked = q.asked()?;
    let (from, to) = q.bounds()?;
    let processes = s.processes.clone();
    let f = s.look(&ctx, Action::ViewRemit, move |tx, _| remit::division_figures(tx, id, from, to)).await?;
    let bars: Vec<(String, f64, String)> =
        [("to_market", f.to_market), ("cultivate", f.cultivate), ("failure", f.failure)]
            .iter()
            .map(|(c, n)| (ctx.t(&format!("mk-class-q-{c}")).to_owned(), *n as f64, n.to_string()))
            .collect();
    let max = (f.to_market.max(f.cultivate).max(f.failure)).max(1) as f64;
    let process_name = |kind: &str| match processes.get(kind) {
        Ok(p) if ctx.lang == crate::kernel::i18n::Lang::En => p.name_en.clone(),
        Ok(p) => p.name.clone(),
        Err(_) => kind.to_owned(),
    };
    let body = html! {
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        @if let Some(p) = &asked { p.muted { (period::label(&ctx, p)) } }
        div.cards {
            div.card { h3 { (ctx.t("mk-class-q-to_market")) } div.stat { (f.to_market) } }
            div.card { h3 { (ctx.t("mk-class-q-cultivate")) } div.stat { (f.cultivate) } }
            div.card { h3 { (ctx.t("mk-class-q-failure")) } div.stat { (f.failure) } }
            div.card { h3 { (ctx.t("mk-associations-served")) } div.stat { a href="/associations" { (f.associations) } } }
            div.card { h3 { (ctx.t("mk-requests-answered")) } div.stat { (f.requests_on_time) "/" (f.requests_answered) } p.muted { (ctx.t("mk-on-time-of-answered")) } }
        }
        div.card { (PreEscaped(chart::bars(ctx.t("mk-questions-by-class"), &bars, max, "#1f7a3f"))) }
        h2 { (ctx.t("mk-records-moved")) }
        @if f.handled.is_empty() { p.muted { (ctx.t("mk-none-moved")) } } @else {
            table.list {
                thead { tr { th { (ctx.t("mk-process")) } th { (ctx.t("mk-moves")) } } }
                tbody { @for h in &f.handled { tr {
                    td data-label=(ctx.t("mk-process")) { (process_name(&h.kind)) }
                    td data-label=(ctx.t("mk-moves")) { (h.moves) }
                } } }
            }
        }
        div.actions { a.button.secondary href=(format!("/remit?division_id={id}")) { (ctx.t("mk-remit")) } }
    };
    Ok(layout::page(&ctx, &f.division_name, SECTION, body).into_response())
}
