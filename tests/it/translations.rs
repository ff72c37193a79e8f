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

/// Every message id the code names (a string literal with a folder's prefix) exists.
#[test]
fn every_key_the_code_names_exists() {
    zaizao::app::registry();
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
    ];
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
