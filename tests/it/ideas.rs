//! Mechanism 3: an enterprise's idea, triaged by the market-allocation promotion division,
//! evaluated by an independent third party (a tied one refused), turned into a support
//! package whose measures are delivered as tasks; every bad input refused unchanged.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    firm: Api,
    division: Api,
    head: Api,
    other: Api,
    mayor: Api,
    evaluator: Api,
    tied: Api,
    fgw: i64,
    gxj: i64,
    gxj_staff: i64,
    institute: i64,
    consult: i64,
}

async fn organisation(admin: &Api, app: &TestApp, name: &str, legal: &str, account: (&str, &str)) -> (i64, Api) {
    let (s, e) = admin.post("/api/v1/enterprises", json!({ "name": name, "legal_representative": legal })).await;
    assert_eq!(s, 201, "{e}");
    let user = app.user(account.0, account.1, None, None).await;
    let (s, linked) = admin.post(&format!("/api/v1/enterprises/{}/account", e["id"]), json!({ "user_id": user })).await;
    assert_eq!(s, 200, "{linked}");
    (e["id"].as_i64().unwrap_or(0), app.api(&app.token(account.0, &["read", "write"]).await))
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (fgw, fgw_division, _) = app.department("fgw", "public").await;
    let (gxj, _, _) = app.department("gxj", "public").await;
    app.user("root", "system_admin", None, None).await;
    app.user("lin", "staff", Some(fgw), Some(fgw_division)).await;
    app.user("chu", "division_head", Some(fgw), Some(fgw_division)).await;
    let gxj_staff = app.user("zhao", "staff", Some(gxj), None).await;
    app.user("mayor", "leader", None, None).await;
    app.user("vice", "leader", None, None).await;
    let admin = app.api(&app.token("root", &["read", "write"]).await);
    let (firm_id, firm) = organisation(&admin, &app, "青岛海联智造有限公司", "孙立新", ("firm", "enterprise")).await;
    let (institute, evaluator) = organisation(&admin, &app, "青岛经济研究院", "何振华", ("yjy", "evaluator")).await;
    let (consult, tied) = organisation(&admin, &app, "青岛蓝海产业咨询有限公司", "周海川", ("lhzx", "evaluator")).await;
    // The consultancy and the firm share a holder.
    for id in [consult, firm_id] {
        let (s, _) = admin
            .put(&format!("/api/v1/enterprises/{id}/shareholders"), json!({ "names": ["青岛海川投资有限公司"] }))
            .await;
        assert_eq!(s, 200);
    }
    City {
        firm,
        division: app.api(&app.token("lin", &["read", "write"]).await),
        head: app.api(&app.token("chu", &["read", "write"]).await),
        other: app.api(&app.token("zhao", &["read", "write"]).await),
        mayor: app.api(&app.token("mayor", &["read", "write"]).await),
        evaluator,
        tied,
        app,
        fgw,
        gxj,
        gxj_staff,
        institute,
        consult,
    }
}

fn idea(c: &City, title: &str) -> Value {
    json!({
        "field": "manufacturing_ai",
        "industry": "工业互联网",
        "title": title,
        "content": "联合上下游30家企业建设AI视觉质检共享中心。",
        "department_id": c.fgw,
        "items": [
            { "kind": "funding", "request": "共享中心建设补助", "amount_yuan": "5000000", "scope": "设备与算力", "department_id": c.gxj },
            { "kind": "service", "request": "协调优惠电价", "scope": "三年", "department_id": c.fgw, "confidential": true },
        ],
    })
}

/// An idea drafted, submitted and accepted; answers it.
async fn accepted(c: &City, title: &str) -> Value {
    let (s, i) = c.firm.post("/api/v1/ideas", idea(c, title)).await;
    assert_eq!(s, 201, "{i}");
    let (s, i) = c.firm.post(&format!("/api/v1/ideas/{}/submit", i["id"]), json!({})).await;
    assert_eq!(s, 200, "{i}");
    let (s, i) =
        c.division.post(&format!("/api/v1/ideas/{}/decisions", i["id"]), json!({ "transition": "accept" })).await;
    assert_eq!((s, i["state"].as_str()), (200, Some("accepted")), "{i}");
    i
}

fn report(detail: &Value, feasibility: &str) -> Value {
    let opinions: Vec<Value> = detail["items"]
        .as_array()
        .map(|items| items.iter().map(|i| json!({ "item_id": i["id"], "opinion": "support" })).collect())
        .unwrap_or_default();
    json!({
        "feasibility": feasibility,
        "scores": { "market": 90, "cluster": 80, "innovation": 70, "resources": 60, "risk": 50 },
        "reasoning": "产业链配套完整，具备集聚条件。",
        "conditions": "须先落实用地。",
        "item_opinions": opinions,
    })
}

#[tokio::test]
async fn an_idea_is_evaluated_independently_and_its_measures_delivered_as_tasks() {
    let c = city().await;
    // The enterprise drafts and submits; a submitted idea is not edited without a request.
    let (s, draft) = c.firm.post("/api/v1/ideas", idea(&c, "工业互联网平台+AI质检产业集群")).await;
    assert_eq!((s, draft["state"].as_str(), draft["version"].as_i64()), (201, Some("draft"), Some(0)), "{draft}");
    let id = draft["id"].as_i64().unwrap_or(0);
    let path = |rest: &str| format!("/api/v1/ideas/{id}{rest}");
    let (s, e) = c.division.get(&path("")).await;
    assert_eq!(s, 404, "a draft is the enterprise's own: {e}");
    let (s, sent) = c.firm.post(&path("/submit"), json!({})).await;
    assert_eq!((s, sent["state"].as_str(), sent["version"].as_i64()), (200, Some("submitted"), Some(1)));
    let (s, e) = c.firm.put(&path(""), idea(&c, "偷偷修改")).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("idea_locked")), "{e}");

    // Decisions are the division's: not the enterprise's, not another department's.
    let (s, _) = c.firm.post(&path("/decisions"), json!({ "transition": "accept" })).await;
    assert_eq!(s, 403, "the enterprise does not triage its own idea");
    let (s, _) = c.other.post(&path("/decisions"), json!({ "transition": "accept" })).await;
    assert_eq!(s, 403, "a department the idea asks something of sees it but does not triage it");
    let (s, e) =
        c.division.post(&path("/decisions"), json!({ "transition": "request_more", "note": "请补充名单" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("due_on")), "more is asked by a day: {e}");
    let (s, e) = c.division.post(&path("/decisions"), json!({ "transition": "commission" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_by_hand")), "{e}");
    let (s, more) = c
        .division
        .post(
            &path("/decisions"),
            json!({ "transition": "request_more", "note": "请补充名单", "due_on": "2019-04-20" }),
        )
        .await;
    assert_eq!(
        (s, more["state"].as_str(), more["more_due"].as_str()),
        (200, Some("more_requested"), Some("2019-04-20"))
    );

    // Revised and resubmitted: version 2, with its differences.
    let mut revised = idea(&c, "工业互联网平台+AI质检产业集群");
    revised["content"] = json!("联合上下游36家企业（名单见附件）建设AI视觉质检共享中心。");
    revised["items"][0]["amount_yuan"] = json!("8000000");
    assert_eq!(c.firm.put(&path(""), revised).await.0, 200);
    let (s, v2) = c.firm.post(&path("/submit"), json!({})).await;
    assert_eq!((s, v2["version"].as_i64(), v2["more_due"].clone()), (200, Some(2), Value::Null));
    let (_, detail) = c.firm.get(&path("")).await;
    let differences = &detail["changes"][0]["differences"];
    let what: Vec<&str> = differences.as_array().into_iter().flatten().filter_map(|d| d["what"].as_str()).collect();
    assert_eq!(what, ["content", "item 1"], "{differences}");
    assert!(detail["opens"].is_null(), "the enterprise does not see who opened it");
    assert_eq!(c.division.post(&path("/decisions"), json!({ "transition": "accept" })).await.0, 200);

    // A tied evaluator is refused with the reason, and nothing changes.
    let (s, e) = c.division.post(&path("/commissions"), json!({ "evaluator_id": c.consult, "working_days": 5 })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("evaluator_tied")), "{e}");
    assert!(e["error"]["detail"].as_str().unwrap_or("").contains("青岛海川投资有限公司"), "the reason: {e}");
    assert_eq!(c.app.count("idea_commissions").await, 0);
    let (s, e) = c.division.post(&path("/commissions"), json!({ "evaluator_id": c.fgw, "working_days": 5 })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_an_evaluator")));
    let (s, commission) =
        c.division.post(&path("/commissions"), json!({ "evaluator_id": c.institute, "working_days": 5 })).await;
    assert_eq!((s, commission["deadline"].as_str()), (201, Some("2019-04-17")), "five working days: {commission}");

    // The evaluator sees only what is commissioned to it; the tied one sees nothing.
    assert_eq!(c.tied.get(&path("")).await.0, 404);
    let (s, list) = c.tied.get("/api/v1/ideas").await;
    assert_eq!((s, list["total"].as_i64()), (200, Some(0)));
    let other = accepted(&c, "另一项创意").await;
    assert_eq!(c.evaluator.get(&format!("/api/v1/ideas/{}", other["id"])).await.0, 404);
    let (s, detail) = c.evaluator.get(&path("")).await;
    assert_eq!((s, detail["relations"].clone()), (200, json!(["evaluator"])));

    // The report: every part required, scores in range, only by the evaluator.
    let mut missing = report(&detail, "conditional");
    missing["item_opinions"] = json!([]);
    let (s, e) = c.evaluator.post(&path("/report"), missing).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("opinion_missing")), "{e}");
    let mut out_of_range = report(&detail, "conditional");
    out_of_range["scores"]["risk"] = json!(120);
    let (s, e) = c.evaluator.post(&path("/report"), out_of_range).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("score_out_of_range")), "{e}");
    let mut no_conditions = report(&detail, "conditional");
    no_conditions["conditions"] = json!("");
    assert_eq!(c.evaluator.post(&path("/report"), no_conditions).await.1["error"]["field"], "conditions");
    assert_eq!(c.division.post(&path("/report"), report(&detail, "feasible")).await.0, 403);
    let (s, reported) = c.evaluator.post(&path("/report"), report(&detail, "conditional")).await;
    // (90·30 + 80·25 + 70·20 + 60·15 + 50·10) / 100 = 75.
    assert_eq!((s, reported["state"].as_str(), reported["total"].as_f64()), (200, Some("reported"), Some(75.0)));

    // The division head sees who opened the idea and the report.
    let (_, seen) = c.head.get(&path("")).await;
    let opens = seen["opens"].as_array().cloned().unwrap_or_default();
    assert!(
        opens.iter().any(|o| o["what"] == "idea" && o["name"] == "yjy 测试")
            && opens.iter().any(|o| o["what"] == "report" && o["name"] == "chu 测试"),
        "{opens:?}"
    );
    let (_, staff_view) = c.division.get(&path("")).await;
    assert!(staff_view["opens"].is_null(), "only the division head sees it");

    // The package: every measure with an owner and a deadline.
    let mut package = json!({
        "kind": "enterprise", "title": "海联智造一企一策", "industry": "工业互联网",
        "leader_id": 0, "idea_ids": [id],
        "measures": [{ "content": "建设补助 800 万元", "department_id": c.gxj, "assignee_id": c.gxj_staff, "deadline": "" }],
    });
    let mayor_id = c.mayor.get("/api/v1/me").await.1["id"].clone();
    package["leader_id"] = mayor_id;
    let (s, e) = c.division.post("/api/v1/ideas/packages", package.clone()).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("measure_needs_deadline")), "{e}");
    package["measures"][0]["deadline"] = json!("2019-06-28");
    package["measures"][0]["assignee_id"] = Value::Null;
    let (s, e) = c.division.post("/api/v1/ideas/packages", package.clone()).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("measure_needs_owner")), "{e}");
    package["measures"][0]["assignee_id"] = json!(c.gxj_staff);
    if let Some(m) = package["measures"].as_array_mut() {
        m.push(json!({ "content": "优惠电价协调", "department_id": c.gxj, "assignee_id": c.gxj_staff, "deadline": "2019-05-31", "confidential": true }));
    }
    let (s, p) = c.division.post("/api/v1/ideas/packages", package).await;
    assert_eq!((s, p["state"].as_str()), (201, Some("drafting")), "{p}");
    let ppath = |rest: &str| format!("/api/v1/ideas/packages/{}{rest}", p["id"]);
    assert_eq!(c.division.post(&ppath("/transitions"), json!({ "transition": "submit" })).await.0, 200);
    let vice = c.app.api(&c.app.token("vice", &["read", "write"]).await);
    assert_eq!(vice.post(&ppath("/transitions"), json!({ "transition": "approve" })).await.0, 403, "not its leader");
    let (s, approved) = c.mayor.post(&ppath("/transitions"), json!({ "transition": "approve" })).await;
    assert_eq!((s, approved["state"].as_str()), (200, Some("approved")), "{approved}");
    let (_, adopted) = c.firm.get(&path("")).await;
    assert_eq!(adopted["state"], "adopted", "the enterprise sees it adopted");

    // Each measure is a task with a light; done, it is delivered on time.
    let (_, p) = c.division.get(&ppath("")).await;
    let task = p["measures"][0]["task"].clone();
    assert_eq!((task["deadline"].as_str(), task["light"].as_str()), (Some("2019-06-28"), Some("green")), "{p}");
    let gxj = c.app.api(&c.app.token("zhao", &["read", "write"]).await);
    let task_path = format!("/api/v1/tasks/{}/transitions", task["id"]);
    assert_eq!(gxj.post(&task_path, json!({ "transition": "accept" })).await.0, 200);
    assert_eq!(gxj.post(&task_path, json!({ "transition": "submit_feedback", "note": "补助已拨付" })).await.0, 200);
    assert_eq!(c.mayor.post(&task_path, json!({ "transition": "approve" })).await.0, 200);
    let (_, p) = c.division.get(&ppath("")).await;
    assert_eq!(p["measures"][0]["delivered_on"], "2019-04-10");
    let public = reqwest::get(c.app.url("/api/v1/public/support-packages")).await.expect("public");
    let public: Value = public.json().await.expect("json");
    assert_eq!(public[0]["measures"][0]["delivery"], "on_time");
    assert_eq!(public[0]["measures"][1]["content"], Value::Null, "a confidential measure is withheld: {public}");
    assert!(!public.to_string().contains("优惠电价"), "{public}");

    // The enterprise was told of every decision in its inbox.
    let (_, inbox) = c.firm.get("/api/v1/notifications").await;
    let told = inbox.to_string();
    for step in ["要求补充材料", "受理", "委托第三方论证", "提交论证报告", "纳入扶持政策"] {
        assert!(told.contains(step), "{step}: {told}");
    }
    let (_, figures) = c.division.get("/api/v1/ideas/figures?period=2019").await;
    assert_eq!(figures["decisions"]["adopted"], 1, "{figures}");
    assert_eq!(figures["delivery"][0]["on_time"], 1, "{figures}");
    assert_eq!(figures["evaluators"][0]["reported"], 1, "{figures}");
}

#[tokio::test]
async fn a_declared_tie_refuses_commissions_and_an_evaluator_steps_aside() {
    let c = city().await;
    let first = accepted(&c, "第一项").await;
    let (s, _) = c
        .division
        .post(
            &format!("/api/v1/ideas/{}/commissions", first["id"]),
            json!({ "evaluator_id": c.institute, "working_days": 10 }),
        )
        .await;
    assert_eq!(s, 201);
    // The evaluator finds it signed a contract with the firm last year, and steps aside.
    let firm_id = c.firm.get("/api/v1/me/enterprise").await.1["id"].clone();
    let (s, e) = c
        .evaluator
        .post(
            &format!("/api/v1/ideas/{}/recuse", first["id"]),
            json!({ "kind": "contract", "detail": "产业规划咨询合同" }),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("contract_on")), "a contract has its day: {e}");
    let (s, back) = c
        .evaluator
        .post(
            &format!("/api/v1/ideas/{}/recuse", first["id"]),
            json!({ "kind": "contract", "detail": "产业规划咨询合同", "contract_on": "2018-03-01" }),
        )
        .await;
    assert_eq!((s, back["state"].as_str()), (200, Some("accepted")), "{back}");
    let (_, ties) = c.evaluator.get("/api/v1/ideas/ties").await;
    assert_eq!((ties[0]["enterprise_id"].clone(), ties[0]["kind"].as_str()), (firm_id, Some("contract")));
    // Neither this idea nor the firm's next goes to it while the contract is recent.
    let second = accepted(&c, "第二项").await;
    for i in [&first, &second] {
        let (s, e) = c
            .division
            .post(
                &format!("/api/v1/ideas/{}/commissions", i["id"]),
                json!({ "evaluator_id": c.institute, "working_days": 10 }),
            )
            .await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("evaluator_tied")), "{e}");
    }
    assert!(c.evaluator.get(&format!("/api/v1/ideas/{}", second["id"])).await.0 == 404);
    // The recusal is in the idea's history and its commission says why.
    let (_, detail) = c.division.get(&format!("/api/v1/ideas/{}", first["id"])).await;
    assert_eq!(detail["commissions"][0]["state"], "recused", "{detail}");
    // The evaluator may not report or step aside on what is no longer its own.
    let (s, _) = c.evaluator.post(&format!("/api/v1/ideas/{}/report", first["id"]), report(&detail, "feasible")).await;
    assert!(s == 403 || s == 404, "{s}");
}

#[tokio::test]
async fn criteria_are_published_as_versions_and_a_commission_keeps_its_own() {
    let c = city().await;
    let i = accepted(&c, "评分标准").await;
    let path = format!("/api/v1/ideas/{}", i["id"]);
    c.division.post(&format!("{path}/commissions"), json!({ "evaluator_id": c.institute, "working_days": 10 })).await;
    let admin = c.app.api(&c.app.token("root", &["read", "write"]).await);
    let (s, e) = admin
        .post("/api/v1/ideas/criteria", json!({ "criteria": [{ "id": "market", "name": "市场前景", "weight": 60 }] }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("weights_not_100")));
    assert_eq!(c.division.post("/api/v1/ideas/criteria", json!({ "criteria": [] })).await.0, 403);
    let (s, v2) = admin
        .post(
            "/api/v1/ideas/criteria",
            json!({ "criteria": [{ "id": "market", "name": "市场前景", "weight": 60 }, { "id": "risk", "name": "风险", "weight": 40 }] }),
        )
        .await;
    assert_eq!((s, v2["version"].as_i64()), (201, Some(2)));
    // The commission was given version 1: it is scored on five criteria, not two.
    let (_, detail) = c.evaluator.get(&path).await;
    let (s, r) = c.evaluator.post(&format!("{path}/report"), report(&detail, "feasible")).await;
    assert_eq!((s, r["criteria_version"].as_i64()), (200, Some(1)), "{r}");
}

/// Two drafters bundle the same idea, two commissions race for one idea: one wins each
/// time, the other is refused, and nothing is half-done (run on PostgreSQL in CI).
#[tokio::test]
async fn concurrent_packages_and_commissions_never_double_up() {
    let c = city().await;
    let i = accepted(&c, "并发").await;
    let path = format!("/api/v1/ideas/{}", i["id"]);
    let commission = json!({ "evaluator_id": c.institute, "working_days": 10 });
    let other = c.app.api(&c.app.token("chu", &["read", "write"]).await);
    let to = format!("{path}/commissions");
    let (a, b) = tokio::join!(c.division.post(&to, commission.clone()), other.post(&to, commission.clone()));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses[0], 201, "{a:?} {b:?}");
    assert!(statuses[1] == 409, "the second is refused: {a:?} {b:?}");
    assert_eq!(c.app.count("idea_commissions").await, 1);

    let (_, detail) = c.evaluator.get(&path).await;
    assert_eq!(c.evaluator.post(&format!("{path}/report"), report(&detail, "feasible")).await.0, 200);
    let mayor_id = c.mayor.get("/api/v1/me").await.1["id"].clone();
    let package = json!({
        "kind": "enterprise", "title": "一企一策", "industry": "工业互联网", "leader_id": mayor_id, "idea_ids": [i["id"]],
        "measures": [{ "content": "措施", "department_id": c.gxj, "assignee_id": c.gxj_staff, "deadline": "2019-06-28" }],
    });
    let (a, b) = tokio::join!(
        c.division.post("/api/v1/ideas/packages", package.clone()),
        other.post("/api/v1/ideas/packages", package.clone())
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert!(statuses == [201, 409] || statuses == [201, 422], "{a:?} {b:?}");
    assert_eq!(c.app.count("support_packages").await, 1);
    assert_eq!(c.app.count("package_measures").await, 1, "the loser's measures are not left behind");
}

#[tokio::test]
async fn attachments_go_with_the_idea_and_only_to_those_who_see_it() {
    let c = city().await;
    let (_, draft) = c.firm.post("/api/v1/ideas", idea(&c, "附件")).await;
    let path = format!("/api/v1/ideas/{}", draft["id"]);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (s, fake) = c.firm.post_bytes(&format!("{path}/attachments?filename=list.pdf"), b"not a pdf".to_vec()).await;
    assert_eq!(s, 422, "content must match the extension: {fake}");
    let (s, a) = c.firm.post_bytes(&format!("{path}/attachments?filename=名单.pdf"), pdf.clone()).await;
    assert_eq!(s, 201, "{a}");
    c.firm.post(&format!("{path}/submit"), json!({})).await;
    let (s, e) = c.firm.post_bytes(&format!("{path}/attachments?filename=late.pdf"), pdf).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("idea_locked")));
    let file = format!("/api/v1/ideas/attachments/{}", a["id"]);
    let get = |token: String| {
        let url = c.app.url(&file);
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("get").status().as_u16() }
    };
    assert_eq!(get(c.app.token("lin", &["read"]).await).await, 200, "the division reads it");
    assert_eq!(get(c.app.token("lhzx", &["read"]).await).await, 404, "an evaluator not commissioned does not");
}
