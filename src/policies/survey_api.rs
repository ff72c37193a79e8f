//! `/api/v1/survey-campaigns/…`: campaigns, invitations, the index per department or
//! district; `/api/v1/public/survey-responses`: an invited enterprise answers by token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::need;
use super::survey::{self, AnswerInput, Campaign, CampaignInput, Index, Invitation, InvitationInput, TrendPoint};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(invite))
        .routes(routes!(satisfaction_index))
        .routes(routes!(satisfaction_trend))
        .routes(routes!(respond))
}

#[utoipa::path(get, path = "/api/v1/survey-campaigns", tag = "policies",
    responses((status = 200, body = Vec<Campaign>), (status = 401)))]
async fn list_campaigns(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
) -> AppResult<Json<Vec<Campaign>>> {
    s.look(&ctx, Action::ViewPolicies, |tx, _| survey::list(tx)).await.map(Json)
}

/// A campaign with its sampling frame, areas and questions; weights sum to one.
#[utoipa::path(post, path = "/api/v1/survey-campaigns", tag = "policies", request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 403), (status = 422)))]
async fn create_campaign(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> AppResult<(StatusCode, Json<Campaign>)> {
    let user = ctx.user()?.id;
    let c = s.change(&ctx, Action::ManagePolicies, move |tx, who| survey::create(tx, who, user, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Invite an enterprise to rate a department; the token is answered once.
#[utoipa::path(post, path = "/api/v1/survey-campaigns/{id}/invitations", tag = "policies", request_body = InvitationInput,
    responses((status = 201, body = Invitation), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn invite(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManagePolicies>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<InvitationInput>,
) -> AppResult<(StatusCode, Json<Invitation>)> {
    let i = s.change(&ctx, Action::ManagePolicies, move |tx, who| survey::invite(tx, who, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexBy {
    /// `department` (the default) or `district`.
    pub by: Option<String>,
}

/// The index per unit with its sample size, 95% interval and rank (overlapping intervals
/// share a rank); below the minimum sample a unit's index is not published.
#[utoipa::path(get, path = "/api/v1/survey-campaigns/{id}/index", tag = "policies", params(IndexBy),
    responses((status = 200, body = Vec<Index>), (status = 404)))]
async fn satisfaction_index(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
    Path(id): Path<i64>,
    Q(q): Q<IndexBy>,
) -> AppResult<Json<Vec<Index>>> {
    let by = q.by.unwrap_or_else(|| "department".into());
    s.look(&ctx, Action::ViewPolicies, move |tx, _| {
        let c = survey::find(tx, id)?;
        Ok(survey::index(&c, &survey::raw(tx, id)?, &by))
    })
    .await
    .map(Json)
}

/// Every campaign in period order with its city-wide index and each department's: the
/// trend across campaigns.
#[utoipa::path(get, path = "/api/v1/survey-campaigns/trend", tag = "policies",
    responses((status = 200, body = Vec<TrendPoint>), (status = 401)))]
async fn satisfaction_trend(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewPolicies>,
) -> AppResult<Json<Vec<TrendPoint>>> {
    s.look(&ctx, Action::ViewPolicies, |tx, _| survey::trend(tx)).await.map(Json)
}

/// An invited enterprise answers, once, by its token (no sign-in).
#[utoipa::path(post, path = "/api/v1/public/survey-responses", tag = "policies", request_body = AnswerInput, security(()),
    responses((status = 204), (status = 409, description = "already answered"), (status = 422), (status = 429)))]
async fn respond(State(s): State<AppState>, ctx: Ctx, ApiJson(input): ApiJson<AnswerInput>) -> AppResult<StatusCode> {
    s.limit_public(&ctx, "survey")?;
    let who = ctx.who();
    s.db.write(move |tx| survey::answer(tx, &who, &input)).await?;
    Ok(StatusCode::NO_CONTENT)
}
