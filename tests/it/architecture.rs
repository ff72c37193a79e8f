//! The shape the next mechanisms rely on, checked on the source: the kernel and the
//! platform pages never name a mechanism, nor `app.rs` that lists them; a mechanism
//! never names another (it goes through a kernel seam).

use crate::support::rust_files;

#[test]
fn the_kernel_and_the_platform_name_no_mechanism() {
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut forbidden: Vec<String> = zaizao::app::MECHANISMS.iter().map(|m| format!("crate::{}", m.id)).collect();
    forbidden.extend(["crate::app".to_owned(), "crate::home".to_owned(), "crate::demo".to_owned()]);
    assert!(forbidden.len() >= 6);
    let mut found = Vec::new();
    for dir in ["kernel", "platform"] {
        for file in rust_files(&src.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for name in &forbidden {
                if text.contains(name.as_str()) {
                    found.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn mechanisms_stand_side_by_side() {
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let ids: Vec<&str> = zaizao::app::MECHANISMS.iter().map(|m| m.id).collect();
    let mut found = Vec::new();
    for own in &ids {
        let mut forbidden: Vec<String> = ids.iter().filter(|o| *o != own).map(|o| format!("crate::{o}")).collect();
        forbidden.extend(["crate::app".to_owned(), "crate::home".to_owned(), "crate::demo".to_owned()]);
        for file in rust_files(&src.join(own)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for name in &forbidden {
                if text.contains(name.as_str()) {
                    found.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "a mechanism uses another only through a kernel seam: {found:#?}");
}

#[test]
fn every_mechanism_is_registered_once_with_its_parts() {
    let registry = zaizao::app::registry();
    let mut ids: Vec<&str> = registry.mechanisms.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), registry.mechanisms.len(), "ids are unique");
    for m in &registry.mechanisms {
        assert!((1..=7).contains(&m.number), "{}: the article's numbering", m.id);
        assert!(!m.nav.is_empty(), "{}: reachable from the navigation", m.id);
        let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).join(m.id);
        assert!(src.join("mod.rs").exists(), "{}: one folder", m.id);
    }
    let mut kinds: Vec<&str> = registry.processes.iter().map(|p| p.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), registry.processes.len(), "process kinds are unique");
}
