//! Parsing input at the edge into values that cannot be wrong.

use super::error::AppError;

/// A trimmed, non-empty text of at most `max` characters.
pub fn text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid("required", field));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid_detail("too_long", field, format!("max {max}")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AppError::invalid("bad_value", field));
    }
    Ok(v.to_owned())
}

/// Like [`text`], but empty input is `None`.
pub fn opt_text(value: Option<&str>, field: &'static str, max: usize) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => text(v, field, max).map(Some),
        None => Ok(None),
    }
}

/// A code: ASCII letters, digits, `-` and `_`, 1–40 characters.
pub fn code(value: &str, field: &'static str) -> Result<String, AppError> {
    let v = text(value, field, 40)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::invalid("bad_value", field));
    }
    Ok(v)
}

pub fn date(value: &str, field: &'static str) -> Result<chrono::NaiveDate, AppError> {
    super::clock::parse_date(value).ok_or_else(|| AppError::invalid("bad_date", field))
}

pub fn opt_date(value: Option<&str>, field: &'static str) -> Result<Option<chrono::NaiveDate>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => date(v, field).map(Some),
        None => Ok(None),
    }
}

pub fn password(value: &str) -> Result<String, AppError> {
    if value.chars().count() < 10 {
        return Err(AppError::invalid("weak_password", "password"));
    }
    if value.len() > 256 {
        return Err(AppError::invalid("too_long", "password"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  市发展改革委 ", "name", 10).ok(), Some("市发展改革委".into()));
        assert!(text("   ", "name", 10).is_err());
        assert!(text("一二三四五六七八九十一", "name", 10).is_err());
        assert!(text("a\u{0}b", "name", 10).is_err());
    }

    #[test]
    fn codes_are_ascii() {
        assert!(code("fgw-01", "code").is_ok());
        assert!(code("发改委", "code").is_err());
        assert!(code("a b", "code").is_err());
    }
}
