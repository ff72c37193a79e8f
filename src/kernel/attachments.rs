//! Attachments: checked on the way in (size, type by name *and* by content), stored in
//! the database (so backups and every server have them), served as downloads with a
//! fixed, safe content type.

use base64::Engine;
use serde::Serialize;

use super::audit::{self, Change, Who};
use super::db::{Row, Tx};
use super::error::{AppError, AppResult};
use crate::params;

pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The body limit of a route that takes a file: the file plus its form's other fields
/// (the service's default limit is 1 MB).
pub fn body_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_BYTES + 256 * 1024)
}

/// Whether a file's first bytes fit its claimed type.
type Sniff = fn(&[u8]) -> bool;

/// Allowed types: extension, content type, and a check of the first bytes.
const TYPES: &[(&str, &str, Sniff)] = &[
    ("pdf", "application/pdf", |b| b.starts_with(b"%PDF-")),
    ("png", "image/png", |b| b.starts_with(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", |b| b.starts_with(&[0xFF, 0xD8, 0xFF])),
    ("jpeg", "image/jpeg", |b| b.starts_with(&[0xFF, 0xD8, 0xFF])),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", |b| {
        b.starts_with(b"PK\x03\x04")
    }),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", |b| b.starts_with(b"PK\x03\x04")),
    ("txt", "text/plain; charset=utf-8", |b| std::str::from_utf8(b).is_ok()),
    ("csv", "text/csv; charset=utf-8", |b| std::str::from_utf8(b).is_ok()),
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    /// The uploader's name.
    pub uploaded_by_name: String,
    pub created_at: i64,
}

/// A safe file name: no path, no control characters, at most 120 characters.
fn clean_name(name: &str) -> AppResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control() && !"<>:\"|?*".contains(*c)).take(120).collect();
    if clean.is_empty() || clean.starts_with('.') {
        return Err(AppError::invalid("bad_file_name", "file"));
    }
    Ok(clean)
}

/// Check a file and return its clean name and content type.
pub fn check(name: &str, bytes: &[u8]) -> AppResult<(String, &'static str)> {
    if bytes.is_empty() {
        return Err(AppError::invalid("empty_file", "file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::invalid_detail("file_too_large", "file", format!("max {} MB", MAX_BYTES / 1024 / 1024)));
    }
    let name = clean_name(name)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let (_, mime, sniff) =
        TYPES.iter().find(|(e, _, _)| *e == ext).ok_or_else(|| AppError::invalid("file_type", "file"))?;
    if !sniff(bytes) {
        return Err(AppError::invalid("file_content_mismatch", "file"));
    }
    Ok((name, mime))
}

pub fn store(
    tx: &mut Tx<'_>,
    who: &Who,
    owner_kind: &str,
    owner_id: i64,
    name: &str,
    bytes: &[u8],
) -> AppResult<Attachment> {
    let (name, mime) = check(name, bytes)?;
    let sha = super::crypto::sha256_hex(bytes);
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let id = tx.insert(
        "INSERT INTO attachments (owner_kind, owner_id, filename, content_type, size, sha256, data, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![owner_kind, owner_id, name, mime, bytes.len() as i64, sha, data, who.actor.as_str(), who.now],
    )?;
    let a = find(tx, id)?;
    audit::record(tx, who, Change::created("attachment", id, &a))?;
    Ok(a)
}

const COLUMNS: &str = concat!(
    "id, owner_kind, owner_id, filename, content_type, size, sha256, uploaded_by, created_at, ",
    crate::name_of!("uploaded_by"),
    " AS uploaded_by_name"
);

fn from_row(r: &Row) -> AppResult<Attachment> {
    Ok(Attachment {
        id: r.int("id")?,
        owner_kind: r.text("owner_kind")?,
        owner_id: r.int("owner_id")?,
        filename: r.text("filename")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        uploaded_by: r.text("uploaded_by")?,
        uploaded_by_name: r.text("uploaded_by_name")?,
        created_at: r.int("created_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Attachment> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

pub fn of(tx: &mut Tx<'_>, owner_kind: &str, owner_id: i64) -> AppResult<Vec<Attachment>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id");
    tx.query(&sql, params![owner_kind, owner_id])?.iter().map(from_row).collect()
}

pub fn content(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<u8>> {
    let data =
        tx.query_opt("SELECT data FROM attachments WHERE id = $1", params![id])?.ok_or(AppError::NotFound)?.text(0)?;
    base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| AppError::internal(e.to_string()))
}

/// A download response: the stored type, never sniffed, always as an attachment.
pub fn download(a: &Attachment, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let encoded = crate::kernel::web::list::url_encode(&a.filename);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked_by_name_and_by_content() {
        assert!(check("报告.pdf", b"%PDF-1.7 ...").is_ok());
        assert_eq!(check("x.pdf", b"<script>").err().map(|e| e.code()), Some("file_content_mismatch"));
        assert_eq!(check("x.exe", b"MZ").err().map(|e| e.code()), Some("file_type"));
        assert_eq!(check("../../etc/passwd.txt", b"x").ok().map(|(n, _)| n), Some("passwd.txt".into()));
        assert!(check(".htaccess", b"x").is_err());
        assert!(check("a.txt", &[]).is_err());
        assert!(check("big.txt", &vec![b'a'; MAX_BYTES + 1]).is_err());
    }
}
