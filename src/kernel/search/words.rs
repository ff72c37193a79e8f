//! Word segmentation for the index and for queries: jieba in search mode (so 中华人民共和国
//! is found by 共和国 too), lower-cased, without punctuation, spaces and the commonest
//! function characters.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// The name the index knows the tokenizer by.
pub const NAME: &str = "zh_words";

/// Single characters that carry no meaning of their own in a search.
const STOP: &[&str] = &[
    "的", "了", "和", "是", "在", "与", "及", "等", "也", "就", "都", "而", "对", "把", "被", "这", "那", "有", "为",
    "之", "于", "以", "其", "或", "但", "并", "从", "向", "a", "an", "the", "of", "and", "or", "to", "in",
];

#[derive(Clone)]
pub struct Words(JiebaTokenizer);

impl Default for Words {
    fn default() -> Self {
        Words(JiebaTokenizer::new())
    }
}

pub struct WordStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut inner = self.0.token_stream(text);
        let mut tokens = Vec::new();
        while inner.advance() {
            let t = inner.token();
            if !t.text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let text = t.text.to_lowercase();
            if STOP.contains(&text.as_str()) {
                continue;
            }
            tokens.push(Token { text, position: tokens.len(), ..t.clone() });
        }
        WordStream { tokens, next: 0 }
    }
}

/// The distinct words of a text, in order (what a query searches for).
pub fn words(text: &str) -> Vec<String> {
    let mut tokenizer = Words::default();
    let mut stream = tokenizer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    while stream.advance() {
        let w = &stream.token().text;
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_cut_into_words_not_characters() {
        let w = words("市北区道路积水严重，车辆无法通行");
        assert!(w.contains(&"道路".to_string()), "{w:?}");
        assert!(w.contains(&"积水".to_string()), "{w:?}");
        assert!(!w.contains(&"，".to_string()));
        assert!(!w.iter().any(|t| t == "路"), "single characters of a known word are not indexed alone: {w:?}");
    }

    #[test]
    fn search_mode_finds_parts_of_long_words_and_drops_stop_characters() {
        let w = words("中华人民共和国的 Policy");
        assert!(w.contains(&"共和国".to_string()), "{w:?}");
        assert!(w.contains(&"policy".to_string()));
        assert!(!w.contains(&"的".to_string()));
    }
}
