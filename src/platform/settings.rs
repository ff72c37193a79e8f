//! The settings every mechanism declares, in one place: read by government users,
//! changed by administrators (bounded, audited), through the API and `/admin/settings`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::{Action, Role};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::settings::{self, SettingValue};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner};
use crate::kernel::web::{ApiJson, AppState, Can, CsrfForm, Ctx, need};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(set))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin/settings", get(page))
        .route("/admin/settings/second-factor", post(second_factor_roles))
        .route("/admin/settings/{key}", post(submit))
}

/// Every mechanism's settings, with defaults and bounds.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", responses((status = 200, body = Vec<SettingValue>), (status = 403)))]
async fn list(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<SettingValue>>> {
    let declared = &s.registry.settings;
    s.look(&ctx, Action::ViewSettings, move |tx, _| settings::all(tx, declared)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SettingInput {
    pub value: i64,
}

/// Change a setting: the security policy (`security.*`) is the security administrator's,
/// the rest the system administrator's (`not_your_duty` otherwise).
#[utoipa::path(put, path = "/api/v1/settings/{key}", tag = "settings", request_body = SettingInput,
    responses((status = 200, body = SettingValue), (status = 403), (status = 404), (status = 422)))]
async fn set(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageSettings>,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<SettingInput>,
) -> AppResult<Json<SettingValue>> {
    crate::kernel::access::require_setting(ctx.user.as_ref(), &key)?;
    let declared = &s.registry.settings;
    s.change(&ctx, Action::ManageSettings, move |tx, who| settings::set(tx, who, declared, &key, input.value))
        .await
        .map(Json)
}

async fn page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(&s, &ctx, None).await
}

async fn render(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ViewSettings)?;
    let declared = &s.registry.settings;
    let (values, required) = s
        .look(ctx, Action::ViewSettings, move |tx, _| {
            Ok((settings::all(tx, declared)?, crate::kernel::second_factor::required_roles(tx)?))
        })
        .await?;
    let grants = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, Action::ManageRoles));
    let body = html! {
        @if values.is_empty() { (layout::empty_state(ctx.t("common-empty"))) }
        div.table-wrap { table {
            thead { tr {
                th { (ctx.t("settings-meaning")) } th { (ctx.t("settings-value")) }
                th { (ctx.t("settings-default")) } th { (ctx.t("settings-bounds")) }
            } }
            tbody { @for (v, st) in values.iter().zip(declared.iter()) {
                @let err = error(retry, st.key);
                @let mine = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::may_set(u, st.key));
                tr {
                    td data-label=(ctx.t("settings-meaning")) { (ctx.t(st.meaning)) br; code.muted { (v.key) } }
                    td data-label=(ctx.t("settings-value")) {
                        @if mine {
                            form.inline method="post" action=(format!("/admin/settings/{}", v.key)) {
                                (csrf_field(ctx))
                                (error_banner(ctx, err))
                                input type="number" name="value" min=(v.min) max=(v.max) required
                                    value=(value(retry, st.key, "value", &v.value.to_string()))
                                    aria-label=(ctx.t(st.meaning));
                                " " button type="submit" { (ctx.t("common-save")) }
                            }
                        } @else { strong { (v.value) } }
                    }
                    td data-label=(ctx.t("settings-default")) { (v.default) }
                    td data-label=(ctx.t("settings-bounds")) { (v.min) "–" (v.max) }
                }
            } }
        } }
    };
    let body = html! {
        (body)
        h2 { (ctx.t("settings-second-factor-roles")) }
        p.muted { (ctx.t("settings-second-factor-roles-intro")) }
        form.stack method="post" action="/admin/settings/second-factor" {
            (csrf_field(ctx))
            fieldset.checks { @for (i, role) in Role::ALL.iter().enumerate().filter(|(_, r)| **r != Role::Public) {
                label.check {
                    input type="checkbox" name="role" value=(i) checked[required.contains(role)] disabled[!grants];
                    " " (ctx.t(&role.label_key()))
                }
            } }
            @if grants { div { button type="submit" { (ctx.t("common-save")) } } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("nav-settings"), Section::Of("settings"), body)).into_response())
}

#[derive(Deserialize)]
struct SettingForm {
    value: i64,
}

async fn submit(State(s): State<AppState>, Path(key): Path<String>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let declared = &s.registry.settings;
    let setting = *declared.iter().find(|d| d.key == key).ok_or(AppError::NotFound)?;
    crate::kernel::access::require_setting(ctx.user.as_ref(), setting.key)?;
    match attempt(&s, &ctx, Action::ManageSettings, setting.key, form, move |tx, who, input: SettingForm| {
        settings::set(tx, who, declared, setting.key, input.value)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/admin/settings").into_response()),
        Err(retry) => render(&s, &ctx, Some(&retry)).await,
    }
}

/// The roles that must sign in with a second factor, as ticked (the security administrator).
async fn second_factor_roles(State(s): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    ctx.require(Action::ManageRoles)?;
    let (_, ticked) = crate::kernel::web::form::with_repeated(&ctx, &body, "role")?;
    let roles = ticked
        .iter()
        .filter_map(|i| usize::try_from(*i).ok().and_then(|i| Role::ALL.get(i)))
        .map(|r| r.as_str().to_owned())
        .collect();
    let input = crate::kernel::second_factor::RequiredRoles { roles };
    s.change(&ctx, Action::ManageRoles, move |tx, who| {
        crate::kernel::second_factor::set_required_roles(tx, who, &input)
    })
    .await?;
    crate::kernel::web::form::confirm(crate::kernel::web::form::CONFIRMATIONS[0]);
    Ok(Redirect::to("/admin/settings").into_response())
}
