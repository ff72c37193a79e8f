//! Forms that keep what was typed: a failed submission is shown again with its values
//! and its error beside the field.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::kernel::error::AppError;

pub type Fields = HashMap<String, String>;

/// The cookie carrying "what just happened" from a form's redirect to the next page.
pub const DONE_COOKIE: &str = "zz_done";

/// The confirmations a page may show, by message id; the cookie names one of these.
pub const CONFIRMATIONS: [&str; 3] = ["k-done", "k-done-transition", "k-done-holidays-unknown"];

tokio::task_local! {
    /// What the request being answered changed, for its redirect to confirm.
    pub static DONE: std::cell::Cell<Option<&'static str>>;
}

/// Note that the current request's change succeeded, to be confirmed on the next page.
pub fn confirm(message: &'static str) {
    let _ = DONE.try_with(|d| d.set(Some(message)));
}

/// A submission of the form named `form` that failed, to be shown again.
pub struct Retry {
    pub form: &'static str,
    pub values: Fields,
    pub err: AppError,
}

impl Retry {
    pub fn new(form: &'static str, values: Fields, err: AppError) -> Self {
        Retry { form, values, err }
    }
}

/// The value to show in `field` of `form`: what was typed if that form failed, else
/// `default`.
pub fn value<'a>(retry: Option<&'a Retry>, form: &str, field: &str, default: &'a str) -> &'a str {
    match retry {
        Some(r) if r.form == form => r.values.get(field).map_or("", String::as_str),
        _ => default,
    }
}

/// The error to show on `form`, if it is the one that failed.
pub fn error<'a>(retry: Option<&'a Retry>, form: &str) -> Option<&'a AppError> {
    retry.filter(|r| r.form == form).map(|r| &r.err)
}

/// A multipart form's text fields, and the file sent as `file_field` (when one was chosen).
pub async fn read_multipart(
    mut form: axum::extract::Multipart,
    file_field: &str,
) -> Result<(Fields, Option<(String, Vec<u8>)>), AppError> {
    let bad = || AppError::BadRequest { code: "bad_form", detail: None };
    let mut fields = Fields::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            let filename = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if !filename.is_empty() && !bytes.is_empty() {
                file = Some((filename, bytes.to_vec()));
            }
        } else {
            fields.insert(name, field.text().await.map_err(|_| bad())?);
        }
    }
    Ok((fields, file))
}

/// Read submitted fields as a typed input.
pub fn typed<T: DeserializeOwned>(fields: &Fields) -> Result<T, AppError> {
    let encoded =
        serde_urlencoded::to_string(fields).map_err(|_| AppError::BadRequest { code: "bad_form", detail: None })?;
    serde_urlencoded::from_str(&encoded).map_err(|e| AppError::Invalid {
        code: "bad_form",
        field: None,
        detail: Some(e.to_string()),
    })
}

/// Errors a person can fix by editing the form; others become an error page.
pub fn is_fixable(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Conflict { .. })
}

/// Check `action`, read the fields as `T`, and run `op` in one write transaction. An
/// error the person can fix comes back as a [`Retry`] to show the form again.
pub async fn attempt<T, R, F>(
    s: &super::AppState,
    ctx: &super::Ctx,
    action: crate::kernel::access::Action,
    form: &'static str,
    fields: Fields,
    op: F,
) -> Result<Result<R, Retry>, AppError>
where
    T: DeserializeOwned + Send + 'static,
    R: Send + 'static,
    F: FnOnce(&mut crate::kernel::db::Tx<'_>, &crate::kernel::audit::Who, T) -> Result<R, AppError> + Send + 'static,
{
    ctx.require(action)?;
    let result = match typed::<T>(&fields) {
        Ok(input) => s.change(ctx, action, move |tx, who| op(tx, who, input)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            confirm(if matches!(form, "transition" | "step") { CONFIRMATIONS[1] } else { CONFIRMATIONS[0] });
            Ok(Ok(r))
        }
        Err(e) if is_fixable(&e) => Ok(Err(Retry::new(form, fields, e))),
        Err(e) => Err(e),
    }
}

/// A form whose field `repeated` may come several times (checkboxes), which a map of
/// fields cannot hold: its CSRF token checked, the other fields, and the repeated ids.
pub fn with_repeated(ctx: &super::Ctx, body: &[u8], repeated: &str) -> Result<(Fields, Vec<i64>), AppError> {
    let (fields, mut lists) = with_repeated_lists(ctx, body, &[repeated])?;
    Ok((fields, lists.pop().unwrap_or_default()))
}

/// [`with_repeated`] for several repeated fields: their ids in the order named.
pub fn with_repeated_lists(
    ctx: &super::Ctx,
    body: &[u8],
    repeated: &[&str],
) -> Result<(Fields, Vec<Vec<i64>>), AppError> {
    let pairs: Vec<(String, String)> = parse(body)?;
    ctx.check_csrf(pairs.iter().find(|(k, _)| k == "_csrf").map_or("", |(_, v)| v.as_str()))?;
    let lists = repeated
        .iter()
        .map(|name| pairs.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.parse().ok()).collect())
        .collect();
    let fields = pairs.into_iter().filter(|(k, _)| !repeated.contains(&k.as_str()) && k != "_csrf").collect();
    Ok((fields, lists))
}

/// A page's request to fire a workflow transition, with an optional note.
#[derive(serde::Deserialize)]
pub struct TransitionForm {
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Decode `%XX` escapes and `+` of one `application/x-www-form-urlencoded` component.
fn percent_decode(part: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < part.len() => match (hex(part[i + 1]), hex(part[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A form body, refused with `bad_encoding` when any name or value is not UTF-8 (the
/// lenient decoders would store replacement characters), or `bad_form` when it does
/// not fit `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let clean = body
        .split(|b| *b == b'&')
        .flat_map(|pair| pair.split(|b| *b == b'='))
        .all(|part| std::str::from_utf8(&percent_decode(part)).is_ok());
    if !clean {
        return Err(AppError::BadRequest { code: "bad_encoding", detail: None });
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::BadRequest { code: "bad_form", detail: Some(e.to_string()) })
}

#[cfg(test)]
mod strict_tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_refused_and_valid_text_kept() {
        let ok: Fields = parse(b"a=%E9%9D%92%E5%B2%9B&b=x+y").expect("valid");
        assert_eq!(ok.get("a").map(String::as_str), Some("青岛"));
        assert_eq!(ok.get("b").map(String::as_str), Some("x y"));
        assert!(parse::<Fields>(b"a=%FF%FE").is_err());
        assert!(parse::<Fields>(b"a=\xff").is_err());
        assert!(parse::<Fields>(b"%C3=1").is_err());
        let pct: Fields = parse(b"a=100%25&b=%").expect("a literal percent");
        assert_eq!(pct.get("a").map(String::as_str), Some("100%"));
    }
}
