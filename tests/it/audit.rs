use serde_json::json;

use crate::support::{TestApp, drop_guards};

/// Five changes; returns the ids of the audit entries of the busiest chain, in order.
async fn some_changes(app: &TestApp) -> Vec<i64> {
    app.user("admin", "system_admin", None, None).await;
    let api = app.api(&app.token("admin", &["read", "write"]).await);
    for i in 0..5 {
        let (s, _) = api
            .post("/api/v1/departments", json!({ "code": format!("d{i}"), "name": format!("{i} 局"), "kind": "other" }))
            .await;
        assert_eq!(s, 201);
    }
    app.db
        .read(|tx| {
            let part = tx
                .query_one("SELECT part FROM audit_log GROUP BY part ORDER BY COUNT(*) DESC, part LIMIT 1", &[])?
                .int(0)?;
            let rows = tx.query("SELECT id FROM audit_log WHERE part = $1 ORDER BY seq", zaizao::params![part])?;
            Ok(rows.iter().filter_map(|r| r.int(0).ok()).collect())
        })
        .await
        .expect("ids")
}

#[tokio::test]
async fn the_log_refuses_edits_through_the_database_itself() {
    let app = TestApp::spawn().await;
    some_changes(&app).await;
    let edit = app.db.write(|tx| Ok(tx.execute("UPDATE audit_log SET actor = 'nobody'", &[])?)).await;
    assert!(edit.is_err());
    let delete = app.db.write(|tx| Ok(tx.execute("DELETE FROM audit_log", &[])?)).await;
    assert!(delete.is_err());
    assert!(app.verify().await.ok);
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let app = TestApp::spawn().await;
    let ids = some_changes(&app).await;
    assert!(app.verify().await.ok);
    drop_guards(&app).await;
    let victim = ids[3];
    app.db
        .write(move |tx| {
            Ok(tx.execute("UPDATE audit_log SET after_json = '{}' WHERE id = $1", zaizao::params![victim])?)
        })
        .await
        .expect("tamper");
    let r = app.verify().await;
    assert!(!r.ok);
    assert_eq!(r.first_bad_id, Some(victim));
}

#[tokio::test]
async fn a_removed_entry_and_a_cut_tail_are_noticed() {
    let app = TestApp::spawn().await;
    let ids = some_changes(&app).await;
    drop_guards(&app).await;
    let last = *ids.last().expect("last");
    app.db
        .write(move |tx| Ok(tx.execute("DELETE FROM audit_log WHERE id = $1", zaizao::params![last])?))
        .await
        .expect("cut");
    let r = app.verify().await;
    assert!(!r.ok, "cutting the newest entry breaks the seal");
    let middle = ids[2];
    app.db
        .write(move |tx| Ok(tx.execute("DELETE FROM audit_log WHERE id = $1", zaizao::params![middle])?))
        .await
        .expect("cut");
    let r = app.verify().await;
    assert_eq!(r.first_bad_id, Some(ids[3]), "the entry after the hole is named");
}

#[tokio::test]
async fn reordered_entries_are_noticed() {
    let app = TestApp::spawn().await;
    let ids = some_changes(&app).await;
    drop_guards(&app).await;
    let (a, b) = (ids[1], ids[2]);
    app.db
        .write(move |tx| {
            tx.execute("UPDATE audit_log SET seq = -seq WHERE id = $1 OR id = $2", zaizao::params![a, b])?;
            tx.execute("UPDATE audit_log SET seq = -seq + 1 WHERE id = $1", zaizao::params![a])?;
            tx.execute("UPDATE audit_log SET seq = -seq - 1 WHERE id = $1", zaizao::params![b])?;
            Ok(())
        })
        .await
        .expect("swap");
    let r = app.verify().await;
    assert!(!r.ok);
    assert!(r.first_bad_id == Some(a) || r.first_bad_id == Some(b));
}

#[tokio::test]
async fn the_audit_page_filters_and_verifies() {
    let app = TestApp::spawn().await;
    some_changes(&app).await;
    app.user("auditor", "audit_admin", None, None).await;
    let b = app.browser("auditor").await;
    let (status, page) = b.text("/admin/audit?kind=department&verify=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("校验通过"));
    assert!(page.contains("4 局"));
    assert!(page.contains(">新建<") && page.contains("部门 #"), "the action and the record in words");
    assert!(page.contains(">admin 测试<"), "who acted, by name");
    assert!(page.contains("<dt>name</dt>") && page.contains("<ins>4 局</ins>"), "the change field by field");
    assert!(!page.contains("<pre"), "no raw JSON");
    let (_, page) = b.text("/admin/audit?actor=nobody").await;
    assert!(page.contains("没有符合条件的审计记录"));
    let (status, _) = b.text("/admin/audit?from=2019-99-01").await;
    assert_eq!(status, 422);
}
