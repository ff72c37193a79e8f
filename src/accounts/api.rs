//! `/api/v1` endpoints for sign-in tokens, the caller's own account, and accounts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, NewUser, User, UserFilter, UserUpdate};
use crate::kernel::access::{self, Action, CurrentUser};
use crate::kernel::auth::{self, ApiToken, NewToken};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::names::{SuggestQuery, Suggestion};
use crate::kernel::notify::{self, Preference};
use crate::kernel::second_factor::{self, Enrolment, RequiredRoles};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q, need};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue_token))
        .routes(routes!(me))
        .routes(routes!(my_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(set_user_status))
        .routes(routes!(set_user_password))
        .routes(routes!(unlock_user))
        .routes(routes!(set_user_role))
        .routes(routes!(reset_user_second_factor))
        .routes(routes!(export_personal_data))
        .routes(routes!(start_second_factor))
        .routes(routes!(confirm_second_factor))
        .routes(routes!(disable_second_factor))
        .routes(routes!(second_factor_roles, set_second_factor_roles))
        .routes(routes!(suggest_responsible))
        .routes(routes!(my_notification_preferences, set_my_notification_preferences))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// The second factor's code, for those who have set one up.
    #[serde(default)]
    pub code: Option<String>,
    /// A label for the token, e.g. the integration's name.
    #[serde(default)]
    pub name: Option<String>,
    /// `read`, `write` (default `read`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// 1–366 days (default 30).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// Exchange a username and password for an API token (rate-limited per client).
/// How the caller receives each kind of note: `now` (inbox, e-mail and SMS) or `inbox`.
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "auth",
    responses((status = 200, body = Vec<Preference>), (status = 401)))]
async fn my_notification_preferences(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Preference>>> {
    let id = ctx.user()?.id;
    let kinds = s.registry.note_kinds();
    s.look(&ctx, Action::ManageOwnAccount, move |tx, _| notify::preferences(tx, id, &kinds)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// At least one kind of note and how it should reach the caller.
    pub preferences: Vec<Preference>,
}

/// Change how the caller receives some kinds of note.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "auth", request_body = PreferencesInput,
    responses((status = 200, body = Vec<Preference>), (status = 401), (status = 422)))]
async fn set_my_notification_preferences(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOwnAccount>,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> AppResult<Json<Vec<Preference>>> {
    let id = ctx.user()?.id;
    if input.preferences.is_empty() {
        return Err(crate::kernel::error::AppError::invalid("required", "preferences"));
    }
    let kinds = s.registry.note_kinds();
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| {
        notify::set_preferences(tx, who, id, &kinds, &input.preferences)
    })
    .await
    .map(Json)
}

/// People who can be made responsible for work, found by part of the name, pinyin
/// initials or pinyin, optionally of one department: for type-ahead pickers.
#[utoipa::path(get, path = "/api/v1/accounts/suggest", tag = "accounts", params(SuggestQuery),
    responses((status = 200, body = Vec<Suggestion>), (status = 403)))]
async fn suggest_responsible(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(q): Q<SuggestQuery>,
) -> AppResult<Json<Vec<Suggestion>>> {
    let typed = validate::opt_text(Some(&q.q), "q", 100)?.unwrap_or_default();
    s.look(&ctx, Action::ViewPeople, move |tx, _| service::suggest_responsible(tx, &typed, q.department_id))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", request_body = TokenRequest, security(()),
    responses((status = 201, body = NewToken), (status = 422, description = "wrong credentials"),
              (status = 423, description = "account locked"), (status = 429)))]
async fn issue_token(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<(StatusCode, Json<NewToken>)> {
    s.limiter.check(&format!("login:{}", ctx.ip), s.settings.login_rate_per_minute, 60_000)?;
    let who = ctx.who();
    let user = auth::check_password(&s.db, &who, &req.username, &req.password).await?;
    auth::check_second_factor(&s.db, &who, user.id, req.code.as_deref()).await?;
    let who = crate::kernel::audit::Who { actor_id: Some(user.id), actor: user.username.clone(), ..who };
    let name = req.name.unwrap_or_else(|| "api".to_owned());
    let days = req.expires_in_days.unwrap_or(30);
    let max_days = s.settings.max_token_days;
    let token =
        s.db.write(move |tx| {
            if auth::password_expired(tx, user.id, who.now)? {
                return Err(AppError::Refused { code: "password_expired" });
            }
            if crate::kernel::second_factor::must_set_up(tx, user.id)? {
                return Err(AppError::Refused { code: "second_factor_required" });
            }
            auth::create_token(tx, &who, user.id, &name, &req.scopes, days, max_days)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = CurrentUser), (status = 401)))]
async fn me(ctx: Ctx) -> AppResult<Json<CurrentUser>> {
    ctx.user().cloned().map(Json)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = Vec<ApiToken>)))]
async fn my_tokens(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<ApiToken>>> {
    let id = ctx.user()?.id;
    s.look(&ctx, Action::ManageOwnAccount, move |tx, _| auth::list_tokens(tx, id)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateToken {
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// Create a token for the caller; the secret is in the response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = CreateToken,
    responses((status = 201, body = NewToken), (status = 422)))]
async fn create_token(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOwnAccount>,
    ApiJson(req): ApiJson<CreateToken>,
) -> AppResult<(StatusCode, Json<NewToken>)> {
    let id = ctx.user()?.id;
    let max_days = s.settings.max_token_days;
    let t = s
        .change(&ctx, Action::ManageOwnAccount, move |tx, who| {
            auth::create_token(tx, who, id, &req.name, &req.scopes, req.expires_in_days.unwrap_or(30), max_days)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Revoke a token: one's own, or any as an administrator.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "auth", responses((status = 200, body = ApiToken), (status = 404)))]
async fn revoke_token(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ApiToken>> {
    let actor = ctx.user()?.clone();
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| auth::revoke_token(tx, who, &actor, id)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams, UserFilter),
    responses((status = 200, body = Page<User>), (status = 403)))]
async fn list_users(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<UserFilter>,
) -> AppResult<Listed<User>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewUsers, move |tx, _| service::list(tx, &f, &p)).await.map(|page| Listed {
        page,
        params,
        name: "users",
    })
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 403), (status = 409), (status = 422)))]
async fn create_user(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    ApiJson(input): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    let actor = ctx.require(Action::ManageUsers)?;
    service::check_new_role(actor, &input.role)?;
    service::check_new(&input)?;
    let hash = service::hash(input.password.clone()).await?;
    let u = s.change(&ctx, Action::ManageUsers, move |tx, who| service::create(tx, who, &input, &hash)).await?;
    Ok((StatusCode::CREATED, Json(u)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = User), (status = 403), (status = 404)))]
async fn get_user(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<User>> {
    read_user(&s, &ctx, id).await.map(Json)
}

/// Account `id` as the caller may read it: the contacts in full only to those who keep the
/// account (each such view recorded), masked to everyone else. A plain read unless a view
/// must be recorded.
pub async fn read_user(s: &AppState, ctx: &Ctx, id: i64) -> AppResult<User> {
    let keeper = access::allows(ctx.require(Action::ViewUsers)?, Action::ManageUsers);
    let user = s.look(ctx, Action::ViewUsers, move |tx, _| service::find(tx, id)).await?;
    if !keeper {
        return Ok(user.with_contacts_masked());
    }
    if user.has_contacts() {
        let who = ctx.who();
        s.db.write(move |tx| crate::kernel::privacy::record_view(tx, &who, "user", id, "contact")).await?;
    }
    Ok(user)
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = UserUpdate,
    responses((status = 200, body = User), (status = 403), (status = 404), (status = 422)))]
async fn update_user(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UserUpdate>,
) -> AppResult<Json<User>> {
    let actor = who_acts(&ctx)?;
    s.change(&ctx, Action::ManageUsers, move |tx, who| service::update(tx, who, &actor, id, &input)).await.map(Json)
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserStatus {
    pub active: bool,
}

/// Disable (ending its sessions and tokens) or enable an account.
#[utoipa::path(post, path = "/api/v1/users/{id}/status", tag = "users", request_body = UserStatus,
    responses((status = 200, body = User), (status = 403), (status = 409)))]
async fn set_user_status(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UserStatus>,
) -> AppResult<Json<User>> {
    let actor = ctx.user.clone();
    s.change(&ctx, Action::ManageUsers, move |tx, who| service::set_active(tx, who, actor.as_ref(), id, input.active))
        .await
        .map(Json)
}

/// Clear an account's failed sign-ins and lock-out (the security administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", responses((status = 204), (status = 403)))]
async fn unlock_user(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageRoles>,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    s.change(&ctx, Action::ManageRoles, move |tx, who| auth::unlock(tx, who, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RoleInput {
    pub role: String,
}

/// Grant an account another role (the security administrator; not on their own account).
#[utoipa::path(put, path = "/api/v1/users/{id}/role", tag = "users", request_body = RoleInput,
    responses((status = 200, body = User), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn set_user_role(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageRoles>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RoleInput>,
) -> AppResult<Json<User>> {
    let actor = who_acts(&ctx)?;
    s.change(&ctx, Action::ManageRoles, move |tx, who| service::set_role(tx, who, &actor, id, &input.role))
        .await
        .map(Json)
}

/// Clear an account's second factor, for a person who lost their authenticator (the
/// security administrator; not on their own account).
#[utoipa::path(post, path = "/api/v1/users/{id}/second-factor/reset", tag = "users",
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
async fn reset_user_second_factor(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageRoles>,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    s.change(&ctx, Action::ManageRoles, move |tx, who| {
        service::find(tx, id)?;
        second_factor::reset(tx, who, id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything kept about a person (account, personal information by kind, sign-ins,
/// actions), for their request under 个人信息保护法; the export is in the audit trail.
#[utoipa::path(get, path = "/api/v1/users/{id}/personal-data", tag = "users",
    responses((status = 200, description = "JSON file"), (status = 403), (status = 404)))]
async fn export_personal_data(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    Path(id): Path<i64>,
) -> AppResult<axum::response::Response> {
    let data = personal_data(&s, &ctx, id).await?;
    Ok(crate::kernel::web::list::download(&format!("personal-data-{id}.json"), "application/json", data.into_bytes()))
}

/// The export of account `id` as pretty JSON, for the API and the account's page.
pub async fn personal_data(s: &AppState, ctx: &Ctx, id: i64) -> AppResult<String> {
    let actor = ctx.require(Action::ManageUsers)?.clone();
    let personal = s.registry.personal.clone();
    let data = s
        .change(ctx, Action::ManageUsers, move |tx, who| {
            service::kept_by(tx, &actor, id)?;
            crate::kernel::privacy::export_on_request(tx, who, &personal, id)
        })
        .await?;
    serde_json::to_string_pretty(&data).map_err(|e| AppError::internal(e.to_string()))
}

fn who_acts(ctx: &Ctx) -> AppResult<CurrentUser> {
    ctx.user.clone().ok_or(AppError::Unauthenticated)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordInput {
    pub password: String,
}

/// Set a user's password (administrators); ends that user's sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = PasswordInput,
    responses((status = 204), (status = 403), (status = 422)))]
async fn set_user_password(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> AppResult<StatusCode> {
    let actor = ctx.require(Action::ManageUsers)?.clone();
    let user = s.look(&ctx, Action::ManageUsers, move |tx, _| service::kept_by(tx, &actor, id)).await?;
    let pw = validate::password(&input.password, &user.username)?;
    let candidate = pw.clone();
    s.db.read(move |tx| service::check_history(tx, id, &candidate)).await?;
    let hash = service::hash(pw).await?;
    s.change(&ctx, Action::ManageUsers, move |tx, who| service::set_password(tx, who, id, &hash, None)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CodeInput {
    /// A six-digit code from the authenticator app.
    pub code: String,
}

/// Begin setting up one's second factor (TOTP): the secret and `otpauth://` link to add to
/// an authenticator app; it takes effect once a code from it is confirmed.
#[utoipa::path(post, path = "/api/v1/me/second-factor", tag = "auth", responses((status = 200, body = Enrolment)))]
async fn start_second_factor(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Enrolment>> {
    let me = ctx.user()?.clone();
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| second_factor::start(tx, who, me.id, &me.username))
        .await
        .map(Json)
}

/// Confirm the second factor being set up with a code from it.
#[utoipa::path(post, path = "/api/v1/me/second-factor/confirm", tag = "auth", request_body = CodeInput,
    responses((status = 204), (status = 409), (status = 422)))]
async fn confirm_second_factor(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOwnAccount>,
    ApiJson(input): ApiJson<CodeInput>,
) -> AppResult<StatusCode> {
    let id = ctx.user()?.id;
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| second_factor::confirm(tx, who, id, &input.code)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn one's second factor off with a current code (not where one's role requires it).
#[utoipa::path(post, path = "/api/v1/me/second-factor/disable", tag = "auth", request_body = CodeInput,
    responses((status = 204), (status = 409), (status = 422)))]
async fn disable_second_factor(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOwnAccount>,
    ApiJson(input): ApiJson<CodeInput>,
) -> AppResult<StatusCode> {
    let me = ctx.user()?.clone();
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| {
        second_factor::disable(tx, who, me.id, me.role, &input.code)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roles that must sign in with a second factor.
#[utoipa::path(get, path = "/api/v1/second-factor/roles", tag = "auth", responses((status = 200, body = RequiredRoles)))]
async fn second_factor_roles(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<RequiredRoles>> {
    s.look(&ctx, Action::ViewSettings, |tx, _| {
        Ok(RequiredRoles { roles: second_factor::required_roles(tx)?.iter().map(|r| r.as_str().to_owned()).collect() })
    })
    .await
    .map(Json)
}

/// Require a second factor of these roles (the security administrator). Their people
/// may only set one up until they have.
#[utoipa::path(put, path = "/api/v1/second-factor/roles", tag = "auth", request_body = RequiredRoles,
    responses((status = 200, body = RequiredRoles), (status = 403), (status = 422)))]
async fn set_second_factor_roles(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageRoles>,
    ApiJson(input): ApiJson<RequiredRoles>,
) -> AppResult<Json<RequiredRoles>> {
    s.change(&ctx, Action::ManageRoles, move |tx, who| second_factor::set_required_roles(tx, who, &input))
        .await
        .map(Json)
}
