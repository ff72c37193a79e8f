//! Mechanism 5, second part: an association head attends an economic meeting and speaks,
//! a decision becomes a task once however often it is asked; an enterprise's direct-line
//! request is answered by the named responder and judged; a late one is escalated once;
//! questions are classified with reasons and counted per division. Every bad input is
//! refused unchanged.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    convener: Api,
    mayor: Api,
    member: Api,
    outsider: Api,
    association: Api,
    enterprise: Api,
    mayor_id: i64,
    member_id: i64,
    outsider_id: i64,
    association_id: i64,
    fgw_division: i64,
    gxj: i64,
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (fgw, fgw_division, _) = app.department("fgw", "public").await;
    let (gxj, _, _) = app.department("gxj", "public").await;
    let (swj, _, _) = app.department("swj", "public").await;
    app.user("root", "system_admin", None, None).await;
    app.user("lin", "staff", Some(fgw), Some(fgw_division)).await;
    let mayor_id = app.user("zhou", "leader", None, None).await;
    let member_id = app.user("zhao", "staff", Some(gxj), None).await;
    let outsider_id = app.user("qian", "staff", Some(swj), None).await;
    let admin = app.api(&app.token("root", &["read", "write"]).await);
    let (_, p) =
        admin.post("/api/v1/people", json!({ "name": "周明远", "leader_title": "市长", "user_id": mayor_id })).await;
    let (s, f) = admin.post(&format!("/api/v1/people/{}/portfolios", p["id"]), json!({ "department_id": gxj })).await;
    assert_eq!(s, 201, "{f}");
    let mut linked = Vec::new();
    for (name, username, role) in
        [("青岛市软件行业协会", "rjxh", "association"), ("青岛海创科技有限公司", "haichuang", "enterprise")]
    {
        let (s, e) = admin.post("/api/v1/enterprises", json!({ "name": name, "legal_representative": "周软件" })).await;
        assert_eq!(s, 201, "{e}");
        let account = app.user(username, role, None, None).await;
        let (s, l) =
            admin.post(&format!("/api/v1/enterprises/{}/account", e["id"]), json!({ "user_id": account })).await;
        assert_eq!(s, 200, "{l}");
        linked.push(e["id"].clone());
    }
    let keeper = app.api(&app.token("lin", &["read", "write"]).await);
    let (s, a) = keeper
        .post(
            "/api/v1/associations",
            json!({ "enterprise_id": linked[0], "kind": "association", "industries": ["软件"], "head_name": "周软件" }),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    City {
        convener: app.api(&app.token("lin", &["read", "write"]).await),
        mayor: app.api(&app.token("zhou", &["read", "write"]).await),
        member: app.api(&app.token("zhao", &["read", "write"]).await),
        outsider: app.api(&app.token("qian", &["read", "write"]).await),
        association: app.api(&app.token("rjxh", &["read", "write"]).await),
        enterprise: app.api(&app.token("haichuang", &["read", "write"]).await),
        association_id: a["id"].as_i64().unwrap_or(0),
        app,
        mayor_id,
        member_id,
        outsider_id,
        fgw_division,
        gxj,
    }
}

fn code(e: &Value) -> Option<&str> {
    e["error"]["code"].as_str()
}

fn meeting(c: &City, starts_at: &str) -> Value {
    json!({
        "kind": "government",
        "title": "二季度市政府经济工作会议",
        "starts_at": starts_at,
        "place": "市政府第一会议室",
        "items": ["一季度经济运行情况", "行业协会参与产业链招商"],
        "member_ids": [c.mayor_id, c.member_id],
        "association_ids": [c.association_id],
    })
}

#[tokio::test]
async fn an_association_head_attends_a_meeting_speaks_and_a_decision_becomes_a_task() {
    let c = city().await;
    let mut bad = meeting(&c, "2019-04-10T09:00");
    bad["kind"] = json!("party_congress");
    let (s, e) = c.convener.post("/api/v1/meetings", bad).await;
    assert_eq!((s, code(&e)), (422, Some("bad_meeting_kind")), "{e}");
    let mut bad = meeting(&c, "2019-04-10T09:00");
    bad["items"] = json!(["  "]);
    let (s, e) = c.convener.post("/api/v1/meetings", bad).await;
    assert_eq!((s, code(&e)), (422, Some("no_agenda")), "{e}");
    assert_eq!(c.association.post("/api/v1/meetings", meeting(&c, "2019-04-10T09:00")).await.0, 403);
    assert_eq!(c.app.count("economic_meetings").await, 0);

    let (s, m) = c.convener.post("/api/v1/meetings", meeting(&c, "2019-04-10T09:00")).await;
    assert_eq!((s, m["invited"].as_i64()), (201, Some(3)), "{m}");
    let (s, later) = c.convener.post("/api/v1/meetings", meeting(&c, "2019-04-11T09:00")).await;
    assert_eq!(s, 201, "{later}");
    let (s, e) =
        c.convener.put(&format!("/api/v1/meetings/{}/attendance", later["id"]), json!({ "present": [] })).await;
    assert_eq!((s, code(&e)), (409, Some("meeting_not_started")), "{e}");

    let path = format!("/api/v1/meetings/{}", m["id"]);
    let (s, seen) = c.association.get("/api/v1/meetings").await;
    assert_eq!(
        (s, seen["total"].as_i64()),
        (200, Some(2)),
        "the association sees the meetings it is invited to: {seen}"
    );
    let (_, d) = c.convener.get(&path).await;
    let seat = |user: i64| {
        d["invitees"].as_array().and_then(|v| v.iter().find(|i| i["user_id"] == user)).cloned().unwrap_or_default()
    };
    let head =
        d["invitees"].as_array().and_then(|v| v.iter().find(|i| i["seat"] == "observer")).cloned().unwrap_or_default();
    assert_eq!(head["unit"], "青岛市软件行业协会", "{d}");
    let (mayor, member) = (seat(c.mayor_id), seat(c.member_id));
    let present = json!({ "present": [head["id"], member["id"]] });
    assert_eq!(c.outsider.put(&format!("{path}/attendance"), present.clone()).await.0, 403, "only its convener");
    let (s, att) = c.convener.put(&format!("{path}/attendance"), present).await;
    assert_eq!(s, 200, "{att}");

    let items = d["items"].as_array().cloned().unwrap_or_default();
    let speech = |invitee: &Value| json!({ "item_id": items[1]["id"], "invitee_id": invitee["id"], "summary": "协会可牵头组织会员企业对接平台招商。" });
    let (s, e) = c.convener.post(&format!("{path}/speeches"), speech(&mayor)).await;
    assert_eq!((s, code(&e)), (422, Some("speaker_not_attending")), "{e}");
    let mut elsewhere = speech(&head);
    elsewhere["item_id"] = json!(items[0]["id"].as_i64().unwrap_or(0) + 100);
    let (s, e) = c.convener.post(&format!("{path}/speeches"), elsewhere).await;
    assert_eq!((s, code(&e)), (422, Some("not_on_agenda")), "{e}");
    assert_eq!(c.app.count("meeting_speeches").await, 0);
    let (s, sp) = c.convener.post(&format!("{path}/speeches"), speech(&head)).await;
    assert_eq!(
        (s, sp["seat"].as_str(), sp["unit"].as_str()),
        (201, Some("observer"), Some("青岛市软件行业协会")),
        "{sp}"
    );

    let (s, dec) = c
        .convener
        .post(
            &format!("{path}/decisions"),
            json!({ "item_id": items[1]["id"], "text": "由市工业和信息化局编制配套需求清单。" }),
        )
        .await;
    assert_eq!(s, 201, "{dec}");
    let task = json!({ "assignee_id": c.member_id, "department_id": c.gxj, "deadline": "2019-05-10" });
    let to_task = format!("/api/v1/meeting-decisions/{}/task", dec["id"]);
    assert_eq!(c.convener.post(&to_task, task.clone()).await.0, 403, "staff do not open matters");
    let ((s1, a), (s2, b)) = tokio::join!(c.mayor.post(&to_task, task.clone()), c.mayor.post(&to_task, task.clone()));
    let mut statuses = [s1, s2];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one decision becomes one task: {a} {b}");
    assert_eq!(c.app.count("tasks").await, 1);
    assert_eq!(c.app.count("matters").await, 1);
    let task_id = if s1 == 200 { a["task_id"].clone() } else { b["task_id"].clone() };
    let (s, t) = c.member.get(&format!("/api/v1/tasks/{task_id}")).await;
    assert_eq!((s, t["assignee_id"].as_i64()), (200, Some(c.member_id)), "{t}");

    let (_, d) = c.association.get(&path).await;
    assert_eq!(d["speeches"][0]["speaker"], head["name"], "{d}");
    assert_eq!(d["decisions"][0]["task_id"], task_id, "{d}");
    let (s, f) = c.convener.get("/api/v1/meetings/figures?period=2019-Q2").await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        (f[0]["invited"].as_i64(), f[0]["attended"].as_i64(), f[0]["spoke_at"].as_i64()),
        (Some(2), Some(1), Some(1)),
        "{f}"
    );
}

async fn thread(c: &City) -> (Value, i64) {
    let (s, t) = c
        .enterprise
        .post(
            "/api/v1/direct-line",
            json!({ "leader_id": c.mayor_id, "subject": "项目用能指标", "body": "二期项目年内投产，需新增用能指标，恳请协调。", "request": true }),
        )
        .await;
    assert_eq!((s, t["open_requests"].as_i64()), (201, Some(1)), "{t}");
    let (_, detail) = c.enterprise.get(&format!("/api/v1/direct-line/{}", t["id"])).await;
    let request = detail["requests"][0]["id"].as_i64().unwrap_or(0);
    (t, request)
}

#[tokio::test]
async fn an_enterprise_request_on_the_direct_line_is_answered_on_time_and_judged() {
    let c = city().await;
    let (s, e) = c
        .enterprise
        .post("/api/v1/direct-line", json!({ "leader_id": c.member_id, "subject": "x", "body": "y" }))
        .await;
    assert_eq!((s, code(&e)), (422, Some("not_a_leader")), "{e}");
    let (t, request) = thread(&c).await;
    let path = format!("/api/v1/direct-line/{}", t["id"]);
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("直通车新诉求"), "the leader is told: {inbox}");

    let (s, e) = c.outsider.post(&format!("{path}/messages"), json!({ "body": "我也有诉求", "request": true })).await;
    assert_eq!((s, code(&e)), (403, Some("not_on_thread")), "{e}");
    assert_eq!(c.outsider.get(&path).await.0, 404, "a thread one is not part of is not found");
    assert_eq!(c.association.get(&path).await.0, 403, "associations do not use the line");
    let (s, e) = c.mayor.post(&format!("{path}/messages"), json!({ "body": "收到", "request": true })).await;
    assert_eq!((s, code(&e)), (422, Some("request_by_enterprise_only")), "{e}");
    assert_eq!(c.app.count("line_messages").await, 1);
    assert_eq!(c.app.count("line_requests").await, 1);

    let responder = format!("/api/v1/direct-line/requests/{request}/responder");
    let (s, e) = c.mayor.put(&responder, json!({ "responder_id": c.outsider_id })).await;
    assert_eq!((s, code(&e)), (422, Some("responder_outside_portfolio")), "{e}");
    let (s, e) = c.enterprise.put(&responder, json!({ "responder_id": c.member_id })).await;
    assert_eq!(s, 403, "{e}");
    let (s, r) = c.mayor.put(&responder, json!({ "responder_id": c.member_id })).await;
    assert_eq!((s, r["department_name"].as_str()), (200, Some("gxj 局")), "{r}");

    let (_, first) = c.member.get(&format!("{path}/messages")).await;
    let after = first[0]["id"].as_i64().unwrap_or(0);
    let answer = format!("/api/v1/direct-line/requests/{request}/answer");
    let (s, e) = c.outsider.post(&answer, json!({ "answer": "已协调" })).await;
    assert_eq!(s, 404, "{e}");
    let (s, r) = c.member.post(&answer, json!({ "answer": "已纳入全市统筹，请报送节能审查材料。" })).await;
    assert_eq!((s, r["state"].as_str(), r["delivery"].as_str()), (200, Some("answered"), Some("on_time")), "{r}");
    let (_, new) = c.enterprise.get(&format!("{path}/messages?after={after}")).await;
    assert_eq!((new.as_array().map(Vec::len), new[0]["side"].as_str()), (Some(1), Some("office")), "{new}");

    let judge = format!("/api/v1/direct-line/requests/{request}/judgement");
    let (s, e) = c.enterprise.post(&judge, json!({ "judgement": "so-so" })).await;
    assert_eq!((s, code(&e)), (422, Some("bad_judgement")), "{e}");
    assert_eq!(c.mayor.post(&judge, json!({ "judgement": "satisfied" })).await.0, 403, "the enterprise judges");
    let (s, r) = c.enterprise.post(&judge, json!({ "judgement": "satisfied" })).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("closed")), "{r}");
    let (s, e) = c.enterprise.post(&judge, json!({ "judgement": "satisfied" })).await;
    assert_eq!((s, code(&e)), (409, Some("request_not_answered")), "{e}");

    let (s, f) = c.mayor.get("/api/v1/direct-line/figures").await;
    assert_eq!(s, 200, "{f}");
    assert_eq!((f[0]["answered_on_time"].as_i64(), f[0]["satisfied"].as_i64()), (Some(1), Some(1)), "{f}");
}

#[tokio::test]
async fn a_late_request_is_escalated_once_and_an_unsatisfied_judgement_reopens_it_once() {
    let c = city().await;
    let (t, request) = thread(&c).await;
    let path = format!("/api/v1/direct-line/{}", t["id"]);
    c.app.clock.advance_ms(7 * 86_400_000);
    c.app.run_scheduler().await;
    c.app.run_scheduler().await;
    let (_, d) = c.enterprise.get(&path).await;
    assert!(d["requests"][0]["escalated_at"].is_i64(), "{d}");
    assert_eq!(d["requests"][0]["delivery"], "overdue", "{d}");
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    assert_eq!(inbox.to_string().matches("超时未答复").count(), 1, "escalated once: {inbox}");

    let (s, r) =
        c.mayor.post(&format!("/api/v1/direct-line/requests/{request}/answer"), json!({ "answer": "正在协调" })).await;
    assert_eq!((s, r["delivery"].as_str()), (200, Some("late")), "{r}");
    let judge = format!("/api/v1/direct-line/requests/{request}/judgement");
    let (s, r) = c.enterprise.post(&judge, json!({ "judgement": "unsatisfied", "note": "没有解决" })).await;
    assert_eq!((s, r["state"].as_str(), r["judgement"].as_str()), (200, Some("open"), Some("unsatisfied")), "{r}");
    let (s, r) =
        c.mayor.post(&format!("/api/v1/direct-line/requests/{request}/answer"), json!({ "answer": "已解决" })).await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = c.enterprise.post(&judge, json!({ "judgement": "unsatisfied" })).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("closed")), "a second unsatisfied closes it: {r}");
}

#[tokio::test]
async fn questions_are_classified_with_reasons_and_counted_per_division() {
    let c = city().await;
    let question = |class: &str, association: Option<i64>| json!({ "title": "行业标准与会员培训", "class": class, "reason": "协会熟悉企业需求", "association_id": association });
    let refused = [
        (question("to_market", None), "handed_to_required"),
        (question("laissez_faire", None), "bad_market_class"),
        (json!({ "title": "x", "class": "failure", "reason": " " }), "required"),
    ];
    for (body, expected) in refused {
        let (s, e) = c.convener.post("/api/v1/market-questions", body).await;
        assert_eq!((s, code(&e)), (422, Some(expected)), "{e}");
    }
    let mut theirs = question("cultivate", None);
    theirs["division_id"] = json!(c.fgw_division);
    let (s, e) = c.outsider.post("/api/v1/market-questions", theirs).await;
    assert_eq!((s, code(&e)), (422, Some("not_your_department")), "{e}");
    assert_eq!(c.enterprise.get("/api/v1/market-questions").await.0, 403);
    assert_eq!(c.app.count("market_questions").await, 0);

    let (s, q) = c.convener.post("/api/v1/market-questions", question("to_market", Some(c.association_id))).await;
    assert_eq!((s, q["association_name"].as_str()), (201, Some("青岛市软件行业协会")), "{q}");
    let (s, q2) = c.convener.post("/api/v1/market-questions", question("cultivate", Some(c.association_id))).await;
    assert_eq!((s, q2["association_id"].as_i64()), (201, None), "only what goes to the market is handed over: {q2}");
    let mut reclass = question("failure", None);
    reclass["reason"] = json!("市场失灵，政府直接作为");
    let (s, q2) = c.convener.put(&format!("/api/v1/market-questions/{}", q2["id"]), reclass).await;
    assert_eq!((s, q2["class"].as_str()), (200, Some("failure")), "{q2}");

    let (s, f) = c.convener.get(&format!("/api/v1/market-divisions/{}/figures?period=2019", c.fgw_division)).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        (f["to_market"].as_i64(), f["cultivate"].as_i64(), f["failure"].as_i64()),
        (Some(1), Some(0), Some(1)),
        "{f}"
    );
    let (s, list) =
        c.member.get(&format!("/api/v1/market-questions?division_id={}&class=failure", c.fgw_division)).await;
    assert_eq!((s, list["total"].as_i64()), (200, Some(1)), "{list}");
}
