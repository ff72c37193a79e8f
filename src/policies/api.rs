//! `/api/v1/policies/…`, `/api/v1/policy-applications/…`, `/api/v1/law-firms/…`,
//! `/api/v1/service-cases/…` and `/api/v1/policy-notices/…`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::applications::{self, Applicable, Application, ApplicationFilter, ApplyInput, DecisionInput};
use super::firms::{self, Case, CaseFilter, CaseInput, CloseInput, Contract, ContractInput, FirmInput, LawFirm};
use super::need;
use super::notices::{self, Notice, NoticeFilter, NoticeInput, ResponseInput};
use super::policy::{self, Policy, PolicyFilter, PolicyInput};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_policies, create_policy))
        .routes(routes!(applicable))
        .routes(routes!(get_policy, update_policy))
        .routes(routes!(apply))
        .routes(routes!(list_applications))
        .routes(routes!(get_application))
        .routes(routes!(decide_application))
        .routes(routes!(list_firms, create_firm))
        .routes(routes!(add_contract))
        .routes(routes!(list_cases, open_case))
        .routes(routes!(take_case))
        .routes(routes!(close_case))
        .routes(routes!(list_notices, file_notice))
        .routes(routes!(get_notice))
        .routes(routes!(respond_notice))
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(ListParams, PolicyFilter),
    responses((status = 200, body = Page<Policy>), (status = 401)))]
async fn list_policies(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Q(p): Q<ListParams>,
    Q(f): Q<PolicyFilter>,
) -> AppResult<Json<Page<Policy>>> {
    let government = ctx.user()?.role.is_government();
    s.look(&ctx, Action::ViewPolicies, move |tx, _| policy::list(tx, &f, &p, government)).await.map(Json)
}

/// Register a policy with its clauses, eligibility rules and promise.
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyInput,
    responses((status = 201, body = Policy), (status = 403), (status = 422)))]
async fn create_policy(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<(StatusCode, Json<Policy>)> {
    let user = ctx.user()?.id;
    let p = s.change(&ctx, Action::ManagePolicies, move |tx, who| policy::create(tx, who, user, &input)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies",
    responses((status = 200, body = Policy), (status = 404)))]
async fn get_policy(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Path(id): Path<i64>,
) -> AppResult<Json<Policy>> {
    let government = ctx.user()?.role.is_government();
    s.look(&ctx, Action::ViewPolicies, move |tx, _| {
        let p = policy::find(tx, id)?;
        if p.active || government { Ok(p) } else { Err(crate::kernel::error::AppError::NotFound) }
    })
    .await
    .map(Json)
}

#[utoipa::path(put, path = "/api/v1/policies/{id}", tag = "policies", request_body = PolicyInput,
    responses((status = 200, body = Policy), (status = 403), (status = 404), (status = 422)))]
async fn update_policy(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<Json<Policy>> {
    s.change(&ctx, Action::ManagePolicies, move |tx, who| policy::update(tx, who, id, &input)).await.map(Json)
}

/// The active policies and how each fits the caller's enterprise, given answers to the
/// questions its registry record leaves open.
#[utoipa::path(post, path = "/api/v1/policies/applicable", tag = "policies", request_body = ApplyInput,
    responses((status = 200, body = Vec<Applicable>), (status = 403)))]
async fn applicable(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ApplyForPolicies>,
    ApiJson(input): ApiJson<ApplyInput>,
) -> AppResult<Json<Vec<Applicable>>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::ApplyForPolicies, move |tx, _| applications::applicable(tx, &user, &input.answers, now))
        .await
        .map(Json)
}

/// Apply for a policy that applies to the caller's enterprise.
#[utoipa::path(post, path = "/api/v1/policies/{id}/applications", tag = "policies", request_body = ApplyInput,
    responses((status = 201, body = Application), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn apply(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ApplyForPolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ApplyInput>,
) -> AppResult<(StatusCode, Json<Application>)> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    let a = s
        .change(&ctx, Action::ApplyForPolicies, move |tx, who| {
            applications::apply(tx, who, &user, &calendar, id, &input)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(get, path = "/api/v1/policy-applications", tag = "policies", params(ListParams, ApplicationFilter),
    responses((status = 200, body = Page<Application>), (status = 401)))]
async fn list_applications(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Q(p): Q<ListParams>,
    Q(f): Q<ApplicationFilter>,
) -> AppResult<Json<Page<Application>>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::ViewPolicies, move |tx, _| applications::list(tx, &user, &f, &p, now)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/policy-applications/{id}", tag = "policies",
    responses((status = 200, body = Application), (status = 404)))]
async fn get_application(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Path(id): Path<i64>,
) -> AppResult<Json<Application>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::ViewPolicies, move |tx, _| applications::get(tx, &user, id, now)).await.map(Json)
}

/// The responsible department delivers or refuses.
#[utoipa::path(post, path = "/api/v1/policy-applications/{id}/decision", tag = "policies", request_body = DecisionInput,
    responses((status = 200, body = Application), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn decide_application(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::DeliverPolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<Application>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::DeliverPolicies, move |tx, who| applications::decide(tx, who, &user, id, &input))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/law-firms", tag = "policies",
    responses((status = 200, body = Vec<LawFirm>), (status = 401)))]
async fn list_firms(State(s): State<AppState>, Can(ctx, _): Can<need::ViewPolicies>) -> AppResult<Json<Vec<LawFirm>>> {
    s.look(&ctx, Action::ViewPolicies, |tx, _| firms::list(tx)).await.map(Json)
}

/// Register a firm under contract on its record in the enterprise registry.
#[utoipa::path(post, path = "/api/v1/law-firms", tag = "policies", request_body = FirmInput,
    responses((status = 201, body = LawFirm), (status = 403), (status = 409), (status = 422)))]
async fn create_firm(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    ApiJson(input): ApiJson<FirmInput>,
) -> AppResult<(StatusCode, Json<LawFirm>)> {
    let f = s.change(&ctx, Action::ManagePolicies, move |tx, who| firms::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

#[utoipa::path(post, path = "/api/v1/law-firms/{id}/contracts", tag = "policies", request_body = ContractInput,
    responses((status = 201, body = Contract), (status = 403), (status = 404), (status = 422)))]
async fn add_contract(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContractInput>,
) -> AppResult<(StatusCode, Json<Contract>)> {
    let c = s.change(&ctx, Action::ManagePolicies, move |tx, who| firms::add_contract(tx, who, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/service-cases", tag = "policies", params(ListParams, CaseFilter),
    responses((status = 200, body = Page<Case>), (status = 401)))]
async fn list_cases(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Q(p): Q<ListParams>,
    Q(f): Q<CaseFilter>,
) -> AppResult<Json<Page<Case>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewPolicies, move |tx, _| firms::cases(tx, &user, &f, &p)).await.map(Json)
}

/// An enterprise asks for one of the five services, or a firm opens a case.
#[utoipa::path(post, path = "/api/v1/service-cases", tag = "policies", request_body = CaseInput,
    responses((status = 201, body = Case), (status = 403), (status = 422)))]
async fn open_case(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    ApiJson(input): ApiJson<CaseInput>,
) -> AppResult<(StatusCode, Json<Case>)> {
    let user = ctx.user()?.clone();
    let c = s.change(&ctx, Action::ViewPolicies, move |tx, who| firms::open_case(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(post, path = "/api/v1/service-cases/{id}/take", tag = "policies",
    responses((status = 200, body = Case), (status = 403), (status = 404), (status = 409)))]
async fn take_case(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ServeEnterprises>,
    Path(id): Path<i64>,
) -> AppResult<Json<Case>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ServeEnterprises, move |tx, who| firms::take_case(tx, who, &user, id)).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/service-cases/{id}/close", tag = "policies", request_body = CloseInput,
    responses((status = 200, body = Case), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn close_case(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ServeEnterprises>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CloseInput>,
) -> AppResult<Json<Case>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ServeEnterprises, move |tx, who| firms::close_case(tx, who, &user, id, &input))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/policy-notices", tag = "policies", params(ListParams, NoticeFilter),
    responses((status = 200, body = Page<Notice>), (status = 401)))]
async fn list_notices(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Q(p): Q<ListParams>,
    Q(f): Q<NoticeFilter>,
) -> AppResult<Json<Page<Notice>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewPolicies, move |tx, _| notices::list(tx, &user, &f, &p)).await.map(Json)
}

/// A firm files a non-fulfilment notice citing the policy clause and the application.
#[utoipa::path(post, path = "/api/v1/policy-notices", tag = "policies", request_body = NoticeInput,
    responses((status = 201, body = Notice), (status = 403), (status = 409), (status = 422)))]
async fn file_notice(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ServeEnterprises>,
    ApiJson(input): ApiJson<NoticeInput>,
) -> AppResult<(StatusCode, Json<Notice>)> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    let n = s
        .change(&ctx, Action::ServeEnterprises, move |tx, who| notices::file(tx, who, &user, &calendar, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(n)))
}

#[utoipa::path(get, path = "/api/v1/policy-notices/{id}", tag = "policies",
    responses((status = 200, body = Notice), (status = 404)))]
async fn get_notice(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Path(id): Path<i64>,
) -> AppResult<Json<Notice>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewPolicies, move |tx, _| notices::get(tx, &user, id)).await.map(Json)
}

/// The department responds: delivered, or explained with its legal basis.
#[utoipa::path(post, path = "/api/v1/policy-notices/{id}/response", tag = "policies", request_body = ResponseInput,
    responses((status = 200, body = Notice), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn respond_notice(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::DeliverPolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> AppResult<Json<Notice>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::DeliverPolicies, move |tx, who| notices::respond(tx, who, &user, id, &input)).await.map(Json)
}
