//! `/api/v1/enterprises`: the registry, its likely duplicates, merges and their undoing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::registry::{
    self, AccountInput, Enterprise, EnterpriseFilter, EnterpriseInput, LikelyDuplicate, Merge, MergeInput,
    OwnCorrection,
};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::names::{SuggestQuery, Suggestion};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::need;
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(super::import::import_api))
                .layer(crate::kernel::attachments::body_limit()),
        )
        .routes(routes!(duplicates))
        .routes(routes!(suggest))
        .routes(routes!(get, update))
        .routes(routes!(merge))
        .routes(routes!(undo_merge))
        .routes(routes!(link_account))
        .routes(routes!(shareholders, set_shareholders))
        .routes(routes!(mine, correct_mine))
}

/// Link an enterprise's account to its record, so that it reads and corrects it.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/account", tag = "enterprises", request_body = AccountInput,
    responses((status = 200, body = Enterprise), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn link_account(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AccountInput>,
) -> AppResult<Json<Enterprise>> {
    s.change(&ctx, Action::ManageEnterprises, move |tx, who| registry::link_account(tx, who, id, &input))
        .await
        .map(Json)
}

/// Who holds shares in an enterprise, as the registry knows it.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/shareholders", tag = "enterprises",
    responses((status = 200, body = Vec<String>), (status = 403), (status = 404)))]
async fn shareholders(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewEnterprises>,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<String>>> {
    s.look(&ctx, Action::ViewEnterprises, move |tx, _| {
        registry::find(tx, id)?;
        super::ties::shareholders(tx, id)
    })
    .await
    .map(Json)
}

/// Replace the holders of an enterprise's shares (independence checks compare them).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/shareholders", tag = "enterprises",
    request_body = super::ties::ShareholdersInput,
    responses((status = 200, body = Vec<String>), (status = 403), (status = 404), (status = 422)))]
async fn set_shareholders(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::ties::ShareholdersInput>,
) -> AppResult<Json<Vec<String>>> {
    s.change(&ctx, Action::ManageEnterprises, move |tx, who| super::ties::set_shareholders(tx, who, id, &input))
        .await
        .map(Json)
}

/// The caller's own enterprise (an enterprise account linked to its record).
#[utoipa::path(get, path = "/api/v1/me/enterprise", tag = "enterprises",
    responses((status = 200, body = Enterprise), (status = 403), (status = 404)))]
async fn mine(State(s): State<AppState>, Can(ctx, _): Can<need::CorrectOwnEnterprise>) -> AppResult<Json<Enterprise>> {
    let user = ctx.user()?.id;
    s.look(&ctx, Action::CorrectOwnEnterprise, move |tx, _| registry::of_account(tx, user)).await.map(Json)
}

/// Correct the caller's own enterprise's details (its name and credit code are corrected
/// by the staff who keep the registry).
#[utoipa::path(put, path = "/api/v1/me/enterprise", tag = "enterprises", request_body = OwnCorrection,
    responses((status = 200, body = Enterprise), (status = 403), (status = 404), (status = 422)))]
async fn correct_mine(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::CorrectOwnEnterprise>,
    ApiJson(input): ApiJson<OwnCorrection>,
) -> AppResult<Json<Enterprise>> {
    let user = ctx.user()?.id;
    s.change(&ctx, Action::CorrectOwnEnterprise, move |tx, who| registry::correct_own(tx, who, user, &input))
        .await
        .map(Json)
}

/// The registry's live records (or, with `status=merged`, those merged into others).
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(ListParams, EnterpriseFilter),
    responses((status = 200, body = Page<Enterprise>), (status = 403)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<EnterpriseFilter>,
) -> AppResult<Listed<Enterprise>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewEnterprises, move |tx, _| registry::list(tx, &f, &p)).await.map(|page| Listed {
        page,
        params,
        name: "enterprises",
    })
}

/// Record an enterprise; a credit code is checked per GB 32100-2015 and may belong to one
/// record only.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = EnterpriseInput,
    responses((status = 201, body = Enterprise), (status = 403), (status = 409), (status = 422)))]
async fn create(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    ApiJson(input): ApiJson<EnterpriseInput>,
) -> AppResult<(StatusCode, Json<Enterprise>)> {
    let e = s.change(&ctx, Action::ManageEnterprises, move |tx, who| registry::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises",
    responses((status = 200, body = Enterprise), (status = 403), (status = 404)))]
async fn get(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Enterprise>> {
    s.look(&ctx, Action::ViewEnterprises, move |tx, _| registry::find(tx, id)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/enterprises/{id}", tag = "enterprises", request_body = EnterpriseInput,
    responses((status = 200, body = Enterprise), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EnterpriseInput>,
) -> AppResult<Json<Enterprise>> {
    s.change(&ctx, Action::ManageEnterprises, move |tx, who| registry::update(tx, who, id, &input)).await.map(Json)
}

/// Live records whose name holds `q` or whose credit code starts with it (at most 20):
/// for type-ahead pickers.
#[utoipa::path(get, path = "/api/v1/enterprises/suggest", tag = "enterprises", params(SuggestQuery),
    responses((status = 200, body = Vec<Suggestion>), (status = 403)))]
async fn suggest(State(s): State<AppState>, ctx: Ctx, Q(q): Q<SuggestQuery>) -> AppResult<Json<Vec<Suggestion>>> {
    let typed = crate::kernel::validate::opt_text(Some(&q.q), "q", 100)?.unwrap_or_default();
    s.look(&ctx, Action::ViewEnterprises, move |tx, _| registry::suggest(tx, &typed)).await.map(Json)
}

/// Pairs of live records that look like one enterprise (same name once company forms and
/// brackets are set aside, or same phone) and whose codes do not tell them apart.
#[utoipa::path(get, path = "/api/v1/enterprises/duplicates", tag = "enterprises",
    responses((status = 200, body = Vec<LikelyDuplicate>), (status = 403)))]
async fn duplicates(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<LikelyDuplicate>>> {
    s.look(&ctx, Action::ViewEnterprises, |tx, _| registry::duplicates(tx)).await.map(Json)
}

/// Merge record `merged_id` into record `{id}` (refused for two different credit codes).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/merge", tag = "enterprises", request_body = MergeInput,
    responses((status = 200, body = Merge), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn merge(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MergeInput>,
) -> AppResult<Json<Merge>> {
    s.change(&ctx, Action::ManageEnterprises, move |tx, who| registry::merge(tx, who, id, input.merged_id))
        .await
        .map(Json)
}

/// Undo a merge: the merged record stands on its own again, with its credit code.
#[utoipa::path(post, path = "/api/v1/enterprises/merges/{id}/undo", tag = "enterprises",
    responses((status = 200, body = Merge), (status = 403), (status = 404), (status = 409)))]
async fn undo_merge(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Path(id): Path<i64>,
) -> AppResult<Json<Merge>> {
    s.change(&ctx, Action::ManageEnterprises, move |tx, who| registry::undo(tx, who, id)).await.map(Json)
}
