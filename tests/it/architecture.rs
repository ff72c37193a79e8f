//! The shape the next mechanisms rely on, checked on the source: the kernel and the
//! platform pages never name a mechanism, nor `app.rs` that lists them; a mechanism
//! never names another (it goes through a kernel seam).

use crate::support::rust_files;

fn src() -> std::path::PathBuf {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).to_path_buf()
}

/// `crate::<id>` of the mechanisms other than `except`, and of the top-level modules
/// that list or assemble them.
fn forbidden(except: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> =
        zaizao::app::MECHANISMS.iter().filter(|m| Some(m.id) != except).map(|m| format!("crate::{}", m.id)).collect();
    names.extend(["crate::app".to_owned(), "crate::home".to_owned(), "crate::demo".to_owned()]);
    names
}

/// "file names crate::x" for each file under `dir` that names one of `names`.
fn naming(dir: &str, names: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(&src().join(dir)) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        found.extend(
            names.iter().filter(|n| text.contains(n.as_str())).map(|n| format!("{} names {n}", file.display())),
        );
    }
    found
}

#[test]
fn the_kernel_and_the_platform_name_no_mechanism() {
    let names = forbidden(None);
    assert!(names.len() >= 6);
    let found: Vec<String> = ["kernel", "platform"].iter().flat_map(|dir| naming(dir, &names)).collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn mechanisms_stand_side_by_side() {
    let found: Vec<String> =
        zaizao::app::MECHANISMS.iter().flat_map(|m| naming(m.id, &forbidden(Some(m.id)))).collect();
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
        assert!(src().join(m.id).join("mod.rs").exists(), "{}: one folder", m.id);
    }
    let mut kinds: Vec<&str> = registry.processes.iter().map(|p| p.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), registry.processes.len(), "process kinds are unique");
}

/// Every migration file in a folder is declared by that folder, and the numbers form one
/// sequence with none used twice.
#[test]
fn each_folders_migrations_are_its_own_and_numbered_once() {
    let declared_in = |dir: &str| -> Vec<i64> {
        let mut found: Vec<i64> = std::fs::read_dir(src().join(dir).join("migrations"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".sql") && !n.ends_with(".sqlite.sql") && !n.ends_with(".postgres.sql"))
            .filter_map(|n| n.get(..4).and_then(|v| v.parse().ok()))
            .collect();
        found.sort();
        found
    };
    let registry = zaizao::app::registry();
    for m in &registry.mechanisms {
        let declared: Vec<i64> = m.migrations.iter().map(|x| x.version).collect();
        assert_eq!(declared_in(m.id), declared, "{}: files and declarations differ", m.id);
    }
    let kernel: Vec<i64> = zaizao::kernel::registry::KERNEL_MIGRATIONS.iter().map(|x| x.version).collect();
    assert_eq!(declared_in("kernel"), kernel);
    let ordered = zaizao::kernel::db::migrate::plan(&registry.migrations).expect("no number twice");
    let versions: Vec<i64> = ordered.iter().map(|m| m.version).collect();
    assert_eq!(versions, (1..=versions.len() as i64).collect::<Vec<_>>(), "one sequence without gaps");
}

/// Records are read from rows by column name on both databases, so a column added to a
/// query cannot shift another field; a name the query lacks is an error, not a wrong value.
#[tokio::test]
async fn rows_are_read_by_name() {
    let app = crate::support::TestApp::spawn().await;
    let (n, t, missing) = app
        .db
        .read(|tx| {
            let r = tx.query_one("SELECT 'inserted' AS surprise, 7 AS n, '青岛' AS t", &[])?;
            Ok((r.int("n")?, r.text("t")?, r.int("absent").is_err()))
        })
        .await
        .expect("query");
    assert_eq!((n, t.as_str(), missing), (7, "青岛", true));
    let sources: Vec<String> = rust_files(&src())
        .into_iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .filter(|text| text.contains("fn from_row"))
        .filter(|text| {
            let body = text.split("fn from_row").nth(1).unwrap_or("");
            let body = body.split("\n}\n").next().unwrap_or("");
            ["r.int(1", "r.text(1", "r.text(2", "r.int(2"].iter().any(|p| body.contains(p))
        })
        .collect();
    assert!(sources.is_empty(), "from_row reads by position in {} file(s)", sources.len());
}

/// A process's deadline is set and judged by the workflow kernel when a transition fires
/// (`deadlines::on_transition`); a mechanism records the rest in its subject's
/// `after_fire`, and never counts the process file's working days itself.
#[test]
fn only_the_kernel_counts_a_process_deadline() {
    let found: Vec<String> = zaizao::app::MECHANISMS
        .iter()
        .flat_map(|m| rust_files(&src().join(m.id)))
        .filter(|f| std::fs::read_to_string(f).unwrap_or_default().contains("timing.deadline_working_days"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "deadline computed outside the kernel in {found:?}");
}
