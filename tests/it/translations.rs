//! Messages live in Fluent files beside the code that uses them; none may be missing in
//! either language, and notes are rendered in each reader's language when read.

use std::sync::{Arc, Mutex};

use zaizao::kernel::i18n::{self, Lang};
use zaizao::kernel::notify::{Delivery, Gateway, Note, Outgoing, Param};

use crate::support::{TestApp, rust_files};

#[test]
fn every_folder_has_each_message_in_both_languages() {
    let problems = i18n::check(&zaizao::app::translations());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_message_missing_in_one_language_is_reported() {
    let broken = i18n::Translations { folder: "broken", zh: "only-zh = 只有中文\n", en: "" };
    let problems = i18n::check(&[broken]);
    assert!(problems.iter().any(|p| p.contains("only-zh") && p.contains("en.ftl")), "{problems:?}");
    let bad_syntax = i18n::Translations { folder: "bad", zh: "= no id\n", en: "= no id\n" };
    assert!(!i18n::check(&[bad_syntax]).is_empty());
}

/// The folders' prefixes of message ids, and the old dotted families.
const PREFIXES: &[&str] = &[
    "co",
    "ev",
    "sv",
    "org",
    "acc",
    "pf",
    "k",
    "note",
    "common",
    "nav",
    "home",
    "role",
    "kind",
    "vis",
    "app",
    "login",
    "search",
    "divkind",
    "task",
    "pool",
    "interaction",
    "settings",
    "col",
    "action",
    "record",
    "light",
];

/// Every message id the code names (a string literal with a folder's prefix) exists.
#[test]
fn every_key_the_code_names_exists() {
    zaizao::app::registry();
    let looks_like_key = |s: &str| {
        s.split_once('-').is_some_and(|(prefix, rest)| {
            PREFIXES.contains(&prefix)
                && !rest.is_empty()
                && !rest.ends_with('-')
                && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
    };
    let mut missing = Vec::new();
    for file in rust_files(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
        let text = std::fs::read_to_string(&file).expect("read");
        // Odd pieces between quotes are string literals (near enough for ids).
        for literal in text.split('"').skip(1).step_by(2) {
            if looks_like_key(literal) && !i18n::has(literal) {
                missing.push(format!("{}: {literal}", file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    assert_eq!(i18n::t(Lang::En, "nav-home"), "Home");
    assert_eq!(i18n::t(Lang::Zh, "nav-home"), "首页");
}

struct Recording(Arc<Mutex<Vec<Outgoing>>>);

impl Gateway for Recording {
    fn deliver<'a>(&'a self, m: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            self.0.lock().expect("lock").push(m.clone());
            Ok(())
        })
    }
}

#[tokio::test]
async fn notes_are_rendered_in_the_readers_language_when_read() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let app = TestApp::spawn_with(Some(Arc::new(Recording(sent.clone())))).await;
    let zh_reader = app.user("zh_reader", "leader", None, None).await;
    let en_reader = app.user("en_reader", "leader", None, None).await;
    let now = app.clock.now();
    app.db
        .write(move |tx| {
            tx.execute("UPDATE users SET email = username || '@qingdao.gov.cn'", &[])?;
            tx.execute("UPDATE users SET lang = 'en' WHERE id = $1", &[en_reader.into()])?;
            let who = zaizao::kernel::audit::Who::system("test", now);
            let note = Note {
                kind: "test",
                message: "note-transition",
                params: vec![
                    ("transition", Param::Named { zh: "交办".into(), en: "Assign".into() }),
                    ("title", "海洋产业".into()),
                    ("state", Param::Named { zh: "办理中".into(), en: "In progress".into() }),
                ],
                body: String::new(),
                link: "/".into(),
            };
            zaizao::kernel::notify::send(tx, &who, &[zh_reader, en_reader], &note)
        })
        .await
        .expect("note");

    let reader = app.api(&app.token("zh_reader", &["read"]).await);
    let (status, inbox) = reader.get("/api/v1/notifications").await;
    assert_eq!(status, 200);
    let item = &inbox["items"][0];
    assert_eq!(item["title"], "交办：海洋产业（办理中）");
    assert_eq!(item["title_en"], "Assign: 海洋产业 (In progress)");

    let en = app.browser("en_reader").await;
    en.get("/lang/en?next=/").await;
    let (_, page) = en.text("/inbox").await;
    assert!(page.contains("Assign: 海洋产业 (In progress)"), "{page}");

    app.run_scheduler().await;
    let subjects: Vec<(String, String)> =
        sent.lock().expect("lock").iter().map(|m| (m.address.clone(), m.subject.clone())).collect();
    assert!(subjects.contains(&("zh_reader@qingdao.gov.cn".into(), "交办：海洋产业（办理中）".into())), "{subjects:?}");
    assert!(
        subjects.contains(&("en_reader@qingdao.gov.cn".into(), "Assign: 海洋产业 (In progress)".into())),
        "{subjects:?}"
    );
}

/// What looks like a message id left in a page: a known prefix, then `-` or `.`, then a
/// lower-case word (ids that no file has are shown as themselves).
fn untranslated(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'))
        .filter(|word| {
            PREFIXES.iter().any(|p| {
                word.strip_prefix(p).is_some_and(|rest| {
                    (rest.starts_with('-') || rest.starts_with('.'))
                        && rest[1..].starts_with(|c: char| c.is_ascii_lowercase())
                        && !rest.contains("..")
                })
            })
        })
        .map(str::to_owned)
        .collect()
}

/// Every page an administrator reaches from the demo city's home, in both languages,
/// shows words, never message ids.
#[tokio::test]
async fn no_page_shows_a_message_id() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = crate::support::Browser::new(&app.base);
    assert_eq!(admin.sign_in("admin", crate::support::PASSWORD).await.status(), 303);
    for lang in ["zh", "en"] {
        admin.get(&format!("/lang/{lang}?next=/")).await;
        let mut seen = std::collections::BTreeSet::from(["/".to_owned()]);
        let mut queue = vec!["/".to_owned()];
        let mut found = Vec::new();
        while let Some(path) = queue.pop() {
            let (status, html) = admin.text(&path).await;
            if status != 200 || !html.trim_start().to_ascii_lowercase().starts_with("<!doctype html") {
                continue;
            }
            let visible = strip_tags(&html);
            found.extend(untranslated(&visible).into_iter().map(|w| format!("{lang} {path}: {w}")));
            for link in html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                let link = link.split(['#', '?']).next().unwrap_or("").to_owned();
                let skip = !link.starts_with('/')
                    || link.starts_with("/static")
                    || link.starts_with("/api")
                    || link.starts_with("/lang")
                    || link == "/logout";
                if !skip && seen.len() < 150 && seen.insert(link.clone()) {
                    queue.push(link);
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
        assert!(seen.len() > 30, "the walk reached {} pages", seen.len());
    }
}

fn strip_tags(html: &str) -> String {
    let without_scripts: String =
        html.split("<script").map(|part| part.split("</script>").last().unwrap_or("")).collect();
    let mut out = String::new();
    let mut inside = false;
    for c in without_scripts.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}
