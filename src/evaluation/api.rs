//! `/api/v1` endpoints for service ratings, scores and bad reviews.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::assessment::{self, Assessment, UnitAssessment};
use super::bad_reviews::{self, BadReviewFilter};
use super::consequences::{self, AdjustmentInput, Consequences, Interview, InterviewInput};
use super::need;
use super::pool::{self, PoolCase};
use super::ratings::{self, InteractionInput, Invitation, Invited, Rated, Rating, RatingInput};
use super::scores::{self, DivisionRank, Scoreboard, Trend};
use crate::kernel::access::{Action, CurrentUser, Role};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q};
use crate::kernel::workflow::Fired;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite))
        .routes(routes!(invitation))
        .routes(routes!(rate))
        .routes(routes!(my_ratings))
        .routes(routes!(scoreboard))
        .routes(routes!(ranking))
        .routes(routes!(assessment))
        .routes(routes!(department_assessment))
        .routes(routes!(list_bad_reviews))
        .routes(routes!(get_bad_review))
        .routes(routes!(bad_review_transition))
        .routes(routes!(consequences))
        .routes(routes!(record_interview))
        .routes(routes!(decide_adjustment))
        .routes(routes!(list_pool, propose_return))
        .routes(routes!(get_pool_case))
        .routes(routes!(pool_transition))
        .routes(routes!(pool_plan))
        .routes(routes!(pool_assessment))
        .routes(routes!(pool_response))
        .merge(super::callback_pages::api_router())
}

/// Log a service you gave and send its one-time rating invitation to the person served:
/// the link and a one-time code to their phone or e-mail (`counter`, `enquiry`, and a
/// lead's reporter), or to the inbox of the leader who assigned a task. The answer says
/// only where it went, masked; the member never holds a usable link.
#[utoipa::path(post, path = "/api/v1/interactions", tag = "evaluation", request_body = InteractionInput,
    responses((status = 201, body = Invitation), (status = 403), (status = 409, description = "already invited, or the day's limit reached"), (status = 422)))]
async fn invite(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    ApiJson(input): ApiJson<InteractionInput>,
) -> AppResult<(StatusCode, Json<Invitation>)> {
    let user = ctx.user()?.clone();
    let base = s.settings.public_base_url.clone();
    let issued =
        s.change(&ctx, Action::ViewEvaluation, move |tx, who| ratings::invite(tx, who, &user, &input, &base)).await?;
    Ok((StatusCode::CREATED, Json(issued.invitation)))
}

/// Who is rating: the signed-in account, if any, and the browser's device cookie.
pub fn rater(ctx: &Ctx, headers: &axum::http::HeaderMap) -> ratings::Rater {
    ratings::Rater {
        user: ctx.user.clone(),
        device: crate::kernel::web::cookie(headers, crate::kernel::auth::DEVICE_COOKIE).map(str::to_owned),
    }
}

pub fn public_limit(s: &AppState, ctx: &Ctx) -> AppResult<()> {
    s.limit_public(ctx, "rating")
}

/// What an invitation is for (no sign-in; the token is the proof of the service).
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "evaluation", security(()),
    responses((status = 200, body = Invited), (status = 409, description = "used or expired"), (status = 422)))]
async fn invitation(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Json<Invited>> {
    public_limit(&s, &ctx)?;
    let now = ctx.now;
    s.db.read(move |tx| ratings::invited(tx, &token, now)).await.map(Json)
}

/// Rate a service with its invitation: four dimensions, each 1 (非常不满意) to 5 (非常满意).
#[utoipa::path(post, path = "/api/v1/ratings", tag = "evaluation", request_body = RatingInput, security(()),
    responses((status = 201, body = Rated), (status = 409, description = "used, expired or locked"),
              (status = 422, description = "bad level, wrong code, or a rating from the member rated (refused and counted)"), (status = 429)))]
async fn rate(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<RatingInput>,
) -> AppResult<(StatusCode, Json<Rated>)> {
    public_limit(&s, &ctx)?;
    let (who, rater) = (ctx.who(), rater(&ctx, &headers));
    let r = s.db.write(move |tx| ratings::rate(tx, &who, &rater, &input)).await??;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyRatings {
    pub ratings: Vec<Rating>,
    pub quarters: Vec<Trend>,
}

/// The caller's own ratings and quarterly scores (raters are not shown).
#[utoipa::path(get, path = "/api/v1/ratings/mine", tag = "evaluation", responses((status = 200, body = MyRatings)))]
async fn my_ratings(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<MyRatings>> {
    let uid = ctx.user()?.id;
    s.look(&ctx, Action::ViewEvaluation, move |tx, _| {
        Ok(MyRatings { ratings: ratings::of_staff(tx, uid, 200)?, quarters: scores::member_trend(tx, uid)? })
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub division_id: Option<i64>,
    /// `2019`, `2019-Q2`, `2019-04`, `2019-W15` or `2019-04-01~2019-04-30`; the current quarter when empty.
    pub period: Option<String>,
}

/// Who may read a division's scoreboard: its head, its department's head, leaders,
/// supervisors and administrators.
pub fn may_read_division(tx: &mut crate::kernel::db::Tx<'_>, user: &CurrentUser, division: i64) -> AppResult<()> {
    let dept = tx
        .query_opt("SELECT department_id FROM divisions WHERE id = $1", crate::params![division])?
        .ok_or(AppError::NotFound)?
        .int(0)?;
    let ok = match user.role {
        Role::Leader | Role::Supervisor => true,
        Role::DeptHead => user.department_id == Some(dept),
        Role::DivisionHead => user.division_id == Some(division),
        _ => false,
    };
    if ok { Ok(()) } else { Err(AppError::Forbidden) }
}

pub fn period_or_current(p: Option<&str>, now: i64) -> AppResult<String> {
    match p.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => scores::parse_period(p),
        None => Ok(scores::periods(now)[1].clone()),
    }
}

/// The same, for consequences: a month, quarter or year.
pub fn decision_period_or_current(p: Option<&str>, now: i64) -> AppResult<String> {
    scores::decision_period(&period_or_current(p, now)?)
}

/// A division's scoreboard: each member's four dimensions and score, the head's sum
/// score, the per-member average and the number of ratings.
#[utoipa::path(get, path = "/api/v1/evaluation/scoreboard", tag = "evaluation", params(ScoreQuery),
    responses((status = 200, body = Scoreboard), (status = 403), (status = 422)))]
async fn scoreboard(State(s): State<AppState>, ctx: Ctx, Q(q): Q<ScoreQuery>) -> AppResult<Json<Scoreboard>> {
    ctx.require(Action::ViewEvaluation)?;
    let period = period_or_current(q.period.as_deref(), ctx.now)?;
    let user = ctx.user()?.clone();
    let division = q.division_id.or(user.division_id).ok_or_else(|| AppError::invalid("required", "division_id"))?;
    s.look(&ctx, Action::ViewEvaluation, move |tx, _| {
        may_read_division(tx, &user, division)?;
        scores::scoreboard(tx, division, &period)
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    pub period: Option<String>,
    /// One department's divisions; the whole city when empty.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
}

/// Divisions ranked by their heads' sum scores, in a department or across the city.
#[utoipa::path(get, path = "/api/v1/evaluation/ranking", tag = "evaluation", params(RankingQuery),
    responses((status = 200, body = Vec<DivisionRank>), (status = 403)))]
async fn ranking(State(s): State<AppState>, ctx: Ctx, Q(q): Q<RankingQuery>) -> AppResult<Json<Vec<DivisionRank>>> {
    ctx.require(Action::ViewRankings)?;
    let period = period_or_current(q.period.as_deref(), ctx.now)?;
    s.look(&ctx, Action::ViewRankings, move |tx, _| scores::ranking(tx, &period, q.department_id)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// 2019-Q2, 2019…; this quarter when empty.
    pub period: Option<String>,
}

/// Every department's assessment score (考核): the weighted mean of the parts offered by
/// the mechanisms (service ratings, the satisfaction index), with each part's weight.
#[utoipa::path(get, path = "/api/v1/assessment", tag = "evaluation", params(AssessmentQuery),
    responses((status = 200, body = Assessment), (status = 403), (status = 422)))]
async fn assessment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewRankings>,
    Q(q): Q<AssessmentQuery>,
) -> AppResult<Json<Assessment>> {
    let period = crate::kernel::period::Period::parse(&period_or_current(q.period.as_deref(), ctx.now)?)?;
    let (registry, lang) = (s.registry, ctx.lang);
    s.look(&ctx, Action::ViewRankings, move |tx, _| assessment::assess(tx, registry, &period, lang)).await.map(Json)
}

/// One department's assessment, its last four quarters and its divisions' rating ranks.
#[utoipa::path(get, path = "/api/v1/assessment/{department_id}", tag = "evaluation", params(AssessmentQuery),
    responses((status = 200, body = UnitAssessment), (status = 403), (status = 404)))]
async fn department_assessment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewRankings>,
    Path(department_id): Path<i64>,
    Q(q): Q<AssessmentQuery>,
) -> AppResult<Json<UnitAssessment>> {
    let period = crate::kernel::period::Period::parse(&period_or_current(q.period.as_deref(), ctx.now)?)?;
    let (registry, lang, now) = (s.registry, ctx.lang, ctx.now);
    s.look(&ctx, Action::ViewRankings, move |tx, _| {
        assessment::of_department(tx, registry, department_id, &period, (lang, now))
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/bad-reviews", tag = "evaluation", params(ListParams, BadReviewFilter),
    responses((status = 200, body = Page<Rating>)))]
async fn list_bad_reviews(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<BadReviewFilter>,
) -> AppResult<Listed<Rating>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewEvaluation, move |tx, u| {
        bad_reviews::list(tx, u.ok_or(AppError::Unauthenticated)?, &f, &p)
    })
    .await
    .map(|page| Listed { page, params, name: "bad-reviews" })
}

#[utoipa::path(get, path = "/api/v1/bad-reviews/{id}", tag = "evaluation", responses((status = 200, body = Rating), (status = 404)))]
async fn get_bad_review(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Rating>> {
    s.look(&ctx, Action::ViewEvaluation, move |tx, u| bad_reviews::get(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// found, appeal, uphold_appeal, reject_appeal, report_fix, rater_satisfied, rater_unsatisfied.
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Verify, rectify and call back a bad review, or appeal it and decide the appeal.
#[utoipa::path(post, path = "/api/v1/bad-reviews/{id}/transitions", tag = "evaluation", request_body = TransitionInput,
    responses((status = 200, body = Fired), (status = 403), (status = 409), (status = 422)))]
async fn bad_review_transition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> AppResult<Json<Fired>> {
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::BAD_REVIEW)?;
    let base = s.settings.public_base_url.clone();
    s.change(&ctx, Action::ViewEvaluation, move |tx, who| {
        bad_reviews::transition(tx, who, &user, &rules, id, &input.transition, input.note.as_deref(), &base)
    })
    .await
    .map(Json)
}

/// The commendation list, the heads to interview (and the interviews on record), and
/// adjustment proposals for a period, by the configured thresholds.
#[utoipa::path(get, path = "/api/v1/evaluation/consequences", tag = "evaluation", params(RankingQuery),
    responses((status = 200, body = Consequences), (status = 403)))]
async fn consequences(State(s): State<AppState>, ctx: Ctx, Q(q): Q<RankingQuery>) -> AppResult<Json<Consequences>> {
    ctx.require(Action::ViewRankings)?;
    let period = decision_period_or_current(q.period.as_deref(), ctx.now)?;
    s.look(&ctx, Action::ViewRankings, move |tx, _| consequences::for_period(tx, &period, q.department_id))
        .await
        .map(Json)
}

/// Record an interview (约谈) of a division head: the department head, a leader or an
/// administrator.
#[utoipa::path(post, path = "/api/v1/interviews", tag = "evaluation", request_body = InterviewInput,
    responses((status = 201, body = Interview), (status = 403), (status = 422)))]
async fn record_interview(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    ApiJson(input): ApiJson<InterviewInput>,
) -> AppResult<(StatusCode, Json<Interview>)> {
    let user = ctx.user()?.clone();
    let i = s
        .change(&ctx, Action::ViewEvaluation, move |tx, who| consequences::record_interview(tx, who, &user, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(i)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub id: i64,
}

/// Decide an adjustment proposal (the division's department head).
#[utoipa::path(post, path = "/api/v1/adjustments", tag = "evaluation", request_body = AdjustmentInput,
    responses((status = 201, body = Decided), (status = 403), (status = 422)))]
async fn decide_adjustment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    ApiJson(input): ApiJson<AdjustmentInput>,
) -> AppResult<(StatusCode, Json<Decided>)> {
    let user = ctx.user()?.clone();
    let id = s
        .change(&ctx, Action::ViewEvaluation, move |tx, who| consequences::decide_adjustment(tx, who, &user, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(Decided { id })))
}

#[utoipa::path(get, path = "/api/v1/pool", tag = "pool", responses((status = 200, body = Vec<PoolCase>)))]
async fn list_pool(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<PoolCase>>> {
    s.look(&ctx, Action::ViewEvaluation, |tx, u| pool::list(tx, u.ok_or(AppError::Unauthenticated)?)).await.map(Json)
}

/// Return (退人) a member of one's division, with reasons and evidence (division heads).
#[utoipa::path(post, path = "/api/v1/pool", tag = "pool", request_body = pool::Proposal,
    responses((status = 201, body = PoolCase), (status = 403), (status = 409), (status = 422)))]
async fn propose_return(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    ApiJson(input): ApiJson<pool::Proposal>,
) -> AppResult<(StatusCode, Json<PoolCase>)> {
    let user = ctx.user()?.clone();
    let c = s.change(&ctx, Action::ViewEvaluation, move |tx, who| pool::propose(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/pool/{id}", tag = "pool", responses((status = 200, body = PoolCase), (status = 404)))]
async fn get_pool_case(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<PoolCase>> {
    s.look(&ctx, Action::ViewEvaluation, move |tx, u| pool::get(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await
        .map(Json)
}

/// Approve or refuse a return, extend the plan, or reassign the member to a division
/// (the department head).
#[utoipa::path(post, path = "/api/v1/pool/{id}/transitions", tag = "pool", request_body = pool::Step,
    responses((status = 200, body = Fired), (status = 403), (status = 409), (status = 422)))]
async fn pool_transition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    Path(id): Path<i64>,
    ApiJson(step): ApiJson<pool::Step>,
) -> AppResult<Json<Fired>> {
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::POOL_CASE)?;
    s.change(&ctx, Action::ViewEvaluation, move |tx, who| pool::transition(tx, who, &user, &rules, id, &step))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/api/v1/pool/{id}/plan", tag = "pool", request_body = pool::Plan,
    responses((status = 200, body = PoolCase), (status = 403), (status = 409), (status = 422)))]
async fn pool_plan(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    Path(id): Path<i64>,
    ApiJson(plan): ApiJson<pool::Plan>,
) -> AppResult<Json<PoolCase>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewEvaluation, move |tx, who| pool::set_plan(tx, who, &user, id, &plan)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/pool/{id}/assessments", tag = "pool", request_body = pool::AssessmentInput,
    responses((status = 201, body = pool::Assessment), (status = 403), (status = 409), (status = 422)))]
async fn pool_assessment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<pool::AssessmentInput>,
) -> AppResult<(StatusCode, Json<pool::Assessment>)> {
    let user = ctx.user()?.clone();
    let a = s.change(&ctx, Action::ViewEvaluation, move |tx, who| pool::assess(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResponseInput {
    pub response: String,
}

/// The member's own response to their record.
#[utoipa::path(post, path = "/api/v1/pool/{id}/response", tag = "pool", request_body = ResponseInput,
    responses((status = 200, body = PoolCase), (status = 403)))]
async fn pool_response(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEvaluation>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> AppResult<Json<PoolCase>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewEvaluation, move |tx, who| pool::respond(tx, who, &user, id, &input.response))
        .await
        .map(Json)
}
