//! The public intake speaking Open311 GeoReport v2 as published: discovery, services,
//! service definitions, requests (list, create, one), and tokens; JSON and XML by the
//! file extension; the standard's argument names, W3C datetimes, and its error format
//! (an array of `{code, description}`). Lead categories are the services; creating a
//! request needs an `api_key` issued by an administrator.

use std::collections::HashMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value as Json, json};

use super::leads::{self, LeadInput};
use crate::kernel::access;
use crate::kernel::clock::rfc3339;
use crate::kernel::crypto::{random_hex, secret_digest};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n;
use crate::kernel::web::{AppState, Ctx};
use crate::params;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/discovery.json", get(discovery))
        .route("/open311/v2/{resource}", get(collection).post(create).layer(DefaultBodyLimit::max(MAX_POST_BYTES)))
        .route("/open311/v2/services/{file}", get(service))
        .route("/open311/v2/requests/{file}", get(request))
        .route("/open311/v2/tokens/{file}", get(token))
        .layer(axum::middleware::from_fn(in_open311_format))
}

/// A request's form arguments: a description of 2,000 characters and its address fit
/// many times over.
const MAX_POST_BYTES: usize = 64 * 1024;

/// Every refusal under `/open311`, including the framework's own (a body over the
/// limit, a wrong method) and the caller's (a bad token), in the standard's error format.
async fn in_open311_format(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let format = if req.uri().path().ends_with(".xml") { Format::Xml } else { Format::Json };
    let lang = crate::kernel::web::lang_of(req.headers(), req.uri().path());
    let mut res = next.run(req).await;
    match res.extensions_mut().remove::<AppError>().or_else(|| crate::kernel::web::rejection(&res)) {
        Some(e) => fail_in(lang, format, &e),
        None => res,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(stem) = file.strip_suffix(".json") {
        Some((stem, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
    }
}

/// An Open311 error: `[{"code": 400, "description": "…"}]` or its XML form.
struct Failure(StatusCode, Format, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let Failure(status, format, description) = self;
        let body = json!([{ "code": status.as_u16(), "description": description }]);
        let mut res = render(format, "errors", "error", &body);
        *res.status_mut() = status;
        res
    }
}

fn fail(ctx: &Ctx, format: Format, e: &AppError) -> Response {
    fail_in(ctx.lang, format, e)
}

fn fail_in(lang: i18n::Lang, format: Format, e: &AppError) -> Response {
    let status = match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden | AppError::Unauthenticated | AppError::Refused { .. } => StatusCode::FORBIDDEN,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut description = i18n::t(lang, e.code()).to_owned();
    if let Some(f) = e.field() {
        description = format!("{description} ({f})");
    }
    let mut res = Failure(status, format, description).into_response();
    if let Some(v) = e.retry_after() {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn xml_value(out: &mut String, key: &str, v: &Json) {
    match v {
        Json::Null => out.push_str(&format!("<{key}/>")),
        Json::Array(items) => {
            out.push_str(&format!("<{key}>"));
            for i in items {
                xml_value(out, "item", i);
            }
            out.push_str(&format!("</{key}>"));
        }
        Json::Object(map) => {
            out.push_str(&format!("<{key}>"));
            for (k, v) in map {
                xml_value(out, k, v);
            }
            out.push_str(&format!("</{key}>"));
        }
        Json::String(s) => out.push_str(&format!("<{key}>{}</{key}>", xml_escape(s))),
        other => out.push_str(&format!("<{key}>{other}</{key}>")),
    }
}

/// A list as JSON, or as XML `<root><item>…</item></root>`.
fn render(format: Format, root: &str, item: &str, body: &Json) -> Response {
    match format {
        Format::Json => axum::Json(body.clone()).into_response(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.push_str(&format!("<{root}>"));
            for v in body.as_array().into_iter().flatten() {
                xml_value(&mut out, item, v);
            }
            out.push_str(&format!("</{root}>"));
            let mut res = out.into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
            res
        }
    }
}

fn limit(s: &AppState, ctx: &Ctx) -> AppResult<()> {
    s.limit_public(ctx, "open311-read")
}

async fn discovery(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = limit(&s, &ctx) {
        return fail(&ctx, Format::Json, &e).into_response();
    }
    let changed = match s.db.read(super::categories::changed_at).await {
        Ok(at) => crate::kernel::clock::rfc3339(at),
        Err(e) => return fail(&ctx, Format::Json, &e).into_response(),
    };
    // The configured address, never the request's Host header.
    let base = &s.settings.public_base_url;
    axum::Json(json!({
        "changeset": changed,
        "contact": s.settings.open311_contact,
        "key_service": format!("{base}/admin/open311"),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{base}/open311/v2"),
            "changeset": changed,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }))
    .into_response()
}

fn services(tx: &mut Tx<'_>) -> AppResult<Vec<Json>> {
    tx.query("SELECT code, name, description, keywords FROM lead_categories WHERE active = 1 ORDER BY code", &[])?
        .iter()
        .map(|r| {
            Ok(json!({
                "service_code": r.text(0)?,
                "service_name": r.text(1)?,
                "description": r.text(2)?,
                "metadata": false,
                "type": "realtime",
                "keywords": r.text(3)?,
                "group": "监督线索",
            }))
        })
        .collect()
}

/// One request as Open311 shows it; `base` is the configured public address, for the
/// photo's `media_url`.
fn request_json(p: &leads::PublicLead, base: &str) -> Json {
    json!({
        "service_request_id": p.id.to_string(),
        "status": p.status,
        "status_notes": if p.outcome.is_empty() { p.status_name.clone() } else { format!("{}：{}", p.status_name, p.outcome) },
        "service_name": p.category_name,
        "service_code": p.category,
        "description": p.description,
        "agency_responsible": p.agency,
        "service_notice": "",
        "requested_datetime": rfc3339(p.requested_at),
        "updated_datetime": rfc3339(p.updated_at),
        "expected_datetime": Json::Null,
        "address": p.address,
        "address_id": Json::Null,
        "zipcode": Json::Null,
        "lat": p.lat,
        "long": p.lon,
        "media_url": p.photo_id.map(|id| format!("{}/report/photos/{id}", base.trim_end_matches('/'))),
    })
}

/// `GET services.{json,xml}` and `GET requests.{json,xml}`.
async fn collection(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(resource): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let Some((stem, format)) = split(&resource) else {
        return fail(&ctx, Format::Json, &AppError::NotFound).into_response();
    };
    if let Err(e) = limit(&s, &ctx) {
        return fail(&ctx, format, &e).into_response();
    }
    let args: HashMap<String, String> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let base = s.settings.public_base_url.clone();
    let result = match stem {
        "services" => s.db.read(services).await.map(|list| render(format, "services", "service", &Json::Array(list))),
        "requests" => match s.processes.get(super::LEAD.kind) {
            Ok(process) => {
                s.db.read(move |tx| {
                    let mut w = crate::kernel::db::Where::default();
                    // Open311 speaks to the public: what anyone may see, decided where
                    // every other read is decided.
                    access::restrict_visible(None, &mut w, "l.visibility", "l.unit_department_id");
                    if let Some(ids) = args.get("service_request_id").filter(|v| !v.is_empty()) {
                        let ids: Vec<i64> = ids.split(',').filter_map(|i| i.trim().parse().ok()).take(100).collect();
                        w.and_sql(&format!("l.id IN ({})", crate::kernel::db::id_list(&ids)));
                    }
                    if let Some(code) = args.get("service_code").filter(|v| !v.is_empty()) {
                        w.and("l.category_code = ?", code.as_str());
                    }
                    for (name, op) in [("start_date", ">="), ("end_date", "<=")] {
                        if let Some(d) = args.get(name).filter(|v| !v.is_empty()) {
                            let at = chrono::DateTime::parse_from_rfc3339(d).map_err(|_| {
                                AppError::invalid("bad_date", if op == ">=" { "start_date" } else { "end_date" })
                            })?;
                            w.and(&format!("l.created_at {op} ?"), at.timestamp_millis());
                        }
                    }
                    let ids: Vec<i64> = tx
                        .query(&format!("SELECT l.id FROM leads l{} ORDER BY l.id DESC LIMIT 1000", w.sql), &w.args)?
                        .iter()
                        .map(|r| r.int(0))
                        .collect::<Result<_, _>>()?;
                    let found = leads::find_many(tx, &ids)?;
                    let wanted = args.get("status").filter(|v| !v.is_empty());
                    let out: Vec<Json> = leads::public_views(tx, &found, &process)?
                        .iter()
                        .filter(|p| wanted.is_none_or(|st| st.split(',').any(|x| x == p.status)))
                        .map(|p| request_json(p, &base))
                        .collect();
                    Ok(render(format, "service_requests", "request", &Json::Array(out)))
                })
                .await
            }
            Err(e) => Err(e),
        },
        _ => Err(AppError::NotFound),
    };
    result.unwrap_or_else(|e| fail(&ctx, format, &e).into_response())
}

async fn service(State(s): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> Response {
    let Some((code, format)) = split(&file) else {
        return fail(&ctx, Format::Json, &AppError::NotFound).into_response();
    };
    if let Err(e) = limit(&s, &ctx) {
        return fail(&ctx, format, &e).into_response();
    }
    let code = code.to_owned();
    let found =
        s.db.read(move |tx| {
            Ok(tx
                .count("SELECT COUNT(*) FROM lead_categories WHERE code = $1 AND active = 1", params![code.as_str()])?
                > 0)
            .map(|f| (f, code))
        })
        .await;
    match found {
        Ok((true, code)) => {
            render(format, "service_definition", "definition", &json!([{ "service_code": code, "attributes": [] }]))
        }
        Ok((false, _)) => fail(&ctx, format, &AppError::NotFound).into_response(),
        Err(e) => fail(&ctx, format, &e).into_response(),
    }
}

async fn request(State(s): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> Response {
    let Some((id, format)) = split(&file) else { return fail(&ctx, Format::Json, &AppError::NotFound).into_response() };
    if let Err(e) = limit(&s, &ctx) {
        return fail(&ctx, format, &e).into_response();
    }
    let Ok(id) = id.parse::<i64>() else { return fail(&ctx, format, &AppError::NotFound).into_response() };
    let base = s.settings.public_base_url.clone();
    let result = match s.processes.get(super::LEAD.kind) {
        Ok(process) => {
            s.db.read(move |tx| {
                let l = leads::find(tx, id)?;
                access::require_visible(None, l.visibility, l.unit_department_id)?;
                Ok(request_json(&leads::public_view(tx, &l, &process)?, &base))
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(item) => render(format, "service_requests", "request", &json!([item])),
        Err(e) => fail(&ctx, format, &e).into_response(),
    }
}

async fn token(State(s): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> Response {
    let Some((token, format)) = split(&file) else {
        return fail(&ctx, Format::Json, &AppError::NotFound).into_response();
    };
    if let Err(e) = limit(&s, &ctx) {
        return fail(&ctx, format, &e).into_response();
    }
    let t = token.to_owned();
    match s.db.read(move |tx| leads::by_token(tx, &t)).await {
        Ok(l) => render(
            format,
            "service_requests",
            "request",
            &json!([{ "service_request_id": l.id.to_string(), "token": token }]),
        ),
        Err(e) => fail(&ctx, format, &e).into_response(),
    }
}

/// Unknown keys an address may send per minute.
const BAD_KEYS_PER_MINUTE: u32 = 10;

/// How long a key found valid is trusted without asking the database again (a revoked
/// key stops working within this time).
const KEY_TRUSTED_MS: i64 = 60_000;

/// Keys found valid lately: digest → (key id, when found).
static KNOWN_KEYS: std::sync::LazyLock<std::sync::Mutex<HashMap<String, (i64, i64)>>> =
    std::sync::LazyLock::new(Default::default);

/// The Open311 key a filing is made with, checked before anything reaches the writer. A
/// valid key is limited on its own (a city hotline files everything from one address);
/// unknown keys count against their address, and an address over that limit is refused
/// without a database read until its wait is over.
async fn client_key(s: &AppState, ctx: &Ctx, key: String) -> AppResult<i64> {
    let hash = secret_digest(key.as_bytes());
    let known = |now: i64| {
        let keys = KNOWN_KEYS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.get(&hash).filter(|(_, at)| now - at < KEY_TRUSTED_MS).map(|(id, _)| *id)
    };
    let misses = format!("open311-bad-key:{}", ctx.ip);
    let found = match known(ctx.now) {
        Some(id) => Some(id),
        None if key.is_empty() => None,
        None => {
            s.limiter.exhausted(&misses)?;
            let h = hash.clone();
            let id =
                s.db.read(move |tx| {
                    Ok(tx
                        .query_opt(
                            "SELECT id FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL",
                            params![h],
                        )?
                        .map(|r| r.int(0))
                        .transpose()?)
                })
                .await?;
            if let Some(id) = id {
                let mut keys = KNOWN_KEYS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if keys.len() > 10_000 {
                    keys.clear();
                }
                keys.insert(hash.clone(), (id, ctx.now));
            }
            id
        }
    };
    match found {
        Some(id) => {
            s.limiter.check(&format!("open311-post:{id}"), s.settings.public_rate_per_minute, 60_000)?;
            Ok(id)
        }
        None => {
            s.limiter.check(&misses, BAD_KEYS_PER_MINUTE, 60_000)?;
            Err(AppError::Refused { code: "bad_api_key" })
        }
    }
}

/// `POST requests.{json,xml}` with the standard's form arguments.
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(resource): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(("requests", format)) = split(&resource) else {
        return fail(&ctx, Format::Json, &AppError::NotFound).into_response();
    };
    let args: HashMap<String, String> = match crate::kernel::web::form::parse(&body) {
        Ok(a) => a,
        Err(e) => return fail(&ctx, format, &e),
    };
    let arg = |k: &str| args.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let key_id = match client_key(&s, &ctx, arg("api_key")).await {
        Ok(id) => id,
        Err(e) => return fail(&ctx, format, &e),
    };
    let number = |k: &str| -> Result<Option<f64>, Failure> {
        match arg(k) {
            v if v.is_empty() => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| Failure(StatusCode::BAD_REQUEST, format, format!("{k} is not a number"))),
        }
    };
    let (lat, lon) = match (number("lat"), number("long")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(f), _) | (_, Err(f)) => return f.into_response(),
    };
    let name = format!("{}{}", arg("last_name"), arg("first_name"));
    let contact = [arg("email"), arg("phone")].into_iter().filter(|v| !v.is_empty()).collect::<Vec<_>>().join(" ");
    let input = LeadInput {
        channel: "public".into(),
        category: arg("service_code"),
        description: arg("description"),
        address: arg("address_string"),
        lat,
        lon,
        reporter_name: name,
        reporter_contact: contact,
        reporter_confidential: false,
    };
    let process = match s.processes.get(super::LEAD.kind) {
        Ok(p) => p,
        Err(e) => return fail(&ctx, format, &e).into_response(),
    };
    if input.category.is_empty() {
        return fail(&ctx, format, &AppError::invalid("required", "service_code"));
    }
    let who = ctx.who();
    let filed = s.db.write(move |tx| leads::file(tx, &who, &process, &input, "open311", Some(key_id))).await;
    match filed {
        Ok(f) => {
            let mut item =
                json!({ "service_request_id": f.id.to_string(), "service_notice": "", "account_id": Json::Null });
            if let Some(t) = f.token {
                item["token"] = json!(t);
            }
            let mut res = render(format, "service_requests", "request", &json!([item]));
            *res.status_mut() = StatusCode::CREATED;
            res
        }
        Err(e) => fail(&ctx, format, &e).into_response(),
    }
}

/// Issue an Open311 API key; the key is shown once, only its digest is kept.
pub fn issue_key(tx: &mut Tx<'_>, who: &crate::kernel::audit::Who, name: &str) -> AppResult<(i64, String)> {
    let name = crate::kernel::validate::text(name, "name", 80)?;
    let key = format!("o311_{}", random_hex(20)?);
    let id = tx.insert(
        "INSERT INTO open311_keys (name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        params![name.as_str(), secret_digest(key.as_bytes()), who.actor.as_str(), who.now],
    )?;
    crate::kernel::audit::record(
        tx,
        who,
        crate::kernel::audit::Change {
            action: "issue",
            kind: "open311_key",
            id: Some(id),
            before: None,
            after: Some(json!({ "name": name })),
        },
    )?;
    Ok((id, key))
}
