use serde_json::{Value, json};

use crate::support::TestApp;

fn ids(found: &Value, kind: &str) -> Vec<i64> {
    found["hits"]
        .as_array()
        .map(|h| h.iter().filter(|x| x["kind"] == kind).filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default()
}

fn search_url(q: &str, extra: &str) -> String {
    format!("/api/v1/search?q={}{extra}", zaizao::kernel::web::list::url_encode(q))
}

#[tokio::test]
async fn chinese_search_finds_words_ranks_highlights_and_respects_visibility() {
    let app = TestApp::spawn().await;
    let (a, _, _) = app.department("hyj", "internal").await;
    let (b, _, _) = app.department("swj", "internal").await;
    app.user("wang", "dept_head", Some(a), None).await;
    app.user("li", "staff", Some(a), None).await;
    app.user("zhao", "staff", Some(b), None).await;
    app.user("jw", "supervisor", None, None).await;
    app.user("mayor", "leader", None, None).await;
    app.user("qiye", "enterprise", None, None).await;
    app.user("admin", "system_admin", None, None).await;
    let wang = app.api(&app.token("wang", &["read", "write"]).await);
    let li = app.api(&app.token("li", &["read"]).await);
    let zhao = app.api(&app.token("zhao", &["read"]).await);
    let jw = app.api(&app.token("jw", &["read", "write"]).await);
    let mayor = app.api(&app.token("mayor", &["read"]).await);
    let qiye = app.api(&app.token("qiye", &["read"]).await);
    let admin = app.api(&app.token("admin", &["read", "write"]).await);

    let (s, matter) = wang
        .post(
            "/api/v1/matters",
            json!({ "title": "海洋牧场项目用海审批提速", "description": "协调用海预审与环评并联办理", "visibility": "confidential" }),
        )
        .await;
    assert_eq!(s, 201, "{matter}");
    let matter_id = matter["id"].as_i64().expect("id");
    let (s, lead) = jw
        .post(
            "/api/v1/leads",
            json!({ "channel": "public", "category": "ENVIRONMENT", "description": "市北区辽宁路道路积水严重，车辆无法通行", "address": "辽宁路 88 号" }),
        )
        .await;
    assert_eq!(s, 201, "{lead}");
    let lead_id = lead["id"].as_i64().expect("id");
    app.clock.advance_ms(60_000);
    let (s, other) = jw
        .post(
            "/api/v1/leads",
            json!({ "channel": "public", "category": "ENVIRONMENT", "description": "台东夜市油烟扰民，道路两侧垃圾无人清运", "address": "台东三路" }),
        )
        .await;
    assert_eq!(s, 201, "{other}");
    let (s, _) = jw
        .post(
            &format!("/api/v1/leads/{lead_id}/transitions"),
            json!({ "transition": "transfer", "unit_department_id": a }),
        )
        .await;
    assert_eq!(s, 200);

    // Words, not characters: 积水 finds the flooded road, not the lead that merely has 道路.
    let (s, found) = jw.get(&search_url("积水", "")).await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(ids(&found, "lead"), vec![lead_id], "{found}");
    assert!(found["hits"][0]["snippet_html"].as_str().is_some_and(|h| h.contains("<mark>积水</mark>")), "{found}");
    assert_eq!(found["hits"][0]["link"], format!("/supervision/leads/{lead_id}"));
    let (_, found) = jw.get(&search_url("道路积水", "")).await;
    assert_eq!(ids(&found, "lead"), vec![lead_id], "both words required: {found}");
    assert_eq!(found["partial"], false);
    let (_, found) = jw.get(&search_url("道路", "&sort=newest")).await;
    assert_eq!(ids(&found, "lead"), vec![other["id"].as_i64().expect("id"), lead_id], "newest first: {found}");
    let (_, found) = jw.get(&search_url("积水 火箭", "")).await;
    assert_eq!((ids(&found, "lead"), &found["partial"]), (vec![lead_id], &json!(true)), "{found}");

    // Visibility: the unit and the office see the lead, another department does not.
    assert_eq!(ids(&li.get(&search_url("积水", "")).await.1, "lead"), vec![lead_id]);
    assert!(ids(&zhao.get(&search_url("积水", "")).await.1, "lead").is_empty());
    // The confidential matter: its department and leaders only.
    assert_eq!(ids(&li.get(&search_url("用海审批", "")).await.1, "matter"), vec![matter_id]);
    assert_eq!(ids(&mayor.get(&search_url("用海审批", "")).await.1, "matter"), vec![matter_id]);
    let (_, hidden) = zhao.get(&search_url("用海审批", "")).await;
    assert_eq!(hidden["total"], 0, "no trace of a record the caller may not see: {hidden}");
    assert_eq!(qiye.get(&search_url("积水", "")).await.0, 403);

    // The index follows changes at once: the matter made internal is found by others.
    let (s, _) = wang
        .put(
            &format!("/api/v1/matters/{matter_id}"),
            json!({ "title": "海洋牧场项目用海审批提速", "description": "协调用海预审与环评并联办理", "visibility": "internal" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(ids(&zhao.get(&search_url("用海审批", "")).await.1, "matter"), vec![matter_id]);
    // A task is found with its matter's words and filtered by kind.
    let (s, task) = wang
        .post(
            &format!("/api/v1/matters/{matter_id}/tasks"),
            json!({ "title": "编制用海预审材料清单", "assignee_id": app.user("sun", "staff", Some(a), None).await, "lead_department_id": a, "deadline": "2019-06-28" }),
        )
        .await;
    assert_eq!(s, 201, "{task}");
    let (_, found) = li.get(&search_url("预审材料", "&kind=task")).await;
    assert_eq!(ids(&found, "task"), vec![task["id"].as_i64().expect("id")]);
    assert!(ids(&found, "matter").is_empty());

    // Bad input: a clear error, nothing else.
    let (s, e) = li.get("/api/v1/search?q=").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
    let (s, e) = li.get(&search_url(&"长".repeat(201), "")).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("too_long")));
    assert_eq!(li.get(&search_url("积水", "&kind=nope")).await.0, 422);

    // Rebuilt from the database, the index answers the same.
    assert_eq!(li.get("/api/v1/search/status").await.0, 403);
    let audit_before = app.count("audit_log").await;
    let (s, _) = admin.post("/api/v1/search/rebuild", json!({})).await;
    assert_eq!(s, 202);
    assert_eq!(app.count("audit_log").await, audit_before + 1);
    let (_, found) = jw.get(&search_url("积水", "")).await;
    assert_eq!(ids(&found, "lead"), vec![lead_id], "{found}");
    let (s, st) = admin.get("/api/v1/search/status").await;
    assert_eq!(s, 200);
    assert!(st["documents"].as_u64().is_some_and(|n| n >= 4), "{st}");
}

#[tokio::test]
async fn the_search_page_shows_highlighted_results_and_explains_empty_ones() {
    let app = TestApp::spawn().await;
    let (a, _, _) = app.department("hyj", "internal").await;
    app.user("jw", "supervisor", None, None).await;
    let jw = app.api(&app.token("jw", &["read", "write"]).await);
    let (s, _) = jw
        .post(
            "/api/v1/leads",
            json!({ "channel": "congress", "category": "POLICY", "description": "企业反映<稳岗补贴>迟迟未兑现", "address": "" }),
        )
        .await;
    assert_eq!(s, 422, "markup is refused before it can reach a page");
    let (s, _) = jw
        .post(
            "/api/v1/leads",
            json!({ "channel": "congress", "category": "POLICY", "description": "企业反映稳岗补贴 & 社保返还迟迟未兑现", "address": "市南区" }),
        )
        .await;
    assert_eq!(s, 201);
    let _ = a;
    let browser = app.browser("jw").await;
    let (s, page) = browser.text("/search").await;
    assert_eq!(s, 200);
    assert!(page.contains("输入关键词"), "an empty search explains itself");
    let (s, page) = browser.text("/search?q=%E7%A8%B3%E5%B2%97%E8%A1%A5%E8%B4%B4").await;
    assert_eq!(s, 200);
    assert!(page.contains("<mark>稳岗</mark>") || page.contains("<mark>稳岗补贴</mark>"), "{page}");
    assert!(page.contains("&amp; 社保"), "text is escaped around the highlights");
    assert!(page.contains("badge blue\">线索</span>"), "the kind is named: {page}");
    let (_, page) = browser.text("/search?q=%E7%81%AB%E7%AE%AD").await;
    assert!(page.contains("没有找到"), "{page}");
    let (s, page) = browser.text("/search?q=%E7%A8%B3%E5%B2%97&channel=party").await;
    assert_eq!(s, 200);
    assert!(page.contains("没有找到"), "the channel filter applies");
}
