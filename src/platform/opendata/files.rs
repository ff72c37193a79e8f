//! A dataset as files, without sign-in: JSON pages with incremental sync (changes since
//! a time, removals included, and the cursor of the next page), CSV streamed in pages of
//! records so a full download runs in constant memory, and XLSX for spreadsheet users.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value as Json_, json};

use crate::kernel::clock;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::opendata::{Cursor, Dataset, Record, cell};
use crate::kernel::web::{AppState, Ctx, Q};

/// Records per page of a JSON answer (unless asked for fewer) and per step of a stream.
pub const PAGE: i64 = 1000;
const MAX_PAGE: i64 = 5000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// Only records changed after this time: ISO 8601 (`2019-04-10T09:00:00+08:00`) or
    /// milliseconds since 1970.
    pub since: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Records per page, 1–5000 (default 1000).
    pub limit: Option<i64>,
}

/// A time as a harvester writes it: milliseconds, or ISO 8601 with or without a zone
/// (China time when none).
pub fn parse_since(s: &str) -> AppResult<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| clock::parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)).ok_or(()))
        .map_err(|_| AppError::invalid("bad_since", "since"))?;
    naive
        .and_local_timezone(clock::china())
        .single()
        .map(|t| t.timestamp_millis())
        .ok_or(AppError::invalid("bad_since", "since"))
}

pub fn dataset(s: &AppState, name: &str) -> AppResult<&'static Dataset> {
    s.registry.dataset(name).ok_or(AppError::NotFound)
}

/// `/opendata/datasets/{name}.json|csv|xlsx`.
pub async fn download(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Q(q): Q<SyncQuery>,
) -> AppResult<Response> {
    s.limit_public(&ctx, "opendata")?;
    let (name, format) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let d = dataset(&s, name)?;
    match format {
        "json" => sync_page(&s, d, &q).await.map(|j| Json(j).into_response()),
        "csv" => Ok(csv_stream(&s, d)),
        "xlsx" => xlsx(&s, d, &ctx).await,
        _ => Err(AppError::NotFound),
    }
}

fn as_object(d: &Dataset, withheld: &[String], r: &Record) -> Json_ {
    let mut o = serde_json::Map::new();
    for (f, v) in d.published(withheld).zip(&r.values) {
        o.insert(f.name.to_owned(), v.clone());
    }
    Json_::Object(o)
}

/// One page of records changed after `since` (all of them without it), in the order they
/// changed; the first page of a sync also lists the records withdrawn since then.
async fn sync_page(s: &AppState, d: &'static Dataset, q: &SyncQuery) -> AppResult<Json_> {
    let since = q.since.as_deref().filter(|v| !v.trim().is_empty()).map(parse_since).transpose()?;
    let limit = q.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid("bad_value", "limit"));
    }
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(Cursor::decode(a).ok_or(AppError::invalid("bad_value", "after"))?),
        None => None,
    };
    let start = after.unwrap_or_else(|| since.map_or(Cursor { updated_at: i64::MIN, id: 0 }, Cursor::since));
    let withheld = s.settings.opendata_withhold.clone();
    let first_page = after.is_none();
    let (records, removed) =
        s.db.read(move |tx| {
            let records = d.records(tx, &withheld, start, limit)?;
            let removed = match (first_page, since) {
                (true, Some(since)) => d.removed(tx, since, MAX_PAGE)?,
                _ => Vec::new(),
            };
            Ok((records, removed))
        })
        .await?;
    let withheld = &s.settings.opendata_withhold;
    let next = (records.len() as i64 == limit)
        .then(|| records.last().map(|r| Cursor { updated_at: r.updated_at, id: r.id }.encode()))
        .flatten();
    Ok(json!({
        "dataset": d.name,
        "generated_at": clock::rfc3339(s.clock.now_ms()),
        "since": since.map(clock::rfc3339),
        "records": records.iter().map(|r| as_object(d, withheld, r)).collect::<Vec<_>>(),
        "removed": removed.iter().map(|(id, at)| json!({ "id": id, "removed_at": clock::rfc3339(*at) })).collect::<Vec<_>>(),
        "next": next,
    }))
}

fn csv_text(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@') if cell.parse::<f64>().is_err() => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn csv_bytes(d: &Dataset, withheld: &[String], records: &[Record]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let kinds: Vec<_> = d.published(withheld).map(|f| f.kind).collect();
    for r in records {
        w.write_record(r.values.iter().zip(&kinds).map(|(v, k)| csv_text(&cell(v, *k)).into_owned()))?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

enum Step {
    Header,
    After(Cursor),
    Done,
}

/// Every published record as CSV (field names as the header, as the Data Package
/// describes it), read and sent a page at a time.
fn csv_stream(s: &AppState, d: &'static Dataset) -> Response {
    let state = s.clone();
    let stream = futures_util::stream::unfold(Step::Header, move |step| {
        let s = state.clone();
        async move {
            let withheld = s.settings.opendata_withhold.clone();
            match step {
                Step::Header => {
                    let names: Vec<&str> = d.published(&withheld).map(|f| f.name).collect();
                    let line = Bytes::from(format!("{}\r\n", names.join(",")));
                    Some((Ok(line), Step::After(Cursor { updated_at: i64::MIN, id: 0 })))
                }
                Step::After(cursor) => {
                    let w = withheld.clone();
                    match s.db.read(move |tx| d.records(tx, &w, cursor, PAGE)).await {
                        Ok(records) if records.is_empty() => None,
                        Ok(records) => {
                            let next = match records.last() {
                                Some(r) if records.len() as i64 == PAGE => {
                                    Step::After(Cursor { updated_at: r.updated_at, id: r.id })
                                }
                                _ => Step::Done,
                            };
                            Some((csv_bytes(d, &withheld, &records), next))
                        }
                        Err(e) => Some((Err(std::io::Error::other(e.to_string())), Step::Done)),
                    }
                }
                Step::Done => None,
            }
        }
    });
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.csv\"", d.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Workbooks are built whole in memory; one at a time, so a burst of requests for a large
/// dataset queues instead of multiplying the memory it takes.
static WORKBOOKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The dataset as a workbook headed by the fields' titles in the reader's language (built
/// whole: spreadsheets are for people, up to Excel's million rows).
async fn xlsx(s: &AppState, d: &'static Dataset, ctx: &Ctx) -> AppResult<Response> {
    let _turn = WORKBOOKS.acquire().await.map_err(|_| AppError::Unavailable("workbooks".into()))?;
    let withheld = s.settings.opendata_withhold.clone();
    let w = withheld.clone();
    let records = s.db.read(move |tx| d.records(tx, &w, Cursor { updated_at: i64::MIN, id: 0 }, 1_048_000)).await?;
    let header: Vec<&str> = d.published(&withheld).map(|f| ctx.t(f.title)).collect();
    let kinds: Vec<_> = d.published(&withheld).map(|f| f.kind).collect();
    let rows = records.iter().map(|r| r.values.iter().zip(&kinds).map(|(v, k)| cell(v, *k)).collect()).collect();
    crate::kernel::web::list::xlsx_response(d.name, &header, rows)
}
