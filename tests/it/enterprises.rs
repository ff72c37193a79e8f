use serde_json::{Value, json};

use crate::support::TestApp;

/// The registry keeps one record per enterprise: credit codes are checked per GB
/// 32100-2015 and unique; likely duplicates without codes are proposed, merged (the code
/// moving to the record kept) and the merge undone, each audited; outsiders see nothing.
#[tokio::test]
async fn enterprises_are_recorded_once_deduplicated_and_merged_reversibly() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("swj", "public").await;
    app.user("lin", "staff", Some(dept), None).await;
    app.user("firm", "enterprise", None, None).await;
    let staff = app.api(&app.token("lin", &["read", "write"]).await);
    let firm = app.api(&app.token("firm", &["read", "write"]).await);
    let record = |body: Value| {
        let staff = &staff;
        async move { staff.post("/api/v1/enterprises", body).await }
    };

    let (s, e) = record(json!({ "name": "海尔集团公司", "uscc": "91370200163562681H" })).await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["detail"].as_str()),
        (422, Some("bad_uscc_check"), Some("G")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("校验位")));
    let (s, e) = record(json!({ "name": "x", "uscc": "91370200I63562681G" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_uscc")));
    let (s, e) = record(json!({ "name": "x", "contact_phone": "<b>" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("contact_phone")));
    assert_eq!(app.count("enterprises").await, 0, "nothing stored");

    let (s, haier) =
        record(json!({ "name": "海尔集团公司", "uscc": "91370200163562681g", "district": "崂山区", "size": "large" }))
            .await;
    assert_eq!((s, haier["uscc"].as_str()), (201, Some("91370200163562681G")), "{haier}");
    let (s, e) = record(json!({ "name": "海尔集团", "uscc": "91370200163562681G" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("uscc_taken")));
    let (_, plain) =
        record(json!({ "name": "华为技术（青岛）有限公司", "contact_phone": "13800000001", "source": "event" })).await;
    let (_, coded) = record(json!({ "name": "华为技术(青岛)有限责任公司", "uscc": "91440300708461136T" })).await;
    let (_, other) = record(json!({ "name": "青岛某贸易商行", "contact_phone": "13800000001" })).await;
    let (_, sensetime) = record(json!({ "name": "海尔集团股份有限公司", "uscc": "91110000100005220B" })).await;

    assert_eq!(firm.get("/api/v1/enterprises").await.0, 403, "outsiders do not read the registry");
    let (_, pairs) = staff.get("/api/v1/enterprises/duplicates").await;
    let reasons: Vec<(i64, i64, &str)> = pairs
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            (p["a"]["id"].as_i64().unwrap_or(0), p["b"]["id"].as_i64().unwrap_or(0), p["reason"].as_str().unwrap_or(""))
        })
        .collect();
    assert!(
        reasons.contains(&(plain["id"].as_i64().unwrap_or(0), coded["id"].as_i64().unwrap_or(0), "name")),
        "{pairs}"
    );
    assert!(
        reasons.contains(&(plain["id"].as_i64().unwrap_or(0), other["id"].as_i64().unwrap_or(0), "phone")),
        "{pairs}"
    );
    assert!(
        !reasons
            .iter()
            .any(|(a, b, _)| *a == haier["id"].as_i64().unwrap_or(0) && *b == sensetime["id"].as_i64().unwrap_or(0)),
        "two codes tell two enterprises apart"
    );

    let (s, e) = staff
        .post(&format!("/api/v1/enterprises/{}/merge", haier["id"]), json!({ "merged_id": sensetime["id"] }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("merge_different_codes")));
    let (s, m) =
        staff.post(&format!("/api/v1/enterprises/{}/merge", plain["id"]), json!({ "merged_id": coded["id"] })).await;
    assert_eq!((s, m["moved_uscc"].as_str()), (200, Some("91440300708461136T")), "{m}");
    let (_, kept) = staff.get(&format!("/api/v1/enterprises/{}", plain["id"])).await;
    assert_eq!(kept["uscc"], "91440300708461136T", "the kept record takes the code");
    let (_, gone) = staff.get(&format!("/api/v1/enterprises/{}", coded["id"])).await;
    assert_eq!((gone["merged_into"].as_i64(), gone["uscc"].is_null()), (plain["id"].as_i64(), true));
    let (_, live) = staff.get("/api/v1/enterprises?per=100").await;
    assert_eq!(live["total"], 4, "the merged record leaves the list: {live}");
    let (s, _) =
        staff.post(&format!("/api/v1/enterprises/{}/merge", plain["id"]), json!({ "merged_id": coded["id"] })).await;
    assert_eq!(s, 409, "merged once");
    let undo = format!("/api/v1/enterprises/merges/{}/undo", m["id"]);
    let (s, u) = staff.post(&undo, json!({})).await;
    assert_eq!((s, u["undone_at"].is_number()), (200, true), "{u}");
    let (_, back) = staff.get(&format!("/api/v1/enterprises/{}", coded["id"])).await;
    assert_eq!((back["uscc"].as_str(), back["merged_into"].is_null()), (Some("91440300708461136T"), true));
    assert!(staff.get(&format!("/api/v1/enterprises/{}", plain["id"])).await.1["uscc"].is_null());
    assert_eq!(staff.post(&undo, json!({})).await.0, 409, "undone once");
    let audited = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE record_kind = 'enterprise'", &[])?))
        .await
        .expect("count");
    assert_eq!(audited, 7, "five records, a merge and its undoing");
    assert!(app.verify().await.ok);
}

#[tokio::test]
async fn the_registry_works_from_its_pages() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("swj", "public").await;
    app.user("lin", "staff", Some(dept), None).await;
    let b = app.browser("lin").await;
    let r = b.post("/enterprises", &[("name", "青岛啤酒股份有限公司"), ("uscc", "91350100M000100Y44")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap_or_default();
    assert!(
        page.contains("校验位") && page.contains("(3)") && page.contains("青岛啤酒股份有限公司"),
        "the expected character, what was typed kept"
    );
    let r = b
        .post(
            "/enterprises",
            &[("name", "青岛啤酒股份有限公司"), ("uscc", "91350100M000100Y43"), ("district", "市北区")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = b.post("/enterprises", &[("name", "青岛啤酒 有限公司"), ("contact_phone", "0532-85713831")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = b.text("/enterprises?q=啤酒").await;
    assert!(list.contains("91350100M000100Y43") && list.contains("未登记代码"), "{list}");
    let (_, dups) = b.text("/enterprises/duplicates").await;
    assert!(dups.contains("名称相同") && dups.contains("保留甲（乙并入甲）"), "{dups}");
    let csv = b.get("/enterprises?format=csv").await.text().await.unwrap_or_default();
    assert!(csv.contains("青岛啤酒股份有限公司") && csv.contains("市北区"), "{csv}");
    let first = crate::support::hidden(&dups, "merged_id");
    let action =
        dups.split("action=\"/enterprises/").nth(1).and_then(|r| r.split('/').next()).expect("merge form").to_owned();
    let r = b.post(&format!("/enterprises/{action}/merge"), &[("merged_id", &first)]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, kept) = b.text(&format!("/enterprises/{action}")).await;
    assert!(kept.contains("撤销合并") && kept.contains("并入本记录的重复记录"), "{kept}");
}

/// Contacts from a spreadsheet are gathered into the registry: a recorded credit code
/// fills in what its record lacks, new enterprises are added, all rows or none.
#[tokio::test]
async fn contacts_are_gathered_from_a_spreadsheet() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("swj", "public").await;
    app.user("lin", "staff", Some(dept), None).await;
    let staff = app.api(&app.token("lin", &["read", "write"]).await);
    let (_, haier) =
        staff.post("/api/v1/enterprises", json!({ "name": "海尔集团公司", "uscc": "91370200163562681G" })).await;
    let heading = "企业名称,统一社会信用代码,法定代表人,联系电话,规模,区（市）\n";
    let known = "海尔集团,91370200163562681G,周云杰,0532-88938888,大型,崂山区\n";
    let new = "青岛某智能装备有限公司,,,13900000001,中型,黄岛区\n";
    let bad = format!("{heading}{known}{new}青岛某贸易商行,91370200163562681H,,,,\n");
    let (s, report) = staff.post_bytes("/api/v1/enterprises/import", bad.into_bytes()).await;
    assert_eq!((s, report["failed"].as_i64()), (422, Some(1)), "{report}");
    assert_eq!(report["rows"][2]["error"]["code"], "bad_uscc_check");
    assert_eq!(app.count("enterprises").await, 1, "nothing half-imported");
    let (s, report) =
        staff.post_bytes("/api/v1/enterprises/import", format!("{heading}{known}{new}").into_bytes()).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");
    assert_eq!(report["rows"][0]["id"], haier["id"], "the recorded code gathers into its record");
    let (_, h) = staff.get(&format!("/api/v1/enterprises/{}", haier["id"])).await;
    assert_eq!(
        (h["name"].as_str(), h["legal_representative"].as_str(), h["size"].as_str()),
        (Some("海尔集团公司"), Some("周云杰"), Some("large")),
        "{h}"
    );
    assert_eq!(app.count("enterprises").await, 2);
    let (_, page) = app.browser("lin").await.text("/enterprises/import").await;
    assert!(page.contains("导入企业名单") && page.contains("* 企业名称"), "{page}");
}

/// An enterprise's account, once linked to its record, reads it and corrects its own
/// details; its name and code stay with the staff who keep the registry.
#[tokio::test]
async fn an_enterprise_corrects_its_own_record() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("swj", "public").await;
    let staff_id = app.user("lin", "staff", Some(dept), None).await;
    let firm_id = app.user("firm", "enterprise", None, None).await;
    let staff = app.api(&app.token("lin", &["read", "write"]).await);
    let firm = app.api(&app.token("firm", &["read", "write"]).await);
    let (_, e) = staff
        .post("/api/v1/enterprises", json!({ "name": "青岛啤酒股份有限公司", "uscc": "91350100M000100Y43" }))
        .await;
    assert_eq!(firm.get("/api/v1/me/enterprise").await.0, 404, "not linked yet");
    let link = format!("/api/v1/enterprises/{}/account", e["id"]);
    let (s, err) = staff.post(&link, json!({ "user_id": staff_id })).await;
    assert_eq!((s, err["error"]["code"].as_str()), (422, Some("not_an_enterprise_account")));
    assert_eq!(firm.post(&link, json!({ "user_id": firm_id })).await.0, 403, "an enterprise does not link itself");
    assert_eq!(staff.post(&link, json!({ "user_id": firm_id })).await.0, 200);
    let (s, mine) = firm.get("/api/v1/me/enterprise").await;
    assert_eq!((s, mine["id"].clone()), (200, e["id"].clone()));
    let (s, fixed) = firm
        .put(
            "/api/v1/me/enterprise",
            json!({ "name": "改名", "contact_name": "王经理", "contact_phone": "0532-85713831", "size": "large" }),
        )
        .await;
    assert_eq!(
        (s, fixed["name"].as_str(), fixed["contact_name"].as_str()),
        (200, Some("青岛啤酒股份有限公司"), Some("王经理")),
        "{fixed}"
    );
    assert_eq!(fixed["uscc"], "91350100M000100Y43", "the code stays");
    let (s, e2) = firm.put("/api/v1/me/enterprise", json!({ "size": "huge" })).await;
    assert_eq!((s, e2["error"]["field"].as_str()), (422, Some("size")));
    assert_eq!(firm.get(&format!("/api/v1/enterprises/{}", e["id"])).await.0, 403, "nor does it read the registry");

    let b = app.browser("firm").await;
    let (s, page) = b.text("/enterprises/mine").await;
    assert!(s == 200 && page.contains("本企业信息") && page.contains("王经理"), "{page}");
    let r = b
        .post("/enterprises/mine", &[("contact_name", "李经理"), ("contact_phone", "0532-85713831"), ("size", "large")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(firm.get("/api/v1/me/enterprise").await.1["contact_name"], "李经理");
    let (_, record) = app.browser("lin").await.text(&format!("/enterprises/{}", e["id"])).await;
    assert!(record.contains("企业账号") && record.contains("firm 测试"), "{record}");
}
