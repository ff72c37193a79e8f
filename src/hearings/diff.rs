//! A readable comparison of two texts: paragraphs matched as a whole, and within a changed
//! paragraph, characters (Chinese has no spaces to split words on).

use serde::Serialize;

/// A run of text that is kept, removed or added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Span {
    /// `same`, `removed` or `added`.
    pub op: &'static str,
    pub text: String,
}

/// One paragraph of the comparison: kept, removed, added, or changed (with its spans).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Paragraph {
    /// `same`, `removed`, `added` or `changed`.
    pub op: &'static str,
    pub spans: Vec<Span>,
}

/// The longest common subsequence of `a` and `b`, as pairs of indices. Quadratic: the
/// texts compared are plans of some thousands of characters.
fn common<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut len = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if a[i] == b[j] { len[i + 1][j + 1] + 1 } else { len[i + 1][j].max(len[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if len[i + 1][j] >= len[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn push(spans: &mut Vec<Span>, op: &'static str, c: &str) {
    match spans.last_mut() {
        Some(s) if s.op == op => s.text.push_str(c),
        _ => spans.push(Span { op, text: c.to_owned() }),
    }
}

/// Characters of `a` and `b` as kept, removed and added runs.
pub fn chars(a: &str, b: &str) -> Vec<Span> {
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut spans = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (ci, cj) in common(&x, &y).into_iter().chain([(x.len(), y.len())]) {
        while i < ci {
            push(&mut spans, "removed", &x[i].to_string());
            i += 1;
        }
        while j < cj {
            push(&mut spans, "added", &y[j].to_string());
            j += 1;
        }
        if ci < x.len() {
            push(&mut spans, "same", &x[ci].to_string());
        }
        (i, j) = (ci + 1, cj + 1);
    }
    spans
}

/// The paragraphs of a text: its non-empty lines.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Compare two texts paragraph by paragraph; a removed paragraph followed by an added one
/// is shown as one changed paragraph, compared by character.
pub fn compare(a: &str, b: &str) -> Vec<Paragraph> {
    let (x, y) = (paragraphs(a), paragraphs(b));
    let mut out: Vec<Paragraph> = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (ci, cj) in common(&x, &y).into_iter().chain([(x.len(), y.len())]) {
        let removed: Vec<&str> = x[i..ci].to_vec();
        let added: Vec<&str> = y[j..cj].to_vec();
        let paired = removed.len().min(added.len());
        for k in 0..paired {
            out.push(Paragraph { op: "changed", spans: chars(removed[k], added[k]) });
        }
        for r in &removed[paired..] {
            out.push(Paragraph { op: "removed", spans: vec![Span { op: "removed", text: (*r).to_owned() }] });
        }
        for a in &added[paired..] {
            out.push(Paragraph { op: "added", spans: vec![Span { op: "added", text: (*a).to_owned() }] });
        }
        if ci < x.len() {
            out.push(Paragraph { op: "same", spans: vec![Span { op: "same", text: x[ci].to_owned() }] });
        }
        (i, j) = (ci + 1, cj + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_paragraph_is_compared_by_character() {
        let a = "一、总体目标\n到2019年底，海洋生产总值增长15%。\n二、主要任务";
        let b = "一、总体目标\n到2019年底，海洋生产总值增长16%以上。\n二、主要任务\n三、保障措施";
        let d = compare(a, b);
        assert_eq!(d.iter().map(|p| p.op).collect::<Vec<_>>(), ["same", "changed", "same", "added"]);
        let spans = &d[1].spans;
        assert!(spans.contains(&Span { op: "removed", text: "5".into() }), "{spans:?}");
        assert!(spans.contains(&Span { op: "added", text: "6".into() }), "{spans:?}");
        assert!(spans.contains(&Span { op: "added", text: "以上".into() }), "{spans:?}");
        let rebuilt: String = spans.iter().filter(|s| s.op != "removed").map(|s| s.text.as_str()).collect();
        assert_eq!(rebuilt, "到2019年底，海洋生产总值增长16%以上。");
    }

    #[test]
    fn identical_texts_have_no_changes() {
        assert!(compare("甲\n乙", "甲\n乙").iter().all(|p| p.op == "same"));
        assert_eq!(compare("", "新").len(), 1);
    }
}
