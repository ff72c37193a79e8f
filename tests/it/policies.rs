//! Mechanism 6, first part: an enterprise finds the policies that apply to it (asked only
//! what its registry record leaves open) and applies; a law firm advises it and files a
//! non-fulfilment notice citing a clause; the department answers in time, or the notice
//! escalates to its leader in charge and then, through the lead seam, to supervision.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    staff: Api,
    enterprise: Api,
    other_enterprise: Api,
    firm: Api,
    mayor: Api,
    supervisor: Api,
    enterprise_id: i64,
    policy_id: i64,
}

fn code(e: &Value) -> Option<&str> {
    e["error"]["code"].as_str()
}

async fn record(admin: &Api, app: &TestApp, name: &str, extra: Value, username: &str, role: &str) -> i64 {
    let mut body = json!({ "name": name, "legal_representative": "张三" });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    let (s, e) = admin.post("/api/v1/enterprises", body).await;
    assert_eq!(s, 201, "{e}");
    let account = app.user(username, role, None, None).await;
    let (s, l) = admin.post(&format!("/api/v1/enterprises/{}/account", e["id"]), json!({ "user_id": account })).await;
    assert_eq!(s, 200, "{l}");
    e["id"].as_i64().unwrap_or(0)
}

fn policy(fgw: i64) -> Value {
    json!({
        "title": "海洋中小企业研发费用补助",
        "document_number": "青政发〔2019〕8号",
        "issuer_department_id": fgw,
        "responsible_department_id": fgw,
        "clauses": [{ "number": "第三条", "text": "对研发投入较上年增长的海洋中小企业，按增量的10%给予补助。" }],
        "rules": [
            { "field": "industry", "op": "in", "values": ["海洋"] },
            { "field": "size", "op": "in", "values": ["small", "micro"] },
            { "field": "registered_years", "op": "at_least", "values": ["3"] }
        ],
        "promise": "研发费用增量的10%",
        "amount": "500000",
        "delivery_days": 10
    })
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (fgw, fgw_division, _) = app.department("fgw", "public").await;
    app.user("root", "system_admin", None, None).await;
    app.user("lin", "staff", Some(fgw), Some(fgw_division)).await;
    let mayor_id = app.user("zhou", "leader", None, None).await;
    app.user("liu", "supervisor", None, None).await;
    let admin = app.api(&app.token("root", &["read", "write"]).await);
    let (_, p) =
        admin.post("/api/v1/people", json!({ "name": "周明远", "leader_title": "市长", "user_id": mayor_id })).await;
    let (s, f) = admin.post(&format!("/api/v1/people/{}/portfolios", p["id"]), json!({ "department_id": fgw })).await;
    assert_eq!(s, 201, "{f}");
    let ocean = json!({ "industry": "海洋", "district": "市南区", "registered_on": "2015-03-01" });
    let enterprise_id = record(&admin, &app, "青岛蓝海生物科技有限公司", ocean, "lanhai", "enterprise").await;
    record(&admin, &app, "青岛山海食品有限公司", json!({ "industry": "食品" }), "shanhai", "enterprise").await;
    let firm_record = record(&admin, &app, "山东琴岛律师事务所", json!({}), "qindao", "law_firm").await;
    let keeper = app.api(&app.token("lin", &["read", "write"]).await);
    let (s, firm) = keeper
        .post("/api/v1/law-firms", json!({ "enterprise_id": firm_record, "lawyers": ["王律师", "李律师"] }))
        .await;
    assert_eq!(s, 201, "{firm}");
    let contract = json!({ "scope": "惠企政策落实法律服务", "districts": ["市南区", "崂山区"], "starts_on": "2019-01-01", "ends_on": "2019-12-31", "budget": "300000" });
    let (s, c) = keeper.post(&format!("/api/v1/law-firms/{}/contracts", firm["id"]), contract).await;
    assert_eq!((s, c["budget_fen"].as_i64()), (201, Some(30_000_000)), "{c}");
    let staff = app.api(&app.token("lin", &["read", "write"]).await);

    let mut bad = policy(fgw);
    bad["rules"] = json!([{ "field": "revenue", "op": "at_least", "values": ["100"] }]);
    let (s, e) = staff.post("/api/v1/policies", bad).await;
    assert_eq!((s, code(&e)), (422, Some("unknown_rule_field")), "{e}");
    let mut bad = policy(fgw);
    bad["clauses"] = json!([]);
    let (s, e) = staff.post("/api/v1/policies", bad).await;
    assert_eq!((s, code(&e)), (422, Some("no_clauses")), "{e}");
    assert_eq!(app.count("policies").await, 0);
    let (s, p) = staff.post("/api/v1/policies", policy(fgw)).await;
    assert_eq!((s, p["amount_fen"].as_i64()), (201, Some(50_000_000)), "{p}");

    City {
        enterprise: app.api(&app.token("lanhai", &["read", "write"]).await),
        other_enterprise: app.api(&app.token("shanhai", &["read", "write"]).await),
        firm: app.api(&app.token("qindao", &["read", "write"]).await),
        mayor: app.api(&app.token("zhou", &["read", "write"]).await),
        supervisor: app.api(&app.token("liu", &["read", "write"]).await),
        policy_id: p["id"].as_i64().unwrap_or(0),
        staff,
        enterprise_id,
        app,
    }
}

/// The enterprise applies (answering the size its record leaves open), the firm advises
/// it, and files a notice; answers the notice back with the application's id.
async fn applied_and_noticed(c: &City) -> (i64, Value) {
    let (s, fits) = c.enterprise.post("/api/v1/policies/applicable", json!({})).await;
    assert_eq!((s, fits[0]["fit"]["verdict"].as_str()), (200, Some("questions")), "{fits}");
    assert_eq!(fits[0]["fit"]["questions"], json!(["size"]), "only what the registry leaves open: {fits}");
    let (_, fits) = c.other_enterprise.post("/api/v1/policies/applicable", json!({})).await;
    assert_eq!(fits[0]["fit"]["verdict"], "does_not_apply", "{fits}");

    let apply = format!("/api/v1/policies/{}/applications", c.policy_id);
    let (s, e) = c.enterprise.post(&apply, json!({})).await;
    assert_eq!((s, code(&e)), (422, Some("questions_unanswered")), "{e}");
    let (s, e) = c.enterprise.post(&apply, json!({ "answers": { "size": "large" } })).await;
    assert_eq!((s, code(&e)), (422, Some("policy_not_applicable")), "{e}");
    assert_eq!(c.app.count("policy_applications").await, 0);
    let (s, a) = c.enterprise.post(&apply, json!({ "answers": { "size": "small" } })).await;
    assert_eq!((s, a["due_on"].as_str(), a["state"].as_str()), (201, Some("2019-04-24"), Some("applied")), "{a}");
    let (s, e) = c.enterprise.post(&apply, json!({ "answers": { "size": "small" } })).await;
    assert_eq!((s, code(&e)), (409, Some("already_applied")), "{e}");
    let application = a["id"].as_i64().unwrap_or(0);

    let (s, asked) = c
        .enterprise
        .post(
            "/api/v1/service-cases",
            json!({ "kind": "applicability", "request": "请律师解读研发费用补助的申报口径" }),
        )
        .await;
    assert_eq!((s, asked["state"].as_str()), (201, Some("requested")), "{asked}");
    let (s, e) = c.enterprise.post("/api/v1/service-cases", json!({ "kind": "lobbying", "request": "x" })).await;
    assert_eq!((s, code(&e)), (422, Some("bad_service")), "{e}");
    let (s, taken) = c.firm.post(&format!("/api/v1/service-cases/{}/take", asked["id"]), json!({})).await;
    assert_eq!((s, taken["state"].as_str()), (200, Some("open")), "{taken}");
    let close = format!("/api/v1/service-cases/{}/close", asked["id"]);
    let (s, e) = c.firm.post(&close, json!({ "minutes": 0, "outcome": "已解读" })).await;
    assert_eq!((s, code(&e)), (422, Some("bad_minutes")), "{e}");
    let (s, closed) = c.firm.post(&close, json!({ "minutes": 90, "outcome": "已逐条解读申报口径" })).await;
    assert_eq!((s, closed["state"].as_str()), (200, Some("closed")), "{closed}");
    let (s, oversight) = c
        .firm
        .post("/api/v1/service-cases", json!({ "kind": "oversight", "request": "跟踪补助兑现", "enterprise_id": c.enterprise_id, "policy_id": c.policy_id }))
        .await;
    assert_eq!((s, oversight["state"].as_str()), (201, Some("open")), "{oversight}");

    let refused = [
        (json!({ "application_id": application, "clause": " ", "facts": "逾期未兑现" }), "clause_required"),
        (json!({ "application_id": application, "clause": "第九条", "facts": "逾期未兑现" }), "unknown_clause"),
    ];
    for (body, expected) in refused {
        let (s, e) = c.firm.post("/api/v1/policy-notices", body).await;
        assert_eq!((s, code(&e)), (422, Some(expected)), "{e}");
    }
    assert_eq!(
        c.enterprise
            .post("/api/v1/policy-notices", json!({ "application_id": application, "clause": "第三条", "facts": "x" }))
            .await
            .0,
        403
    );
    assert_eq!(c.app.count("policy_notices").await, 0);
    let (s, n) = c
        .firm
        .post(
            "/api/v1/policy-notices",
            json!({ "application_id": application, "clause": "第三条", "facts": "申请已逾期，补助仍未拨付。" }),
        )
        .await;
    assert_eq!((s, n["state"].as_str(), n["due_on"].as_str()), (201, Some("open"), Some("2019-04-17")), "{n}");
    assert!(n["clause_text"].as_str().unwrap_or("").contains("按增量的10%"), "{n}");
    (application, n)
}

#[tokio::test]
async fn an_enterprise_applies_a_firm_files_a_notice_and_the_department_answers_in_time() {
    let c = city().await;
    let (application, n) = applied_and_noticed(&c).await;
    let path = format!("/api/v1/policy-notices/{}", n["id"]);
    assert_eq!(c.enterprise.get(&path).await.0, 200, "the enterprise sees the notice");
    assert_eq!(c.other_enterprise.get(&path).await.0, 404, "another enterprise does not");
    let (s, e) =
        c.staff.post(&format!("{path}/response"), json!({ "outcome": "explained", "response": "预算未到位" })).await;
    assert_eq!((s, code(&e)), (422, Some("legal_basis_required")), "{e}");
    assert_eq!(
        c.firm.post(&format!("{path}/response"), json!({ "outcome": "delivered", "response": "x" })).await.0,
        403
    );
    let (s, r) = c
        .staff
        .post(&format!("{path}/response"), json!({ "outcome": "delivered", "response": "补助已于今日拨付。" }))
        .await;
    assert_eq!((s, r["state"].as_str(), r["late"].as_bool()), (200, Some("delivered"), Some(false)), "{r}");
    let (_, a) = c.enterprise.get(&format!("/api/v1/policy-applications/{application}")).await;
    assert_eq!((a["state"].as_str(), a["delivery"].as_str()), (Some("delivered"), Some("on_time")), "{a}");
    let (_, inbox) = c.firm.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("督促函已答复"), "the firm is told: {inbox}");
    assert!(c.app.verify().await.ok);
}

#[tokio::test]
async fn an_unanswered_notice_escalates_to_the_leader_then_to_supervision_as_a_lead() {
    let c = city().await;
    let (_, n) = applied_and_noticed(&c).await;
    let path = format!("/api/v1/policy-notices/{}", n["id"]);
    c.app.clock.advance_ms(8 * 86_400_000);
    c.app.run_scheduler().await;
    let (_, e1) = c.mayor.get(&path).await;
    assert_eq!((e1["state"].as_str(), e1["leader_due_on"].as_str()), (Some("escalated"), Some("2019-04-23")), "{e1}");
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("督促函逾期未答复"), "the leader in charge is told: {inbox}");
    let (s, e) =
        c.staff.post(&format!("{path}/response"), json!({ "outcome": "delivered", "response": "已拨付" })).await;
    assert_eq!((s, code(&e)), (422, Some("late_flag_required")), "{e}");

    c.app.clock.advance_ms(6 * 86_400_000);
    c.app.run_scheduler().await;
    c.app.run_scheduler().await;
    let (_, e2) = c.enterprise.get(&path).await;
    assert_eq!(e2["state"], "referred", "{e2}");
    let lead = e2["lead_id"].as_i64().expect("a lead of mechanism 7");
    assert_eq!(c.app.count("leads").await, 1, "referred once");
    let (s, l) = c.supervisor.get(&format!("/api/v1/leads/{lead}")).await;
    assert_eq!((s, l["category"].as_str(), l["channel"].as_str()), (200, Some("POLICY"), Some("government")), "{l}");

    let (s, r) = c
        .staff
        .post(&format!("{path}/response"), json!({ "outcome": "explained", "response": "资金已列入下月预算", "legal_basis": "《青岛市市级财政专项资金管理办法》第十二条", "late": true }))
        .await;
    assert_eq!((s, r["state"].as_str(), r["late"].as_bool()), (200, Some("explained"), Some(true)), "{r}");
    let (s, f) = c.staff.get("/api/v1/policy-notices?state=explained").await;
    assert_eq!((s, f["total"].as_i64()), (200, Some(1)), "{f}");
}

fn campaign(area_weights: [f64; 2]) -> Value {
    json!({
        "title": "2019年二季度企业家满意度评价",
        "period": "2019-Q2",
        "frame": "规上企业三分之一，审批大厅服务企业三分之二",
        "min_sample": 2,
        "areas": [
            { "code": "A1", "name": "审批服务", "weight": area_weights[0], "questions": [
                { "code": "Q1", "text": "办事效率", "weight": 0.5 },
                { "code": "Q2", "text": "一次办好", "weight": 0.5 }
            ] },
            { "code": "A2", "name": "政策落实", "weight": area_weights[1], "questions": [
                { "code": "Q3", "text": "兑现及时", "weight": 1.0 }
            ] }
        ]
    })
}

#[tokio::test]
async fn the_satisfaction_index_is_computed_from_the_raw_answers_with_its_interval() {
    let c = city().await;
    let (s, e) = c.staff.post("/api/v1/survey-campaigns", campaign([0.6, 0.6])).await;
    assert_eq!((s, code(&e)), (422, Some("weights_not_one")), "{e}");
    assert_eq!(c.app.count("survey_campaigns").await, 0);
    let (s, k) = c.staff.post("/api/v1/survey-campaigns", campaign([0.6, 0.4])).await;
    assert_eq!(s, 201, "{k}");
    let (swj, _, _) = c.app.department("swj", "public").await;
    let fgw = c.enterprise.get(&format!("/api/v1/policies/{}", c.policy_id)).await.1["responsible_department_id"]
        .as_i64()
        .unwrap_or(0);
    let mut tokens = Vec::new();
    for (n, department) in [fgw, fgw, fgw, swj].into_iter().enumerate() {
        let admin = c.app.api(&c.app.token("root", &["read", "write"]).await);
        let (_, e) = admin
            .post("/api/v1/enterprises", json!({ "name": format!("青岛受访企业{n}号有限公司"), "district": "崂山区" }))
            .await;
        let invite = json!({ "enterprise_id": e["id"], "department_id": department, "stratum": "approval_hall" });
        let (s, i) = c.staff.post(&format!("/api/v1/survey-campaigns/{}/invitations", k["id"]), invite).await;
        assert_eq!(s, 201, "{i}");
        tokens.push(i["token"].as_str().unwrap_or("").to_owned());
    }
    let public = c.app.api("");
    let answers = |token: &str, scores: [i64; 3]| json!({ "token": token, "answers": { "Q1": scores[0], "Q2": scores[1], "Q3": scores[2] } });
    let (s, e) = public.post("/api/v1/public/survey-responses", answers("0123456789abcdef", [5, 5, 5])).await;
    assert_eq!((s, code(&e)), (422, Some("survey_token_unknown")), "an uninvited answer: {e}");
    let (s, e) =
        public.post("/api/v1/public/survey-responses", json!({ "token": tokens[0], "answers": { "Q1": 5 } })).await;
    assert_eq!((s, code(&e)), (422, Some("answer_every_question")), "{e}");
    // Scores: (5,5,5) → 100; (3,3,1) → 0.6·50 + 0.4·0 = 30; (4,2,5) → 0.6·50 + 0.4·100 = 70.
    for (token, scores) in
        [(&tokens[0], [5, 5, 5]), (&tokens[1], [3, 3, 1]), (&tokens[2], [4, 2, 5]), (&tokens[3], [5, 5, 5])]
    {
        let (s, e) = public.post("/api/v1/public/survey-responses", answers(token, scores)).await;
        assert_eq!(s, 204, "{e}");
    }
    let (s, e) = public.post("/api/v1/public/survey-responses", answers(&tokens[0], [1, 1, 1])).await;
    assert_eq!((s, code(&e)), (409, Some("already_answered")), "answered once: {e}");

    let (s, index) = c.mayor.get(&format!("/api/v1/survey-campaigns/{}/index", k["id"])).await;
    assert_eq!(s, 200, "{index}");
    let first = &index[0];
    // Mean 66.67; s = √((33.33² + 36.67² + 3.33²)/2) = 35.12; half-width 1.96·35.12/√3 = 39.74.
    assert_eq!(
        (first["unit"].as_str(), first["n"].as_i64(), first["index"].as_f64()),
        (Some("fgw 局"), Some(3), Some(66.7)),
        "{index}"
    );
    assert_eq!(
        (first["low"].as_f64(), first["high"].as_f64(), first["rank"].as_i64()),
        (Some(26.9), Some(100.0), Some(1)),
        "{index}"
    );
    assert_eq!(
        (index[1]["n"].as_i64(), index[1]["index"].as_f64()),
        (Some(1), None),
        "below the minimum sample, not published: {index}"
    );
    let (s, by_district) = c.mayor.get(&format!("/api/v1/survey-campaigns/{}/index?by=district", k["id"])).await;
    assert_eq!((s, by_district[0]["n"].as_i64()), (200, Some(4)), "{by_district}");

    let (s, raw) = crate::support::Browser::new(&c.app.base).text(&format!("/satisfaction/{}/raw.csv", k["id"])).await;
    assert_eq!(s, 200);
    assert_eq!(raw.lines().count(), 5, "a heading and one anonymised row per response: {raw}");
    assert!(!raw.contains("受访企业"), "no enterprise in the raw answers");

    // The command recomputes every published figure from the raw answers alone.
    let (url, id) = (c.app.database_url.clone(), k["id"].to_string());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_zaizao"))
            .args(["--database-url", &url, "survey", "index", "--campaign", &id])
            .env("ZAIZAO_LOG", "warn")
            .output()
            .expect("run zaizao")
    })
    .await
    .expect("cli");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains("\t1\tfgw 局\t3\t66.7\t26.9\t100.0"), "{printed}");
    assert!(printed.contains("\t-\tswj 局\t1\t-\t-\t-"), "{printed}");
}

#[tokio::test]
async fn a_campaign_is_set_up_and_an_enterprise_invited_through_the_pages() {
    let c = city().await;
    let staff = c.app.browser("lin").await;
    let bad = "A1 0.5 审批服务\n- Q1 1 办事效率\nA2 0.4 政策落实\n- Q2 1 兑现及时";
    let fields = |areas: &'static str| {
        vec![
            ("title", "2019年企业家满意度评价"),
            ("period", "2019"),
            ("frame", "规上企业三分之一"),
            ("min_sample", "30"),
            ("areas", areas),
        ]
    };
    let res = staff.post("/satisfaction", &fields(bad)).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("page").contains("权重之和必须等于 1"), "the error in words");
    assert_eq!(c.app.count("survey_campaigns").await, 0);
    let good = "A1 0.6 审批服务\n- Q1 0.5 办事效率\n- Q2 0.5 一次办好\nA2 0.4 政策落实\n- Q3 1 兑现及时";
    let res = staff.post("/satisfaction", &fields(good)).await;
    assert_eq!(res.status(), 303);
    let campaign = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
    let enterprise = c.enterprise_id.to_string();
    let department = c.staff.get("/api/v1/me").await.1["department_id"].as_i64().unwrap_or(0).to_string();
    let res = staff
        .post(
            &format!("{campaign}/invitations"),
            &[("enterprise_id", &enterprise), ("department_id", &department), ("stratum", "above_scale")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.expect("page");
    let token = page.split("/survey/").nth(1).and_then(|t| t.split('<').next()).unwrap_or("").to_owned();
    assert_eq!(token.len(), 32, "the link is shown once: {page}");

    let public = crate::support::Browser::new(&c.app.base);
    let (s, form) = public.text(&format!("/survey/{token}")).await;
    assert!(s == 200 && form.contains("办事效率") && form.contains("fgw 局"), "{form}");
    let (s, _) = public.text("/survey/not-a-token").await;
    assert_eq!(s, 422, "an uninvited link is refused");
    let (_, k) = c.mayor.get("/api/v1/survey-campaigns").await;
    assert_eq!((k[0]["invited"].as_i64(), k[0]["answered"].as_i64()), (Some(1), Some(0)), "{k}");
}

#[tokio::test]
async fn a_law_firm_and_its_contract_are_registered_through_the_pages() {
    let c = city().await;
    let admin = c.app.api(&c.app.token("root", &["read", "write"]).await);
    let (_, e) = admin.post("/api/v1/enterprises", json!({ "name": "北京德衡（青岛）律师事务所" })).await;
    let record = e["id"].to_string();
    let staff = c.app.browser("lin").await;
    let res = staff.post("/law-firms", &[("enterprise_id", record.as_str()), ("lawyers", " \n ")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(c.app.count("law_firms").await, 1, "only the city's firm");
    let res =
        staff.post("/law-firms", &[("enterprise_id", record.as_str()), ("lawyers", "张律师\n李律师、王律师")]).await;
    assert_eq!(res.status(), 303);
    let firm = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
    let contract = |starts: &'static str| {
        [
            ("scope", "惠企政策兑现法律服务"),
            ("districts", "黄岛区、即墨区"),
            ("starts_on", starts),
            ("ends_on", "2019-12-31"),
            ("budget", "120000.50"),
        ]
    };
    let res = staff.post(&format!("{firm}/contracts"), &contract("2020-01-01")).await;
    assert_eq!(res.status(), 422, "a contract ending before it starts");
    assert_eq!(c.app.count("firm_contracts").await, 1);
    let res = staff.post(&format!("{firm}/contracts"), &contract("2019-05-01")).await;
    assert_eq!(res.status(), 303);
    let (s, page) = staff.text(&firm).await;
    assert!(s == 200 && page.contains("王律师") && page.contains("即墨区") && page.contains("120,000.50"), "{page}");
    let (_, firms) = c.mayor.get("/api/v1/law-firms").await;
    assert_eq!(firms[1]["lawyers"], json!(["张律师", "李律师", "王律师"]), "{firms}");

    let enterprise = c.app.browser("lanhai").await;
    let res = enterprise.post("/law-firms", &[("enterprise_id", record.as_str()), ("lawyers", "赵律师")]).await;
    assert_eq!(res.status(), 403, "an enterprise registers no firm");
}
