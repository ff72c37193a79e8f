//! `/api/v1/direct-line/…`: threads between enterprises and city leaders, messages (polled
//! by `after`), requests with their responder, answer and the enterprise's judgement, and
//! the figures per leader and department.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::direct_line::{
    self, AnswerInput, AssignInput, Figures, JudgementInput, Message, MessageInput, Request, Thread, ThreadFilter,
    ThreadInput,
};
use super::need;
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, Page};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::{ApiJson, AppState, Can, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(line_list_threads, line_start))
        .routes(routes!(line_figures))
        .routes(routes!(line_get_thread))
        .routes(routes!(line_messages, line_post))
        .routes(routes!(line_assign))
        .routes(routes!(line_answer))
        .routes(routes!(line_judge))
}

#[utoipa::path(get, path = "/api/v1/direct-line", tag = "market", params(ListParams, ThreadFilter),
    responses((status = 200, body = Page<Thread>), (status = 403)))]
async fn line_list_threads(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Q(p): Q<ListParams>,
    Q(f): Q<ThreadFilter>,
) -> AppResult<Json<Page<Thread>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::UseDirectLine, move |tx, _| direct_line::list(tx, &user, &f, &p)).await.map(Json)
}

/// An enterprise's account opens a thread with a city leader.
#[utoipa::path(post, path = "/api/v1/direct-line", tag = "market", request_body = ThreadInput,
    responses((status = 201, body = Thread), (status = 403), (status = 422)))]
async fn line_start(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    ApiJson(input): ApiJson<ThreadInput>,
) -> AppResult<(StatusCode, Json<Thread>)> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    let t = s
        .change(&ctx, Action::UseDirectLine, move |tx, who| direct_line::start(tx, who, &user, &calendar, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = LineThreadDetail)]
pub struct ThreadDetail {
    #[serde(flatten)]
    pub thread: Thread,
    pub requests: Vec<Request>,
}

#[utoipa::path(get, path = "/api/v1/direct-line/{id}", tag = "market",
    responses((status = 200, body = ThreadDetail), (status = 403), (status = 404)))]
async fn line_get_thread(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
) -> AppResult<Json<ThreadDetail>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::UseDirectLine, move |tx, _| {
        let (thread, _) = direct_line::open_thread(tx, &user, id)?;
        Ok(ThreadDetail { requests: direct_line::requests(tx, &user, id, now)?, thread })
    })
    .await
    .map(Json)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct After {
    /// Only messages after this one: what a client polls for.
    #[serde(default)]
    pub after: i64,
}

#[utoipa::path(get, path = "/api/v1/direct-line/{id}/messages", tag = "market", params(After),
    responses((status = 200, body = Vec<Message>), (status = 403), (status = 404)))]
async fn line_messages(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
    Q(a): Q<After>,
) -> AppResult<Json<Vec<Message>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::UseDirectLine, move |tx, _| direct_line::messages(tx, &user, id, a.after)).await.map(Json)
}

/// Post a message (marked a request by the enterprise's side); the other side is told.
#[utoipa::path(post, path = "/api/v1/direct-line/{id}/messages", tag = "market", request_body = MessageInput,
    responses((status = 201, body = Message), (status = 403), (status = 404), (status = 422)))]
async fn line_post(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MessageInput>,
) -> AppResult<(StatusCode, Json<Message>)> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    let m = s
        .change(&ctx, Action::UseDirectLine, move |tx, who| direct_line::post(tx, who, &user, &calendar, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Name the responder, in a department of the leader's portfolio.
#[utoipa::path(put, path = "/api/v1/direct-line/requests/{id}/responder", tag = "market", request_body = AssignInput,
    responses((status = 200, body = Request), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn line_assign(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> AppResult<Json<Request>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::UseDirectLine, move |tx, who| direct_line::assign(tx, who, &user, id, &input))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/direct-line/requests/{id}/answer", tag = "market", request_body = AnswerInput,
    responses((status = 200, body = Request), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn line_answer(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> AppResult<Json<Request>> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    s.change(&ctx, Action::UseDirectLine, move |tx, who| direct_line::answer(tx, who, &user, &calendar, id, &input))
        .await
        .map(Json)
}

/// The enterprise judges the answer: satisfied, or not (the first "not" reopens it).
#[utoipa::path(post, path = "/api/v1/direct-line/requests/{id}/judgement", tag = "market", request_body = JudgementInput,
    responses((status = 200, body = Request), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn line_judge(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::UseDirectLine>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<JudgementInput>,
) -> AppResult<Json<Request>> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    s.change(&ctx, Action::UseDirectLine, move |tx, who| direct_line::judge(tx, who, &user, &calendar, id, &input))
        .await
        .map(Json)
}

/// Requests per leader and department: answered on time, late, overdue, judgements.
#[utoipa::path(get, path = "/api/v1/direct-line/figures", tag = "market", params(PeriodQuery),
    responses((status = 200, body = Vec<Figures>), (status = 403), (status = 422)))]
async fn line_figures(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewRemit>,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<Vec<Figures>>> {
    let (from, to) = q.bounds()?;
    let now = ctx.now;
    s.look(&ctx, Action::ViewRemit, move |tx, _| direct_line::figures(tx, from, to, now)).await.map(Json)
}
