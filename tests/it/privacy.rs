//! 个人信息保护: personal information is erased when its retention period has passed
//! (counts and figures unchanged), and a person's own data is exported on request.

use serde_json::json;

use crate::support::TestApp;

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.db.read(move |tx| Ok(tx.count(sql, &[])?)).await.expect("count")
}

/// The retention sweep alone, at the clock's time, as the scheduler runs it.
async fn sweep(app: &TestApp) -> usize {
    let (env, now) = (app.state.environment(), app.clock.now());
    app.db
        .write(move |tx| {
            zaizao::kernel::privacy::sweep(tx, &zaizao::kernel::audit::Who::system("scheduler", now), &env)
        })
        .await
        .expect("sweep")
}

#[tokio::test]
async fn expired_personal_information_is_erased_and_the_figures_stay() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let leader = app.api(&app.token("leader", &["read"]).await);
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let closed_with_contact =
        "SELECT COUNT(*) FROM leads WHERE state = 'closed' AND (reporter_contact <> '' OR reporter_name <> '')";
    let open_with_contact = "SELECT COUNT(*) FROM leads WHERE state <> 'closed' AND reporter_contact <> ''";
    let (closed, open) = (count(&app, closed_with_contact).await, count(&app, open_with_contact).await);
    assert!(closed > 0 && open > 0, "the demo has closed and open leads with reporters: {closed}, {open}");
    // The sweep is the scheduler's; nothing has expired under the default periods yet.
    app.run_scheduler().await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM database_facts WHERE name = 'privacy_swept_at'").await, 1);
    assert_eq!(count(&app, closed_with_contact).await, closed);

    let (s, e) = admin.put("/api/v1/settings/supervision.reporter_days", json!({"value": 3650000})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_value")), "{e}");
    let (s, _) = admin.put("/api/v1/settings/supervision.reporter_days", json!({"value": 1})).await;
    assert_eq!(s, 200);
    let (s, _) = admin.put("/api/v1/settings/evaluation.rater_days", json!({"value": 1})).await;
    assert_eq!(s, 200);
    app.clock.advance_ms(3 * 86_400_000);
    let (_, figures) = leader.get("/api/v1/leads/figures").await;
    let (_, ranking) = leader.get("/api/v1/evaluation/ranking").await;
    let leads = count(&app, "SELECT COUNT(*) FROM leads").await;
    sweep(&app).await;

    assert_eq!(count(&app, closed_with_contact).await, 0, "closed leads' reporters are erased");
    assert_eq!(count(&app, open_with_contact).await, open, "open leads keep their reporters");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM leads").await, leads, "no lead is removed");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ratings WHERE rater_contact <> '' OR rater_name <> ''").await, 0);
    assert_eq!(leader.get("/api/v1/leads/figures").await.1, figures, "the figures do not change");
    assert_eq!(leader.get("/api/v1/evaluation/ranking").await.1, ranking, "nor the ranking");
    let erased = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'erase_personal'").await;
    assert!(erased >= 2, "each kind erased is in the audit trail: {erased}");
    assert!(app.verify().await.ok);

    // The sweep runs once a day.
    app.clock.advance_ms(3_600_000);
    sweep(&app).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'erase_personal'").await, erased);
}

/// A clerk whose account holds a phone and an e-mail, a system administrator (whose API is
/// answered) and a security administrator.
async fn clerk_with_contacts() -> (TestApp, i64, crate::support::Api) {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "internal").await;
    let id = app.user("liqing", "staff", Some(dept), None).await;
    app.user("admin", "system_admin", None, None).await;
    app.user("secadmin", "security_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let body = json!({"display_name": "李青", "department_id": dept, "email": "liqing@qingdao.gov.cn", "phone": "13800001111"});
    assert_eq!(admin.put(&format!("/api/v1/users/{id}"), body).await.0, 200);
    (app, id, admin)
}

#[tokio::test]
async fn a_persons_own_data_is_exported_by_the_system_administrator_on_request() {
    let (app, id, admin) = clerk_with_contacts().await;
    let liqing = app.api(&app.token("liqing", &["read"]).await);
    assert_eq!(liqing.get("/api/v1/me").await.0, 200);

    let (s, data) = admin.get(&format!("/api/v1/users/{id}/personal-data")).await;
    assert_eq!(s, 200, "{data}");
    assert_eq!(data["account"]["name"], "李青");
    assert_eq!(data["personal_information"]["account_contact"][0]["phone"], "13800001111");
    assert_eq!(data["personal_information"]["account_contact"][0]["email"], "liqing@qingdao.gov.cn");
    assert!(data["actions"].is_array() && data["sign_ins"].is_array());
    let exports = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'export_personal'").await;
    assert_eq!(exports, 1);

    let sec = app.api(&app.token("secadmin", &["read", "write"]).await);
    assert_eq!(sec.get(&format!("/api/v1/users/{id}/personal-data")).await.0, 403, "not the security administrator's");
    let (s, _) = admin.get("/api/v1/users/999999/personal-data").await;
    assert_eq!(s, 404);

    // The same through the account's page.
    let browser = app.browser("admin").await;
    let page = browser.get(&format!("/admin/users/{id}")).await.text().await.unwrap_or_default();
    assert!(page.contains("导出个人信息"), "the account page offers the export");
    let res = browser.post(&format!("/admin/users/{id}/personal-data"), &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("attachment")),
        "a file to save"
    );
    let file: serde_json::Value = res.json().await.expect("json");
    assert_eq!(file["account"]["username"], "liqing");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'export_personal'").await, 2);
}

#[tokio::test]
async fn account_contacts_are_masked_in_lists_and_shown_in_full_only_to_the_keeper_with_each_view_logged() {
    let (app, id, admin) = clerk_with_contacts().await;
    let views = "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND record_kind = 'user'";

    let (_, list) = admin.get("/api/v1/users?q=liqing").await;
    let listed = &list["items"][0];
    assert_eq!(
        (listed["phone"].as_str(), listed["email"].as_str()),
        (Some("138****1111"), Some("l***@qingdao.gov.cn"))
    );
    assert_eq!(count(&app, views).await, 0, "a list shows nothing in full");

    let (_, full) = admin.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(full["phone"], "13800001111", "the system administrator keeps the account and its contacts");
    assert_eq!(count(&app, views).await, 1, "the view is logged");

    let sec = app.api(&app.token("secadmin", &["read"]).await);
    let (s, masked) = sec.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(
        (s, masked["phone"].as_str()),
        (200, Some("138****1111")),
        "the security administrator's duty needs no contact"
    );
    assert_eq!(count(&app, views).await, 1);

    let page = app.browser("admin").await.get(&format!("/admin/users/{id}")).await.text().await.unwrap_or_default();
    assert!(page.contains("13800001111"), "the keeper edits the number in full");
    assert_eq!(count(&app, views).await, 2);
}
