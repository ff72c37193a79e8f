//! `/api/v1` endpoints for the organisation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::departments::{self, Department, DepartmentFilter, DepartmentInput};
use super::divisions::{self, Division, DivisionInput, Post, PostInput};
use super::people::{
    self, AssignInput, Assignment, EndInput, PeopleFilter, Person, PersonInput, Portfolio, PortfolioInput,
};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::names::{SuggestQuery, Suggestion};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q, need};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(suggest_departments))
        .routes(routes!(get_department, update_department))
        .routes(routes!(set_department_status))
        .routes(routes!(department_divisions))
        .routes(routes!(create_division))
        .routes(routes!(get_division, update_division))
        .routes(routes!(set_division_status))
        .routes(routes!(division_posts))
        .routes(routes!(division_staff))
        .routes(routes!(create_post))
        .routes(routes!(update_post))
        .routes(routes!(set_post_status))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(set_person_status))
        .routes(routes!(person_assignments, assign_person))
        .routes(routes!(end_assignment))
        .routes(routes!(list_portfolios))
        .routes(routes!(person_portfolios, add_portfolio))
        .routes(routes!(end_portfolio))
}

/// `{"active": false}` deactivates, `{"active": true}` reactivates.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StatusInput {
    pub active: bool,
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "org", params(ListParams, DepartmentFilter),
    responses((status = 200, body = Page<Department>)))]
async fn list_departments(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<DepartmentFilter>,
) -> AppResult<Listed<Department>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewOrg, move |tx, u| departments::list(tx, u, &f, &p)).await.map(|page| Listed {
        page,
        params,
        name: "departments",
    })
}

/// Departments found by part of the name, pinyin initials or pinyin, in the official
/// order: for type-ahead pickers.
#[utoipa::path(get, path = "/api/v1/departments/suggest", tag = "org", params(SuggestQuery),
    responses((status = 200, body = Vec<Suggestion>)))]
async fn suggest_departments(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(q): Q<SuggestQuery>,
) -> AppResult<Json<Vec<Suggestion>>> {
    let typed = validate::opt_text(Some(&q.q), "q", 100)?.unwrap_or_default();
    let lang = ctx.lang;
    s.look(&ctx, Action::ViewOrg, move |tx, u| departments::suggest(tx, u, lang, &typed)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "org", request_body = DepartmentInput,
    responses((status = 201, body = Department), (status = 403), (status = 409), (status = 422)))]
async fn create_department(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> AppResult<(StatusCode, Json<Department>)> {
    let d = s.change(&ctx, Action::ManageOrg, move |tx, who| departments::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "org", responses((status = 200, body = Department), (status = 404)))]
async fn get_department(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Department>> {
    s.look(&ctx, Action::ViewOrg, move |tx, u| departments::get(tx, u, id)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "org", request_body = DepartmentInput,
    responses((status = 200, body = Department), (status = 403), (status = 404), (status = 422)))]
async fn update_department(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> AppResult<Json<Department>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| departments::update(tx, who, id, &input)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/departments/{id}/status", tag = "org", request_body = StatusInput,
    responses((status = 200, body = Department), (status = 409)))]
async fn set_department_status(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<Json<Department>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| departments::set_active(tx, who, id, input.active)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/departments/{id}/divisions", tag = "org", responses((status = 200, body = Vec<Division>)))]
async fn department_divisions(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Division>>> {
    s.look(&ctx, Action::ViewOrg, move |tx, u| {
        departments::get(tx, u, id)?;
        divisions::of_department(tx, u, id)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/divisions", tag = "org", request_body = DivisionInput,
    responses((status = 201, body = Division), (status = 403), (status = 409), (status = 422)))]
async fn create_division(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    ApiJson(input): ApiJson<DivisionInput>,
) -> AppResult<(StatusCode, Json<Division>)> {
    let v = s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/divisions/{id}", tag = "org", responses((status = 200, body = Division), (status = 404)))]
async fn get_division(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Division>> {
    s.look(&ctx, Action::ViewOrg, move |tx, u| divisions::get(tx, u, id)).await.map(Json)
}

/// Edit a division; a different `department_id` moves it.
#[utoipa::path(put, path = "/api/v1/divisions/{id}", tag = "org", request_body = DivisionInput,
    responses((status = 200, body = Division), (status = 403), (status = 404), (status = 422)))]
async fn update_division(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DivisionInput>,
) -> AppResult<Json<Division>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::update(tx, who, id, &input)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/divisions/{id}/status", tag = "org", request_body = StatusInput,
    responses((status = 200, body = Division), (status = 409)))]
async fn set_division_status(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<Json<Division>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::set_active(tx, who, id, input.active)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/divisions/{id}/posts", tag = "org", responses((status = 200, body = Vec<Post>)))]
async fn division_posts(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Vec<Post>>> {
    s.look(&ctx, Action::ViewOrg, move |tx, u| {
        divisions::get(tx, u, id)?;
        divisions::posts_of(tx, id)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/divisions/{id}/staff", tag = "org", responses((status = 200, body = Vec<Assignment>)))]
async fn division_staff(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Vec<Assignment>>> {
    s.look(&ctx, Action::ViewPeople, move |tx, u| {
        divisions::get(tx, u, id)?;
        people::staff_of_division(tx, id)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/posts", tag = "org", request_body = PostInput,
    responses((status = 201, body = Post), (status = 403), (status = 422)))]
async fn create_post(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    ApiJson(input): ApiJson<PostInput>,
) -> AppResult<(StatusCode, Json<Post>)> {
    let p = s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::create_post(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(put, path = "/api/v1/posts/{id}", tag = "org", request_body = PostInput,
    responses((status = 200, body = Post), (status = 403), (status = 404), (status = 422)))]
async fn update_post(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PostInput>,
) -> AppResult<Json<Post>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::update_post(tx, who, id, &input)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/posts/{id}/status", tag = "org", request_body = StatusInput,
    responses((status = 200, body = Post), (status = 409)))]
async fn set_post_status(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<Json<Post>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| divisions::set_post_active(tx, who, id, input.active))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/people", tag = "org", params(ListParams, PeopleFilter),
    responses((status = 200, body = Page<Person>), (status = 403)))]
async fn list_people(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<PeopleFilter>,
) -> AppResult<Listed<Person>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewPeople, move |tx, u| people::list(tx, u, &f, &p)).await.map(|page| Listed {
        page,
        params,
        name: "people",
    })
}

#[utoipa::path(post, path = "/api/v1/people", tag = "org", request_body = PersonInput,
    responses((status = 201, body = Person), (status = 403), (status = 422)))]
async fn create_person(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<(StatusCode, Json<Person>)> {
    let p = s.change(&ctx, Action::ManageOrg, move |tx, who| people::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "org", responses((status = 200, body = Person), (status = 404)))]
async fn get_person(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Person>> {
    s.look(&ctx, Action::ViewPeople, move |tx, u| people::get(tx, u, id)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "org", request_body = PersonInput,
    responses((status = 200, body = Person), (status = 403), (status = 404), (status = 422)))]
async fn update_person(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<Json<Person>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| people::update(tx, who, id, &input)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/people/{id}/status", tag = "org", request_body = StatusInput,
    responses((status = 200, body = Person), (status = 409)))]
async fn set_person_status(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<Json<Person>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| people::set_active(tx, who, id, input.active)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/people/{id}/assignments", tag = "org", responses((status = 200, body = Vec<Assignment>)))]
async fn person_assignments(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Assignment>>> {
    s.look(&ctx, Action::ViewPeople, move |tx, u| {
        people::get(tx, u, id)?;
        people::assignments_of(tx, id)
    })
    .await
    .map(Json)
}

/// Put a person in a post (within its quota).
#[utoipa::path(post, path = "/api/v1/people/{id}/assignments", tag = "org", request_body = AssignInput,
    responses((status = 201, body = Assignment), (status = 409), (status = 422)))]
async fn assign_person(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> AppResult<(StatusCode, Json<Assignment>)> {
    let a = s.change(&ctx, Action::ManageOrg, move |tx, who| people::assign(tx, who, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(post, path = "/api/v1/assignments/{id}/end", tag = "org", request_body = EndInput,
    responses((status = 200, body = Assignment), (status = 409)))]
async fn end_assignment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EndInput>,
) -> AppResult<Json<Assignment>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| people::end_assignment(tx, who, id, &input)).await.map(Json)
}

/// Every city leader's current portfolio (分管).
#[utoipa::path(get, path = "/api/v1/portfolios", tag = "org", responses((status = 200, body = Vec<Portfolio>)))]
async fn list_portfolios(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Portfolio>>> {
    s.look(&ctx, Action::ViewPeople, move |tx, _| people::current_portfolios(tx)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/people/{id}/portfolios", tag = "org", responses((status = 200, body = Vec<Portfolio>)))]
async fn person_portfolios(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Portfolio>>> {
    s.look(&ctx, Action::ViewPeople, move |tx, u| {
        people::get(tx, u, id)?;
        people::portfolios_of(tx, id)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/people/{id}/portfolios", tag = "org", request_body = PortfolioInput,
    responses((status = 201, body = Portfolio), (status = 422)))]
async fn add_portfolio(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PortfolioInput>,
) -> AppResult<(StatusCode, Json<Portfolio>)> {
    let f = s.change(&ctx, Action::ManageOrg, move |tx, who| people::add_portfolio(tx, who, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

#[utoipa::path(post, path = "/api/v1/portfolios/{id}/end", tag = "org", request_body = EndInput,
    responses((status = 200, body = Portfolio), (status = 409)))]
async fn end_portfolio(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EndInput>,
) -> AppResult<Json<Portfolio>> {
    s.change(&ctx, Action::ManageOrg, move |tx, who| people::end_portfolio(tx, who, id, &input)).await.map(Json)
}
