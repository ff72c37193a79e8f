//! The read side of the CKAN Action API (version 3) over the open datasets, at
//! `/opendata/api/action/{action}` and `/opendata/api/3/action/{action}`, by GET with query
//! parameters or POST with a JSON or form body, as CKAN serves it: `status_show`,
//! `package_list`, `package_show`, `package_search` (`q`, `fq`, `rows`, `start`),
//! `organization_list`, `organization_show`, `tag_list`, `resource_show` and `help_show`,
//! each in CKAN's `{"help", "success", "result"}` envelope and its error shape, so a CKAN
//! client or harvester reads this catalogue like any CKAN portal.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::files::dataset;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::{self, Lang};
use crate::kernel::opendata::{Dataset, Publisher};
use crate::kernel::web::{AppState, Ctx};

/// The CKAN version whose API this follows.
const CKAN_VERSION: &str = "2.10.4";
pub const LICENSE_ID: &str = "cc-by";
pub const LICENSE_TITLE: &str = "Creative Commons Attribution 4.0";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
/// The formats each dataset is offered in, as (extension, CKAN format, media type).
pub const FORMATS: [(&str, &str, &str); 3] = [
    ("csv", "CSV", "text/csv"),
    ("json", "JSON", "application/json"),
    ("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
];

/// A CKAN error: its HTTP status, `__type` and message.
struct Failure(StatusCode, &'static str, Value);

impl Failure {
    fn not_found() -> Self {
        Failure(StatusCode::NOT_FOUND, "Not Found Error", json!("Not found"))
    }
    fn missing(field: &str) -> Self {
        Failure(StatusCode::CONFLICT, "Validation Error", json!({ field: ["Missing value"] }))
    }
    fn invalid(field: &str, why: &str) -> Self {
        Failure(StatusCode::CONFLICT, "Validation Error", json!({ field: [why] }))
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => Failure::not_found(),
            AppError::RateLimited { .. } => {
                Failure(StatusCode::TOO_MANY_REQUESTS, "Rate Limit Error", json!("Too many requests"))
            }
            _ => Failure(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", json!("Internal server error")),
        }
    }
}

fn help_url(base: &str, action: &str) -> String {
    format!("{base}/opendata/api/3/action/help_show?name={action}")
}

/// The action's parameters: the query string, then a JSON or form body.
fn parameters(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Failure> {
    let bad = || {
        Failure(
            StatusCode::BAD_REQUEST,
            "Bad request",
            json!("Bad request - JSON Error: could not read the parameters"),
        )
    };
    let mut params = Map::new();
    if let Some(q) = query {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).map_err(|_| bad())?;
        for (k, v) in pairs {
            params.insert(k, Value::String(v));
        }
    }
    if !body.is_empty() {
        let json_body = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.starts_with("application/json") || t.starts_with("text/plain"));
        if json_body {
            match serde_json::from_slice::<Value>(body).map_err(|_| bad())? {
                Value::Object(o) => params.extend(o),
                _ => return Err(bad()),
            }
        } else {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| bad())?;
            for (k, v) in pairs {
                params.insert(k, Value::String(v));
            }
        }
    }
    Ok(params)
}

fn text_param<'a>(p: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    p.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn number_param(p: &Map<String, Value>, name: &str, default: i64, max: i64) -> Result<i64, Failure> {
    let n = match p.get(name) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(default),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match n {
        Some(n) if (0..=max).contains(&n) => Ok(n),
        _ => Err(Failure::invalid(name, "Invalid integer")),
    }
}

fn bool_param(p: &Map<String, Value>, name: &str) -> bool {
    match p.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"),
        _ => false,
    }
}

/// A time as CKAN writes it: UTC without a zone, to the microsecond.
fn ckan_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        .unwrap_or_default()
}

fn zh(key: &str) -> String {
    i18n::t(Lang::Zh, key).to_owned()
}

pub fn organization(p: &Publisher, created: i64) -> Value {
    json!({
        "id": p.name,
        "name": p.name,
        "title": zh(p.title),
        "display_name": zh(p.title),
        "description": zh(p.description),
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": ckan_time(created),
    })
}

/// The distinct publishers of the datasets, in the order first named.
pub fn publishers(datasets: &[&'static Dataset]) -> Vec<&'static Publisher> {
    let mut out: Vec<&'static Publisher> = Vec::new();
    for d in datasets {
        if !out.iter().any(|p| p.name == d.publisher.name) {
            out.push(d.publisher);
        }
    }
    out
}

fn resource(base: &str, d: &Dataset, position: usize, modified: &str) -> Value {
    let (ext, format, mime) = FORMATS[position];
    json!({
        "id": format!("{}-{ext}", d.name),
        "package_id": d.name,
        "name": format!("{}（{format}）", zh(d.title)),
        "description": zh(d.notes),
        "format": format,
        "mimetype": mime,
        "url": format!("{base}/opendata/datasets/{}.{ext}", d.name),
        "url_type": Value::Null,
        "state": "active",
        "position": position,
        "created": modified,
        "last_modified": modified,
        "metadata_modified": modified,
        "datastore_active": false,
    })
}

/// A dataset as CKAN describes a package.
pub fn package(base: &str, d: &Dataset, modified: Option<i64>, count: Option<i64>) -> Value {
    let modified = ckan_time(modified.unwrap_or(0));
    let tags: Vec<Value> = d
        .tags
        .iter()
        .map(|t| json!({ "id": t, "name": t, "display_name": t, "state": "active", "vocabulary_id": Value::Null }))
        .collect();
    let resources: Vec<Value> = (0..FORMATS.len()).map(|i| resource(base, d, i, &modified)).collect();
    let mut extras = vec![json!({ "key": "title_en", "value": i18n::t(Lang::En, d.title) })];
    if let Some(n) = count {
        extras.push(json!({ "key": "records", "value": n.to_string() }));
    }
    json!({
        "id": d.name,
        "name": d.name,
        "title": zh(d.title),
        "notes": zh(d.notes),
        "type": "dataset",
        "state": "active",
        "private": false,
        "isopen": true,
        "license_id": LICENSE_ID,
        "license_title": LICENSE_TITLE,
        "license_url": LICENSE_URL,
        "author": zh(d.publisher.title),
        "maintainer": zh(d.publisher.title),
        "url": format!("{base}/opendata/datasets/{}", d.name),
        "version": Value::Null,
        "owner_org": d.publisher.name,
        "organization": organization(d.publisher, 0),
        "metadata_created": modified,
        "metadata_modified": modified,
        "tags": tags,
        "num_tags": d.tags.len(),
        "resources": resources,
        "num_resources": FORMATS.len(),
        "groups": [],
        "extras": extras,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    })
}

/// Whether a dataset matches free text: every word in its name, titles, notes, tags or
/// field titles (`*:*` and an empty query match all; `field:value` as in `fq`).
fn matches_q(d: &Dataset, q: &str) -> Result<bool, Failure> {
    let q = q.trim();
    if q.is_empty() || q == "*:*" {
        return Ok(true);
    }
    let mut hay = vec![d.name.to_lowercase(), zh(d.title), zh(d.notes), i18n::t(Lang::En, d.title).to_lowercase()];
    hay.push(i18n::t(Lang::En, d.notes).to_lowercase());
    hay.extend(d.tags.iter().map(|t| t.to_string()));
    hay.extend(d.fields.iter().filter(|f| !f.personal).map(|f| zh(f.title)));
    for word in terms(q) {
        if word.contains(':') {
            if !matches_fq(d, &word)? {
                return Ok(false);
            }
        } else {
            let word = word.to_lowercase();
            if !hay.iter().any(|h| h.contains(&word)) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Words of a query, keeping quoted phrases whole and dropping `AND` and `+`.
fn terms(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter().map(|t| t.trim_start_matches('+').to_owned()).filter(|t| !t.is_empty() && t != "AND").collect()
}

/// A filter query of `field:value` terms, all of which must hold: `name`, `id`,
/// `organization`, `owner_org`, `tags`, `res_format`, `license_id`.
fn matches_fq(d: &Dataset, fq: &str) -> Result<bool, Failure> {
    for term in terms(fq) {
        if term == "*:*" {
            continue;
        }
        let Some((field, value)) = term.split_once(':') else {
            return Err(Failure(
                StatusCode::CONFLICT,
                "Search Query Error",
                json!(format!("Search error: cannot read {term:?}")),
            ));
        };
        let value = value.trim_matches('"');
        let holds = match field {
            "name" | "id" => d.name == value,
            "organization" | "owner_org" => d.publisher.name == value,
            "tags" => d.tags.contains(&value),
            "res_format" => FORMATS.iter().any(|(_, f, _)| f.eq_ignore_ascii_case(value)),
            "license_id" => value == LICENSE_ID,
            "capacity" => value == "public",
            "groups" | "res_type" => false,
            _ => {
                return Err(Failure(
                    StatusCode::CONFLICT,
                    "Search Query Error",
                    json!(format!("Search error: unknown field {field:?}")),
                ));
            }
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

fn modified_of(tx: &mut Tx<'_>, datasets: &[&'static Dataset]) -> AppResult<Vec<Option<i64>>> {
    datasets.iter().map(|d| d.modified(tx)).collect()
}

async fn act(s: &AppState, action: &str, p: Map<String, Value>) -> Result<Value, Failure> {
    let base = s.settings.public_base_url.clone();
    let all: Vec<&'static Dataset> = s.registry.datasets.clone();
    match action {
        "status_show" => Ok(json!({
            "site_title": zh("od-site-title"),
            "site_description": zh("od-site-description"),
            "site_url": format!("{base}/opendata"),
            "ckan_version": CKAN_VERSION,
            "error_emails_to": Value::Null,
            "locale_default": "zh_Hans_CN",
            "extensions": [],
        })),
        "package_list" => {
            let limit = number_param(&p, "limit", 1000, 1000)? as usize;
            let offset = number_param(&p, "offset", 0, i64::MAX)? as usize;
            let mut names: Vec<&str> = all.iter().map(|d| d.name).collect();
            names.sort_unstable();
            Ok(json!(names.into_iter().skip(offset).take(limit).collect::<Vec<_>>()))
        }
        "package_show" => {
            let id = text_param(&p, "id").or_else(|| text_param(&p, "name")).ok_or_else(|| Failure::missing("id"))?;
            let d = dataset(s, id).map_err(|_| Failure::not_found())?;
            let (modified, count) = s.db.read(move |tx| Ok((d.modified(tx)?, d.count(tx)?))).await?;
            Ok(package(&base, d, modified, Some(count)))
        }
        "package_search" => {
            let rows = number_param(&p, "rows", 10, 1000)? as usize;
            let start = number_param(&p, "start", 0, i64::MAX)? as usize;
            let (q, fq) = (text_param(&p, "q").unwrap_or(""), text_param(&p, "fq").unwrap_or(""));
            let mut found = Vec::new();
            for d in &all {
                if matches_q(d, q)? && matches_fq(d, fq)? {
                    found.push(*d);
                }
            }
            found.sort_by_key(|d| d.name);
            let count = found.len();
            let page: Vec<&'static Dataset> = found.into_iter().skip(start).take(rows).collect();
            let shown = page.clone();
            let modified = s.db.read(move |tx| modified_of(tx, &shown)).await?;
            let results: Vec<Value> = page.iter().zip(modified).map(|(d, m)| package(&base, d, m, None)).collect();
            Ok(json!({
                "count": count,
                "results": results,
                "sort": "score desc, metadata_modified desc",
                "facets": {},
                "search_facets": {},
            }))
        }
        "organization_list" => {
            let orgs = publishers(&all);
            if bool_param(&p, "all_fields") {
                Ok(json!(orgs.iter().map(|o| organization(o, 0)).collect::<Vec<_>>()))
            } else {
                Ok(json!(orgs.iter().map(|o| o.name).collect::<Vec<_>>()))
            }
        }
        "organization_show" => {
            let id = text_param(&p, "id").ok_or_else(|| Failure::missing("id"))?;
            let org = publishers(&all).into_iter().find(|o| o.name == id).ok_or_else(Failure::not_found)?;
            let mut o = organization(org, 0);
            let theirs: Vec<&'static Dataset> = all.iter().copied().filter(|d| d.publisher.name == org.name).collect();
            o["package_count"] = json!(theirs.len());
            if bool_param(&p, "include_datasets") {
                let shown = theirs.clone();
                let modified = s.db.read(move |tx| modified_of(tx, &shown)).await?;
                o["packages"] =
                    json!(theirs.iter().zip(modified).map(|(d, m)| package(&base, d, m, None)).collect::<Vec<_>>());
            }
            Ok(o)
        }
        "tag_list" => {
            let mut tags: Vec<&str> = all.iter().flat_map(|d| d.tags.iter().copied()).collect();
            tags.sort_unstable();
            tags.dedup();
            if let Some(q) = text_param(&p, "query") {
                tags.retain(|t| t.contains(q));
            }
            Ok(json!(tags))
        }
        "resource_show" => {
            let id = text_param(&p, "id").ok_or_else(|| Failure::missing("id"))?;
            let (name, ext) = id.rsplit_once('-').ok_or_else(Failure::not_found)?;
            let d = dataset(s, name).map_err(|_| Failure::not_found())?;
            let position = FORMATS.iter().position(|(e, _, _)| *e == ext).ok_or_else(Failure::not_found)?;
            let modified = s.db.read(move |tx| d.modified(tx)).await?;
            Ok(resource(&base, d, position, &ckan_time(modified.unwrap_or(0))))
        }
        "help_show" => {
            let name = text_param(&p, "name").ok_or_else(|| Failure::missing("name"))?;
            if ACTIONS.contains(&name) {
                Ok(json!(format!("{name}: see https://docs.ckan.org/en/2.10/api/#ckan.logic.action.get.{name}")))
            } else {
                Err(Failure::not_found())
            }
        }
        _ => Err(Failure(
            StatusCode::BAD_REQUEST,
            "Bad request",
            json!(format!("Bad request - Action name not known: {action}")),
        )),
    }
}

/// The actions served.
pub const ACTIONS: [&str; 9] = [
    "status_show",
    "package_list",
    "package_show",
    "package_search",
    "organization_list",
    "organization_show",
    "tag_list",
    "resource_show",
    "help_show",
];

/// `GET|POST /opendata/api/[3/]action/{action}`.
pub async fn action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(action): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let help = help_url(&s.settings.public_base_url, &action);
    let outcome = match s.limit_public(&ctx, "opendata") {
        Err(e) => Err(Failure::from(e)),
        Ok(()) => match parameters(query.as_deref(), &headers, &body) {
            Ok(p) => act(&s, &action, p).await,
            Err(f) => Err(f),
        },
    };
    match outcome {
        Ok(result) => Json(json!({ "help": help, "success": true, "result": result })).into_response(),
        Err(Failure(status, kind, message)) => {
            let mut error = match message {
                Value::Object(fields) => Value::Object(fields),
                m => json!({ "message": m }),
            };
            error["__type"] = json!(kind);
            (status, Json(json!({ "help": help, "success": false, "error": error }))).into_response()
        }
    }
}
