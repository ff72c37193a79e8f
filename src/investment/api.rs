//! `/api/v1/investment/…`: projects and their stages, events with meetings and contacts,
//! platforms with cohorts, and the figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::events::{self, Contact, ContactInput, Event, EventInput, FollowUp, Meeting, MeetingInput};
use super::figures::{self, FigureRow};
use super::need;
use super::platforms::{
    self, Cohort, CohortInput, CohortMember, CohortMemberInput, Platform, PlatformInput, Qualification,
};
use super::projects::{self, Project, ProjectFilter, ProjectInput};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(super::project_import::import_api))
                .layer(crate::kernel::attachments::body_limit()),
        )
        .routes(routes!(get_project, update_project))
        .routes(routes!(transition_project))
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event, update_event))
        .routes(routes!(add_meeting))
        .routes(routes!(next_edition))
        .routes(routes!(add_contact))
        .routes(routes!(follow_up))
        .routes(routes!(list_platforms, create_platform))
        .routes(routes!(get_platform, update_platform))
        .routes(routes!(entrust))
        .routes(routes!(list_members, add_member))
        .routes(routes!(qualify))
        .routes(routes!(figures_of))
}

#[utoipa::path(get, path = "/api/v1/investment/projects", tag = "investment", params(ListParams, ProjectFilter),
    responses((status = 200, body = Page<Project>), (status = 403), (status = 422)))]
async fn list_projects(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Q(p): Q<ListParams>,
    Q(f): Q<ProjectFilter>,
) -> AppResult<Listed<Project>> {
    let (rules, params, now) = (s.rules(&super::PROJECT)?, p.clone(), ctx.now);
    let page = s
        .look(&ctx, Action::ViewInvestment, move |tx, user| {
            let user = user.ok_or(crate::kernel::error::AppError::Unauthenticated)?;
            projects::list(tx, user, &rules, &f, &p, now)
        })
        .await?;
    Ok(Listed { page, params, name: "projects" })
}

/// Record a project (the enterprise by id, or gathered into the registry by name and
/// credit code); the amount is exact yuan, kept as integer fen.
#[utoipa::path(post, path = "/api/v1/investment/projects", tag = "investment", request_body = ProjectInput,
    responses((status = 201, body = Project), (status = 403), (status = 409), (status = 422)))]
async fn create_project(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> AppResult<(StatusCode, Json<Project>)> {
    let (rules, user) = (s.rules(&super::PROJECT)?, ctx.user()?.clone());
    let p = s
        .change(&ctx, Action::RecordInvestment, move |tx, who| projects::create(tx, who, &user, &rules, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/api/v1/investment/projects/{id}", tag = "investment",
    responses((status = 200, body = Project), (status = 403), (status = 404)))]
async fn get_project(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Path(id): Path<i64>,
) -> AppResult<Json<Project>> {
    let (rules, now) = (s.rules(&super::PROJECT)?, ctx.now);
    s.look(&ctx, Action::ViewInvestment, move |tx, _| projects::find(tx, &rules, id, now)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/investment/projects/{id}", tag = "investment", request_body = ProjectInput,
    responses((status = 200, body = Project), (status = 403), (status = 404), (status = 422)))]
async fn update_project(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> AppResult<Json<Project>> {
    let (rules, user) = (s.rules(&super::PROJECT)?, ctx.user()?.clone());
    s.change(&ctx, Action::RecordInvestment, move |tx, who| projects::update(tx, who, &user, &rules, id, &input))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// `sign`, `land`, `produce`; `land_unsigned` and `produce_early` skip a stage and
    /// need a note saying why; `drop` and `resume` need one too.
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Move a project to its next stage (a skipped stage needs a reason in `note`).
#[utoipa::path(post, path = "/api/v1/investment/projects/{id}/transitions", tag = "investment",
    request_body = TransitionInput,
    responses((status = 200, body = Project), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn transition_project(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> AppResult<Json<Project>> {
    let (rules, user) = (s.rules(&super::PROJECT)?, ctx.user()?.clone());
    s.change(&ctx, Action::RecordInvestment, move |tx, who| {
        projects::transition(tx, who, &user, &rules, id, &input.transition, input.note.as_deref())
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/investment/events", tag = "investment", params(ListParams),
    responses((status = 200, body = Page<Event>), (status = 403)))]
async fn list_events(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Q(p): Q<ListParams>,
) -> AppResult<Listed<Event>> {
    let params = p.clone();
    let page = s.look(&ctx, Action::ViewInvestment, move |tx, _| events::list(tx, &p)).await?;
    Ok(Listed { page, params, name: "events" })
}

#[utoipa::path(post, path = "/api/v1/investment/events", tag = "investment", request_body = EventInput,
    responses((status = 201, body = Event), (status = 403), (status = 422)))]
async fn create_event(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    ApiJson(input): ApiJson<EventInput>,
) -> AppResult<(StatusCode, Json<Event>)> {
    let user = ctx.user()?.clone();
    let e = s.change(&ctx, Action::RecordInvestment, move |tx, who| events::create(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: Event,
    pub meetings: Vec<Meeting>,
    pub contacts: Vec<Contact>,
}

#[utoipa::path(get, path = "/api/v1/investment/events/{id}", tag = "investment",
    responses((status = 200, body = EventDetail), (status = 403), (status = 404)))]
async fn get_event(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Path(id): Path<i64>,
) -> AppResult<Json<EventDetail>> {
    s.look(&ctx, Action::ViewInvestment, move |tx, _| {
        Ok(EventDetail {
            event: events::find(tx, id)?,
            meetings: events::meetings(tx, id)?,
            contacts: events::contacts(tx, id)?,
        })
    })
    .await
    .map(Json)
}

#[utoipa::path(put, path = "/api/v1/investment/events/{id}", tag = "investment", request_body = EventInput,
    responses((status = 200, body = Event), (status = 403), (status = 404), (status = 422)))]
async fn update_event(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EventInput>,
) -> AppResult<Json<Event>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::RecordInvestment, move |tx, who| events::update(tx, who, &user, id, &input)).await.map(Json)
}

/// Record next year's edition of a recurring event (same organisers, place, unit and
/// platforms, a year later).
#[utoipa::path(post, path = "/api/v1/investment/events/{id}/next", tag = "investment",
    responses((status = 201, body = Event), (status = 403), (status = 404), (status = 422)))]
async fn next_edition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
) -> AppResult<(StatusCode, Json<Event>)> {
    let user = ctx.user()?.clone();
    let e = s.change(&ctx, Action::RecordInvestment, move |tx, who| events::next_edition(tx, who, &user, id)).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Record a meeting before or after the event (会前会后对接).
#[utoipa::path(post, path = "/api/v1/investment/events/{id}/meetings", tag = "investment", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 403), (status = 404), (status = 422)))]
async fn add_meeting(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> AppResult<(StatusCode, Json<Meeting>)> {
    let user = ctx.user()?.clone();
    let m = s
        .change(&ctx, Action::RecordInvestment, move |tx, who| events::add_meeting(tx, who, &user, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Add an enterprise met at the event to its follow-up pipeline, with the person
/// responsible for it.
#[utoipa::path(post, path = "/api/v1/investment/events/{id}/contacts", tag = "investment", request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn add_contact(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> AppResult<(StatusCode, Json<Contact>)> {
    let user = ctx.user()?.clone();
    let c = s
        .change(&ctx, Action::RecordInvestment, move |tx, who| events::add_contact(tx, who, &user, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(put, path = "/api/v1/investment/contacts/{id}", tag = "investment", request_body = FollowUp,
    responses((status = 200, body = Contact), (status = 403), (status = 404), (status = 422)))]
async fn follow_up(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FollowUp>,
) -> AppResult<Json<Contact>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::RecordInvestment, move |tx, who| events::follow_up(tx, who, &user, id, &input))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/investment/platforms", tag = "investment", params(ListParams),
    responses((status = 200, body = Page<Platform>), (status = 403)))]
async fn list_platforms(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Q(p): Q<ListParams>,
) -> AppResult<Listed<Platform>> {
    let params = p.clone();
    let page = s.look(&ctx, Action::ViewInvestment, move |tx, _| platforms::list(tx, &p)).await?;
    Ok(Listed { page, params, name: "platforms" })
}

#[utoipa::path(post, path = "/api/v1/investment/platforms", tag = "investment", request_body = PlatformInput,
    responses((status = 201, body = Platform), (status = 403), (status = 422)))]
async fn create_platform(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    ApiJson(input): ApiJson<PlatformInput>,
) -> AppResult<(StatusCode, Json<Platform>)> {
    let user = ctx.user()?.clone();
    let p = s.change(&ctx, Action::RecordInvestment, move |tx, who| platforms::create(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlatformDetail {
    #[serde(flatten)]
    pub platform: Platform,
    pub cohorts: Vec<Cohort>,
}

#[utoipa::path(get, path = "/api/v1/investment/platforms/{id}", tag = "investment",
    responses((status = 200, body = PlatformDetail), (status = 403), (status = 404)))]
async fn get_platform(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Path(id): Path<i64>,
) -> AppResult<Json<PlatformDetail>> {
    s.look(&ctx, Action::ViewInvestment, move |tx, _| {
        Ok(PlatformDetail { platform: platforms::find(tx, id)?, cohorts: platforms::cohorts(tx, id)? })
    })
    .await
    .map(Json)
}

#[utoipa::path(put, path = "/api/v1/investment/platforms/{id}", tag = "investment", request_body = PlatformInput,
    responses((status = 200, body = Platform), (status = 403), (status = 404), (status = 422)))]
async fn update_platform(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlatformInput>,
) -> AppResult<Json<Platform>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::RecordInvestment, move |tx, who| platforms::update(tx, who, &user, id, &input))
        .await
        .map(Json)
}

/// Entrust the platform with a cohort of enterprises.
#[utoipa::path(post, path = "/api/v1/investment/platforms/{id}/cohorts", tag = "investment", request_body = CohortInput,
    responses((status = 201, body = Cohort), (status = 403), (status = 404), (status = 422)))]
async fn entrust(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CohortInput>,
) -> AppResult<(StatusCode, Json<Cohort>)> {
    let user = ctx.user()?.clone();
    let c =
        s.change(&ctx, Action::RecordInvestment, move |tx, who| platforms::entrust(tx, who, &user, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/investment/cohorts/{id}/members", tag = "investment", params(ListParams),
    responses((status = 200, body = Page<CohortMember>), (status = 403), (status = 404)))]
async fn list_members(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Path(id): Path<i64>,
    Q(p): Q<ListParams>,
) -> AppResult<Listed<CohortMember>> {
    let params = p.clone();
    let page = s
        .look(&ctx, Action::ViewInvestment, move |tx, _| {
            platforms::cohort(tx, id)?;
            platforms::members(tx, id, &p)
        })
        .await?;
    Ok(Listed { page, params, name: "cohort-members" })
}

#[utoipa::path(post, path = "/api/v1/investment/cohorts/{id}/members", tag = "investment", request_body = CohortMemberInput,
    responses((status = 200, body = Cohort), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn add_member(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CohortMemberInput>,
) -> AppResult<Json<Cohort>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::RecordInvestment, move |tx, who| platforms::add_member(tx, who, &user, id, &input))
        .await
        .map(Json)
}

/// Record the day a member qualified (empty to withdraw it).
#[utoipa::path(put, path = "/api/v1/investment/cohorts/{id}/members/{enterprise_id}", tag = "investment",
    request_body = Qualification,
    responses((status = 200, body = Cohort), (status = 403), (status = 404), (status = 422)))]
async fn qualify(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Path((id, enterprise)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<Qualification>,
) -> AppResult<Json<Cohort>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::RecordInvestment, move |tx, who| platforms::qualify(tx, who, &user, id, enterprise, &input))
        .await
        .map(Json)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// `platform` (default), `event`, `sector`, `district` or `department`.
    pub group: Option<String>,
    /// `2019`, `2019-Q2`, `2019-04`, `2019-W15` or `2019-04-01~2019-04-30`; all time without.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What each platform, event, sector, district or department brought in a period, with
/// the period before.
#[utoipa::path(get, path = "/api/v1/investment/figures", tag = "investment", params(FiguresQuery),
    responses((status = 200, body = Vec<FigureRow>), (status = 403), (status = 422)))]
async fn figures_of(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewInvestment>,
    Q(q): Q<FiguresQuery>,
) -> AppResult<Json<Vec<FigureRow>>> {
    let period = crate::kernel::web::period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let group = q.group.unwrap_or_else(|| "platform".to_owned());
    s.look(&ctx, Action::ViewInvestment, move |tx, _| figures::figures(tx, &group, period.as_ref())).await.map(Json)
}
