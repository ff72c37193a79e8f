//! Sign-in and sign-out pages. The sign-in form carries a double-submit CSRF token
//! (cookie and field) because there is no session yet.

use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::kernel::auth::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::kernel::crypto::{random_hex, same_secret};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::web::layout;
use crate::kernel::web::safe_next;
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, cookie, csrf_error, set_cookie};

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The second factor's code, for those who have set one up.
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

fn login_page(ctx: &Ctx, csrf: &str, username: &str, next: &str, err: Option<&AppError>) -> Html<String> {
    let body = html! {
        p { span.logo { "再造" } " " strong { (ctx.t("app-name")) } }
        p.muted { (ctx.t("login-intro")) }
        h1 { (ctx.t("login-title")) }
        @if let Some(e) = err { div.alert role="alert" { (ctx.t(e.code())) } }
        form.stack method="post" action="/login" {
            input type="hidden" name="_csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label.field { span { (ctx.t("login-username")) }
                input type="text" name="username" value=(username) required autocomplete="username" autofocus; }
            label.field { span { (ctx.t("login-password")) }
                input type="password" name="password" required autocomplete="current-password"; }
            label.field { span { (ctx.t("login-code")) " " span.muted { (ctx.t("login-code-if-set-up")) } }
                input type="text" name="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="8" autocomplete="one-time-code"; }
            button type="submit" { (ctx.t("login-submit")) }
        }
        nav.public-entries aria-label=(ctx.t("home-front")) {
            @for e in ctx.registry.mechanisms.iter().flat_map(|m| m.public.iter()) {
                a href=(e.href) { (ctx.t(e.key)) }
            }
        }
        p { a href=(format!("/lang/{}?next=/login", if ctx.lang == Lang::Zh { "en" } else { "zh" })) { (ctx.t("nav-lang")) } }
    };
    layout::bare_page(ctx.lang, ctx.t("login-title"), body)
}

pub async fn show(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    ctx: Ctx,
    Q(q): Q<LoginQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let csrf = random_hex(16)?;
    // A session cookie that no longer signs anyone in: the session has ended.
    let ended = cookie(&headers, SESSION_COOKIE)
        .is_some_and(|c| !c.is_empty())
        .then_some(AppError::Refused { code: "session_ended" });
    let mut res = login_page(&ctx, &csrf, "", &safe_next(q.next.as_deref()), ended.as_ref()).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, s.settings.secure_cookies));
    Ok(res)
}

pub async fn submit(State(s): State<AppState>, req: Request) -> AppResult<Response> {
    let (mut parts, body) = req.into_parts();
    let ctx = <Ctx as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, &s).await?;
    s.limiter.check(&format!("login:{}", ctx.ip), s.settings.login_rate_per_minute, 60_000)?;
    let expected = cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or("").to_owned();
    let headers = parts.headers.clone();
    let bytes =
        axum::body::Bytes::from_request(Request::from_parts(parts, body), &s).await.map_err(|_| AppError::TooLarge)?;
    let form: LoginForm = crate::kernel::web::form::parse(&bytes)?;
    if expected.is_empty() || !same_secret(&form.csrf, &expected) {
        return Err(csrf_error());
    }
    let next = safe_next(Some(&form.next));
    let device = match cookie(&headers, auth::DEVICE_COOKIE) {
        Some(d) if d.len() == 32 && d.chars().all(|c| c.is_ascii_hexdigit()) => d.to_owned(),
        _ => crate::kernel::crypto::random_hex(16)?,
    };
    match auth::sign_in(&s.db, &ctx.who(), &form.username, &form.password, Some(&form.code), &device).await {
        Ok(signed) => {
            let to = if signed.restricted.is_some() { "/account" } else { next.as_str() };
            let mut res = Redirect::to(to).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(auth::DEVICE_COOKIE, &device, 400 * 86_400, s.settings.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &signed.session_token,
                    (signed.expires_at - ctx.now) / 1000,
                    s.settings.secure_cookies,
                ),
            );
            h.append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0, s.settings.secure_cookies));
            Ok(res)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Locked)) => {
            let status = e.status();
            Ok((status, login_page(&ctx, &expected, &form.username, &next, Some(&e))).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    f: CsrfForm<Empty>,
) -> AppResult<Response> {
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or("").to_owned();
    let who = f.ctx.who();
    s.db.write(move |tx| auth::sign_out(tx, &who, &token)).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, s.settings.secure_cookies));
    Ok(res)
}
