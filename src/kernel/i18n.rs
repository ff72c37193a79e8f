//! zh-CN first, English too. Every user-facing string and every error code is a
//! message in a Fluent file (`i18n/zh-CN.ftl`, `i18n/en.ftl`) in the folder that uses
//! it: the kernel's here, each mechanism's in its own folder, gathered once at start-up
//! ([`install`]). `t` falls back to the key itself, so a missing message is visible,
//! never a crash; `tests/it/translations.rs` fails on one.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    /// First supported language in an `Accept-Language` header.
    pub fn from_accept_language(h: &str) -> Option<Lang> {
        h.split(',').find_map(|part| {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                Some(Lang::Zh)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        })
    }
}

/// One folder's messages, in both languages (Fluent source text).
#[derive(Debug, Clone, Copy)]
pub struct Translations {
    pub folder: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The kernel's own messages: errors, the shell, what every page shares.
pub const KERNEL: Translations =
    Translations { folder: "kernel", zh: include_str!("i18n/zh-CN.ftl"), en: include_str!("i18n/en.ftl") };

struct Catalog {
    bundles: [FluentBundle<FluentResource>; 2],
    /// Each message formatted once without arguments, for the common case.
    plain: HashMap<String, [&'static str; 2]>,
}

static INSTALLED: OnceLock<Catalog> = OnceLock::new();
static KERNEL_ONLY: LazyLock<Catalog> = LazyLock::new(|| build(&[]).0);

fn index(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    }
}

/// Gather the kernel's messages and `sources` into the catalogue every `t` reads. The
/// first call wins (the messages are compiled in, so later calls would add nothing).
/// Answers what is wrong with the files: syntax errors, a message defined twice, a
/// message in one language only.
pub fn install(sources: &[Translations]) -> Vec<String> {
    let (catalog, problems) = build(sources);
    let _ = INSTALLED.set(catalog);
    problems
}

/// What is wrong with these files, without installing them.
pub fn check(sources: &[Translations]) -> Vec<String> {
    build(sources).1
}

fn build(sources: &[Translations]) -> (Catalog, Vec<String>) {
    let mut problems = Vec::new();
    let mut bundles = [
        FluentBundle::new_concurrent(vec![unic_langid::langid!("zh-CN")]),
        FluentBundle::new_concurrent(vec![unic_langid::langid!("en")]),
    ];
    let mut ids: [HashMap<String, &str>; 2] = Default::default();
    for src in std::iter::once(&KERNEL).chain(sources) {
        for (i, (lang, text)) in [("zh-CN", src.zh), ("en", src.en)].into_iter().enumerate() {
            let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, errors)| {
                problems.extend(errors.iter().map(|e| format!("{}/i18n/{lang}.ftl: {e}", src.folder)));
                partial
            });
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry
                    && let Some(before) = ids[i].insert(m.id.name.to_owned(), src.folder)
                {
                    problems.push(format!("{}/i18n/{lang}.ftl: {} is also defined in {before}", src.folder, m.id.name));
                }
            }
            bundles[i].set_use_isolating(false);
            bundles[i].add_resource_overriding(resource);
        }
    }
    for (i, lang) in ["zh-CN", "en"].into_iter().enumerate() {
        for (id, folder) in &ids[i] {
            if !ids[1 - i].contains_key(id) {
                let other = if i == 0 { "en" } else { "zh-CN" };
                problems.push(format!("{folder}/i18n/{other}.ftl lacks {id}, which {lang} has"));
            }
        }
    }
    let mut plain = HashMap::new();
    for id in ids[0].keys() {
        let text = |i: usize| -> &'static str {
            let bundle: &FluentBundle<FluentResource> = &bundles[i];
            let formatted = bundle.get_message(id).and_then(|m| m.value()).map(|pattern| {
                let mut errors = Vec::new();
                bundle.format_pattern(pattern, None, &mut errors).into_owned()
            });
            Box::leak(formatted.unwrap_or_else(|| id.clone()).into_boxed_str())
        };
        plain.insert(id.clone(), [text(0), text(1)]);
    }
    (Catalog { bundles, plain }, problems)
}

fn catalog() -> &'static Catalog {
    INSTALLED.get().unwrap_or(&KERNEL_ONLY)
}

/// The message `key` in `lang`, if any file has it (for names built from a code).
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    catalog().plain.get(key).map(|texts| texts[index(lang)])
}

pub fn t(lang: Lang, key: &str) -> &str {
    match catalog().plain.get(key) {
        Some(texts) => texts[index(lang)],
        None => key,
    }
}

/// A message with arguments (`{ $name }` in the file).
pub fn t_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let bundle = &catalog().bundles[index(lang)];
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(*value));
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

pub fn has(key: &str) -> bool {
    catalog().plain.contains_key(key)
}
