//! `/api/v1/meetings/…` and `/api/v1/market-questions/…`: economic meetings with their
//! agenda, invitations, attendance, speeches and decisions made tasks; the questions of
//! the market-allocation divisions' remit and each division's figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::meetings::{
    self, AttendanceInput, Decision, DecisionInput, DecisionTaskInput, Detail, Invitee, Meeting, MeetingFilter,
    MeetingInput, Speech, SpeechInput,
};
use super::need;
use super::remit::{self, DivisionFigures, Question, QuestionFilter, QuestionInput};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, Page};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::{ApiJson, AppState, Can, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, convene))
        .routes(routes!(meeting_figures))
        .routes(routes!(get_meeting))
        .routes(routes!(attendance))
        .routes(routes!(speech))
        .routes(routes!(meeting_decide))
        .routes(routes!(make_task))
        .routes(routes!(list_questions, create_question))
        .routes(routes!(update_question))
        .routes(routes!(division_figures))
}

#[utoipa::path(get, path = "/api/v1/meetings", tag = "market", params(ListParams, MeetingFilter),
    responses((status = 200, body = Page<Meeting>), (status = 403)))]
async fn list_meetings(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewMeetings>,
    Q(p): Q<ListParams>,
    Q(f): Q<MeetingFilter>,
) -> AppResult<Json<Page<Meeting>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewMeetings, move |tx, _| meetings::list(tx, &user, &f, &p)).await.map(Json)
}

/// Convene a meeting with its agenda; members and associations' heads (列席) are invited.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "market", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 403), (status = 422)))]
async fn convene(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> AppResult<(StatusCode, Json<Meeting>)> {
    let user = ctx.user()?.clone();
    let m = s.change(&ctx, Action::ConveneMeetings, move |tx, who| meetings::convene(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "market",
    responses((status = 200, body = Detail), (status = 403), (status = 404)))]
async fn get_meeting(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewMeetings>,
    Path(id): Path<i64>,
) -> AppResult<Json<Detail>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewMeetings, move |tx, _| meetings::detail(tx, &user, id)).await.map(Json)
}

/// Record who attended (the others are recorded absent); the meeting is then held.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "market", request_body = AttendanceInput,
    responses((status = 200, body = Vec<Invitee>), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn attendance(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AttendanceInput>,
) -> AppResult<Json<Vec<Invitee>>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ConveneMeetings, move |tx, who| meetings::attendance(tx, who, &user, id, &input))
        .await
        .map(Json)
}

/// Minute a speech by someone who attended, on an agenda item.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/speeches", tag = "market", request_body = SpeechInput,
    responses((status = 201, body = Speech), (status = 403), (status = 404), (status = 422)))]
async fn speech(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SpeechInput>,
) -> AppResult<(StatusCode, Json<Speech>)> {
    let user = ctx.user()?.clone();
    let sp =
        s.change(&ctx, Action::ConveneMeetings, move |tx, who| meetings::speech(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(sp)))
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", tag = "market", request_body = DecisionInput,
    responses((status = 201, body = Decision), (status = 403), (status = 404), (status = 422)))]
async fn meeting_decide(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<(StatusCode, Json<Decision>)> {
    let user = ctx.user()?.clone();
    let d =
        s.change(&ctx, Action::ConveneMeetings, move |tx, who| meetings::decide(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Make a decision a task with an owner and a deadline (those who may open matters).
#[utoipa::path(post, path = "/api/v1/meeting-decisions/{id}/task", tag = "market", request_body = DecisionTaskInput,
    responses((status = 200, body = Decision), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn make_task(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionTaskInput>,
) -> AppResult<Json<Decision>> {
    let (user, env) = (ctx.user()?.clone(), s.environment());
    let port = s.registry.tasks()?;
    s.change(&ctx, Action::ConveneMeetings, move |tx, who| {
        meetings::make_task(tx, who, &user, id, &input, (port, &env))
    })
    .await
    .map(Json)
}

/// How often each association was invited, attended and spoke.
#[utoipa::path(get, path = "/api/v1/meetings/figures", tag = "market", params(PeriodQuery),
    responses((status = 200, body = Vec<meetings::Figures>), (status = 403), (status = 422)))]
async fn meeting_figures(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ConveneMeetings>,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<Vec<meetings::Figures>>> {
    let (from, to) = q.bounds()?;
    s.look(&ctx, Action::ConveneMeetings, move |tx, _| meetings::figures(tx, from, to)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/market-questions", tag = "market", params(ListParams, QuestionFilter),
    responses((status = 200, body = Page<Question>), (status = 403)))]
async fn list_questions(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewRemit>,
    Q(p): Q<ListParams>,
    Q(f): Q<QuestionFilter>,
) -> AppResult<Json<Page<Question>>> {
    s.look(&ctx, Action::ViewRemit, move |tx, _| remit::list(tx, &f, &p)).await.map(Json)
}

/// Record a question in a division's remit, classified with its reason.
#[utoipa::path(post, path = "/api/v1/market-questions", tag = "market", request_body = QuestionInput,
    responses((status = 201, body = Question), (status = 403), (status = 422)))]
async fn create_question(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ClassifyQuestions>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> AppResult<(StatusCode, Json<Question>)> {
    let user = ctx.user()?.clone();
    let q = s.change(&ctx, Action::ClassifyQuestions, move |tx, who| remit::create(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(q)))
}

/// Reclassify or reword a question.
#[utoipa::path(put, path = "/api/v1/market-questions/{id}", tag = "market", request_body = QuestionInput,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 422)))]
async fn update_question(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ClassifyQuestions>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> AppResult<Json<Question>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ClassifyQuestions, move |tx, who| remit::update(tx, who, &user, id, &input)).await.map(Json)
}

/// A market-allocation division's figures: questions by class, associations served,
/// direct-line requests answered, records its people moved.
#[utoipa::path(get, path = "/api/v1/market-divisions/{id}/figures", tag = "market", params(PeriodQuery),
    responses((status = 200, body = DivisionFigures), (status = 403), (status = 404), (status = 422)))]
async fn division_figures(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewRemit>,
    Path(id): Path<i64>,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<DivisionFigures>> {
    let (from, to) = q.bounds()?;
    s.look(&ctx, Action::ViewRemit, move |tx, _| remit::division_figures(tx, id, from, to)).await.map(Json)
}
