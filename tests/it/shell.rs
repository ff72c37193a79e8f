use serde_json::json;

use crate::support::{Browser, TestApp};

#[tokio::test]
async fn health_readiness_and_security_headers() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/healthz")).await.expect("healthz");
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert!(h["content-security-policy"].to_str().unwrap_or("").contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h.contains_key("x-request-id"));
    assert_eq!(reqwest::get(app.url("/readyz")).await.expect("readyz").status(), 200);
}

#[tokio::test]
async fn the_shell_has_a_home_per_role_the_seven_mechanisms_and_an_english_switch() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "public").await;
    app.user("staff1", "staff", Some(dept), None).await;
    app.user("firm", "enterprise", None, None).await;
    let b = app.browser("staff1").await;
    let (_, home) = b.text("/").await;
    assert!(home.contains("办理分配给您的任务与线索"));
    assert!(home.contains("顶格协调推进") && home.contains("协同监督"));
    assert!(home.contains("fgw 局"), "the user's department");
    let (status, m3) = b.text("/m/3").await;
    assert_eq!(status, 200);
    assert!(m3.contains("本模块尚未上线"));
    assert_eq!(b.get("/m/9").await.status(), 404);

    let res = b.get("/lang/en?next=/m/3").await;
    assert_eq!(res.headers()["location"], "/m/3");
    let (_, m3) = b.text("/m/3").await;
    assert!(m3.contains("This section is not built yet"), "the choice is remembered");
    assert!(m3.contains("lang=\"en\""));
    let res = b.get("/lang/en?next=https://evil.example").await;
    assert_eq!(res.headers()["location"], "/");

    let firm = app.browser("firm").await;
    let (_, home) = firm.text("/").await;
    assert!(home.contains("评价政务服务"));
    assert!(!home.contains("/admin/users"), "no admin navigation for outsiders");
    assert!(home.contains("href=\"/report\"") && home.contains("href=\"/exposures\""), "the public entries");
    let (_, home) = b.text("/").await;
    assert!(!home.contains("href=\"/report\""), "not in government staff's navigation");
    assert!(
        !home.contains("href=\"/admin/processes\"") && !home.contains("href=\"/api/docs\""),
        "nor the administrators' tools"
    );

    let anon = Browser::new(&app.base);
    let (status, page) = anon.text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains("未找到该记录") && page.contains("请求编号"));
}

/// Each mechanism declares its settings; all are listed and edited in one place, bounded
/// and audited, on the page and through the API.
#[tokio::test]
async fn every_mechanisms_settings_are_edited_on_one_page() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let (dept, division, _) = app.department("fgw", "public").await;
    app.user("clerk", "staff", Some(dept), Some(division)).await;
    let (status, listed) = app.api(&app.token("clerk", &["read"]).await).get("/api/v1/settings").await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = listed.as_array().expect("list").iter().filter_map(|v| v["key"].as_str()).collect();
    for m in &zaizao::app::registry().mechanisms {
        for s in m.settings {
            assert!(keys.contains(&s.key), "{} missing from {keys:?}", s.key);
        }
    }
    assert!(listed[0]["meaning"].as_str().is_some_and(|m| !m.is_empty() && !m.contains('-')), "{listed}");

    let admin = app.browser("admin").await;
    let (status, page) = admin.text("/admin/settings").await;
    assert_eq!(status, 200);
    assert!(page.contains("媒体曝光问题须在多少小时内回应"), "{page}");
    let res = admin.post("/admin/settings/supervision.exposure_hours", &[("value", "500")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("page");
    assert!(page.contains("value=\"500\""), "the typed value is kept");
    let res = admin.post("/admin/settings/supervision.exposure_hours", &[("value", "12")]).await;
    assert_eq!(res.status(), 303);
    let (_, listed) = app.api(&app.token("admin", &["read"]).await).get("/api/v1/settings").await;
    let hours = listed.as_array().expect("list").iter().find(|v| v["key"] == "supervision.exposure_hours").cloned();
    assert_eq!(hours.map(|h| h["value"].clone()), Some(serde_json::json!(12)));
    assert_eq!(admin.post("/admin/settings/no.such_setting", &[("value", "1")]).await.status(), 404);

    let clerk = app.browser("clerk").await;
    assert_eq!(clerk.post("/admin/settings/supervision.exposure_hours", &[("value", "30")]).await.status(), 403);
    let audited = app
        .db
        .read(
            |tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE record_kind = 'setting' AND action = 'set'", &[])?),
        )
        .await
        .expect("count");
    assert_eq!(audited, 1);
}

/// The inbox is in the order the notes were written, whatever order they were stored in,
/// and pages on from the last note seen.
#[tokio::test]
async fn the_inbox_is_newest_first_by_when_notes_were_written() {
    let app = TestApp::spawn().await;
    let me = app.user("clerk", "leader", None, None).await;
    app.db
        .write(move |tx| {
            for (n, at) in [(1, 3_000), (2, 1_000), (3, 2_000)] {
                tx.execute(
                    "INSERT INTO notifications (user_id, kind, title, title_en, body, link, created_at) \
                     VALUES ($1, 'task', $2, $2, '', '/', $3)",
                    zaizao::params![me, format!("第{n}条"), at],
                )?;
            }
            Ok(())
        })
        .await
        .expect("notes");
    let api = app.api(&app.token("clerk", &["read"]).await);
    let titles = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["title"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let (_, inbox) = api.get("/api/v1/notifications").await;
    assert_eq!(titles(&inbox), ["第1条", "第3条", "第2条"]);
    let second = inbox["items"][1]["id"].as_i64().expect("id");
    let (_, rest) = api.get(&format!("/api/v1/notifications?before={second}")).await;
    assert_eq!(titles(&rest), ["第2条"], "the page after the second note");
}

/// Notes about one record take one row of the inbox, the earlier ones folded under it,
/// and following any of them reads them all; notes about other records stay unread.
#[tokio::test]
async fn notes_about_one_record_are_one_row_and_read_together() {
    let app = TestApp::spawn().await;
    let me = app.user("clerk", "leader", None, None).await;
    app.db
        .write(move |tx| {
            for (n, link) in
                [(1, "/supervision/leads/7"), (2, "/tasks/3"), (3, "/supervision/leads/7"), (4, "/supervision/leads/7")]
            {
                tx.execute(
                    "INSERT INTO notifications (user_id, kind, title, title_en, body, link, created_at) \
                     VALUES ($1, 'lead', $2, $2, '', $3, $4)",
                    zaizao::params![me, format!("提醒{n}"), link, n * 1000],
                )?;
            }
            Ok(())
        })
        .await
        .expect("notes");
    let browser = app.browser("clerk").await;
    let (_, page) = browser.text("/inbox").await;
    assert!(page.contains("同一事项另有 2 条较早的提醒"), "{page}");
    assert_eq!(page.matches("/open\"").count(), 2, "two rows: the lead's and the task's");
    let api = app.api(&app.token("clerk", &["read"]).await);
    let (_, inbox) = api.get("/api/v1/notifications?unread=true").await;
    let newest = inbox["items"][0]["id"].as_i64().expect("id");
    assert_eq!(browser.get(&format!("/inbox/{newest}/open")).await.status(), 303);
    let (_, inbox) = api.get("/api/v1/notifications?unread=true").await;
    assert_eq!(inbox["unread"], 1, "the three about lead 7 are read: {inbox}");
    assert_eq!(inbox["items"][0]["link"], "/tasks/3");
}

/// A leader with an e-mail address, and their API client.
async fn clerk_with_email() -> (TestApp, i64, crate::support::Api) {
    let app = TestApp::spawn().await;
    let me = app.user("clerk", "leader", None, None).await;
    app.db
        .write(move |tx| {
            Ok(tx.execute("UPDATE users SET email = 'clerk@example.cn' WHERE id = $1", zaizao::params![me])?)
        })
        .await
        .expect("email");
    let api = app.api(&app.token("clerk", &["read", "write"]).await);
    (app, me, api)
}

/// A note that comes again while unread is counted on the first, not stored again; each
/// person chooses per kind whether notes also go out by e-mail and SMS.
#[tokio::test]
async fn repeats_are_counted_once_and_each_person_chooses_how_notes_reach_them() {
    use zaizao::kernel::notify::{self, Note};
    let (app, me, api) = clerk_with_email().await;
    let send = |kind: &'static str, link: &'static str| {
        let db = app.db.clone();
        async move {
            db.write(move |tx| {
                let note = Note {
                    kind,
                    message: "note-transition",
                    params: vec![("title", "稳外资".into())],
                    body: String::new(),
                    link: link.into(),
                };
                notify::send(tx, &zaizao::kernel::audit::Who::system("test", 1), &[me], &note)
            })
            .await
            .expect("send")
        }
    };
    send("task", "/tasks/1").await;
    send("task", "/tasks/1").await;
    send("task", "/tasks/2").await;
    let (_, inbox) = api.get("/api/v1/notifications").await;
    let items = inbox["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "the repeat is counted, not stored: {inbox}");
    assert!(items.iter().any(|n| n["link"] == "/tasks/1" && n["repeats"] == 2), "{inbox}");
    assert_eq!(app.count("outbox").await, 2, "a repeat is not e-mailed again");

    let (s, prefs) = api
        .put("/api/v1/me/notification-preferences", json!({ "preferences": [{ "kind": "task", "delivery": "inbox" }] }))
        .await;
    assert_eq!(s, 200, "{prefs}");
    assert!(prefs.as_array().is_some_and(|p| p.iter().any(|x| x["kind"] == "task" && x["delivery"] == "inbox")));
    send("task", "/tasks/3").await;
    assert_eq!(app.count("outbox").await, 2, "inbox only: no e-mail");
    send("reminder", "/tasks/3").await;
    assert_eq!(app.count("outbox").await, 3, "other kinds still go out at once");
    let (s, e) = api
        .put(
            "/api/v1/me/notification-preferences",
            json!({ "preferences": [{ "kind": "nonsense", "delivery": "inbox" }] }),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_value")));

    let b = app.browser("clerk").await;
    let (_, account) = b.text("/account").await;
    assert!(account.contains("通知方式") && account.contains("仅站内通知"));
    let res = b.post("/account/notifications", &[("task", "now"), ("reminder", "inbox")]).await;
    assert_eq!(res.status(), 303);
    let (_, prefs) = api.get("/api/v1/me/notification-preferences").await;
    let of = |k: &str| prefs.as_array().and_then(|a| a.iter().find(|x| x["kind"] == k)).map(|x| x["delivery"].clone());
    assert_eq!((of("task"), of("reminder")), (Some(json!("now")), Some(json!("inbox"))));
    let (_, inbox_page) = b.text("/inbox").await;
    assert!(inbox_page.contains("×2"), "the count shows in the inbox");
}

/// Kinds taken as a digest are not e-mailed one by one: from 08:00 each day one note sums
/// up those that came since the last, and that one is e-mailed, once a day.
#[tokio::test]
async fn routine_notes_arrive_as_one_daily_digest() {
    use zaizao::kernel::audit::Who;
    use zaizao::kernel::notify::{self, Note};
    let (app, me, api) = clerk_with_email().await;
    let (s, _) = api
        .put(
            "/api/v1/me/notification-preferences",
            json!({ "preferences": [{ "kind": "task", "delivery": "digest" }] }),
        )
        .await;
    assert_eq!(s, 200);
    // 2019-04-11 06:00 and 07:00 China time.
    let day = zaizao::kernel::clock::parse_date("2019-04-11")
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("t")
        .and_utc()
        .timestamp_millis()
        - 8 * 3_600_000;
    let at = |h: i64| day + h * 3_600_000;
    for (n, hour) in [(1, 6), (2, 7)] {
        let who = Who::system("test", at(hour));
        app.db
            .write(move |tx| {
                let note = Note {
                    kind: "task",
                    message: "note-transition",
                    params: vec![("title", format!("任务{n}").into())],
                    body: String::new(),
                    link: format!("/tasks/{n}"),
                };
                notify::send(tx, &who, &[me], &note)
            })
            .await
            .expect("send");
    }
    assert_eq!(app.count("outbox").await, 0, "not e-mailed one by one");
    let digest = |hour: i64| {
        let (db, env) = (app.db.clone(), app.state.environment());
        async move {
            let who = Who::system("scheduler", at(hour));
            db.write(move |tx| notify::send_digests(tx, &who, &env)).await.expect("digest")
        }
    };
    assert_eq!(digest(7).await, 0, "not before eight");
    assert_eq!(digest(9).await, 1);
    assert_eq!(digest(10).await, 0, "once a day");
    assert_eq!(app.count("outbox").await, 1, "the digest is e-mailed");
    let (_, inbox) = api.get("/api/v1/notifications").await;
    let first = &inbox["items"][0];
    assert_eq!(first["title"], "每日汇总：2 条常规通知", "{inbox}");
    assert!(first["body"].as_str().is_some_and(|b| b.contains("任务1") && b.contains("任务2")), "{first}");
}
