use serde_json::{Value, json};

use crate::support::{Api, Browser, TestApp};

struct Office {
    app: TestApp,
    office: Api,
    unit: Api,
    unit_dept: i64,
    key: String,
}

async fn office() -> Office {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "public").await;
    app.user("jw", "supervisor", None, None).await;
    app.user("chen", "dept_head", Some(dept), None).await;
    app.user("admin", "system_admin", None, None).await;
    let office = app.api(&app.token("jw", &["read", "write"]).await);
    let unit = app.api(&app.token("chen", &["read", "write"]).await);
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (s, k) = admin.post("/api/v1/open311/keys", json!({ "name": "12345 热线" })).await;
    assert_eq!(s, 201);
    Office { app, office, unit, unit_dept: dept, key: k["api_key"].as_str().expect("key").to_owned() }
}

async fn post311(app: &TestApp, fields: &[(&str, &str)]) -> (u16, Value) {
    let res =
        reqwest::Client::new().post(app.url("/open311/v2/requests.json")).form(fields).send().await.expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let res = reqwest::get(app.url(path)).await.expect("get");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn an_open311_client_files_and_follows_a_request() {
    let o = office().await;
    let (s, discovery) = get(&o.app, "/open311/discovery.json").await;
    assert_eq!(s, 200);
    assert!(discovery.contains("GeoReport_v2") && discovery.contains("text/xml"));
    let (_, services) = get(&o.app, "/open311/v2/services.json").await;
    let services: Value = serde_json::from_str(&services).expect("json");
    assert!(
        services
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["service_code"] == "APPROVAL" && x["metadata"] == false))
    );
    let (_, xml) = get(&o.app, "/open311/v2/services.xml").await;
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<services><service>")
            && xml.contains("<service_code>APPROVAL</service_code>")
    );
    assert_eq!(get(&o.app, "/open311/v2/services/APPROVAL.json").await.0, 200);
    let (s, body) = get(&o.app, "/open311/v2/services/NOPE.json").await;
    assert_eq!(s, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")[0]["code"], 404);

    let base = [
        ("service_code", "APPROVAL"),
        ("lat", "36.0671"),
        ("long", "120.3826"),
        ("description", "企业开办材料被窗口退回三次"),
    ];
    let (s, e) = post311(&o.app, &base).await;
    assert_eq!((s, e[0]["code"].as_i64()), (403, Some(403)), "no api_key");
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = base.to_vec();
        f.push(("api_key", o.key.as_str()));
        f.extend_from_slice(extra);
        f
    };
    let bad_code: Vec<(&str, &str)> =
        with(&[]).into_iter().map(|(k, v)| if k == "service_code" { (k, "NOPE") } else { (k, v) }).collect();
    assert_eq!(post311(&o.app, &bad_code).await.0, 400);
    let no_place: Vec<(&str, &str)> = with(&[]).into_iter().filter(|(k, _)| *k != "lat" && *k != "long").collect();
    let (s, e) = post311(&o.app, &no_place).await;
    assert_eq!(s, 400);
    assert!(e[0]["description"].as_str().unwrap_or("").contains("address"));
    let script: Vec<(&str, &str)> = with(&[])
        .into_iter()
        .map(|(k, v)| if k == "description" { (k, "<script>alert(1)</script>") } else { (k, v) })
        .collect();
    assert_eq!(post311(&o.app, &script).await.0, 400);
    assert_eq!(o.app.count("leads").await, 0, "nothing was stored");

    let (s, created) =
        post311(&o.app, &with(&[("first_name", "先生"), ("last_name", "张"), ("email", "zhang@example.cn")])).await;
    assert_eq!(s, 201, "{created}");
    let id = created[0]["service_request_id"].as_str().expect("id").to_owned();
    let token = created[0]["token"].as_str().expect("token").to_owned();
    let (s, again) =
        post311(&o.app, &with(&[("first_name", "先生"), ("last_name", "张"), ("email", "zhang@example.cn")])).await;
    assert_eq!((s, again[0]["service_request_id"].as_str()), (201, Some(id.as_str())), "stored once");
    assert_eq!(o.app.count("leads").await, 1);

    let (_, one) = get(&o.app, &format!("/open311/v2/requests/{id}.json")).await;
    let one: Value = serde_json::from_str(&one).expect("json");
    assert_eq!(one[0]["status"], "open");
    assert!(one[0]["requested_datetime"].as_str().unwrap_or("").ends_with("+08:00"));
    assert!(one[0].get("email").is_none() && !one.to_string().contains("zhang@"), "personal data withheld");
    let (_, t) = get(&o.app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert!(t.contains(&id));
    let (_, list) = get(&o.app, &format!("/open311/v2/requests.xml?service_request_id={id}&status=open")).await;
    assert!(list.contains("<service_requests><request>") && list.contains("<status>open</status>"));
}

#[tokio::test]
async fn one_procedure_from_transfer_to_published_notice_and_duplicates_handled_once() {
    let o = office().await;
    let file = |desc: &'static str, lat: &'static str| {
        let key = o.key.clone();
        let app_url = o.app.url("/open311/v2/requests.json");
        async move {
            let res = reqwest::Client::new()
                .post(app_url)
                .form(&[
                    ("api_key", key.as_str()),
                    ("service_code", "ENVIRONMENT"),
                    ("lat", lat),
                    ("long", "120.3800"),
                    ("description", desc),
                ])
                .send()
                .await
                .expect("post");
            let v: Value = res.json().await.expect("json");
            (
                v[0]["service_request_id"].as_str().unwrap_or("0").parse::<i64>().unwrap_or(0),
                v[0]["token"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let (first, first_token) = file("山东路路口井盖缺失，夜间很危险", "36.0860").await;
    let (second, second_token) = file("山东路与延吉路路口井盖丢失", "36.0862").await;

    let (_, detail) = o.office.get(&format!("/api/v1/leads/{second}")).await;
    assert!(detail["candidates"].as_array().is_some_and(|c| c.iter().any(|x| x["id"] == first)), "{detail}");
    let (s, _) = o.office.post(&format!("/api/v1/leads/{second}/link"), json!({ "primary_id": first })).await;
    assert_eq!(s, 200);
    let (s, e) = o
        .office
        .post(
            &format!("/api/v1/leads/{second}/transitions"),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept }),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("lead_linked")), "handled once, on the first");
    let b = o.app.browser("jw").await;
    let (_, page) = b.text(&format!("/supervision/leads/{second}")).await;
    assert!(page.contains(">已合并<") && !page.contains(">已登记<"), "the page says what the list says");

    let t = |api: &Api, body: Value| {
        let url = format!("/api/v1/leads/{first}/transitions");
        let api = Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() };
        async move { api.post(&url, body).await }
    };
    assert_eq!(
        t(&o.unit, json!({ "transition": "transfer", "unit_department_id": o.unit_dept })).await.0,
        404,
        "the unit does not see it before the transfer"
    );
    assert_eq!(t(&o.office, json!({ "transition": "transfer", "unit_department_id": o.unit_dept })).await.0, 200);
    let (_, lead) = o.unit.get(&format!("/api/v1/leads/{first}")).await;
    assert!(lead["deadline"].is_string(), "a feedback deadline in working days");
    assert_eq!(t(&o.unit, json!({ "transition": "dispute", "note": "不属本单位职责" })).await.0, 200);
    assert_eq!(
        t(&o.office, json!({ "transition": "confirm_transfer", "note": "属市政设施管理，维持移送" })).await.0,
        200
    );
    assert_eq!(t(&o.unit, json!({ "transition": "feed_back", "note": "已安排" })).await.0, 200);
    assert_eq!(t(&o.office, json!({ "transition": "reject_feedback", "note": "请说明完成时间" })).await.0, 200);
    assert_eq!(t(&o.unit, json!({ "transition": "feed_back", "note": "井盖已于当日补齐" })).await.0, 200);
    assert_eq!(t(&o.office, json!({ "transition": "verify", "note": "现场核实" })).await.0, 200);
    assert_eq!(t(&o.office, json!({ "transition": "notify", "note": "井盖已补齐，相关单位已整改。" })).await.0, 200);
    assert_eq!(t(&o.office, json!({ "transition": "close" })).await.0, 200);

    for token in [&first_token, &second_token] {
        let (s, body) = get(&o.app, &format!("/api/v1/leads/track/{token}")).await;
        assert_eq!(s, 200);
        let p: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(
            (p["status"].as_str(), p["outcome"].as_str()),
            (Some("closed"), Some("井盖已补齐，相关单位已整改。")),
            "every reporter sees the outcome"
        );
    }
    let (_, r) = get(&o.app, &format!("/open311/v2/requests/{second}.json")).await;
    assert!(r.contains("\"status\":\"closed\"") && r.contains("井盖已补齐"));

    let (s, figures) = o.office.get("/api/v1/leads/figures?group=channel").await;
    assert_eq!(s, 200);
    let public = figures.as_array().and_then(|f| f.iter().find(|x| x["key"] == "public")).cloned().unwrap_or_default();
    assert_eq!(
        (public["leads"].as_i64(), public["resolved"].as_i64()),
        (Some(1), Some(1)),
        "the linked duplicate counts once: {figures}"
    );
    assert_eq!(public["response_rate"].as_f64(), Some(1.0));
    // The figures the triggers kept equal a count from scratch.
    let (_, by_unit) = o.office.get("/api/v1/leads/figures?group=unit").await;
    o.app.db.write(zaizao::supervision::figures::recount).await.expect("recount");
    assert_eq!(o.office.get("/api/v1/leads/figures?group=channel").await.1, figures);
    assert_eq!(o.office.get("/api/v1/leads/figures?group=unit").await.1, by_unit);
    let b = o.app.browser("jw").await;
    let (status, page) = b.text("/supervision/figures").await;
    assert_eq!(status, 200);
    assert!(page.contains("响应率") && page.matches("<svg").count() >= 2, "a chart and the map");
    let firm = {
        o.app.user("firm", "enterprise", None, None).await;
        o.app.api(&o.app.token("firm", &["read"]).await)
    };
    assert_eq!(firm.get("/api/v1/leads").await.0, 403);
    assert!(o.app.verify().await.ok);
}

#[tokio::test]
async fn the_public_report_page_files_and_tracks_without_sign_in() {
    let o = office().await;
    let b = Browser::new(&o.app.base);
    let (status, form) = b.text("/report").await;
    assert_eq!(status, 200);
    assert!(form.contains("问题类别") && form.contains("惠企政策未兑现"));
    let res = b
        .client
        .post(o.app.url("/report"))
        .form(&[("category", "POLICY"), ("description", "研发补贴半年未兑现"), ("address", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("page");
    assert!(page.contains("请填写地点") && page.contains("研发补贴半年未兑现"), "what was typed is kept");
    let res = b
        .client
        .post(o.app.url("/report"))
        .form(&[("category", "POLICY"), ("description", "研发补贴半年未兑现"), ("address", "崂山区")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    let page = res.text().await.expect("page");
    let token = page.split("/report/track?token=").nth(1).and_then(|r| r.split('"').next()).expect("token").to_owned();
    let (status, track) = b.text(&format!("/report/track?token={token}")).await;
    assert_eq!(status, 200);
    assert!(track.contains("已登记") && track.contains("研发补贴"));
    let grouped: String =
        token.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect::<Vec<_>>().join("-");
    assert!(
        page.contains(&grouped.to_lowercase()) && page.contains("<svg"),
        "the code in groups of four, and a QR code"
    );
    let (status, track) = b.text(&format!("/report/track?token={grouped}")).await;
    assert!(status == 200 && track.contains("研发补贴"), "the code as read out, dashes and capitals, still works");
    let office_browser = o.app.browser("jw").await;
    let (status, list) = office_browser.text("/supervision").await;
    assert_eq!(status, 200);
    assert!(list.contains("惠企政策未兑现"));
}

#[tokio::test]
async fn an_exposure_is_answered_in_public_within_hours_and_work_team_findings_become_leads() {
    let o = office().await;
    let body = json!({
        "outlet": "青岛日报", "column_name": "问政追踪", "published_on": "2019-04-10", "link": "https://example.cn/a",
        "title": "企业开办为何还要跑三趟",
        "problems": [{ "description": "企业开办窗口材料要求不一致", "unit_department_id": o.unit_dept, "category": "APPROVAL" }]
    });
    let (s, _) = o.unit.post("/api/v1/exposures", body.clone()).await;
    assert_eq!(s, 403, "the supervision office registers exposures");
    let mut bad = body.clone();
    bad["link"] = json!("javascript:alert(1)");
    assert_eq!(o.office.post("/api/v1/exposures", bad).await.0, 422);
    let (s, e) = o.office.post("/api/v1/exposures", body).await;
    assert_eq!(s, 201, "{e}");
    let lead = e["problems"][0]["lead_id"].as_i64().expect("lead");
    assert_eq!(e["problems"][0]["state"], "transferred");
    assert_eq!(e["problems"][0]["respond_by"].as_i64(), Some(crate::support::START_MS + 24 * 3_600_000));
    let notes = |api: &Api, text: &'static str| {
        let api = Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() };
        async move {
            let (_, inbox) = api.get("/api/v1/notifications").await;
            inbox["items"]
                .as_array()
                .map_or(0, |a| a.iter().filter(|n| n["title"].as_str().is_some_and(|t| t.contains(text))).count())
        }
    };
    o.app.user("mayor", "leader", None, None).await;
    o.app.clock.advance_ms(23 * 3_600_000);
    o.app.run_scheduler().await;
    assert_eq!(notes(&o.unit, "超时未回应").await, 0, "not before the hours have passed");
    assert!(!o.app.browser("mayor").await.text("/").await.1.contains("曝光问题逾期未回应"));
    o.app.clock.advance_ms(2 * 3_600_000);
    o.app.run_scheduler().await;
    assert_eq!(notes(&o.unit, "催办：媒体曝光").await, 1, "the unit's head is urged at the hour deadline");
    assert_eq!(notes(&o.office, "媒体曝光问题超时未回应").await, 1, "and the office told");
    let (_, home) = o.app.browser("mayor").await.text("/").await;
    assert!(
        home.contains("曝光问题逾期未回应") && home.contains("企业开办窗口材料要求不一致"),
        "on a leader's home: {home}"
    );
    o.app.run_scheduler().await;
    assert_eq!(notes(&o.unit, "催办：媒体曝光").await, 1, "once");
    let (_, page) = get(&o.app, "/exposures").await;
    assert!(page.contains("逾期未回应"), "a late answer shows in public");
    let (s, _) = o
        .unit
        .post(
            &format!("/api/v1/leads/{lead}/transitions"),
            json!({ "transition": "feed_back", "note": "已统一材料清单并公示" }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, page) = get(&o.app, "/exposures").await;
    assert!(page.contains("已统一材料清单并公示"), "the response is published beside the exposure");

    let (s, team) = o.office.post("/api/v1/work-teams", json!({ "name": "市人大营商环境小分队", "body": "congress", "topic": "企业开办便利度", "members": "王代表、李代表" })).await;
    assert_eq!(s, 201, "{team}");
    let (s, t) = o
        .office
        .post(&format!("/api/v1/work-teams/{}/activities", team["id"]), json!({ "kind": "inquiry", "held_on": "2019-04-20", "place": "市行政审批服务局", "subject": "企业开办时限", "findings": ["开办时限未达到承诺", "线上办理入口分散"], "category": "APPROVAL" }))
        .await;
    assert_eq!(s, 201, "{t}");
    let ids = t["activities"][0]["lead_ids"].as_array().map(Vec::len);
    assert_eq!(ids, Some(2), "each finding is a lead");
    let (_, l) = o.office.get(&format!("/api/v1/leads/{}", t["activities"][0]["lead_ids"][0])).await;
    assert_eq!(l["channel"], "congress");
}

/// Issue #5's "done when": a lead filed by a standard Open311 client is found by Chinese
/// search, handled through every step in the browser, and its reporter sees the outcome
/// and judges it by token.
#[tokio::test]
async fn an_open311_lead_is_found_handled_in_the_browser_and_judged_by_its_reporter() {
    let o = office().await;
    let res = reqwest::Client::new()
        .post(o.app.url("/open311/v2/requests.json"))
        .form(&[
            ("api_key", o.key.as_str()),
            ("service_code", "POLICY"),
            ("address_string", "崂山区海尔路 1 号"),
            ("description", "我公司申报的高新技术企业认定奖励资金至今没有拨付"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 201);
    let v: Value = res.json().await.expect("json");
    let id: i64 = v[0]["service_request_id"].as_str().and_then(|s| s.parse().ok()).expect("id");
    let token = v[0]["token"].as_str().expect("token").to_owned();

    let office = o.app.browser("jw").await;
    let (s, page) = office.text("/search?q=%E5%A5%96%E5%8A%B1%E8%B5%84%E9%87%91").await; // 奖励资金
    assert_eq!(s, 200);
    assert!(page.contains(&format!("href=\"/supervision/leads/{id}\"")), "found by search: {page}");
    assert!(page.contains("<mark>奖励</mark>") || page.contains("<mark>奖励资金</mark>"));

    let unit = o.app.browser("chen").await;
    let lead = format!("/supervision/leads/{id}");
    let dept = o.unit_dept.to_string();
    let step = |b: &crate::support::Browser, fields: Vec<(&'static str, String)>| {
        let (b, lead) = (crate::support::Browser { base: b.base.clone(), client: b.client.clone() }, lead.clone());
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post(&lead, &f).await.status().as_u16()
        }
    };
    assert_eq!(step(&office, vec![("transition", "transfer".into()), ("unit_department_id", dept.clone())]).await, 303);
    assert_eq!(
        step(&unit, vec![("transition", "feed_back".into()), ("note", "奖励资金已于本周拨付到账".into())]).await,
        303
    );
    assert_eq!(
        step(&office, vec![("transition", "verify".into()), ("note", "电话回访企业确认到账".into())]).await,
        303
    );
    let (s, page) = office.text(&lead).await;
    assert_eq!(s, 200);
    assert!(page.contains("已核实"), "{page}");
    assert_eq!(
        step(
            &office,
            vec![("transition", "notify".into()), ("note", "奖励资金已拨付，责任单位已说明延迟原因。".into())]
        )
        .await,
        303
    );
    assert_eq!(step(&office, vec![("transition", "close".into())]).await, 303);

    let (s, page) = get(&o.app, &format!("/report/track?token={token}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("奖励资金已拨付") && page.contains("已办结") && page.contains("您对办理结果满意吗"),
        "{page}"
    );
    let judge = |fields: Vec<(&'static str, String)>| {
        let url = o.app.url("/report/track/judgement");
        async move { reqwest::Client::new().post(url).form(&fields).send().await.expect("post") }
    };
    let res = judge(vec![("token", token.clone()), ("judgement", "so-so".into()), ("comment", "一般".into())]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.expect("text").contains("一般"), "what was typed is kept");
    let res = judge(vec![("token", token.clone()), ("judgement", "basically_satisfied".into())]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.expect("text").contains("基本满意"));
    let (s, e) = o
        .app
        .api("")
        .post(&format!("/api/v1/leads/track/{token}/judgement"), json!({ "judgement": "dissatisfied" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_judged")));

    let (_, figures) = o.office.get("/api/v1/leads/figures?group=unit").await;
    let row = figures.as_array().and_then(|f| f.iter().find(|x| x["judged"] == 1)).cloned().unwrap_or_default();
    assert_eq!(row["satisfaction_rate"].as_f64(), Some(1.0), "{figures}");
    let (s, page) = office.text("/supervision/figures").await;
    assert_eq!(s, 200);
    assert!(page.contains("满意率"));
    assert!(o.app.verify().await.ok);
}

#[tokio::test]
async fn a_reporter_cannot_judge_before_the_outcome_is_published() {
    let o = office().await;
    let (s, filed) = post311(
        &o.app,
        &[
            ("api_key", o.key.as_str()),
            ("service_code", "STYLE"),
            ("address_string", "市北区"),
            ("description", "窗口人员推诿"),
        ],
    )
    .await;
    assert_eq!(s, 201);
    let token = filed[0]["token"].as_str().expect("token").to_owned();
    let (s, e) = o
        .app
        .api("")
        .post(&format!("/api/v1/leads/track/{token}/judgement"), json!({ "judgement": "satisfied" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("not_resolved")));
    let (s, _) = o.app.api("").post("/api/v1/leads/track/nope/judgement", json!({ "judgement": "satisfied" })).await;
    assert_eq!(s, 404);
    let (_, page) = get(&o.app, &format!("/report/track?token={token}")).await;
    assert!(!page.contains("您对办理结果满意吗"), "no judgement form before the outcome");
}

#[tokio::test]
async fn a_work_team_finding_becomes_a_lead_and_then_a_leaders_task() {
    let o = office().await;
    let mayor_id = o.app.user("mayor", "leader", None, None).await;
    let staff_id = o.app.user("xu", "staff", Some(o.unit_dept), None).await;
    let mayor = o.app.api(&o.app.token("mayor", &["read", "write"]).await);
    let (s, team) = o
        .office
        .post("/api/v1/work-teams", json!({ "name": "人大营商环境小分队", "body": "congress", "topic": "惠企政策落实", "members": "张委员、李代表" }))
        .await;
    assert_eq!(s, 201, "{team}");
    let (s, team) = o
        .office
        .post(
            &format!("/api/v1/work-teams/{}/activities", team["id"]),
            json!({ "kind": "inquiry", "held_on": "2019-04-20", "place": "市发展改革委", "subject": "政策兑现",
                    "findings": ["人才公寓配租政策申请材料多达十五项"], "category": "POLICY" }),
        )
        .await;
    assert_eq!(s, 201, "{team}");
    let lead_id = team["activities"][0]["lead_ids"][0].as_i64().expect("a lead per finding");
    let (s, matter) = mayor.post("/api/v1/matters", json!({ "title": "惠企政策兑现提速" })).await;
    assert_eq!(s, 201, "{matter}");
    let body = json!({ "matter_id": matter["id"], "assignee_id": staff_id, "lead_department_id": o.unit_dept, "working_days": 10 });
    assert_eq!(
        o.unit.post(&format!("/api/v1/leads/{lead_id}/task"), body.clone()).await.0,
        404,
        "the unit does not see a lead before its transfer"
    );
    let (s, task) = mayor.post(&format!("/api/v1/leads/{lead_id}/task"), body.clone()).await;
    assert_eq!(s, 201, "{task}");
    assert!(task["title"].as_str().is_some_and(|t| t.contains("人才公寓")));
    assert_eq!(task["assignee_id"], staff_id);
    let (s, e) = mayor.post(&format!("/api/v1/leads/{lead_id}/task"), body).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_a_task")));
    let (_, lead) = o.office.get(&format!("/api/v1/leads/{lead_id}")).await;
    assert_eq!(lead["task_id"], task["id"]);
    let (_, found) = mayor.get("/api/v1/search?q=%E4%BA%BA%E6%89%8D%E5%85%AC%E5%AF%93&kind=task").await; // 人才公寓
    assert_eq!(found["hits"][0]["id"], task["id"], "{found}");
    let _ = mayor_id;

    // In the browser: the form offers the mayor's open matters and keeps what was typed.
    let (s, other) = o.office.post("/api/v1/leads", json!({ "channel": "cppcc", "category": "PROJECT", "description": "蓝谷某项目用地手续卡在规划调整", "address": "即墨区" })).await;
    assert_eq!(s, 201);
    let b = o.app.browser("mayor").await;
    let (_, page) = b.text(&format!("/supervision/leads/{}", other["id"])).await;
    assert!(page.contains("转为督办任务") && page.contains("惠企政策兑现提速"), "{page}");
    let res = b
        .post(
            &format!("/supervision/leads/{}/task", other["id"]),
            &[
                ("matter_id", &matter["id"].to_string()),
                ("lead_department_id", &o.unit_dept.to_string()),
                ("assignee_id", &staff_id.to_string()),
                ("deadline", "2019-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "a deadline in the past is refused");
    let res = b
        .post(
            &format!("/supervision/leads/{}/task", other["id"]),
            &[
                ("matter_id", &matter["id"].to_string()),
                ("lead_department_id", &o.unit_dept.to_string()),
                ("assignee_id", &staff_id.to_string()),
                ("working_days", "5"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, page) = b.text(&format!("/supervision/leads/{}", other["id"])).await;
    assert!(page.contains("督办任务") && page.contains("href=\"/tasks/"), "{page}");
}

#[tokio::test]
async fn the_unit_is_reminded_before_the_feedback_deadline_and_the_office_told_once_it_passes() {
    let o = office().await;
    let (s, lead) = o
        .office
        .post("/api/v1/leads", json!({ "channel": "government", "category": "APPROVAL", "description": "施工许可超过承诺时限", "address": "市南区" }))
        .await;
    assert_eq!(s, 201);
    let id = lead["id"].as_i64().expect("id");
    let (s, _) = o
        .office
        .post(
            &format!("/api/v1/leads/{id}/transitions"),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept }),
        )
        .await;
    assert_eq!(s, 200);
    let titles = |inbox: &Value| -> Vec<String> {
        inbox["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["title"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    o.app.run_scheduler().await;
    assert!(!titles(&o.unit.get("/api/v1/notifications").await.1).iter().any(|t| t.starts_with("催办")), "not yet");
    // Ten working days from Wednesday 10 April 2019 is 24 April; a day before, the unit is reminded.
    o.app.clock.advance_ms(13 * 86_400_000);
    o.app.run_scheduler().await;
    o.app.run_scheduler().await;
    let unit_inbox = titles(&o.unit.get("/api/v1/notifications").await.1);
    assert_eq!(
        unit_inbox.iter().filter(|t| t.starts_with("催办：监督线索办理「施工许可超过承诺时限」")).count(),
        1,
        "{unit_inbox:?}"
    );
    o.app.clock.advance_ms(2 * 86_400_000);
    o.app.run_scheduler().await;
    o.app.run_scheduler().await;
    let office_inbox = titles(&o.office.get("/api/v1/notifications").await.1);
    assert_eq!(
        office_inbox.iter().filter(|t| t.starts_with("逾期：监督线索办理「施工许可超过承诺时限」已超过期限")).count(),
        1,
        "{office_inbox:?}"
    );
    let (_, figures) = o.office.get("/api/v1/leads/figures?group=unit").await;
    assert!(figures.as_array().is_some_and(|f| f.iter().any(|x| x["overdue"] == 1)), "{figures}");
}

/// The kernel keeps the feedback deadline from the process file: an upheld transfer
/// gives the unit its full time again, counted from the day it was upheld.
#[tokio::test]
async fn an_upheld_transfer_gives_the_unit_a_fresh_deadline() {
    let o = office().await;
    let (_, lead) = o
        .office
        .post(
            "/api/v1/leads",
            json!({ "channel": "media", "category": "STYLE", "description": "窗口推诿", "address": "市北区" }),
        )
        .await;
    let id = lead["id"].as_i64().expect("id");
    let step = |body: Value| (format!("/api/v1/leads/{id}/transitions"), body);
    let (path, body) = step(json!({ "transition": "transfer", "unit_department_id": o.unit_dept }));
    assert_eq!(o.office.post(&path, body).await.0, 200);
    // Transferred on Wednesday 10 April 2019: ten working days is 24 April.
    assert_eq!(o.office.get(&format!("/api/v1/leads/{id}")).await.1["deadline"], "2019-04-24");
    let (path, body) = step(json!({ "transition": "dispute", "note": "不属于本单位职责" }));
    assert_eq!(o.unit.post(&path, body).await.0, 200);
    o.app.clock.advance_ms(7 * 86_400_000);
    let (path, body) = step(json!({ "transition": "confirm_transfer", "note": "经核，属于该单位职责" }));
    assert_eq!(o.office.post(&path, body).await.0, 200);
    // Upheld on Wednesday 17 April: ten working days later is 30 April, because Sunday
    // 28 April 2019 was a working day (调休 for May Day).
    let (_, after) = o.office.get(&format!("/api/v1/leads/{id}")).await;
    assert_eq!(after["deadline"], "2019-04-30", "{after}");
}

/// The lead list's page and its export come from one column spec: the page shows the
/// short form with a label on each cell, the file every column in full.
#[tokio::test]
async fn the_lead_list_exports_what_it_shows_in_full() {
    let o = office().await;
    let description = "某街道办事处对企业开办申请长期不予答复，群众多次反映无果，涉及三家科技企业的营业执照和税务登记，已超过承诺时限二十个工作日";
    let (s, _) = o
        .office
        .post(
            "/api/v1/leads",
            json!({ "channel": "public", "category": "APPROVAL", "description": description, "address": "市北区" }),
        )
        .await;
    assert_eq!(s, 201);
    let b = o.app.browser("jw").await;
    let (status, page) = b.text("/supervision").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-label=\"渠道\""), "cells carry their labels for the phone layout");
    assert!(!page.contains(description), "the page shortens the report");
    let res = b.get("/supervision?format=csv").await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.expect("csv");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("#,渠道,问题类别,内容,地址,联系方式（已脱敏）,责任单位,状态,反馈期限,登记时间"),
        "the page's headers, in words"
    );
    let row = lines.next().unwrap_or_default();
    assert!(row.contains(description) && row.contains("社会监督") && row.contains("市北区"), "{row}");
    let xlsx = b.get("/supervision?format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"), "an XLSX is a zip");

    // The figures page draws its two tables from the same spec as its exports.
    let (status, page) = b.text("/supervision/figures").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-label=\"逾期\""), "cells carry their labels");
    assert!(page.contains(">社会监督<"), "the page names the channel");
    let csv = b.get("/supervision/figures?format=csv").await.text().await.expect("csv");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.starts_with("渠道,") && header.contains(",已评价,逾期,"), "{header}");
    assert!(lines.any(|l| l.starts_with("社会监督,1,0,")), "the channel in words: {csv}");
}

/// The supervision office's home lists the leads to transfer and those whose feedback is
/// overdue; the unit's home lists the leads it must answer.
#[tokio::test]
async fn the_office_and_the_unit_find_their_leads_on_their_homes() {
    let o = office().await;
    let post =
        |d: &str| json!({ "channel": "government", "category": "APPROVAL", "description": d, "address": "市南区" });
    let (_, waiting) = o.office.post("/api/v1/leads", post("窗口要求重复提交材料")).await;
    let (_, sent) = o.office.post("/api/v1/leads", post("审批超过承诺时限")).await;
    let transfer = json!({ "transition": "transfer", "unit_department_id": o.unit_dept });
    assert_eq!(o.office.post(&format!("/api/v1/leads/{}/transitions", sent["id"]), transfer).await.0, 200);
    let (_, home) = o.app.browser("jw").await.text("/").await;
    assert!(home.contains("窗口要求重复提交材料") && home.contains("移送责任单位"), "to transfer");
    assert!(!home.contains("审批超过承诺时限"), "the unit has it, within its deadline");
    let (_, home) = o.app.browser("chen").await.text("/").await;
    assert!(home.contains("审批超过承诺时限") && home.contains("反馈办理结果"), "the unit answers");
    assert!(!home.contains("窗口要求重复提交材料"));
    o.app.clock.advance_ms(20 * 86_400_000);
    let (_, home) = o.app.browser("jw").await.text("/").await;
    assert!(home.contains("审批超过承诺时限") && home.contains("逾期未反馈"), "overdue feedback is chased");
    assert!(waiting["id"].is_i64());
}

/// A synthetic JPEG whose Exif segment holds a location.
pub fn jpeg_with_location() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0GPS 36.0671N 120.3826E";
    jpeg.extend([0xFF, 0xE1]);
    jpeg.extend(((exif.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(exif);
    jpeg.extend([0xFF, 0xDA, 0, 4, 1, 2, 0x55, 0x66, 0xFF, 0xD9]);
    jpeg
}

async fn report_with_photo(app: &TestApp, description: &str, file: (&str, Vec<u8>), keep: bool) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("category", "APPROVAL")
        .text("description", description.to_owned())
        .text("address", "市南区香港中路")
        .part("photo", reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned()));
    if keep {
        form = form.text("keep_location", "true");
    }
    reqwest::Client::new().post(app.url("/report")).multipart(form).send().await.expect("report")
}

/// A reporter's photo is stored without where it was taken (unless they keep it), shown
/// to the public and to Open311 clients as media_url while the lead is public, and a
/// file that is not a photo is refused with nothing filed.
#[tokio::test]
async fn a_reported_photo_loses_its_location_and_is_served_as_media_url() {
    let o = office().await;
    let res = report_with_photo(&o.app, "窗口排队两小时无人引导", ("queue.jpg", jpeg_with_location()), false).await;
    assert_eq!(res.status(), 200);
    let (_, listed) = o.office.get("/api/v1/leads").await;
    let id = listed["items"][0]["id"].as_i64().expect("filed");
    let (_, request) = get(&o.app, &format!("/open311/v2/requests/{id}.json")).await;
    let request: Value = serde_json::from_str(&request).expect("json");
    let media = request[0]["media_url"].as_str().expect("media_url").to_owned();
    let path = media.split_once("/report/photos/").map(|(_, p)| format!("/report/photos/{p}")).expect("a photo URL");
    let photo = reqwest::get(o.app.url(&path)).await.expect("photo");
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let bytes = photo.bytes().await.expect("bytes");
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && !bytes.windows(4).any(|w| w == b"Exif"), "the location is gone");

    let res = report_with_photo(&o.app, "路灯不亮已一周", ("lamp.jpg", jpeg_with_location()), true).await;
    assert_eq!(res.status(), 200);
    let (_, listed) = o.office.get("/api/v1/leads").await;
    let kept = listed["items"][0]["id"].as_i64().expect("filed");
    let (_, request) = get(&o.app, &format!("/open311/v2/requests/{kept}.json")).await;
    let url = serde_json::from_str::<Value>(&request).expect("json")[0]["media_url"].as_str().unwrap_or("").to_owned();
    let path = format!("/report/photos/{}", url.rsplit('/').next().unwrap_or(""));
    let bytes = reqwest::get(o.app.url(&path)).await.expect("photo").bytes().await.expect("bytes");
    assert!(bytes.windows(4).any(|w| w == b"Exif"), "kept when the reporter chose to");

    let before = o.app.count("leads").await;
    let res = report_with_photo(&o.app, "附件不是照片", ("notes.jpg", b"not a picture".to_vec()), false).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap_or_default().contains("只能上传 JPG 或 PNG 照片"));
    assert_eq!(o.app.count("leads").await, before, "nothing filed");

    // A confidential lead's photo is not public.
    let transfer = json!({ "transition": "transfer", "unit_department_id": o.unit_dept, "to_discipline": true });
    assert_eq!(o.office.post(&format!("/api/v1/leads/{id}/transitions"), transfer).await.0, 200);
    let first = format!("/report/photos/{}", media.rsplit('/').next().unwrap_or(""));
    assert_eq!(reqwest::get(o.app.url(&first)).await.expect("photo").status(), 404);
}

/// 改由他单位办理: the office upholds a dispute by naming the unit that should handle the
/// lead, and it goes straight there, in one step.
#[tokio::test]
async fn a_disputed_lead_is_redirected_to_the_unit_named() {
    let o = office().await;
    let (other, _, _) = o.app.department("swj", "public").await;
    let (_, lead) = o
        .office
        .post(
            "/api/v1/leads",
            json!({ "channel": "media", "category": "STYLE", "description": "展会审批互相推诿", "address": "市南区" }),
        )
        .await;
    let url = format!("/api/v1/leads/{}/transitions", lead["id"]);
    let transfer = json!({ "transition": "transfer", "unit_department_id": o.unit_dept });
    assert_eq!(o.office.post(&url, transfer).await.0, 200);
    assert_eq!(o.unit.post(&url, json!({ "transition": "dispute", "note": "展会审批属商务局" })).await.0, 200);
    let redirect = json!({ "transition": "redirect", "note": "改由市商务局办理", "unit_department_id": other });
    let (s, fired) = o.office.post(&url, redirect).await;
    assert_eq!(s, 200, "{fired}");
    let (_, after) = o.office.get(&format!("/api/v1/leads/{}", lead["id"])).await;
    assert_eq!((after["state"].as_str(), after["unit_department_id"].as_i64()), (Some("transferred"), Some(other)));
    let steps: Vec<&str> = after["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["transition"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(steps, ["transfer", "dispute", "redirect", "transfer"]);
}

/// Once its unit has fed a lead back, the unit asks the reporter to rate the handling:
/// the link and code go to the contact the reporter gave, from the lead's page.
#[tokio::test]
async fn the_unit_asks_the_reporter_of_a_lead_it_fed_back_to_rate_it() {
    let o = office().await;
    let (s, filed) = post311(
        &o.app,
        &[
            ("api_key", o.key.as_str()),
            ("service_code", "POLICY"),
            ("description", "企业开办补贴迟迟未兑现"),
            ("address_string", "市南区香港中路 10 号"),
            ("email", "boss@example.cn"),
            ("phone", "13655557777"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{filed}");
    let id: i64 = filed[0]["service_request_id"].as_str().and_then(|s| s.parse().ok()).expect("id");
    let office = o.app.browser("jw").await;
    let (_, figures) = office.text("/supervision/figures?group=unit").await;
    assert!(figures.contains("（尚未移送责任单位）"), "the unit column says what a missing unit means: {figures}");
    let url = format!("/api/v1/leads/{id}/transitions");
    assert_eq!(
        o.office.post(&url, json!({ "transition": "transfer", "unit_department_id": o.unit_dept })).await.0,
        200
    );
    let unit = o.app.browser("chen").await;
    let (_, page) = unit.text(&format!("/supervision/leads/{id}")).await;
    assert!(!page.contains("请反映人评价"), "not before the feedback");
    let invite = json!({ "kind": "lead", "ref_id": id, "summary": "企业开办补贴" });
    let (s, e) = o.unit.post("/api/v1/interactions", invite.clone()).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("service_not_finished")));
    assert_eq!(o.unit.post(&url, json!({ "transition": "feed_back", "note": "补贴已拨付" })).await.0, 200);
    let (_, page) = unit.text(&format!("/supervision/leads/{id}")).await;
    assert!(page.contains("请反映人评价"), "{page}");
    let res = unit
        .post("/evaluation/invite", &[("kind", "lead"), ("ref_id", &id.to_string()), ("summary", "企业开办补贴")])
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.expect("page").contains("b***@example.cn"));
    let sent = crate::evaluation::received(&o.app, "boss@example.cn").await;
    assert_eq!(sent.code.len(), 6);
    let (s, e) = o.unit.post("/api/v1/interactions", invite).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_invited")));
}

/// Channels' offices are confidential from each other: the people's congress office
/// registers and sees its own channel's leads only; a lead sent to the discipline
/// commission is seen by it, the supervision office and the unit, not by the congress
/// office nor by leaders — in lists, on the page and in search.
#[tokio::test]
async fn a_discipline_lead_is_invisible_to_the_congress_office() {
    let o = office().await;
    let (rd, _, _) = o.app.department("rd", "public").await;
    let (jw, _, _) = o.app.department("jwc", "public").await;
    o.app.user("rdstaff", "staff", Some(rd), None).await;
    o.app.user("jwstaff", "staff", Some(jw), None).await;
    o.app.user("fgwstaff", "staff", Some(o.unit_dept), None).await;
    o.app.user("mayor", "leader", None, None).await;
    let admin = o.app.api(&o.app.token("admin", &["read", "write"]).await);
    for (channel, dept) in [("congress", rd), ("party", jw)] {
        let (s, v) =
            admin.put(&format!("/api/v1/leads/channel-offices/{channel}"), json!({ "department_id": dept })).await;
        assert_eq!(s, 200, "{v}");
    }
    assert_eq!(o.office.put("/api/v1/leads/channel-offices/congress", json!({ "department_id": jw })).await.0, 403);
    let (rdstaff, jwstaff, fgwstaff, mayor) = (
        o.app.api(&o.app.token("rdstaff", &["read", "write"]).await),
        o.app.api(&o.app.token("jwstaff", &["read", "write"]).await),
        o.app.api(&o.app.token("fgwstaff", &["read", "write"]).await),
        o.app.api(&o.app.token("mayor", &["read", "write"]).await),
    );
    let lead = |channel: &str, text: &str| json!({ "channel": channel, "category": "POLICY", "description": text, "address": "市南区" });
    let (s, congress) = rdstaff.post("/api/v1/leads", lead("congress", "人大代表反映：稳岗补贴发放滞后")).await;
    assert_eq!(s, 201, "{congress}");
    for (api, channel) in [(&rdstaff, "cppcc"), (&rdstaff, "party"), (&fgwstaff, "congress")] {
        let (s, e) = api.post("/api/v1/leads", lead(channel, "不是本渠道")).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("channel_not_yours")), "{channel}");
    }
    let (s, party) = jwstaff.post("/api/v1/leads", lead("party", "审批人员吃拿卡要的举报线索")).await;
    assert_eq!(s, 201);
    let (_, sent) = rdstaff.post("/api/v1/leads", lead("congress", "人大代表反映：审批窗口索要好处费")).await;
    let sent = sent["id"].as_i64().expect("id");
    let (s, _) = o
        .office
        .post(
            &format!("/api/v1/leads/{sent}/transitions"),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept, "to_discipline": true }),
        )
        .await;
    assert_eq!(s, 200);
    let (congress, party) = (congress["id"].as_i64().expect("id"), party["id"].as_i64().expect("id"));

    let ids = |v: &Value| -> Vec<i64> {
        v["items"].as_array().map(|a| a.iter().filter_map(|l| l["id"].as_i64()).collect()).unwrap_or_default()
    };
    let sees = [
        (&rdstaff, vec![congress]),
        (&jwstaff, vec![sent, party]),
        (&fgwstaff, vec![sent]),
        (&mayor, vec![congress]),
        (&o.office, vec![sent, party, congress]),
    ];
    for (api, expected) in &sees {
        let (_, list) = api.get("/api/v1/leads?sort=-id").await;
        assert_eq!(&ids(&list), expected, "{list}");
        for id in [congress, party, sent] {
            let status = api.get(&format!("/api/v1/leads/{id}")).await.0;
            assert_eq!(status == 200, expected.contains(&id), "lead {id}: {status}");
        }
    }
    let found = |api: &Api, q: &str| {
        let (api, q) =
            (Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() }, q.to_owned());
        async move {
            let (_, v) = api.get(&format!("/api/v1/search?kind=lead&q={q}")).await;
            v["hits"]
                .as_array()
                .map(|a| a.iter().filter_map(|h| h["id"].as_i64()).collect::<Vec<_>>())
                .unwrap_or_default()
        }
    };
    assert!(found(&jwstaff, "好处费").await.contains(&sent), "the commission finds what was sent to it");
    assert!(found(&rdstaff, "好处费").await.is_empty(), "the congress office does not, though it filed it");
    assert!(found(&mayor, "吃拿卡要").await.is_empty(), "nor do leaders find discipline leads");
    assert!(found(&rdstaff, "稳岗补贴").await.contains(&congress));
    let b = o.app.browser("rdstaff").await;
    assert_eq!(b.get(&format!("/supervision/leads/{sent}")).await.status(), 404);
    let (_, page) = b.text("/supervision/channels").await;
    assert!(page.contains("rd 局") && page.contains("jwc 局"), "{page}");
}

/// The originating channel's office hears of the feedback, and the published outcome is a
/// numbered 通报 addressed to the unit and that office, in their inboxes and on a page
/// laid out for printing; another channel's office cannot open it.
#[tokio::test]
async fn a_notice_reaches_the_originating_channel() {
    let o = office().await;
    let (rd, _, _) = o.app.department("rd", "public").await;
    let (zx, _, _) = o.app.department("zx", "public").await;
    o.app.user("rdstaff", "staff", Some(rd), None).await;
    o.app.user("zxstaff", "staff", Some(zx), None).await;
    let admin = o.app.api(&o.app.token("admin", &["read", "write"]).await);
    for (channel, dept) in [("congress", rd), ("cppcc", zx)] {
        assert_eq!(
            admin.put(&format!("/api/v1/leads/channel-offices/{channel}"), json!({ "department_id": dept })).await.0,
            200
        );
    }
    let rdstaff = o.app.api(&o.app.token("rdstaff", &["read", "write"]).await);
    let zxstaff = o.app.api(&o.app.token("zxstaff", &["read", "write"]).await);
    let mut numbers = Vec::new();
    for text in ["人大代表反映：项目审批超时", "人大代表反映：补贴兑现慢"] {
        let (s, lead) = rdstaff
            .post(
                "/api/v1/leads",
                json!({ "channel": "congress", "category": "POLICY", "description": text, "address": "市南区" }),
            )
            .await;
        assert_eq!(s, 201, "{lead}");
        let url = format!("/api/v1/leads/{}/transitions", lead["id"]);
        let step = |api: &Api, body: Value| {
            let (api, url) =
                (Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() }, url.clone());
            async move { api.post(&url, body).await.0 }
        };
        assert_eq!(step(&o.office, json!({ "transition": "transfer", "unit_department_id": o.unit_dept })).await, 200);
        assert_eq!(step(&o.unit, json!({ "transition": "feed_back", "note": "已办结" })).await, 200);
        assert_eq!(step(&o.office, json!({ "transition": "verify", "note": "已核实" })).await, 200);
        assert_eq!(
            step(&o.office, json!({ "transition": "notify", "note": "经核实，问题已整改。\n相关人员已约谈。" })).await,
            200
        );
        let (_, inbox) = rdstaff.get("/api/v1/notifications").await;
        let titles: Vec<String> = inbox["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["title"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        assert!(titles.iter().any(|t| t.contains("已由责任单位反馈")), "told of the feedback: {titles:?}");
        let note = inbox["items"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|n| n["link"].as_str().is_some_and(|l| l.starts_with("/supervision/notices/"))).cloned()
            })
            .expect("the notice in the originating office's inbox");
        let id = note["link"].as_str().and_then(|l| l.rsplit('/').next()).expect("id").to_owned();
        let (s, notice) = rdstaff.get(&format!("/api/v1/notices/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(notice["recipients"], json!(["fgw 局", "rd 局"]));
        numbers.push(notice["number"].as_str().unwrap_or("").to_owned());
        assert_eq!(zxstaff.get(&format!("/api/v1/notices/{id}")).await.0, 404, "another channel's office");
        let (s, page) = o.app.browser("rdstaff").await.text(&format!("/supervision/notices/{id}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains("gongwen") && page.contains("fgw 局、rd 局：") && page.contains("相关人员已约谈"),
            "{page}"
        );
    }
    assert_eq!(numbers, ["青督通〔2019〕1号", "青督通〔2019〕2号"], "numbered per year");
}

/// A leader's 批示 on a lead reaches the office and the unit; the office urges the unit;
/// a leader cannot give one on a discipline lead, which is hidden from leaders.
#[tokio::test]
async fn a_leader_instructs_on_a_lead_and_the_office_urges_the_unit() {
    let o = office().await;
    o.app.user("mayor", "leader", None, None).await;
    let mayor = o.app.api(&o.app.token("mayor", &["read", "write"]).await);
    let lead = json!({ "channel": "government", "category": "POLICY", "description": "企业反映稳岗补贴发放滞后", "address": "市南区" });
    let (_, l) = o.office.post("/api/v1/leads", lead.clone()).await;
    let url = format!("/api/v1/leads/{}/directives", l["id"]);
    let (s, d) = mayor.post(&url, json!({ "kind": "instruction", "body": "请督查室跟踪，一周内反馈。" })).await;
    assert_eq!(s, 201, "{d}");
    let (_, inbox) = o.office.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("批示"), "the office hears of it: {inbox}");
    let (s, _) = o.unit.post(&url, json!({ "kind": "urge", "body": "x" })).await;
    assert_eq!(s, 404, "the unit does not see the lead before it is transferred");
    let (s, _) = o
        .office
        .post(
            &format!("/api/v1/leads/{}/transitions", l["id"]),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, u) = o.office.post(&url, json!({ "kind": "urge", "body": "请按期反馈。" })).await;
    assert_eq!(s, 201, "{u}");
    assert!(u["recipients"].as_array().unwrap().iter().any(|r| r["name"] == "chen 测试"), "{u}");
    let (s, _) = o.unit.post(&url, json!({ "kind": "urge", "body": "x" })).await;
    assert_eq!(s, 403, "the unit cannot urge itself");
    let (_, page) = o.app.browser("chen").await.text(&format!("/supervision/leads/{}", l["id"])).await;
    assert!(page.contains("已催办 1 次") && page.contains("请督查室跟踪"), "{page}");
    let (_, sent) = o
        .office
        .post(
            "/api/v1/leads",
            json!({ "channel": "government", "category": "POLICY", "description": "索要好处费", "address": "市南区" }),
        )
        .await;
    o.office
        .post(
            &format!("/api/v1/leads/{}/transitions", sent["id"]),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept, "to_discipline": true }),
        )
        .await;
    let (s, _) = mayor
        .post(&format!("/api/v1/leads/{}/directives", sent["id"]), json!({ "kind": "instruction", "body": "x" }))
        .await;
    assert_eq!(s, 404);
}

/// A lead made into a task shows how the task stands, and is fed back with the task's
/// feedback once the leader accepts it.
#[tokio::test]
async fn a_lead_made_into_a_task_follows_it_to_feedback() {
    let o = office().await;
    o.app.user("mayor", "leader", None, None).await;
    let staff_id = o.app.user("xu", "staff", Some(o.unit_dept), None).await;
    let mayor = o.app.api(&o.app.token("mayor", &["read", "write"]).await);
    let xu = o.app.api(&o.app.token("xu", &["read", "write"]).await);
    let (_, l) = o.office.post("/api/v1/leads", json!({ "channel": "government", "category": "POLICY", "description": "人才公寓配租申请材料多达十五项", "address": "市南区" })).await;
    let lead = l["id"].as_i64().expect("id");
    let (s, _) = o
        .office
        .post(
            &format!("/api/v1/leads/{lead}/transitions"),
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, matter) = mayor.post("/api/v1/matters", json!({ "title": "惠企政策兑现提速" })).await;
    let body = json!({ "matter_id": matter["id"], "assignee_id": staff_id, "lead_department_id": o.unit_dept, "working_days": 10 });
    let (s, task) = mayor.post(&format!("/api/v1/leads/{lead}/task"), body).await;
    assert_eq!(s, 201, "{task}");
    let (_, d) = o.office.get(&format!("/api/v1/leads/{lead}")).await;
    assert_eq!((d["task"]["state"].as_str(), d["task"]["finished"].as_bool()), (Some("已交办"), Some(false)), "{d}");
    let fire = |api: &Api, t: &str, note: Option<&str>| {
        let (api, url) = (
            Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() },
            format!("/api/v1/tasks/{}/transitions", task["id"]),
        );
        let body = json!({ "transition": t, "note": note });
        async move { api.post(&url, body).await.0 }
    };
    assert_eq!(fire(&xu, "accept", None).await, 200);
    assert_eq!(fire(&xu, "submit_feedback", Some("申请材料已精简为五项并公布")).await, 200);
    let (_, d) = o.office.get(&format!("/api/v1/leads/{lead}")).await;
    assert_eq!(d["state"], "transferred", "not before the leader accepts the feedback");
    assert_eq!(fire(&mayor, "approve", Some("同意")).await, 200);
    let (_, d) = o.office.get(&format!("/api/v1/leads/{lead}")).await;
    assert_eq!(d["state"], "fed_back", "{d}");
    assert_eq!(d["task"]["finished"], true);
    assert!(d["history"].to_string().contains("申请材料已精简为五项并公布"), "{d}");
    let (s, e) = o
        .office
        .post(&format!("/api/v1/tasks/{}/directives", task["id"]), json!({ "kind": "urge", "body": "请加快" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("record_finished")), "a finished task is not urged: {e}");
    let (_, page) = o.app.browser("chen").await.text(&format!("/supervision/leads/{lead}")).await;
    assert!(page.contains("已办结") && page.contains("100%"), "{page}");
}

/// What counts as a possible duplicate is the administrators' to set.
#[tokio::test]
async fn duplicate_thresholds_are_settings() {
    let o = office().await;
    let admin = o.app.api(&o.app.token("admin", &["read", "write"]).await);
    let file = |desc: &str, lat: f64| json!({ "channel": "government", "category": "ENVIRONMENT", "description": desc, "address": "", "lat": lat, "lon": 120.38 });
    let (_, first) = o.office.post("/api/v1/leads", file("山东路路口井盖缺失，夜间很危险", 36.0860)).await;
    let (s, second) = o.office.post("/api/v1/leads", file("延吉路垃圾清运不及时", 36.0875)).await;
    assert_eq!(s, 201, "{second}");
    let offered = |api: &Api| {
        let (api, id) = (
            Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() },
            second["id"].clone(),
        );
        async move {
            let (_, d) = api.get(&format!("/api/v1/leads/{id}")).await;
            d["candidates"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(offered(&o.office).await, 1, "about 170 m apart: within the default 500 m");
    assert_eq!(admin.put("/api/v1/settings/supervision.dedupe_distance_m", json!({ "value": 100 })).await.0, 200);
    assert_eq!(offered(&o.office).await, 0, "not within 100 m, and the texts differ");
    let _ = first;
    let (_, discovery) = get(&o.app, "/open311/discovery.json").await;
    assert!(discovery.contains("青岛市督查督办 12345（测试）"), "the configured contact: {discovery}");
}

/// The office's intake works from pages: filing a lead for a channel, registering an
/// exposure, creating a work team and recording its inquiry, and keeping the categories.
#[tokio::test]
async fn the_office_files_exposes_records_and_keeps_categories_from_pages() {
    let o = office().await;
    let b = o.app.browser("jw").await;
    let (s, page) = b.text("/supervision/new").await;
    assert_eq!(s, 200);
    assert!(page.contains("人大监督") && page.contains("惠企政策未兑现"), "every channel for the office: {page}");
    let r = b.post("/supervision/new", &[("channel", "congress"), ("category", "POLICY"), ("description", "")]).await;
    assert_eq!(r.status().as_u16(), 422, "a lead needs its content");
    let r = b
        .post(
            "/supervision/new",
            &[
                ("channel", "congress"),
                ("category", "POLICY"),
                ("description", "代表反映稳岗补贴发放滞后"),
                ("address", "市南区"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = o.office.get("/api/v1/leads?sort=-id").await;
    assert_eq!(list["items"][0]["channel"], "congress");

    let unit = o.unit_dept.to_string();
    let r = b
        .post(
            "/supervision/exposures/new",
            &[
                ("outlet", "青岛日报"),
                ("column_name", "问政追踪"),
                ("published_on", "2019-04-10"),
                ("title", "企业开办为何还要跑三趟"),
                ("problem_1_description", "窗口材料要求不一致"),
                ("problem_1_unit", unit.as_str()),
                ("problem_1_category", "APPROVAL"),
                ("problem_2_description", "线上入口分散"),
                ("problem_2_unit", unit.as_str()),
                ("problem_2_category", "APPROVAL"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, e) = o.office.get("/api/v1/exposures").await;
    assert_eq!(e[0]["problems"].as_array().map(Vec::len), Some(2), "{e}");

    let r = b
        .post(
            "/supervision/teams",
            &[
                ("name", "市人大营商环境小分队"),
                ("body", "congress"),
                ("topic", "企业开办便利度"),
                ("members", "王代表、李代表"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, teams) = o.office.get("/api/v1/work-teams").await;
    let team = teams[0]["id"].as_i64().expect("team");
    let r = b
        .post(
            &format!("/supervision/teams/{team}/activities"),
            &[
                ("team", &team.to_string()),
                ("kind", "inquiry"),
                ("held_on", "2019-04-20"),
                ("place", "市行政审批服务局"),
                ("subject", "企业开办时限"),
                ("findings", "开办时限未达到承诺\n\n线上办理入口分散"),
                ("category", "APPROVAL"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, t) = o.office.get(&format!("/api/v1/work-teams/{team}")).await;
    assert_eq!(t["activities"][0]["lead_ids"].as_array().map(Vec::len), Some(2), "{t}");

    let r = b.post("/supervision/categories", &[("code", "bad code"), ("name", "x"), ("description", "x")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = b
        .post(
            "/supervision/categories",
            &[("code", "SAFETY"), ("name", "安全生产"), ("description", "企业安全生产隐患"), ("active", "true")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, services) = get(&o.app, "/open311/v2/services.json").await;
    assert!(services.contains("SAFETY"), "offered to Open311 clients: {services}");
    let (s, c) =
        o.unit.put("/api/v1/lead-categories/SAFETY", json!({ "name": "x", "description": "x", "active": false })).await;
    assert_eq!(s, 403, "a unit does not keep the categories: {c}");
    let (s, c) = o
        .office
        .put(
            "/api/v1/lead-categories/SAFETY",
            json!({ "name": "安全生产", "description": "企业安全生产隐患", "active": false }),
        )
        .await;
    assert_eq!((s, c["active"].as_bool()), (200, Some(false)), "{c}");
    let (_, services) = get(&o.app, "/open311/v2/services.json").await;
    assert!(!services.contains("SAFETY"), "an inactive category is no longer offered");
    let (_, discovery) = get(&o.app, "/open311/discovery.json").await;
    let discovery: Value = serde_json::from_str(&discovery).expect("json");
    assert_eq!(
        (discovery["changeset"].as_str(), discovery["endpoints"][0]["changeset"].as_str()),
        (Some("2019-04-10T09:00:00+08:00"), Some("2019-04-10T09:00:00+08:00")),
        "discovery says when the service list last changed"
    );
}

#[tokio::test]
async fn lead_figures_are_counted_by_period_beside_the_period_before() {
    let o = office().await;
    let lead = |what: &str| json!({ "channel": "government", "category": "APPROVAL", "description": what, "address": "市南区" });
    assert_eq!(o.office.post("/api/v1/leads", lead("施工许可超过承诺时限")).await.0, 201);
    o.app.clock.advance_ms(30 * 86_400_000);
    let office = o.app.api(&o.app.token("jw", &["read", "write"]).await);
    for what in ["不动产登记窗口要求重复提交材料", "企业开办网上申请一直显示审核中"] {
        assert_eq!(office.post("/api/v1/leads", lead(what)).await.0, 201);
    }
    let government =
        |v: &Value| v.as_array().and_then(|f| f.iter().find(|x| x["key"] == "government")).cloned().unwrap_or_default();
    let (s, may) = office.get("/api/v1/leads/figures?group=channel&period=2019-05").await;
    assert_eq!(s, 200, "{may}");
    let may = government(&may);
    assert_eq!((may["leads"].as_i64(), may["previous"]["leads"].as_i64()), (Some(2), Some(1)), "{may}");
    assert_eq!(may["previous"]["period"], "2019-04");
    let (_, all) = office.get("/api/v1/leads/figures?group=channel").await;
    assert_eq!(government(&all)["leads"], 3);
    let (_, units) = office.get("/api/v1/leads/figures?group=unit&period=2019").await;
    assert_eq!(units[0]["key"], "", "not yet transferred: {units}");
    assert_eq!(units[0]["leads"], 3);
    let (s, e) = office.get("/api/v1/leads/figures?period=2019-Q5").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_period")));
    let b = o.app.browser("jw").await;
    let (_, page) = b.text("/supervision/figures?period=2019-05").await;
    assert!(page.contains("2019年5月") && page.contains("上期"), "the month beside April");
    let csv = b.get("/supervision/figures?period=2019-05&format=csv").await.text().await.unwrap_or_default();
    assert!(csv.lines().count() >= 2 && csv.contains("2019-04"), "the export carries the period before: {csv}");
}

/// Each week's overdue leads are named in one numbered notice per channel, sent to that
/// channel's office, the units named and the supervision office; a lead sent to the
/// discipline commission is named only in the discipline channel's notice.
#[tokio::test]
async fn overdue_leads_are_named_in_a_weekly_notice_per_channel() {
    let o = office().await;
    let (rd, _, _) = o.app.department("rd", "public").await;
    let (jw, _, _) = o.app.department("jwc", "public").await;
    o.app.user("rdstaff", "staff", Some(rd), None).await;
    o.app.user("jwstaff", "staff", Some(jw), None).await;
    let admin = o.app.api(&o.app.token("admin", &["read", "write"]).await);
    for (channel, dept) in [("congress", rd), ("party", jw)] {
        admin.put(&format!("/api/v1/leads/channel-offices/{channel}"), json!({ "department_id": dept })).await;
    }
    let rdstaff = o.app.api(&o.app.token("rdstaff", &["read", "write"]).await);
    let lead =
        |text: &str| json!({ "channel": "congress", "category": "POLICY", "description": text, "address": "市南区" });
    for (text, discipline) in [("人大代表反映：稳岗补贴发放滞后", false), ("人大代表反映：审批窗口索要好处费", true)]
    {
        let (_, l) = rdstaff.post("/api/v1/leads", lead(text)).await;
        let id = l["id"].as_i64().expect("id");
        let (s, v) = o
            .office
            .post(
                &format!("/api/v1/leads/{id}/transitions"),
                json!({ "transition": "transfer", "unit_department_id": o.unit_dept, "to_discipline": discipline }),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    // Monday 29 April 2019, 09:00: both are past their ten working days.
    o.app.clock.advance_ms(19 * 86_400_000);
    o.app.run_scheduler().await;
    o.app.run_scheduler().await;
    let notices = |user: &'static str| {
        let app = &o.app;
        async move {
            let (_, inbox) = app.api(&app.token(user, &["read"]).await).get("/api/v1/notifications").await;
            inbox["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|n| n["title"].as_str().is_some_and(|t| t.starts_with("通报 青督线报")))
                        .filter_map(|n| n["link"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    let (office, unit, congress, party) =
        (notices("jw").await, notices("chen").await, notices("rdstaff").await, notices("jwstaff").await);
    assert_eq!((office.len(), unit.len(), congress.len(), party.len()), (2, 2, 1, 1), "{office:?}");
    let b = o.app.browser("rdstaff").await;
    let (s, page) = b.text(&congress[0]).await;
    assert_eq!(s, 200);
    assert!(page.contains("稳岗补贴") && page.contains("青督线报〔2019〕") && page.contains("gongwen"), "{page}");
    assert!(!page.contains("好处费"), "the discipline lead is not in the congress office's notice");
    assert_eq!(b.get(&party[0]).await.status().as_u16(), 404, "nor can it open the commission's");
    let (_, page) = o.app.browser("jwstaff").await.text(&party[0]).await;
    assert!(page.contains("好处费") && !page.contains("稳岗补贴"), "{page}");
    // Later that week, nothing more.
    o.app.clock.advance_ms(86_400_000);
    o.app.run_scheduler().await;
    assert_eq!(notices("jw").await.len(), 2);
}

async fn import_leads(api: &Api, file: &str, dry_run: bool) -> (u16, Value) {
    api.post_bytes(&format!("/api/v1/leads/import?dry_run={dry_run}"), file.as_bytes().to_vec()).await
}

#[tokio::test]
async fn a_hotline_export_is_imported_as_leads_all_or_none() {
    let o = office().await;
    let heading = "工单编号,来电时间,诉求内容,问题分类,事发地址,来电人,联系电话\n";
    let first =
        "12345-0410-0001,2019-04-10 08:12,企业开办材料被窗口退回三次,审批服务问题,市南区香港中路,张先生,13800000001\n";
    let second = "12345-0410-0002,2019-04-10 08:40,香港中路人行道井盖缺失,城市管理与环境,市南区香港中路,,\n";
    let bad = format!("{heading}{first}12345-0410-0003,,路灯不亮,不存在的分类,,,\n{second}");
    let (s, report) = import_leads(&o.office, &bad, false).await;
    assert_eq!((s, report["failed"].as_i64(), report["imported"].as_i64()), (422, Some(1), Some(0)), "{report}");
    assert_eq!(report["rows"][1]["error"]["code"], "import_unknown_category");
    assert_eq!(o.app.count("leads").await, 0, "nothing half-imported");
    let good = format!("{heading}{first}{second}");
    assert_eq!(import_leads(&o.office, &good, true).await.1["imported"], 0, "a preview keeps nothing");
    assert_eq!(o.app.count("leads").await, 0);
    let (s, report) = import_leads(&o.office, &good, false).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");
    let id = report["rows"][0]["id"].as_i64().expect("the lead made");
    let (_, lead) = o.office.get(&format!("/api/v1/leads/{id}")).await;
    assert_eq!((lead["channel"].as_str(), lead["category"].as_str()), (Some("public"), Some("APPROVAL")), "{lead}");
    assert!(lead["description"].as_str().is_some_and(|d| d.contains("12345-0410-0001")), "found again by its ticket");
    // The caller's number: in full on the record for the office, the view logged; masked
    // in lists and exports.
    assert_eq!(lead["reporter_contact"], "13800000001", "{lead}");
    let views = |app: &crate::support::TestApp| {
        let db = app.db.clone();
        async move {
            db.read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal'", &[])?))
                .await
                .expect("count")
        }
    };
    assert_eq!(views(&o.app).await, 1);
    let (_, list) = o.office.get("/api/v1/leads").await;
    let contacts: Vec<&str> =
        list["items"].as_array().into_iter().flatten().filter_map(|l| l["reporter_contact"].as_str()).collect();
    assert!(contacts.contains(&"138****0001") && !list.to_string().contains("13800000001"), "{list}");
    let (_, csv) = o.app.browser("jw").await.text("/supervision?format=csv").await;
    assert!(csv.contains("138****0001") && !csv.contains("13800000001"), "{csv}");
    let b = o.app.browser("jw").await;
    let (_, page) = b.text("/supervision/import").await;
    assert!(page.contains("导入热线工单") && page.contains("* 诉求内容") && page.contains("template.xlsx"), "{page}");
}

/// Work teams have member accounts who record their own visits and inquiries; an inquiry
/// records its questions, and the unit questioned answers them in writing.
#[tokio::test]
async fn team_members_record_an_inquiry_and_the_unit_answers_its_questions() {
    let o = office().await;
    let (rd, _, _) = o.app.department("rd", "public").await;
    o.app.user("deputy", "staff", Some(rd), None).await;
    o.app.user("other", "staff", Some(rd), None).await;
    let (deputy, other) = (
        o.app.api(&o.app.token("deputy", &["read", "write"]).await),
        o.app.api(&o.app.token("other", &["read", "write"]).await),
    );
    let (s, team) = o
        .office
        .post("/api/v1/work-teams", json!({ "name": "市人大营商环境小分队", "body": "congress", "topic": "惠企政策落实", "members": "李代表、王代表" }))
        .await;
    assert_eq!(s, 201, "{team}");
    let deputy_id = deputy.get("/api/v1/me").await.1["id"].as_i64().expect("id");
    let members = format!("/api/v1/work-teams/{}/members", team["id"]);
    assert_eq!(deputy.post(&members, json!({ "user_id": deputy_id })).await.0, 403, "the office gives accounts");
    let (s, t) = o.office.post(&members, json!({ "user_id": deputy_id })).await;
    assert_eq!((s, t["accounts"][0]["name"].as_str()), (200, Some("deputy 测试")), "{t}");

    let activities = format!("/api/v1/work-teams/{}/activities", team["id"]);
    let inquiry = json!({
        "kind": "inquiry", "held_on": "2019-04-10", "place": "市人大常委会会议室", "subject": "惠企政策兑现情况质询",
        "unit_department_id": o.unit_dept, "category": "POLICY", "findings": ["稳岗补贴发放滞后"],
        "questions": [
            { "asker": "李代表", "question": "稳岗补贴为何迟迟未发放？" },
            { "asker": "王代表", "question": "申报材料能否再精简？", "answer": "已精简为三项材料。" }
        ]
    });
    assert_eq!(other.post(&activities, inquiry.clone()).await.0, 403, "not a member");
    let mut no_unit = inquiry.clone();
    no_unit["unit_department_id"] = Value::Null;
    let (s, e) = deputy.post(&activities, no_unit).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("unit_department_id")));
    let (s, t) = deputy.post(&activities, inquiry).await;
    assert_eq!(s, 201, "{t}");
    let a = &t["activities"][0];
    assert_eq!((a["recorded_by"].as_str(), a["lead_ids"].as_array().map(Vec::len)), (Some("deputy 测试"), Some(1)));
    assert_eq!(
        (a["questions"][0]["answer"].is_null(), a["questions"][1]["answer"].as_str()),
        (true, Some("已精简为三项材料。"))
    );
    let question = a["questions"][0]["id"].as_i64().expect("id");

    let (_, inbox) = o.unit.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("1 个问题待你单位答复"), "the unit is told: {inbox}");
    let answer = format!("/api/v1/work-teams/questions/{question}/answer");
    assert_eq!(deputy.post(&answer, json!({ "answer": "自己答" })).await.0, 403, "the unit answers");
    let (s, q) = o.unit.post(&answer, json!({ "answer": "已于4月15日前全部发放。" })).await;
    assert_eq!((s, q["answered_by"].as_str()), (200, Some("chen 测试")), "{q}");
    assert_eq!(o.unit.post(&answer, json!({ "answer": "再答" })).await.0, 409, "once");
    let (_, inbox) = deputy.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("质询问题已答复"), "the members are told: {inbox}");

    let b = o.app.browser("deputy").await;
    let (_, page) = b.text("/supervision/teams").await;
    assert!(
        page.contains("已于4月15日前全部发放") && page.contains("记录调研督导或工作质询"),
        "a member records from the page: {page}"
    );
    let r = b
        .post(
            &format!("/supervision/teams/{}/activities", team["id"]),
            &[
                ("kind", "visit"),
                ("held_on", "2019-04-11"),
                ("place", "西海岸新区政务服务中心"),
                ("subject", "窗口服务暗访"),
                ("findings", "窗口排队超过一小时"),
                ("category", "APPROVAL"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "a member records a visit from the page");
    let (_, t) = o.office.get(&format!("/api/v1/work-teams/{}", team["id"])).await;
    assert_eq!(t["activities"].as_array().map(Vec::len), Some(2));
}

/// 举报人保护: where the reporter asked for confidentiality (and on every discipline lead)
/// only the supervision office and the discipline commission learn who reported — not the
/// unit, a leader, a list, an export, search or a note — and every view is logged.
#[tokio::test]
async fn a_protected_reporter_is_known_only_to_the_office_and_the_commission() {
    let o = office().await;
    let (jw, _, _) = o.app.department("jwc", "public").await;
    o.app.user("jwstaff", "staff", Some(jw), None).await;
    o.app.user("mayor", "leader", None, None).await;
    let admin = o.app.api(&o.app.token("admin", &["read", "write"]).await);
    let (s, v) = admin.put("/api/v1/leads/channel-offices/party", json!({ "department_id": jw })).await;
    assert_eq!(s, 200, "{v}");
    let commission = o.app.api(&o.app.token("jwstaff", &["read", "write"]).await);
    let mayor = o.app.api(&o.app.token("mayor", &["read", "write"]).await);

    let file = |text: &str, name: &str, contact: &str, confidential: bool| {
        json!({ "channel": "government", "category": "POLICY", "description": text, "address": "市南区",
            "reporter_name": name, "reporter_contact": contact, "reporter_confidential": confidential })
    };
    let mut ids = Vec::new();
    for (body, to_discipline) in [
        (file("窗口人员索要好处费", "张保密", "13812345678", true), false),
        (file("审批人员吃拿卡要", "王纪检", "13987654321", false), true),
        (file("办事指南与实际不符", "李公开", "13700001111", false), false),
    ] {
        let (s, filed) = o.office.post("/api/v1/leads", body).await;
        assert_eq!(s, 201, "{filed}");
        let id = filed["id"].as_i64().expect("id");
        let transfer =
            json!({ "transition": "transfer", "unit_department_id": o.unit_dept, "to_discipline": to_discipline });
        assert_eq!(o.office.post(&format!("/api/v1/leads/{id}/transitions"), transfer).await.0, 200);
        ids.push(id);
    }
    let (asked, discipline, open) = (ids[0], ids[1], ids[2]);
    let reporter = |v: &Value| {
        (
            v["reporter_name"].as_str().unwrap_or("?").to_owned(),
            v["reporter_contact"].as_str().unwrap_or("?").to_owned(),
        )
    };

    // The unit, on the record, in its list, its export, search and its notes.
    for id in [asked, discipline] {
        let (s, d) = o.unit.get(&format!("/api/v1/leads/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(reporter(&d), (String::new(), String::new()), "withheld from the unit: {d}");
        assert_eq!(d["reporter_withheld"], true);
    }
    let (_, d) = o.unit.get(&format!("/api/v1/leads/{open}")).await;
    assert_eq!(reporter(&d), ("李公开".to_owned(), "137****1111".to_owned()), "an open reporter, masked");
    let secret = ["张保密", "13812345678", "王纪检", "13987654321"];
    let (_, list) = o.unit.get("/api/v1/leads").await;
    let (_, notes) = o.unit.get("/api/v1/notifications").await;
    let (_, found) = o.unit.get("/api/v1/search?q=张保密").await;
    let export = o.unit.raw_get("/api/v1/leads?format=csv").await;
    for text in [list.to_string(), notes.to_string(), found.to_string(), export] {
        assert!(!secret.iter().any(|s| text.contains(s)), "{text}");
    }
    let b = o.app.browser("chen").await;
    let (_, page) = b.text(&format!("/supervision/leads/{asked}")).await;
    assert!(page.contains("反映人身份保密") && !page.contains("张保密"), "{page}");

    // A leader outside the chain sees the lead but not who reported.
    let (s, d) = mayor.get(&format!("/api/v1/leads/{asked}")).await;
    assert_eq!((s, reporter(&d)), (200, (String::new(), String::new())), "{d}");
    // Asking for the reporter outright is refused to those outside the chain.
    for (who, id) in [(&mayor, asked), (&o.unit, discipline)] {
        let (s, e) = who.get(&format!("/api/v1/leads/{id}/reporter")).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("reporter_protected")), "{e}");
        assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("反映人受保护")), "{e}");
    }
    let (s, r) = o.unit.get(&format!("/api/v1/leads/{open}/reporter")).await;
    assert_eq!((s, r["contact"].as_str(), r["in_full"].as_bool()), (200, Some("137****1111"), Some(false)), "{r}");
    let (s, r) = o.office.get(&format!("/api/v1/leads/{asked}/reporter")).await;
    assert_eq!((s, r["contact"].as_str(), r["in_full"].as_bool()), (200, Some("13812345678"), Some(true)), "{r}");

    // The office and the commission know, and each view is in the audit trail.
    let (_, d) = o.office.get(&format!("/api/v1/leads/{asked}")).await;
    assert_eq!(reporter(&d), ("张保密".to_owned(), "13812345678".to_owned()));
    let (_, d) = commission.get(&format!("/api/v1/leads/{discipline}")).await;
    assert_eq!(reporter(&d), ("王纪检".to_owned(), "13987654321".to_owned()));
    let logged = o
        .app
        .db
        .read(|tx| {
            let rows =
                tx.query("SELECT actor, record_id FROM audit_log WHERE action = 'view_personal' ORDER BY id", &[])?;
            rows.iter().map(|r| Ok((r.text(0)?, r.int(1)?))).collect::<zaizao::kernel::error::AppResult<Vec<_>>>()
        })
        .await
        .expect("views");
    assert!(
        logged.contains(&("jw".to_owned(), asked)) && logged.contains(&("jwstaff".to_owned(), discipline)),
        "{logged:?}"
    );
    assert!(!logged.iter().any(|(actor, _)| actor == "chen" || actor == "mayor"), "nothing shown, nothing logged");
}
