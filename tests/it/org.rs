use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn an_administrator_builds_and_reshapes_the_organisation_through_the_api() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let api = app.api(&app.token("admin", &["read", "write"]).await);

    let (s, fgw) = api
        .post(
            "/api/v1/departments",
            json!({ "code": "fgw", "name": "市发展和改革委员会", "kind": "city_department", "is_economic": true }),
        )
        .await;
    assert_eq!(s, 201, "{fgw}");
    let (s, swj) =
        api.post("/api/v1/departments", json!({ "code": "swj", "name": "市商务局", "kind": "city_department" })).await;
    assert_eq!(s, 201);
    let (s, dup) =
        api.post("/api/v1/departments", json!({ "code": "fgw", "name": "重复", "kind": "city_department" })).await;
    assert_eq!(
        (s, dup["error"]["code"].as_str(), dup["error"]["field"].as_str()),
        (409, Some("code_taken"), Some("code"))
    );

    let (s, div) = api
        .post(
            "/api/v1/divisions",
            json!({ "department_id": fgw["id"], "name": "市场配置促进处", "kind": "market_allocation" }),
        )
        .await;
    assert_eq!(s, 201);
    let (s, post) = api
        .post("/api/v1/posts", json!({ "division_id": div["id"], "title": "处长", "quota": 1, "is_head": true }))
        .await;
    assert_eq!(s, 201);
    let (_, a) = api.post("/api/v1/people", json!({ "name": "林志强" })).await;
    let (_, b) = api.post("/api/v1/people", json!({ "name": "王海燕" })).await;

    let (s, assignment) = api
        .post(
            &format!("/api/v1/people/{}/assignments", a["id"]),
            json!({ "post_id": post["id"], "start_date": "2019-01-02" }),
        )
        .await;
    assert_eq!(s, 201, "{assignment}");
    let (s, full) =
        api.post(&format!("/api/v1/people/{}/assignments", b["id"]), json!({ "post_id": post["id"] })).await;
    assert_eq!((s, full["error"]["code"].as_str()), (409, Some("quota_full")));

    let (s, staff) = api.get(&format!("/api/v1/divisions/{}/staff", div["id"])).await;
    assert_eq!(s, 200);
    assert_eq!(staff[0]["person_name"], "林志强");

    let (s, below) = api
        .put(&format!("/api/v1/posts/{}", post["id"]), json!({ "division_id": div["id"], "title": "处长", "quota": 0 }))
        .await;
    assert_eq!((s, below["error"]["code"].as_str()), (422, Some("quota_below_staff")));

    let (s, busy) = api.post(&format!("/api/v1/divisions/{}/status", div["id"]), json!({ "active": false })).await;
    assert_eq!((s, busy["error"]["code"].as_str()), (409, Some("has_active_children")));

    let (s, moved) = api
        .put(
            &format!("/api/v1/divisions/{}", div["id"]),
            json!({ "department_id": swj["id"], "name": "市场配置促进处", "kind": "market_allocation" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(moved["department_name"], "市商务局");

    let (s, ended) =
        api.post(&format!("/api/v1/assignments/{}/end", assignment["id"]), json!({ "end_date": "2019-06-30" })).await;
    assert_eq!(s, 200);
    assert_eq!(ended["end_date"], "2019-06-30");
    let (s, _) = api.post(&format!("/api/v1/divisions/{}/status", div["id"]), json!({ "active": false })).await;
    assert_eq!(s, 409, "the post is still active");
    let (s, _) = api.post(&format!("/api/v1/posts/{}/status", post["id"]), json!({ "active": false })).await;
    assert_eq!(s, 200);
    let (s, gone) = api.post(&format!("/api/v1/divisions/{}/status", div["id"]), json!({ "active": false })).await;
    assert_eq!((s, gone["active"].as_bool()), (200, Some(false)));

    let (_, history) = api.get(&format!("/api/v1/people/{}/assignments", a["id"])).await;
    assert_eq!(history.as_array().map(Vec::len), Some(1), "ended posts stay in the history");

    app.user("auditor", "audit_admin", None, None).await;
    let auditor = app.api(&app.token("auditor", &["read"]).await);
    let (s, trail) = auditor.get(&format!("/api/v1/audit?kind=division&record_id={}", div["id"])).await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = trail.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["deactivate", "move", "create"]);
    let mv = &trail[1];
    assert_eq!(mv["before"]["department_id"], fgw["id"]);
    assert_eq!(mv["after"]["department_id"], swj["id"]);
    assert_eq!(mv["actor"], "admin");
    assert!(app.verify().await.ok);
}

#[tokio::test]
async fn leaders_hold_portfolios_and_only_leaders_do() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let (dept, _, _) = app.department("czj", "public").await;
    let api = app.api(&app.token("admin", &["read", "write"]).await);
    let (_, mayor) = api.post("/api/v1/people", json!({ "name": "周明远", "leader_title": "市长" })).await;
    let (_, clerk) = api.post("/api/v1/people", json!({ "name": "李文博" })).await;

    let (s, f) =
        api.post(&format!("/api/v1/people/{}/portfolios", mayor["id"]), json!({ "department_id": dept })).await;
    assert_eq!(s, 201, "{f}");
    let (s, e) =
        api.post(&format!("/api/v1/people/{}/portfolios", clerk["id"]), json!({ "department_id": dept })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_a_leader")));
    let (s, all) = api.get("/api/v1/portfolios").await;
    assert_eq!(s, 200);
    assert_eq!(all[0]["leader_title"], "市长");
    let (s, _) = api.post(&format!("/api/v1/portfolios/{}/end", f["id"]), json!({})).await;
    assert_eq!(s, 200);
    let (_, all) = api.get("/api/v1/portfolios").await;
    assert_eq!(all.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn the_department_pages_create_edit_page_filter_and_export() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let b = app.browser("admin").await;

    let res = b
        .post(
            "/org/departments",
            &[
                ("code", "kjj"),
                ("name", "市科学技术局"),
                ("kind", "city_department"),
                ("visibility", "public"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().expect("location").to_owned();
    let (status, page) = b.text(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("市科学技术局"));

    let res = b
        .post(
            "/org/departments",
            &[("code", "kjj"), ("name", "<b>重名</b>局"), ("kind", "city_department"), ("visibility", "public")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.expect("page");
    assert!(page.contains("编码已被使用"));
    assert!(page.contains("&lt;b&gt;重名&lt;/b&gt;局"), "what was typed is kept, escaped");
    assert!(!page.contains("<b>重名"));

    for i in 0..60 {
        app.department(&format!("d{i:02}"), "public").await;
    }
    let (_, page1) = b.text("/org?per=50").await;
    assert!(page1.contains("共 61 条"));
    assert!(page1.contains("下一页"));
    let (_, filtered) = b.text("/org?q=%E7%A7%91%E5%AD%A6").await;
    assert!(filtered.contains("市科学技术局") && filtered.contains("共 1 条"));

    let res = b.get("/org?format=csv&sort=code&dir=desc").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let bytes = res.bytes().await.expect("csv");
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "UTF-8 BOM for spreadsheets");
    let text = String::from_utf8_lossy(&bytes[3..]).to_string();
    assert_eq!(text.lines().count(), 62);
    assert!(text.lines().nth(1).unwrap_or("").contains(",kjj,"), "sorted by code, descending");
}

#[tokio::test]
async fn a_person_is_appointed_through_the_pages() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let (_, division, post) = app.department("fgw", "public").await;
    let b = app.browser("admin").await;
    let res = b.post("/org/people", &[("name", "林志强"), ("leader_title", ""), ("visibility", "internal")]).await;
    assert_eq!(res.status(), 303);
    let person = res.headers()["location"].to_str().expect("location").to_owned();
    let res =
        b.post(&format!("{person}/assignments"), &[("post_id", &post.to_string()), ("start_date", "2019-13-01")]).await;
    assert_eq!(res.status(), 422, "a bad date is refused");
    assert!(res.text().await.expect("page").contains("YYYY-MM-DD"));
    let res =
        b.post(&format!("{person}/assignments"), &[("post_id", &post.to_string()), ("start_date", "2019-03-01")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.text(&format!("/org/divisions/{division}")).await;
    assert!(page.contains("林志强"));
}

/// Eight people asked into a one-person post at the same moment, ten times over: each
/// time exactly one gets it (PostgreSQL runs these concurrently; SQLite serialises).
#[tokio::test]
async fn concurrent_assignments_never_overfill_a_post() {
    let app = TestApp::spawn().await;
    let (_, division, _) = app.department("fgw", "public").await;
    app.user("admin", "system_admin", None, None).await;
    let api = std::sync::Arc::new(app.api(&app.token("admin", &["read", "write"]).await));
    for round in 0..10 {
        let (s, post) = api
            .post("/api/v1/posts", json!({ "division_id": division, "title": format!("科员 {round}"), "quota": 1 }))
            .await;
        assert_eq!(s, 201, "{post}");
        let mut people = Vec::new();
        for i in 0..8 {
            let (_, p) = api.post("/api/v1/people", json!({ "name": format!("候选人{round}-{i}") })).await;
            people.push(p["id"].as_i64().expect("id"));
        }
        let asks: Vec<_> = people
            .into_iter()
            .map(|person| {
                let (api, post_id) = (api.clone(), post["id"].clone());
                tokio::spawn(async move {
                    api.post(&format!("/api/v1/people/{person}/assignments"), json!({ "post_id": post_id })).await.0
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for a in asks {
            statuses.push(a.await.expect("join"));
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "round {round}: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "round {round}: {statuses:?}");
        let post_id = post["id"].as_i64().expect("id");
        let staffed = app
            .db
            .read(move |tx| {
                Ok(tx.count(
                    "SELECT COUNT(*) FROM assignments WHERE post_id = $1 AND end_date IS NULL",
                    &[post_id.into()],
                )?)
            })
            .await
            .expect("count");
        assert_eq!(staffed, 1, "round {round}");
    }
}

/// List filters ignore case the same way on both databases.
#[tokio::test]
async fn text_filters_ignore_case_on_both_databases() {
    let app = TestApp::spawn().await;
    app.department("fgw", "public").await;
    app.user("admin", "system_admin", None, None).await;
    let api = app.api(&app.token("admin", &["read"]).await);
    for q in ["fgw", "FGW", "Fgw"] {
        let (s, page) = api.get(&format!("/api/v1/departments?q={q}")).await;
        assert_eq!(s, 200);
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "q={q}: {page}");
    }
}

/// API lists answer `format=csv` and `format=xlsx` with every matching row as a file.
#[tokio::test]
async fn api_lists_export_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    app.department("fgw", "public").await;
    app.department("swj", "public").await;
    app.user("admin", "system_admin", None, None).await;
    let token = app.token("admin", &["read"]).await;
    let client = reqwest::Client::new();
    let res =
        client.get(app.url("/api/v1/departments?format=csv&per=1")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let text = res.text().await.expect("text");
    assert!(text.contains("code") && text.contains("fgw") && text.contains("swj"), "every row, not a page: {text}");
    let res = client.get(app.url("/api/v1/people?format=xlsx")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    assert!(res.bytes().await.expect("bytes").starts_with(b"PK"), "an xlsx is a zip");
}

/// Pickers ask for people by part of the name, pinyin initials or pinyin, narrowed by
/// department; only government staff may ask.
#[tokio::test]
async fn people_are_suggested_by_name_initials_or_pinyin_within_a_department() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let leader = app.api(&app.token("leader", &["read"]).await);
    let (_, fgw) = leader.get("/api/v1/departments?q=发展和改革").await;
    let fgw = fgw["items"][0]["id"].as_i64().expect("fgw");
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s["name"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    for typed in ["王海", "why", "wanghaiyan"] {
        let (s, found) = leader.get(&format!("/api/v1/accounts/suggest?q={typed}&department_id={fgw}")).await;
        assert_eq!(s, 200);
        assert!(names(&found).contains(&"王海燕".to_owned()), "{typed}: {found}");
        assert!(found[0]["detail"].as_str().is_some_and(|d| d.contains("市发展和改革委员会")), "{found}");
    }
    let (_, elsewhere) = leader.get("/api/v1/accounts/suggest?q=why&department_id=999999").await;
    assert_eq!(elsewhere, json!([]), "narrowed to the department");
    let (_, first) = leader.get(&format!("/api/v1/accounts/suggest?department_id={fgw}")).await;
    assert!(!names(&first).is_empty() && names(&first).len() <= 20, "an empty query lists the first few");
    let (s, e) = leader.get(&format!("/api/v1/accounts/suggest?q={}", "长".repeat(101))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("too_long")));
    let citizen = app.api(&app.token("citizen", &["read"]).await);
    assert_eq!(citizen.get("/api/v1/accounts/suggest?q=why").await.0, 403);
}

/// Unit pickers ask for departments by name, pinyin initials or pinyin, in the official
/// order, each with its kind in words.
#[tokio::test]
async fn departments_are_suggested_by_name_or_pinyin_in_official_order() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let office = app.api(&app.token("supervisor", &["read"]).await);
    for typed in ["审批", "xzsp", "xingzhengshenpi"] {
        let (s, found) = office.get(&format!("/api/v1/departments/suggest?q={typed}")).await;
        assert_eq!(s, 200);
        assert_eq!(found[0]["name"], "市行政审批服务局", "{typed}: {found}");
        assert_eq!(found[0]["detail"], "市直部门");
    }
    let (_, first) = office.get("/api/v1/departments/suggest").await;
    assert_eq!(first[0]["detail"], "党委机构", "party organs first: {first}");
    let (s, e) = office.get(&format!("/api/v1/departments/suggest?q={}", "局".repeat(101))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("too_long")));
}

/// The organisation is listed as official documents list it, by name, not by code.
#[tokio::test]
async fn departments_are_listed_in_official_order_by_name() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let b = app.browser("admin").await;
    let res = b.get("/org?format=csv").await;
    let text = String::from_utf8_lossy(&res.bytes().await.expect("csv")[3..]).to_string();
    let kinds: Vec<&str> = text.lines().skip(1).filter_map(|l| l.split(',').nth(2)).collect();
    assert_eq!(kinds.first(), Some(&"党委机构"), "official order: party organs first, then…");
    let first_district = kinds.iter().position(|k| *k == "区（市）").expect("districts");
    let last_department = kinds.iter().rposition(|k| *k == "市直部门").expect("departments");
    assert!(last_department < first_district, "…the city's departments before the districts");
    let (_, page) = b.text("/org").await;
    let (name, code) =
        (page.find("data-label=\"名称\"").expect("name"), page.find("data-label=\"编码\"").expect("code"));
    assert!(name < code, "the name leads, not the code");
}
