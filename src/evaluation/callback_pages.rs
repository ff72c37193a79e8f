//! 回访 by the rater, without signing in: the link sent to them opens the rectification
//! the unit reported and asks "satisfied or not"; with the API beside it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::html;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{public_limit, rater};
use super::callbacks::{self, Answer, Asked};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::Fields;
use crate::kernel::web::layout;
use crate::kernel::web::{ApiJson, AppState, Ctx};
use crate::kernel::workflow::Fired;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(asked)).routes(routes!(answer))
}

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/rate/callback/{token}", get(form).post(submit))
}

/// What a call-back asks about (no sign-in; the link is the proof).
#[utoipa::path(get, path = "/api/v1/callbacks/{token}", tag = "evaluation", security(()),
    responses((status = 200, body = Asked), (status = 409, description = "answered or expired"), (status = 422)))]
async fn asked(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Json<Asked>> {
    public_limit(&s, &ctx)?;
    let now = ctx.now;
    s.db.read(move |tx| callbacks::asked(tx, &token, now)).await.map(Json)
}

/// The rater's answer to a call-back: satisfied with the rectification (the bad review is
/// resolved) or not (it goes back to rectification).
#[utoipa::path(post, path = "/api/v1/callbacks", tag = "evaluation", request_body = Answer, security(()),
    responses((status = 200, body = Fired), (status = 409), (status = 422, description = "wrong code, or an answer from the division rated (refused and counted)"), (status = 429)))]
async fn answer(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Answer>,
) -> AppResult<Json<Fired>> {
    public_limit(&s, &ctx)?;
    let (who, rater) = (ctx.who(), rater(&ctx, &headers));
    let rules = s.rules(&super::BAD_REVIEW)?;
    let fired = s.db.write(move |tx| callbacks::answer(tx, &who, &rater, &input, &rules)).await??;
    Ok(Json(fired))
}

fn page(ctx: &Ctx, token: &str, shown: Result<&Asked, &AppError>, err: Option<&AppError>, done: bool) -> Html<String> {
    let body = html! {
        p { span.logo { "再造" } " " strong { (ctx.t("ev-callback-title")) } }
        @if done {
            div.notice { (ctx.t("ev-callback-thanks")) }
        } @else {
            @match shown {
                Err(e) => { div.alert { (ctx.t(e.code())) } }
                Ok(a) => {
                    dl.facts {
                        dt { (ctx.t("ev-served-by")) } dd { (a.staff_name) }
                        dt { (ctx.t("ev-service-2")) } dd { (a.summary) }
                        dt { (ctx.t("ev-callback-fix")) } dd { (a.fix) }
                    }
                    @if let Some(e) = err { div.alert role="alert" { (ctx.t(e.code())) } }
                    form.stack method="post" action=(format!("/rate/callback/{token}")) {
                        @if a.needs_code {
                            label.field {
                                span { (ctx.t("ev-one-time-code")) }
                                input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required;
                            }
                        }
                        fieldset {
                            legend { (ctx.t("ev-callback-question")) }
                            label { input type="radio" name="satisfied" value="true" required; " " (ctx.t("ev-callback-satisfied")) } " "
                            label { input type="radio" name="satisfied" value="false" required; " " (ctx.t("ev-callback-unsatisfied")) }
                        }
                        label.field { span { (ctx.t("ev-comment-optional")) } textarea name="comment" rows="3" {} }
                        button type="submit" { (ctx.t("ev-submit")) }
                    }
                }
            }
        }
    };
    layout::bare_page(ctx.lang, ctx.t("ev-callback-title"), body)
}

async fn form(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    public_limit(&s, &ctx)?;
    let (now, t) = (ctx.now, token.clone());
    let shown = s.db.read(move |tx| callbacks::asked(tx, &t, now)).await;
    let status = shown.as_ref().err().map_or(StatusCode::OK, AppError::status);
    Ok((status, page(&ctx, &token, shown.as_ref(), None, false)).into_response())
}

async fn submit(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    public_limit(&s, &ctx)?;
    let mut fields: Fields = crate::kernel::web::form::parse(&body)?;
    fields.insert("token".into(), token.clone());
    let result = match crate::kernel::web::form::typed::<Answer>(&fields) {
        Ok(input) => {
            let (who, rater) = (ctx.who(), rater(&ctx, &headers));
            let rules = s.rules(&super::BAD_REVIEW)?;
            s.db.write(move |tx| callbacks::answer(tx, &who, &rater, &input, &rules)).await.and_then(|kept| kept)
        }
        Err(_) => Err(AppError::invalid("required", "satisfied")),
    };
    match result {
        Ok(_) => Ok(page(&ctx, &token, Err(&AppError::NotFound), None, true).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (now, t) = (ctx.now, token.clone());
            let shown = s.db.read(move |tx| callbacks::asked(tx, &t, now)).await;
            Ok((e.status(), page(&ctx, &token, shown.as_ref(), Some(&e), false)).into_response())
        }
        Err(e) => Err(e),
    }
}
