//! The HTTP edge shared by every mechanism: application state, the per-request context
//! (who is calling, in which language, with which request id), input extractors that turn
//! every parse failure into a clear error, and the middleware that gives errors their
//! two faces — JSON for the API, a page for people.

pub mod assets;
pub mod bulletin;
pub mod chart;
pub mod de;
pub mod directives;
pub mod form;
pub mod import;
pub mod layout;
pub mod list;
pub mod map;
pub mod openapi;
pub mod period;
pub mod table;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::access::{self, Action, CurrentUser};
use super::audit::Who;
use super::auth;
use super::calendar::WorkCalendar;
use super::clock::Clock;
use super::db::{Db, Tx};
use super::error::{AppError, AppResult};
use super::i18n::{self, Lang};
use super::ratelimit::RateLimiter;
use super::workflow::Registry;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<RateLimiter>,
    pub settings: Arc<Settings>,
    pub calendar: Arc<std::sync::RwLock<Arc<WorkCalendar>>>,
    pub processes: Arc<Registry>,
    pub search: Arc<crate::kernel::search::Search>,
    /// The mechanisms this service runs.
    pub registry: &'static crate::kernel::registry::Registry,
    /// Delivers e-mail and SMS.
    pub gateway: Arc<dyn crate::kernel::notify::Gateway>,
}

impl AppState {
    /// The working-day calendar as it stands now.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// The process and calendar that transitions of `spec`'s records are judged by now.
    pub fn rules(&self, spec: &super::workflow::Spec) -> AppResult<super::workflow::Rules> {
        super::workflow::Rules::of(&self.processes, self.calendar(), spec)
    }

    pub fn set_calendar(&self, c: WorkCalendar) {
        if let Ok(mut slot) = self.calendar.write() {
            *slot = Arc::new(c);
        }
    }

    /// The one request path for changes: check `action` for the caller, then run `f` in
    /// one write transaction (which also writes the audit entries).
    pub async fn change<T, F>(&self, ctx: &Ctx, action: Action, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>, &Who) -> AppResult<T> + Send + 'static,
    {
        ctx.require(action)?;
        let who = ctx.who();
        self.db.write(move |tx| f(tx, &who)).await
    }

    /// What the registry's ports need of the running service.
    pub fn environment(&self) -> crate::kernel::registry::Environment {
        crate::kernel::registry::Environment {
            processes: self.processes.clone(),
            calendar: self.calendar(),
            task_followers: self.registry.task_followers.clone(),
            leads: self.registry.leads().ok(),
            personal: self.registry.personal.clone(),
        }
    }

    /// Count one request of a public endpoint; each `purpose` (ratings, tracking, the
    /// report form, Open311 reads…) has its own bucket per client address.
    pub fn limit_public(&self, ctx: &Ctx, purpose: &str) -> AppResult<()> {
        self.limiter.check(&format!("{purpose}:{}", ctx.ip), self.settings.public_rate_per_minute, 60_000)
    }

    /// The one request path for reads: check `action`, then run `f` in a read
    /// transaction; `f` gets the caller to apply record visibility.
    pub async fn look<T, F>(&self, ctx: &Ctx, action: Action, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>, Option<&CurrentUser>) -> AppResult<T> + Send + 'static,
    {
        ctx.require(action)?;
        let user = ctx.user.clone();
        self.db.read(move |tx| f(tx, user.as_ref())).await
    }
}

/// Settings the request path needs (the rest of the configuration stays in `config`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (serve behind TLS).
    pub secure_cookies: bool,
    /// Sign-in attempts per client address per minute.
    pub login_rate_per_minute: u32,
    /// Requests to public (no sign-in) endpoints per client address per minute, per
    /// purpose.
    pub public_rate_per_minute: u32,
    /// The longest lifetime an API token may ask for.
    pub max_token_days: i64,
    /// Where the public reaches this service, for links handed out (no trailing slash).
    pub public_base_url: String,
    /// A proxy whose `X-Forwarded-For` names the client.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// Who answers for the Open311 service.
    pub open311_contact: String,
    /// Open-data fields kept back beyond the personal ones (`dataset.field`).
    pub opendata_withhold: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Who is calling, resolved once per request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: Option<CurrentUser>,
    /// The session's CSRF token, when signed in with a cookie.
    pub csrf: Option<String>,
    /// The token's scopes, when signed in with a bearer token.
    pub scopes: Option<Vec<String>>,
    pub lang: Lang,
    pub request_id: String,
    pub ip: String,
    pub now: i64,
    pub path: String,
    /// Unread notifications, for the header (browser sessions only).
    pub unread: i64,
    /// The mechanisms, for the navigation.
    pub registry: &'static crate::kernel::registry::Registry,
    /// What the last form changed, to confirm on this page (a message id).
    pub done: Option<&'static str>,
    /// For a browser session, the minutes without use after which it ends.
    pub idle_minutes: Option<i64>,
}

impl Ctx {
    /// Check a CSRF token sent with a form this extractor could not read (multipart).
    pub fn check_csrf(&self, sent: &str) -> AppResult<()> {
        let expected = self.csrf.as_deref().ok_or(AppError::Unauthenticated)?;
        if super::crypto::same_secret(sent, expected) { Ok(()) } else { Err(csrf_error()) }
    }

    pub fn who(&self) -> Who {
        Who {
            actor_id: self.user.as_ref().map(|u| u.id),
            actor: self.user.as_ref().map_or_else(|| "anonymous".to_owned(), |u| u.username.clone()),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
            now: self.now,
        }
    }
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::t_args(self.lang, key, args)
    }
    /// Whether the page is shown in Chinese, for text not kept in the translation tables.
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    pub fn require(&self, action: Action) -> AppResult<&CurrentUser> {
        access::require(self.user.as_ref(), action)
    }
    pub fn user(&self) -> AppResult<&CurrentUser> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The caller's language: the remembered choice (cookie) first; API callers may also ask
/// with `Accept-Language`; pages are Chinese unless English was chosen.
pub fn lang_of(headers: &HeaderMap, path: &str) -> Lang {
    let chosen = cookie(headers, auth::LANG_COOKIE).and_then(Lang::parse);
    let asked =
        || headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language);
    match chosen {
        Some(l) => l,
        None if is_api(path) => asked().unwrap_or_default(),
        None => Lang::Zh,
    }
}

pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// What a person whose password has expired, or who lacks a second factor their role
/// requires, may still open: the account page to mend it, and sign-out.
const ACCOUNT_PATHS: [&str; 5] =
    ["/account", "/account/password", "/account/second-factor", "/account/second-factor/confirm", "/logout"];

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let now = state.clock.now_ms();
        let request_id = parts.extensions.get::<RequestId>().map_or_else(String::new, |r| r.0.clone());
        let ip = client_ip(parts, state.settings.trusted_proxy);
        let lang = lang_of(&parts.headers, parts.uri.path());
        let path = parts.uri.path().to_owned();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|v| v.trim().to_owned());
        let session = cookie(&parts.headers, auth::SESSION_COOKIE).map(str::to_owned);
        let (mut user, mut csrf, mut scopes, mut unread, mut idle_minutes) = (None, None, None, 0, None);
        if let Some(token) = bearer {
            let (u, s) = state
                .db
                .read(move |tx| auth::resolve_token(tx, &token, now))
                .await?
                .ok_or(AppError::Unauthenticated)?;
            user = Some(u);
            scopes = Some(s);
        } else if let Some(token) = session
            && let Some(live) = state.db.read(move |tx| auth::resolve_session(tx, &token, now)).await?
        {
            // Background polling (a live list) is not use.
            let background = parts.headers.contains_key("x-background");
            if let Some(id) = live.to_refresh.filter(|_| !background) {
                state.db.write(move |tx| auth::refresh_session(tx, id, now)).await?;
            }
            if let Some(code) = live.restricted.filter(|_| !ACCOUNT_PATHS.contains(&path.as_str())) {
                return Err(AppError::Refused { code });
            }
            user = Some(live.user);
            csrf = Some(live.csrf);
            unread = live.unread;
            idle_minutes = Some(live.idle_minutes);
        }
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && path.starts_with("/api/") {
            if let Some(s) = &scopes {
                if !s.iter().any(|s| s == auth::SCOPE_WRITE) {
                    return Err(AppError::Refused { code: "token_scope" });
                }
            } else if let Some(expected) = &csrf {
                let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
                if !super::crypto::same_secret(sent, expected) {
                    return Err(csrf_error());
                }
            }
        }
        let done = cookie(&parts.headers, form::DONE_COOKIE)
            .and_then(|sent| form::CONFIRMATIONS.iter().copied().find(|m| *m == sent));
        let ctx = Ctx {
            user,
            csrf,
            scopes,
            lang,
            request_id,
            ip,
            now,
            path,
            unread,
            registry: state.registry,
            done,
            idle_minutes,
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// The client's address: the connecting one, or, when that is the configured trusted
/// proxy, the last address the proxy added to `X-Forwarded-For`.
fn client_ip(parts: &Parts, trusted_proxy: Option<std::net::IpAddr>) -> String {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if peer.is_some() && peer == trusted_proxy {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .next_back();
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Whether a Host header is a host name or address with an optional port.
fn well_formed_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']' | '_'))
}

/// A local path to go back to; anything else becomes `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub fn csrf_error() -> AppError {
    AppError::Refused { code: "csrf_failed" }
}

/// JSON body, with every parse failure turned into `bad_json` and nothing changed.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body, with every parse failure turned into `bad_json`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest { code: "bad_json", detail: Some(e.to_string()) })
}

/// Query string, with parse failures turned into `bad_query`.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(Q)
            .map_err(|e| AppError::BadRequest { code: "bad_query", detail: Some(e.to_string()) })
    }
}

/// A submitted web form whose `_csrf` field matched the session: every state-changing
/// page request goes through this extractor.
pub struct CsrfForm<T> {
    pub ctx: Ctx,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| csrf_error())?;
        let expected = ctx.csrf.as_deref().ok_or(AppError::Unauthenticated)?;
        if !super::crypto::same_secret(&field.csrf, expected) {
            return Err(csrf_error());
        }
        let form = form::parse(&bytes)?;
        Ok(CsrfForm { ctx, form })
    }
}

/// Request id, security headers and the two faces of errors, for every response.
pub async fn edge(mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_owned)
        .unwrap_or_else(|| super::crypto::random_hex(8).unwrap_or_else(|_| "0".into()));
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let lang = lang_of(req.headers(), req.uri().path());
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let method = req.method().clone();
    let bad_host = req.headers().get(header::HOST).is_some_and(|h| h.to_str().map_or(true, |h| !well_formed_host(h)));
    if bad_host {
        let mut res =
            render_error(&AppError::BadRequest { code: "bad_host", detail: None }, lang, &request_id, &path, None);
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            res.headers_mut().insert("x-request-id", v);
        }
        return res;
    }
    let span = tracing::info_span!("request", id = %request_id, %method, %path);
    let started = std::time::Instant::now();
    let shown = cookie(req.headers(), form::DONE_COOKIE).is_some();
    let answered = form::DONE.scope(std::cell::Cell::new(None), async {
        let res = tracing::Instrument::instrument(next.run(req), span.clone()).await;
        (res, form::DONE.with(|d| d.get()))
    });
    let (mut res, done) = answered.await;
    // A form's change is confirmed on the page its redirect leads to, once.
    match done {
        Some(message) if res.status().is_redirection() && !is_api(&path) => {
            res.headers_mut().append(header::SET_COOKIE, set_cookie(form::DONE_COOKIE, message, 60, false));
        }
        _ if shown && !res.status().is_redirection() => {
            res.headers_mut().append(header::SET_COOKIE, set_cookie(form::DONE_COOKIE, "", 0, false));
        }
        _ => {}
    }
    if let Some(err) = res.extensions_mut().remove::<AppError>().or_else(|| rejection(&res)) {
        res = render_error(&err, lang, &request_id, &path, query.as_deref());
    }
    let status = res.status();
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "response");
        } else {
            tracing::debug!(status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "response");
        }
    });
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// The error behind one of the framework's own refusals (an extractor's plain-text 4xx:
/// a body over the limit, a malformed path id, a wrong method), so that it is answered in
/// the route's own format like every other error.
pub fn rejection(res: &Response) -> Option<AppError> {
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !res.status().is_client_error() || !plain {
        return None;
    }
    Some(match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::BadRequest { code: "unsupported_media_type", detail: None },
        _ => AppError::BadRequest { code: "bad_request", detail: None },
    })
}

fn render_error(err: &AppError, lang: Lang, request_id: &str, path: &str, query: Option<&str>) -> Response {
    let mut res = render_error_body(err, lang, request_id, path, query);
    if let Some(v) = err.retry_after() {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn render_error_body(err: &AppError, lang: Lang, request_id: &str, path: &str, query: Option<&str>) -> Response {
    match err {
        AppError::Internal(cause) | AppError::Unavailable(cause) => {
            tracing::error!(code = err.code(), %cause, "request failed");
        }
        _ => tracing::debug!(code = err.code(), "request refused"),
    }
    let message = i18n::t(lang, err.code()).to_owned();
    if is_api(path) {
        let body = serde_json::json!({
            "error": {
                "code": err.code(),
                "message": message,
                "field": err.field(),
                "detail": err.detail(),
                "request_id": request_id,
            }
        });
        let mut res = (err.status(), axum::Json(body)).into_response();
        if matches!(err, AppError::Unauthenticated) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return res;
    }
    if matches!(err, AppError::Unauthenticated) {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        let target = format!("/login?next={}", list::url_encode(&next));
        return Redirect::to(&target).into_response();
    }
    let page = layout::error_page(lang, err.status(), &message, request_id);
    (err.status(), page).into_response()
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.db.read(|tx| Ok(tx.count("SELECT 1", &[])?)).await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// A permission an endpoint needs, checked by [`Can`] before the body is read.
pub trait Requirement {
    const ACTION: Action;
}

/// Marker types for [`Can`], one per action (`Action::X` gives the marker `X`). A
/// mechanism declares its own in a `need` module of its folder that re-exports these.
#[macro_export]
macro_rules! needs {
    ($($action:ident),* $(,)?) => {
        $(
            pub struct $action;
            impl $crate::kernel::web::Requirement for $action {
                const ACTION: $crate::kernel::access::Action = $crate::kernel::access::Action::$action;
            }
        )*
    };
}

/// The foundation's markers.
pub mod need {
    crate::needs!(
        ViewEnterprises,
        ManageEnterprises,
        CorrectOwnEnterprise,
        ManageOrg,
        ManageUsers,
        ManageRoles,
        ManageOwnAccount,
        ManageCalendar,
        ManageProcesses,
        ManageSearch,
        ManageSettings,
        ManageDeliveries,
        ReadInbox
    );
}

/// The caller, already checked for the permission `R`: an endpoint that takes `Can<R>`
/// refuses a caller without the right before it reads (and validates) the body.
pub struct Can<R>(pub Ctx, pub std::marker::PhantomData<R>);

impl<R: Requirement + Send + Sync> FromRequestParts<AppState> for Can<R> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        ctx.require(R::ACTION)?;
        Ok(Can(ctx, std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::safe_next(Some("/org?x=1")), "/org?x=1");
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }

    #[test]
    fn forwarded_addresses_count_only_from_the_trusted_proxy() {
        let parts = |peer: &str| {
            let addr: std::net::SocketAddr = peer.parse().expect("addr");
            axum::http::Request::builder()
                .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
                .extension(super::ConnectInfo(addr))
                .body(())
                .expect("request")
                .into_parts()
                .0
        };
        let proxy: std::net::IpAddr = "10.0.0.2".parse().expect("ip");
        assert_eq!(super::client_ip(&parts("10.0.0.2:5000"), Some(proxy)), "198.51.100.7", "the proxy's own addition");
        assert_eq!(super::client_ip(&parts("192.0.2.1:5000"), Some(proxy)), "192.0.2.1", "anyone else may forge it");
        assert_eq!(super::client_ip(&parts("10.0.0.2:5000"), None), "10.0.0.2", "no proxy configured");
    }

    #[test]
    fn host_headers_are_names_or_addresses() {
        assert!(super::well_formed_host("zaizao.qingdao.gov.cn:8080"));
        assert!(super::well_formed_host("[::1]:8080"));
        assert!(!super::well_formed_host("evil.example\"><x"));
        assert!(!super::well_formed_host(""));
    }
}
