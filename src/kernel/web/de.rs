//! Lenient deserializers for values that arrive as JSON numbers or as form/query strings.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(i64),
    Text(String),
}

/// An optional id: a number, a numeric string, or an empty string (none).
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(NumOrText::Text(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A checkbox or boolean: `true`/`false`, `on`, `1`/`0`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    Ok(match BoolOrText::deserialize(d)? {
        BoolOrText::Bool(b) => b,
        BoolOrText::Text(s) => matches!(s.as_str(), "true" | "on" | "1"),
    })
}

/// A required id: a number or a numeric string.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    opt_id(d)?.ok_or_else(|| serde::de::Error::custom("an id is required"))
}
