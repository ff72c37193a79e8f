//! Finding a person or a unit by what someone types into a picker: part of the Chinese
//! name (陈主任), its pinyin initials (czr) or its pinyin (chenzhuren), ignoring case.

use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

/// One choice a picker offers: the id to submit, the name to show, and what tells two
/// of the same name apart (post and unit).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub id: i64,
    pub name: String,
    pub detail: String,
}

/// What a picker asks for: the typed text, and the department to narrow to.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// Part of the name, its pinyin initials or its pinyin.
    #[serde(default)]
    pub q: String,
    /// Only people of this department.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
}

/// At most this many choices are offered at once.
pub const SUGGESTIONS: usize = 20;

/// The first few of `candidates` (id, name, detail) that match `typed`, in their order.
pub fn suggest(candidates: impl IntoIterator<Item = (i64, String, String)>, typed: &str) -> Vec<Suggestion> {
    candidates
        .into_iter()
        .filter(|(_, name, _)| matches(name, typed))
        .take(SUGGESTIONS)
        .map(|(id, name, detail)| Suggestion { id, name, detail })
        .collect()
}

/// The pinyin initials and the whole pinyin of a name, Latin letters and digits kept as
/// they are (lower-cased).
fn spellings(name: &str) -> (String, String) {
    let (mut initials, mut whole) = (String::new(), String::new());
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                initials.push_str(p.first_letter());
                whole.push_str(p.plain());
            }
            None if c.is_ascii_alphanumeric() => {
                let c = c.to_ascii_lowercase();
                initials.push(c);
                whole.push(c);
            }
            None => {}
        }
    }
    (initials, whole)
}

/// Whether `name` is what `typed` asks for; an empty query matches everything.
pub fn matches(name: &str, typed: &str) -> bool {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() || name.to_lowercase().contains(&typed) {
        return true;
    }
    if !typed.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let (initials, whole) = spellings(name);
    initials.contains(&typed) || whole.contains(&typed)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_name_is_found_by_characters_initials_or_pinyin() {
        assert!(matches("陈主任（市发展改革委）", "陈主"));
        assert!(matches("陈主任（市发展改革委）", "czr"));
        assert!(matches("陈主任（市发展改革委）", "CZR"));
        assert!(matches("王海燕", "wanghai"));
        assert!(matches("市发展和改革委员会", "fzhgg"));
        assert!(matches("王海燕", ""));
        assert!(!matches("王海燕", "czr"));
        assert!(!matches("王海燕", "刘"));
    }
}
