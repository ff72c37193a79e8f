//! `/api/v1/plans/…`, `/api/v1/hearings/…` and `/api/v1/hearing-questions/…`: plans and
//! their versions, hearings and inquiries, questions, answers, commitments, corrections and
//! votes; the figures; the published record without sign-in.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::diff::{self, Paragraph};
use super::figures::{self, Figures};
use super::need;
use super::plans::{self, Plan, PlanFilter, PlanInput, Version, VersionInput};
use super::questions::{
    self, AnswerInput, Commitment, CorrectionInput, Delivery, Moderation, Question, QuestionInput, Votes,
};
use super::sessions::{self, Hearing, HearingFilter, HearingInput};
use crate::kernel::access::{Action, CurrentUser};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q, period};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(add_version))
        .routes(routes!(compare))
        .routes(routes!(transition_plan))
        .routes(routes!(list_hearings, create_hearing))
        .routes(routes!(get_hearing, update_hearing))
        .routes(routes!(transition_hearing))
        .routes(routes!(ask))
        .routes(routes!(vote))
        .routes(routes!(edit_answer))
        .routes(routes!(moderate))
        .routes(routes!(answer))
        .routes(routes!(correct))
        .routes(routes!(calendar_feed))
        .routes(routes!(people))
        .routes(routes!(figures_of))
        .routes(routes!(public_hearings))
        .routes(routes!(public_hearing))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PlanDetail)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: Plan,
    pub relations: Vec<String>,
    pub versions: Vec<Version>,
    pub hearings: Vec<Hearing>,
    pub commitments: Vec<Commitment>,
    pub delivery: Delivery,
}

pub fn plan_detail(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, now: i64) -> AppResult<PlanDetail> {
    let plan = plans::find(tx, id)?;
    let relations = plans::relations(user, &plan).iter().map(|r| (*r).to_owned()).collect();
    let f = HearingFilter { plan_id: Some(id), ..Default::default() };
    Ok(PlanDetail {
        relations,
        versions: plans::versions(tx, id)?,
        hearings: sessions::list(tx, &f, &ListParams { per: Some(100), ..Default::default() }, false)?.items,
        commitments: questions::commitments_of_plan(tx, id, now)?,
        delivery: questions::delivery(tx, id, now)?,
        plan,
    })
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "hearings", params(ListParams, PlanFilter),
    responses((status = 200, body = Page<Plan>), (status = 403)))]
async fn list_plans(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPlans>,
    Q(p): Q<ListParams>,
    Q(f): Q<PlanFilter>,
) -> AppResult<Listed<Plan>> {
    let params = p.clone();
    let page = s.look(&ctx, Action::ViewPlans, move |tx, _| plans::list(tx, &f, &p)).await?;
    Ok(Listed { page, params, name: "plans" })
}

/// Write a plan with its first version (a leader, or the department whose policy it is).
#[utoipa::path(post, path = "/api/v1/plans", tag = "hearings", request_body = PlanInput,
    responses((status = 201, body = Plan), (status = 403), (status = 422)))]
async fn create_plan(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    ApiJson(input): ApiJson<PlanInput>,
) -> AppResult<(StatusCode, Json<Plan>)> {
    let (rules, user) = (s.rules(&super::PLAN)?, ctx.user()?.clone());
    let p = s.change(&ctx, Action::ManagePlans, move |tx, who| plans::create(tx, who, &user, &rules, &input)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// A plan with its versions, hearings and commitments (and how they are delivered).
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "hearings",
    responses((status = 200, body = PlanDetail), (status = 403), (status = 404)))]
async fn get_plan(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPlans>,
    Path(id): Path<i64>,
) -> AppResult<Json<PlanDetail>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::ViewPlans, move |tx, _| plan_detail(tx, &user, id, now)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/plans/{id}", tag = "hearings", request_body = PlanInput,
    responses((status = 200, body = Plan), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update_plan(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlanInput>,
) -> AppResult<Json<Plan>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ManagePlans, move |tx, who| plans::update(tx, who, &user, id, &input)).await.map(Json)
}

/// A new version of the plan's text (versions are never changed).
#[utoipa::path(post, path = "/api/v1/plans/{id}/versions", tag = "hearings", request_body = VersionInput,
    responses((status = 201, body = Version), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn add_version(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<VersionInput>,
) -> AppResult<(StatusCode, Json<Version>)> {
    let user = ctx.user()?.clone();
    let v = s.change(&ctx, Action::ManagePlans, move |tx, who| plans::add_version(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    pub from: i64,
    pub to: i64,
}

/// Two versions compared by paragraph, and a changed paragraph by character.
#[utoipa::path(get, path = "/api/v1/plans/{id}/compare", tag = "hearings", params(CompareQuery),
    responses((status = 200, body = Vec<Paragraph>), (status = 403), (status = 404)))]
async fn compare(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPlans>,
    Path(id): Path<i64>,
    Q(q): Q<CompareQuery>,
) -> AppResult<Json<Vec<Paragraph>>> {
    s.look(&ctx, Action::ViewPlans, move |tx, _| {
        let (a, b) = (plans::version(tx, id, q.from)?, plans::version(tx, id, q.to)?);
        Ok(diff::compare(&a.body, &b.body))
    })
    .await
    .map(Json)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = PlanStep)]
pub struct TransitionInput {
    /// `defend`, `revise` or `adopt`.
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `defend` (after a hearing), `revise` (after a newer version), `adopt` (the lead leader).
#[utoipa::path(post, path = "/api/v1/plans/{id}/transitions", tag = "hearings", request_body = TransitionInput,
    responses((status = 200, body = Plan), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn transition_plan(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> AppResult<Json<Plan>> {
    let (rules, user) = (s.rules(&super::PLAN)?, ctx.user()?.clone());
    s.change(&ctx, Action::ManagePlans, move |tx, who| {
        plans::transition(tx, who, &user, &rules, id, &input.transition, input.note.as_deref())
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/hearings", tag = "hearings", params(ListParams, HearingFilter),
    responses((status = 200, body = Page<Hearing>), (status = 403)))]
async fn list_hearings(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPlans>,
    Q(p): Q<ListParams>,
    Q(f): Q<HearingFilter>,
) -> AppResult<Listed<Hearing>> {
    let params = p.clone();
    let page = s.look(&ctx, Action::ViewPlans, move |tx, _| sessions::list(tx, &f, &p, false)).await?;
    Ok(Listed { page, params, name: "hearings" })
}

/// Schedule a hearing (it defends the plan's latest version) or an annual inquiry, with
/// its chair, team and participants or panel; everyone named is invited.
#[utoipa::path(post, path = "/api/v1/hearings", tag = "hearings", request_body = HearingInput,
    responses((status = 201, body = Hearing), (status = 403), (status = 422)))]
async fn create_hearing(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    ApiJson(input): ApiJson<HearingInput>,
) -> AppResult<(StatusCode, Json<Hearing>)> {
    let (rules, user, base) = (s.rules(&super::HEARING)?, ctx.user()?.clone(), s.settings.public_base_url.clone());
    let h = s
        .change(&ctx, Action::ManagePlans, move |tx, who| sessions::create(tx, who, &user, &rules, &input, &base))
        .await?;
    Ok((StatusCode::CREATED, Json(h)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = HearingDetail)]
pub struct HearingDetail {
    #[serde(flatten)]
    pub hearing: Hearing,
    pub relations: Vec<String>,
    /// The paragraphs of the version defended (a question's anchor counts from 1).
    pub paragraphs: Vec<String>,
    pub questions: Vec<Question>,
    pub votes: Option<Votes>,
    /// An inquiry's delivery figures: frozen at publication, live before.
    pub delivery: Option<Delivery>,
}

pub fn hearing_detail(tx: &mut Tx<'_>, user: Option<&CurrentUser>, id: i64, now: i64) -> AppResult<HearingDetail> {
    let h = sessions::find(tx, id)?;
    let public = user.is_none_or(|u| !u.role.is_government());
    let relations: Vec<String> = match user {
        Some(u) => sessions::relations(u, &h, sessions::organiser(tx, id)?).iter().map(|r| (*r).to_owned()).collect(),
        None => Vec::new(),
    };
    if h.state == "cancelled" && public && relations.is_empty() {
        return Err(AppError::NotFound);
    }
    let paragraphs = match h.plan_version {
        Some(v) => diff::paragraphs(&plans::version(tx, h.plan_id, v)?.body).into_iter().map(str::to_owned).collect(),
        None => Vec::new(),
    };
    let delivery = if h.kind == "inquiry" {
        let frozen = tx
            .query_opt("SELECT figures FROM hearings WHERE id = $1", crate::params![id])?
            .and_then(|r| r.opt_text(0).ok().flatten())
            .and_then(|t| serde_json::from_str(&t).ok());
        Some(match frozen {
            Some(d) => d,
            None => questions::delivery(tx, h.plan_id, now)?,
        })
    } else {
        None
    };
    let votes = if h.kind == "inquiry" { Some(questions::votes(tx, id)?) } else { None };
    let questions = questions::of_hearing(tx, user, &h, now)?;
    Ok(HearingDetail { hearing: h, relations, paragraphs, questions, votes, delivery })
}

/// A hearing with the questions the caller may read.
#[utoipa::path(get, path = "/api/v1/hearings/{id}", tag = "hearings",
    responses((status = 200, body = HearingDetail), (status = 401), (status = 404)))]
async fn get_hearing(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::TakePart>,
    Path(id): Path<i64>,
) -> AppResult<Json<HearingDetail>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::TakePart, move |tx, _| hearing_detail(tx, Some(&user), id, now)).await.map(Json)
}

/// Change a scheduled hearing; calendars see the change (same UID, raised SEQUENCE).
#[utoipa::path(put, path = "/api/v1/hearings/{id}", tag = "hearings", request_body = HearingInput,
    responses((status = 200, body = Hearing), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update_hearing(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HearingInput>,
) -> AppResult<Json<Hearing>> {
    let (user, base) = (ctx.user()?.clone(), s.settings.public_base_url.clone());
    s.change(&ctx, Action::ManagePlans, move |tx, who| sessions::update(tx, who, &user, id, &input, &base))
        .await
        .map(Json)
}

/// `open`, `close`, `publish` (the record goes public) or `cancel` (with a note).
#[utoipa::path(post, path = "/api/v1/hearings/{id}/transitions", tag = "hearings", request_body = sessions::Step,
    responses((status = 200, body = Hearing), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn transition_hearing(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<sessions::Step>,
) -> AppResult<Json<Hearing>> {
    hearing_transition(&s, &ctx, id, input).await.map(Json)
}

pub async fn hearing_transition(s: &AppState, ctx: &Ctx, id: i64, step: sessions::Step) -> AppResult<Hearing> {
    let (rules, user, base) = (s.rules(&super::HEARING)?, ctx.user()?.clone(), s.settings.public_base_url.clone());
    s.change(ctx, Action::ManagePlans, move |tx, who| sessions::transition(tx, who, &user, &rules, id, &step, &base))
        .await
}

/// Ask a question: beforehand (anyone signed in; moderated) or in the session (those
/// invited). `anchor` is a paragraph of the version defended.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/questions", tag = "hearings", request_body = QuestionInput,
    responses((status = 201, body = Question), (status = 401), (status = 404), (status = 409), (status = 422)))]
async fn ask(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::TakePart>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> AppResult<(StatusCode, Json<Question>)> {
    let user = ctx.user()?.clone();
    let q = s.change(&ctx, Action::TakePart, move |tx, who| questions::ask(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(q)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VoteInput {
    /// `satisfied`, `fairly_satisfied` or `dissatisfied`.
    pub vote: String,
}

/// A member of the inquiry panel votes, once.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/votes", tag = "hearings", request_body = VoteInput,
    responses((status = 200, body = Votes), (status = 401), (status = 404), (status = 409), (status = 422)))]
async fn vote(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::TakePart>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<VoteInput>,
) -> AppResult<Json<Votes>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::TakePart, move |tx, who| questions::vote(tx, who, &user, id, &input.vote)).await.map(Json)
}

/// Editing a question or answer directly: refused once the record is published (use a
/// correction), and otherwise only the answerer's own wording before publication.
#[utoipa::path(put, path = "/api/v1/hearing-questions/{id}", tag = "hearings", request_body = AnswerInput,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn edit_answer(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> AppResult<Json<Question>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ManagePlans, move |tx, who| questions::edit_answer(tx, who, &user, id, &input))
        .await
        .map(Json)
}

/// Take a question asked beforehand on the record, or reject it with a reason.
#[utoipa::path(post, path = "/api/v1/hearing-questions/{id}/moderation", tag = "hearings", request_body = Moderation,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn moderate(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Moderation>,
) -> AppResult<Json<Question>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ManagePlans, move |tx, who| questions::moderate(tx, who, &user, id, &input)).await.map(Json)
}

/// A member of the defense team answers; each commitment becomes a task.
#[utoipa::path(post, path = "/api/v1/hearing-questions/{id}/answer", tag = "hearings", request_body = AnswerInput,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn answer(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> AppResult<Json<Question>> {
    answer_question(&s, &ctx, id, input).await.map(Json)
}

pub async fn answer_question(s: &AppState, ctx: &Ctx, id: i64, input: AnswerInput) -> AppResult<Question> {
    let (user, env) = (ctx.user()?.clone(), s.environment());
    let port = s.registry.tasks()?;
    s.change(ctx, Action::ManagePlans, move |tx, who| questions::answer(tx, who, &user, id, &input, (port, &env))).await
}

/// Correct a published question or answer; the earlier text stays on the record.
#[utoipa::path(post, path = "/api/v1/hearing-questions/{id}/corrections", tag = "hearings", request_body = CorrectionInput,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn correct(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> AppResult<Json<Question>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ManagePlans, move |tx, who| questions::correct(tx, who, &user, id, &input)).await.map(Json)
}

/// Anyone with an account, to invite to a hearing (leaders, heads, entrepreneurs,
/// experts, deputies), by name or pinyin.
#[utoipa::path(get, path = "/api/v1/hearings/people", tag = "hearings", params(crate::kernel::names::SuggestQuery),
    responses((status = 200, body = Vec<crate::kernel::names::Suggestion>), (status = 403)))]
async fn people(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePlans>,
    Q(q): Q<crate::kernel::names::SuggestQuery>,
) -> AppResult<Json<Vec<crate::kernel::names::Suggestion>>> {
    s.look(&ctx, Action::ManagePlans, move |tx, _| {
        crate::accounts::service::suggest_accounts(tx, &q.q, q.department_id, &[])
    })
    .await
    .map(Json)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Feed {
    /// The caller's own iCalendar feed; a new address each time (the old one stops).
    pub url: String,
}

/// A new address of the caller's own calendar of hearings and inquiries.
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "hearings",
    responses((status = 200, body = Feed), (status = 401)))]
async fn calendar_feed(State(s): State<AppState>, Can(ctx, _): Can<need::TakePart>) -> AppResult<Json<Feed>> {
    let (user, base) = (ctx.user()?.id, s.settings.public_base_url.clone());
    let token = s.change(&ctx, Action::TakePart, move |tx, who| sessions::new_feed_token(tx, who, user)).await?;
    Ok(Json(Feed { url: format!("{base}/calendar/feeds/{token}.ics") }))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// One offensive or policy.
    pub plan_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/hearings/figures", tag = "hearings", params(FiguresQuery),
    responses((status = 200, body = Figures), (status = 403), (status = 422)))]
async fn figures_of(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPlans>,
    Q(q): Q<FiguresQuery>,
) -> AppResult<Json<Figures>> {
    let asked = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let now = ctx.now;
    s.look(&ctx, Action::ViewPlans, move |tx, _| figures::figures(tx, asked.as_ref(), q.plan_id, now)).await.map(Json)
}

/// Hearings and inquiries, scheduled and published (no sign-in).
#[utoipa::path(get, path = "/api/v1/public/hearings", tag = "hearings", security(()), params(ListParams),
    responses((status = 200, body = Page<Hearing>), (status = 429)))]
async fn public_hearings(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>) -> AppResult<Json<Page<Hearing>>> {
    s.limit_public(&ctx, "hearings")?;
    s.db.read(move |tx| sessions::list(tx, &HearingFilter::default(), &p, true)).await.map(Json)
}

/// A hearing's record: the version defended, the accepted questions and the answers, the
/// commitments, corrections shown with the earlier text (no sign-in).
#[utoipa::path(get, path = "/api/v1/public/hearings/{id}", tag = "hearings", security(()),
    responses((status = 200, body = HearingDetail), (status = 404), (status = 429)))]
async fn public_hearing(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<HearingDetail>> {
    s.limit_public(&ctx, "hearings")?;
    let now = ctx.now;
    s.db.read(move |tx| hearing_detail(tx, None, id, now)).await.map(Json)
}
