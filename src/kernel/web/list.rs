//! Lists that page, sort, filter and export, the same way on every page.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::Ctx;
use crate::kernel::error::AppError;

pub const PER_PAGE_MAX: i64 = 200;

/// The most rows one download holds.
pub const EXPORT_MAX: i64 = 100_000;

/// Lists count matching rows up to this many, so a page costs the same however large
/// the table grows; beyond it the total shows as "1000+".
pub const COUNT_CAP: i64 = 1000;

/// Rows of `from_where` (`FROM … WHERE …`), counted up to [`COUNT_CAP`] + 1.
pub fn count_capped(
    tx: &mut crate::kernel::db::Tx<'_>,
    from_where: &str,
    args: &[crate::kernel::db::Value],
) -> Result<i64, AppError> {
    Ok(tx.count(&format!("SELECT COUNT(*) FROM (SELECT 1 {from_where} LIMIT {}) capped", COUNT_CAP + 1), args)?)
}

/// Common list parameters: `?q=&page=&per=&sort=&dir=&format=csv`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Text filter.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per: Option<i64>,
    /// Column to sort by.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// `csv` or `xlsx` to export every matching row.
    pub format: Option<String>,
}

impl ListParams {
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
    pub fn per(&self) -> i64 {
        self.per.unwrap_or(50).clamp(1, PER_PAGE_MAX)
    }
    pub fn offset(&self) -> i64 {
        (self.page() - 1).saturating_mul(self.per())
    }
    pub fn q(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }
    pub fn desc(&self) -> bool {
        self.dir.as_deref() == Some("desc")
    }
    pub fn is_csv(&self) -> bool {
        self.format.as_deref() == Some("csv")
    }
    pub fn is_xlsx(&self) -> bool {
        self.format.as_deref() == Some("xlsx")
    }
    /// A download of every matching row rather than a page.
    pub fn is_export(&self) -> bool {
        self.is_csv() || self.is_xlsx()
    }
    /// The rows to fetch, as (limit, offset): a page, or every matching row (up to
    /// [`EXPORT_MAX`]) for a download.
    pub fn window(&self) -> (i64, i64) {
        if self.is_export() { (EXPORT_MAX, 0) } else { (self.per(), self.offset()) }
    }
    /// `ORDER BY` clause from a whitelist of (name, SQL expression), the first being the
    /// default, with `id_column` breaking ties so pages never overlap.
    pub fn order_by(&self, id_column: &str, allowed: &[(&str, &str)]) -> String {
        let expr = self
            .sort
            .as_deref()
            .and_then(|s| allowed.iter().find(|(name, _)| *name == s))
            .or(allowed.first())
            .map_or(id_column, |(_, e)| e);
        format!(" ORDER BY {expr} {}, {id_column}", if self.desc() { "DESC" } else { "ASC" })
    }
    /// `%q%` for a LIKE filter.
    pub fn like(&self) -> Option<String> {
        self.q().map(|q| format!("%{}%", q.replace(['\\', '%', '_'], "")))
    }
}

/// A page of rows and the total count (capped at [`COUNT_CAP`] + 1).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per: i64,
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The current path with some query parameters replaced.
pub fn link_with(ctx: &Ctx, query: &[(&str, String)], set: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .filter(|(k, v)| !v.is_empty() && !set.iter().any(|(s, _)| s == k))
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    pairs.extend(set.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let qs: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v))).collect();
    if qs.is_empty() { ctx.path.clone() } else { format!("{}?{}", ctx.path, qs.join("&")) }
}

impl ListParams {
    pub fn as_query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone().unwrap_or_default()),
            ("per", self.per.map(|p| p.to_string()).unwrap_or_default()),
            ("sort", self.sort.clone().unwrap_or_default()),
            ("dir", self.dir.clone().unwrap_or_default()),
        ]
    }
}

/// A column header that sorts by `name`, flipping direction when already sorted by it.
pub fn sort_header(ctx: &Ctx, p: &ListParams, extra: &[(&str, String)], name: &str, label: &str) -> Markup {
    let current = p.sort.as_deref() == Some(name);
    let dir = if current && !p.desc() { "desc" } else { "asc" };
    let mut query: Vec<(&str, String)> = p.as_query();
    query.extend(extra.iter().cloned());
    let href = link_with(ctx, &query, &[("sort", name), ("dir", dir), ("page", "")]);
    html! {
        a.sort href=(href) {
            (label)
            @if current { @if p.desc() { " ▼" } @else { " ▲" } }
        }
    }
}

/// Paging links and the total, plus an export link.
pub fn pager(ctx: &Ctx, p: &ListParams, extra: &[(&str, String)], total: i64) -> Markup {
    let pages = ((total + p.per() - 1) / p.per()).max(1);
    let shown = if total > COUNT_CAP { format!("{COUNT_CAP}+") } else { total.to_string() };
    let of_pages = if total > COUNT_CAP { format!("{}", p.page()) } else { format!("{}/{}", p.page(), pages) };
    let mut query: Vec<(&str, String)> = p.as_query();
    query.extend(extra.iter().cloned());
    let prev = (p.page() > 1).then(|| link_with(ctx, &query, &[("page", &(p.page() - 1).to_string())]));
    let next = (p.page() < pages || total > COUNT_CAP)
        .then(|| link_with(ctx, &query, &[("page", &(p.page() + 1).to_string())]));
    let csv = link_with(ctx, &query, &[("format", "csv")]);
    let xlsx = link_with(ctx, &query, &[("format", "xlsx")]);
    html! {
        div.pager {
            span { (ctx.t_args("common-total", &[("n", &shown)])) " · " (ctx.t_args("common-page", &[("n", &of_pages)])) }
            @if let Some(h) = prev { a href=(h) { "‹ " (ctx.t("common-prev")) } }
            @if let Some(h) = next { a href=(h) { (ctx.t("common-next")) " ›" } }
            a.export href=(csv) { (ctx.t("common-export_csv")) }
            a href=(xlsx) { (ctx.t("common-export_xlsx")) }
        }
    }
}

/// A CSV download with a UTF-8 byte-order mark, so spreadsheet programs read Chinese.
pub fn csv_response(filename: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(header).map_err(|e| AppError::internal(e.to_string()))?;
    for r in rows {
        w.write_record(r.iter().map(|c| csv_safe(c))).map_err(|e| AppError::internal(e.to_string()))?;
    }
    let body = w.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
    Ok(download(&format!("{filename}.csv"), "text/csv; charset=utf-8", body))
}

/// A file to save: `body` of `content_type`, named `filename`.
pub fn download(filename: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

enum ExcelValue {
    Date(rust_xlsxwriter::ExcelDateTime),
    Minute(rust_xlsxwriter::ExcelDateTime),
    Number(f64),
}

/// A cell Excel should hold as a date (`YYYY-MM-DD`), a time to the minute
/// (`YYYY-MM-DD HH:MM`) or a number, so that it sorts and sums; anything else (codes with
/// leading zeros, phone numbers, identifiers of 16 digits or more) stays text.
fn excel_value(cell: &str) -> Option<ExcelValue> {
    use rust_xlsxwriter::ExcelDateTime;
    let b = cell.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| cell[r].parse::<u16>().ok();
    let ymd = |b: &[u8]| b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10);
    if ymd(b)
        && (b.len() == 10 || (b.len() == 16 && b[10] == b' ' && b[13] == b':' && digits(11..13) && digits(14..16)))
    {
        let day = ExcelDateTime::from_ymd(num(0..4)?, num(5..7)? as u8, num(8..10)? as u8).ok()?;
        if b.len() == 10 {
            return Some(ExcelValue::Date(day));
        }
        return day.and_hms(num(11..13)?, num(14..16)? as u8, 0).ok().map(ExcelValue::Minute);
    }
    let plain = !cell.is_empty()
        && cell.len() < 16
        && cell.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'-')
        && !(cell.len() > 1 && cell.starts_with('0') && !cell.starts_with("0."));
    if plain { cell.parse::<f64>().ok().filter(|n| n.is_finite()).map(ExcelValue::Number) } else { None }
}

/// An Excel download of the same rows.
pub fn xlsx_response(filename: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<Response, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::internal(e.to_string());
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(err)?;
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let minute = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match excel_value(cell) {
                Some(ExcelValue::Date(d)) => sheet.write_datetime_with_format(r, c, d, &date),
                Some(ExcelValue::Minute(d)) => sheet.write_datetime_with_format(r, c, d, &minute),
                Some(ExcelValue::Number(n)) => sheet.write_number(r, c, n),
                None => sheet.write_string(r, c, cell),
            }
            .map_err(err)?;
        }
    }
    let body = book.save_to_buffer().map_err(err)?;
    Ok(download(&format!("{filename}.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body))
}

/// The export the caller asked for: XLSX or CSV.
pub fn export(p: &ListParams, filename: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<Response, AppError> {
    if p.is_xlsx() { xlsx_response(filename, header, rows) } else { csv_response(filename, header, rows) }
}

/// An API list: the page as JSON, or with `format=csv|xlsx` every matching row as a file
/// whose columns are the items' fields (codes, as the JSON has them).
pub struct Listed<T> {
    pub page: Page<T>,
    pub params: ListParams,
    /// The file's name, without extension.
    pub name: &'static str,
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<T: serde::Serialize> IntoResponse for Listed<T> {
    fn into_response(self) -> Response {
        if !self.params.is_export() {
            return axum::Json(self.page).into_response();
        }
        let items: Vec<serde_json::Value> =
            self.page.items.iter().filter_map(|i| serde_json::to_value(i).ok()).collect();
        let header: Vec<String> =
            items.first().and_then(|i| i.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
        let rows = items.iter().map(|i| header.iter().map(|k| cell(&i[k.as_str()])).collect()).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        export(&self.params, self.name, &header, rows).unwrap_or_else(IntoResponse::into_response)
    }
}

/// Cells that a spreadsheet would run as a formula are prefixed with a quote.
fn csv_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@') if cell.parse::<f64>().is_err() => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_only_takes_whitelisted_columns() {
        let p = ListParams { sort: Some("name; DROP TABLE users".into()), ..Default::default() };
        assert_eq!(p.order_by("id", &[("code", "code"), ("name", "name")]), " ORDER BY code ASC, id");
        let p = ListParams { sort: Some("name".into()), dir: Some("desc".into()), ..Default::default() };
        assert_eq!(p.order_by("id", &[("code", "code"), ("name", "name")]), " ORDER BY name DESC, id");
    }

    #[test]
    fn formulas_are_defused_in_csv() {
        assert_eq!(csv_safe("=HYPERLINK()"), "'=HYPERLINK()");
        assert_eq!(csv_safe("-12"), "-12");
        assert_eq!(csv_safe("市发改委"), "市发改委");
    }
}

#[cfg(test)]
mod excel_cells {
    use super::{ExcelValue, excel_value};

    #[test]
    fn dates_times_and_numbers_become_excel_values_and_codes_stay_text() {
        assert!(matches!(excel_value("2019-04-10"), Some(ExcelValue::Date(_))));
        assert!(matches!(excel_value("2019-04-10 09:30"), Some(ExcelValue::Minute(_))));
        assert!(matches!(excel_value("19.50"), Some(ExcelValue::Number(n)) if (n - 19.5).abs() < 1e-9));
        assert!(matches!(excel_value("0"), Some(ExcelValue::Number(_))));
        for text in ["0532-12345", "13800000000000000", "2019-13-45", "2019-04", "红灯", "", "-", "1.2.3", "00123"] {
            assert!(excel_value(text).is_none(), "{text} stays text");
        }
    }
}
