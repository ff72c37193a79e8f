//! 批示 and 催办 (given on a record's own page, by its mechanism): one page each, laid out
//! as a document that prints on A4, where each recipient answers; and the list of those
//! waiting for the reader's answer. Only the author and the recipients read them here;
//! those who see the record see them on the record's page.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::clock;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt};
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner};
use crate::kernel::web::{AppState, CsrfForm, Ctx};
use crate::kernel::workflow::directives::{self, Directive, Kind};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(one)).routes(routes!(answer)).routes(routes!(awaiting))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/directives", get(awaiting_page))
        .route("/directives/{id}", get(page))
        .route("/directives/{id}/answer", post(answer_page))
}

#[utoipa::path(get, path = "/api/v1/directives/{id}", tag = "directives", responses((status = 200, body = Directive)))]
async fn one(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Directive>> {
    s.look(&ctx, Action::ReadInbox, move |tx, u| directives::read(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/answer", tag = "directives", request_body = AnswerInput,
    responses((status = 200, body = Directive)))]
async fn answer(
    State(s): State<AppState>,
    crate::kernel::web::Can(ctx, _): crate::kernel::web::Can<crate::kernel::web::need::ReadInbox>,
    Path(id): Path<i64>,
    crate::kernel::web::ApiJson(input): crate::kernel::web::ApiJson<AnswerInput>,
) -> AppResult<Json<Directive>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ReadInbox, move |tx, who| directives::answer(tx, who, &user, id, &input.answer))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/me/directives", tag = "directives", responses((status = 200, body = [Directive])))]
async fn awaiting(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Directive>>> {
    let uid = ctx.user()?.id;
    s.look(&ctx, Action::ReadInbox, move |tx, _| directives::awaiting(tx, uid, 100)).await.map(Json)
}

fn document_name(ctx: &Ctx, d: &Directive) -> String {
    match d.kind {
        Kind::Urge => ctx.t("k-urge-document").to_owned(),
        Kind::Instruction => ctx.t("k-instruction-document").to_owned(),
    }
}

async fn page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

/// The document: issuing line, number, title, addressees, text, date and signature, then
/// each recipient's answer; the recipient who has not answered gets the form.
async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let d = s
        .look(ctx, Action::ReadInbox, move |tx, u| directives::read(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await?;
    let me = ctx.user()?.id;
    let mine = d.recipients.iter().find(|r| r.user_id == me && r.answered_at.is_none());
    let names: Vec<&str> = d.recipients.iter().map(|r| r.name.as_str()).collect();
    let body = html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href=(d.link) { (ctx.t("k-directive-to-record")) }
        }
        article.gongwen {
            header { p.issuer { (if d.author_unit.is_empty() { ctx.t("k-directive-issuer") } else { &d.author_unit }) } @if let Some(n) = &d.number { p.number { (n) } } }
            h2.doc-title { (document_name(ctx, &d)) }
            p.addressees { (names.join("、")) "：" }
            p.para { (ctx.t("k-directive-about")) "：" (d.title) }
            @for para in d.body.split('\n').filter(|p| !p.trim().is_empty()) { p.para { (para) } }
            p.signature { (d.author_name) br; (clock::date_words(d.created_at)) }
        }
        h2 { (ctx.t("k-answer")) }
        ul { @for r in &d.recipients { li {
            strong { (r.name) } " · "
            @match (&r.answer, r.answered_at) {
                (Some(a), Some(at)) => { (layout::badge(ctx.t("k-answered"), "green")) " " (clock::fmt_local(at)) " — " (a) }
                _ => { (layout::badge(ctx.t("k-awaiting-answer"), "yellow")) }
            }
        } } }
        @if mine.is_some() {
            form.stack.no-print method="post" action=(format!("/directives/{}/answer", d.id)) {
                (csrf_field(ctx))
                (error_banner(ctx, retry.map(|r| &r.err)))
                label.field { span { (ctx.t("k-answer")) } textarea name="answer" rows="3" required {} }
                div { button type="submit" { (ctx.t("k-answer-it")) } }
            }
        }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    let title = d.number.clone().unwrap_or_else(|| document_name(ctx, &d));
    Ok((status, layout::page(ctx, &title, Section::Of("inbox"), body)).into_response())
}

async fn answer_page(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ReadInbox, "answer", form, move |tx, who, a: AnswerInput| {
        directives::answer(tx, who, &user, id, &a.answer)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/directives/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn awaiting_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let uid = ctx.user()?.id;
    let list = s.look(&ctx, Action::ReadInbox, move |tx, _| directives::awaiting(tx, uid, 100)).await?;
    let body = html! {
        @if list.is_empty() { (layout::empty_state(ctx.t("k-awaiting-answer"))) }
        ul { @for d in &list { li { (crate::kernel::web::directives::line(&ctx, d)) } } }
    };
    Ok(layout::page(&ctx, ctx.t("k-awaiting-directives"), Section::Of("inbox"), body).into_response())
}
