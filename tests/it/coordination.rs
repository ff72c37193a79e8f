use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    mayor: Api,
    fgw_staff: Api,
    swj_staff: Api,
    fgw: i64,
    swj: i64,
    fgw_staff_id: i64,
    swj_staff_id: i64,
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (fgw, _, _) = app.department("fgw", "public").await;
    let (swj, _, _) = app.department("swj", "public").await;
    app.user("mayor", "leader", None, None).await;
    let fgw_staff_id = app.user("lin", "staff", Some(fgw), None).await;
    let swj_staff_id = app.user("wang", "staff", Some(swj), None).await;
    app.user("chen", "dept_head", Some(fgw), None).await;
    let mayor = app.api(&app.token("mayor", &["read", "write"]).await);
    let fgw_staff = app.api(&app.token("lin", &["read", "write"]).await);
    let swj_staff = app.api(&app.token("wang", &["read", "write"]).await);
    City { app, mayor, fgw_staff, swj_staff, fgw, swj, fgw_staff_id, swj_staff_id }
}

async fn fire(api: &Api, task: &Value, transition: &str, note: Option<&str>) -> (u16, Value) {
    api.post(&format!("/api/v1/tasks/{}/transitions", task["id"]), json!({ "transition": transition, "note": note }))
        .await
}

#[tokio::test]
async fn a_matter_from_opening_to_closing() {
    let c = city().await;
    // 2019-04-10 (Wed): the leader opens the matter and records the kickoff.
    let (s, matter) = c
        .mayor
        .post(
            "/api/v1/matters",
            json!({
                "title": "推动春季央企青岛行签约项目落地",
                "kickoff_date": "2019-04-10",
                "kickoff_attendees": "市发展改革委、市商务局",
                "kickoff_decisions": "18 个签约项目逐一明确责任部门",
            }),
        )
        .await;
    assert_eq!(s, 201, "{matter}");
    let tasks_url = format!("/api/v1/matters/{}/tasks", matter["id"]);
    let (s, a) = c
        .mayor
        .post(&tasks_url, json!({ "title": "梳理 18 个项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "co_department_ids": [c.swj], "working_days": 5 }))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["deadline"], "2019-04-17", "5 working days after Wednesday 10 April");
    let (_, b) = c
        .mayor
        .post(&tasks_url, json!({ "title": "研究用地保障方案", "kind": "research", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-04-12" }))
        .await;
    let (_, t3) = c
        .mayor
        .post(&tasks_url, json!({ "title": "对接央企投资意向", "assignee_id": c.swj_staff_id, "lead_department_id": c.swj, "deadline": "2019-05-31" }))
        .await;
    assert_eq!(b["light"], "yellow", "two days off is near");
    assert_eq!(t3["light"], "green");

    // Bad assignments change nothing.
    let before = c.app.count("tasks").await;
    let (s, e) = c.mayor.post(&tasks_url, json!({ "title": "x", "assignee_id": c.swj_staff_id, "lead_department_id": c.fgw, "deadline": "2019-05-01" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("assignee_outside_department")));
    let (s, e) = c.mayor.post(&tasks_url, json!({ "title": "x", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-04-01" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("deadline_past")));
    let (s, _) = c.fgw_staff.post(&tasks_url, json!({ "title": "x", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-05-01" })).await;
    assert_eq!(s, 403, "only the deciding leader assigns");
    assert_eq!(c.app.count("tasks").await, before);

    // The assignees find the tasks in their inbox.
    let (_, inbox) = c.fgw_staff.get("/api/v1/notifications").await;
    assert_eq!(inbox["unread"], 2);
    let (_, mine) = c.fgw_staff.get("/api/v1/tasks?scope=mine").await;
    assert_eq!(mine["total"], 2);

    // Accept, report progress, feed back.
    assert_eq!(fire(&c.fgw_staff, &a, "accept", None).await.0, 200);
    let (s, e) = fire(&c.fgw_staff, &a, "approve", None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")), "staff cannot approve");
    let (s, e) = fire(&c.mayor, &a, "accept", None).await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(fire(&c.fgw_staff, &a, "start", None).await.0, 200);
    let (s, _) = c
        .fgw_staff
        .post(&format!("/api/v1/tasks/{}/progress", a["id"]), json!({ "body": "已梳理 12 个项目", "progress": 60 }))
        .await;
    assert_eq!(s, 201);
    let upload = reqwest::Client::new()
        .post(c.app.url(&format!("/api/v1/tasks/{}/attachments?filename=清单.txt", a["id"])))
        .bearer_auth(&c.fgw_staff.token)
        .body("项目一\n项目二\n".as_bytes().to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
    let bad = reqwest::Client::new()
        .post(c.app.url(&format!("/api/v1/tasks/{}/attachments?filename=x.pdf", a["id"])))
        .bearer_auth(&c.fgw_staff.token)
        .body(b"<script>alert(1)</script>".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(bad.status(), 422, "content must match the extension");
    let (s, e) = fire(&c.fgw_staff, &a, "submit_feedback", None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("note")), "feedback needs a note");
    assert_eq!(fire(&c.fgw_staff, &a, "submit_feedback", Some("18 个项目清单已报送")).await.0, 200);
    assert_eq!(fire(&c.fgw_staff, &a, "submit_feedback", Some("again")).await.0, 409, "illegal from this state");

    // Task b goes red on Monday 15 April and the scheduler escalates it, once.
    fire(&c.fgw_staff, &b, "accept", None).await;
    c.app.clock.advance_ms(5 * 86_400_000);
    let (_, detail) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", b["id"])).await;
    assert_eq!(detail["light"], "red");
    let done = c.app.run_scheduler().await;
    assert!(done >= 1);
    assert_eq!(c.app.run_scheduler().await, 0, "no double reminders or escalations");
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    let titles: Vec<&str> =
        inbox["items"].as_array().expect("items").iter().filter_map(|n| n["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("逾期：督办任务「研究用地保障方案」")), "{titles:?}");
    let (_, red) = c.mayor.get("/api/v1/tasks?scope=leading&light=red").await;
    assert_eq!(red["total"], 1);
    let report = json!({ "background": "与自然资源和规划局核对", "conclusions": "用地指标已落实" });
    assert_eq!(c.fgw_staff.put(&format!("/api/v1/tasks/{}/report", b["id"]), report).await.0, 200);
    assert_eq!(fire(&c.fgw_staff, &b, "submit_report", None).await.0, 200, "a research task sends its report");
    let (_, detail) = c.mayor.get(&format!("/api/v1/tasks/{}", b["id"])).await;
    assert_eq!(detail["met_deadline"], false);

    // The third task: extension asked and granted, then feedback.
    fire(&c.swj_staff, &t3, "accept", None).await;
    let (s, ext) = c
        .swj_staff
        .post(
            &format!("/api/v1/tasks/{}/extensions", t3["id"]),
            json!({ "deadline": "2019-06-14", "reason": "央企决策周期较长" }),
        )
        .await;
    assert_eq!(s, 201, "{ext}");
    let (s, _) =
        c.swj_staff.post(&format!("/api/v1/extensions/{}/decision", ext["id"]), json!({ "grant": true })).await;
    assert_eq!(s, 403, "only the leader decides");
    let (s, granted) = c
        .mayor
        .post(&format!("/api/v1/extensions/{}/decision", ext["id"]), json!({ "grant": true, "note": "同意" }))
        .await;
    assert_eq!((s, granted["state"].as_str()), (200, Some("granted")));
    let (_, detail) = c.mayor.get(&format!("/api/v1/tasks/{}", t3["id"])).await;
    assert_eq!(detail["deadline"], "2019-06-14");
    fire(&c.swj_staff, &t3, "submit_feedback", Some("已与两家央企签订补充协议")).await;

    // The leader returns one, accepts the rest, and closes the matter.
    let (s, _) =
        c.mayor.post(&format!("/api/v1/matters/{}/transitions", matter["id"]), json!({ "transition": "close" })).await;
    assert_eq!(s, 409, "not while tasks are open");
    assert_eq!(fire(&c.mayor, &a, "return", Some("请补充每个项目的落地时间")).await.0, 200);
    let (_, detail) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", a["id"])).await;
    assert_eq!(detail["state"], "in_progress");
    assert_eq!(detail["available"], json!(["submit_feedback"]));
    assert_eq!(fire(&c.fgw_staff, &a, "submit_feedback", Some("已补充落地时间")).await.0, 200);
    for (t, decision) in [(&a, "approve"), (&b, "adopt"), (&t3, "approve")] {
        assert_eq!(fire(&c.mayor, t, decision, None).await.0, 200);
    }
    let (s, fired) =
        c.mayor.post(&format!("/api/v1/matters/{}/transitions", matter["id"]), json!({ "transition": "close" })).await;
    assert_eq!((s, fired["to"].as_str()), (200, Some("closed")));
    let (_, m) = c.mayor.get(&format!("/api/v1/matters/{}", matter["id"])).await;
    assert_eq!((m["tasks_total"].as_i64(), m["tasks_finished"].as_i64()), (Some(3), Some(3)));

    let (_, figures) = c.mayor.get("/api/v1/coordination/figures?group=department").await;
    let fgw = figures.as_array().and_then(|f| f.iter().find(|f| f["id"] == c.fgw)).cloned().unwrap_or_default();
    assert_eq!((fgw["tasks"].as_i64(), fgw["on_time"].as_i64()), (Some(2), Some(1)), "{figures}");
    assert!(c.app.verify().await.ok);
}

#[tokio::test]
async fn only_leaders_and_department_heads_open_matters_top_down() {
    let c = city().await;
    let (s, _) = c.fgw_staff.post("/api/v1/matters", json!({ "title": "越级事项" })).await;
    assert_eq!(s, 403);
    let head = c.app.api(&c.app.token("chen", &["read", "write"]).await);
    let (s, m) = head.post("/api/v1/matters", json!({ "title": "局长拍板的事项" })).await;
    assert_eq!(s, 201, "{m}");
    let mayor_id = c.mayor.get("/api/v1/me").await.1["id"].clone();
    let (s, e) = head.post("/api/v1/matters", json!({ "title": "替市长开启", "leader_id": mayor_id })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_above_decider")), "never upward");
    let head_id = head.get("/api/v1/me").await.1["id"].clone();
    let (s, m) = c.mayor.post("/api/v1/matters", json!({ "title": "请局长拍板", "leader_id": head_id })).await;
    assert_eq!((s, m["leader_id"].clone()), (201, head_id));
}

#[tokio::test]
async fn the_calendar_answers_anyone_and_admins_add_next_years_notice() {
    let c = city().await;
    let anon = reqwest::Client::new();
    let day: Value =
        anon.get(c.app.url("/api/v1/calendar/days/2025-01-26")).send().await.expect("get").json().await.expect("json");
    assert_eq!((day["working_day"].as_bool(), day["kind"].as_str()), (Some(true), Some("adjusted_workday")));
    let add: Value = anon
        .get(c.app.url("/api/v1/calendar/add?from=2025-09-26&days=5"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(add["date"], "2025-10-10");
    let bad = anon.get(c.app.url("/api/v1/calendar/days/2025-02-30")).send().await.expect("get");
    assert_eq!(bad.status(), 422);

    c.app.user("admin", "system_admin", None, None).await;
    let admin = c.app.api(&c.app.token("admin", &["read", "write"]).await);
    let (s, _) = c
        .fgw_staff
        .post("/api/v1/calendar/days", json!({ "date": "2027-01-01", "kind": "holiday", "name": "元旦" }))
        .await;
    assert_eq!(s, 403);
    let (s, d) =
        admin.post("/api/v1/calendar/days", json!({ "date": "2027-01-01", "kind": "holiday", "name": "元旦" })).await;
    assert_eq!((s, d["working_day"].as_bool()), (201, Some(false)));
    let year: Value =
        anon.get(c.app.url("/api/v1/calendar/years/2027")).send().await.expect("get").json().await.expect("json");
    assert_eq!(year["known"], true);
}

#[tokio::test]
async fn an_administrator_changes_a_process_and_a_broken_one_is_refused() {
    let c = city().await;
    c.app.user("admin", "system_admin", None, None).await;
    let admin = c.app.api(&c.app.token("admin", &["read", "write"]).await);
    let (_, src) = admin.get("/api/v1/processes/task").await;
    let text = src["definition"].as_str().expect("definition").to_owned();
    let broken = text.replace("to = \"done\"", "to = \"nowhere\"");
    let (s, e) = admin.put("/api/v1/processes/task", json!({ "definition": broken })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_process")));
    assert!(e["error"]["detail"].as_str().unwrap_or("").contains("nowhere"));
    let (s, _) = c.mayor.put("/api/v1/processes/task", json!({ "definition": text })).await;
    assert_eq!(s, 403);
    let yellow4 = text.replace("yellow_working_days = 2", "yellow_working_days = 4");
    let (s, p) = admin.put("/api/v1/processes/task", json!({ "definition": yellow4 })).await;
    assert_eq!((s, p["timing"]["yellow_working_days"].as_i64()), (200, Some(4)));
    let (s, _) = admin.put("/api/v1/processes/task", json!({ "definition": null })).await;
    assert_eq!(s, 200, "back to the shipped definition");
}

#[tokio::test]
async fn the_journey_in_the_browser() {
    let c = city().await;
    let leader = c.app.browser("mayor").await;
    let res = leader
        .post(
            "/matters",
            &[
                ("title", "委托平台企业带动新一代信息技术企业升级"),
                ("visibility", "internal"),
                ("kickoff_attendees", "市工业和信息化局"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let matter = res.headers()["location"].to_str().expect("location").to_owned();
    let res = leader
        .post(
            &format!("{matter}/tasks"),
            &[
                ("title", "制定企业上云方案"),
                ("kind", "execute"),
                ("lead_department_id", &c.fgw.to_string()),
                ("assignee_id", &c.fgw_staff_id.to_string()),
                ("co_department_ids", &c.swj.to_string()),
                ("deadline", ""),
                ("working_days", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = leader
        .post(
            &format!("{matter}/tasks"),
            &[
                ("title", "缺少期限"),
                ("kind", "execute"),
                ("lead_department_id", &c.fgw.to_string()),
                ("assignee_id", &c.fgw_staff_id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("page");
    assert!(page.contains("缺少期限"), "what was typed is kept");

    let staff = c.app.browser("lin").await;
    let (_, inbox) = staff.text("/inbox").await;
    assert!(inbox.contains("新任务：制定企业上云方案"));
    let (_, notes) = c.fgw_staff.get("/api/v1/notifications?unread=true").await;
    let note = notes["items"][0]["id"].as_i64().expect("an unread note");
    let res = staff.get(&format!("/inbox/{note}/open")).await;
    assert_eq!(res.status(), 303, "following a note leads to its record");
    assert!(res.headers()["location"].to_str().unwrap_or("").starts_with("/tasks/"));
    let (_, notes) = c.fgw_staff.get("/api/v1/notifications?unread=true").await;
    assert!(notes["items"].as_array().is_some_and(|a| a.iter().all(|n| n["id"] != note)), "and marks it read");
    assert_eq!(c.app.browser("wang").await.get(&format!("/inbox/{note}/open")).await.status(), 404, "only one's own");
    let (_, home) = staff.text("/tasks").await;
    assert!(home.contains("制定企业上云方案"));
    let task_id = c.fgw_staff.get("/api/v1/tasks?scope=mine").await.1["items"][0]["id"].as_i64().expect("id");
    let res = staff.post(&format!("/tasks/{task_id}/transition"), &[("transition", "accept")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = staff.text(&format!("/tasks/{task_id}")).await;
    assert!(page.contains("已办理，办理记录已更新"), "the change is confirmed on the next page");
    let (_, page) = staff.text(&format!("/tasks/{task_id}")).await;
    assert!(!page.contains("已办理，办理记录已更新"), "once");
    let res =
        staff.post(&format!("/tasks/{task_id}/transition"), &[("transition", "submit_feedback"), ("note", "")]).await;
    assert_eq!(res.status(), 422, "a note is required");
    let res = staff
        .post(&format!("/tasks/{task_id}/transition"), &[("transition", "submit_feedback"), ("note", "方案已完成")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = leader.text(&format!("/tasks/{task_id}")).await;
    assert!(page.contains("审核通过") && page.contains("驳回重办"));
    let res = leader.post(&format!("/tasks/{task_id}/transition"), &[("transition", "approve")]).await;
    assert_eq!(res.status(), 303);
    let res = leader.post(&format!("{matter}/transition"), &[("transition", "close")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = leader.text(&matter).await;
    assert!(page.contains("已办结"));
    let res = leader.get("/tasks?scope=leading&format=xlsx").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.expect("xlsx").starts_with(b"PK"));
    let (status, figures) = leader.text("/coordination/figures").await;
    assert_eq!(status, 200);
    assert!(figures.contains("<svg"));
    let (status, processes) = leader.text("/admin/processes").await;
    assert_eq!(status, 200);
    assert!(processes.contains("驳回重办"));
}

#[tokio::test]
async fn notes_reach_email_and_sms_through_the_gateway() {
    let c = city().await;
    c.app.user("admin", "system_admin", None, None).await;
    let admin = c.app.api(&c.app.token("admin", &["read", "write"]).await);
    let user = format!("/api/v1/users/{}", c.fgw_staff_id);
    let body = |email: &str| json!({ "display_name": "林志强", "role": "staff", "department_id": c.fgw, "email": email, "phone": "+86 138-0532-0000" });
    let (s, e) = admin.put(&user, body("not-an-address")).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_email")));
    let (s, u) = admin.put(&user, body("lin@qingdao.gov.cn")).await;
    assert_eq!((s, u["phone"].as_str()), (200, Some("13805320000")));

    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "通知测试" })).await;
    let (s, _) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "t", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 3 }),
        )
        .await;
    assert_eq!(s, 201);
    let pending = c
        .app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL", &[])?))
        .await
        .expect("count");
    assert_eq!(pending, 2, "one e-mail and one SMS");
    c.app.run_scheduler().await;
    let sent = c
        .app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL", &[])?))
        .await
        .expect("count");
    assert_eq!(sent, 2);
}

/// Each role's home opens on the records waiting for it, in words, most urgent first:
/// the responsible person's tasks to accept, the leader's feedback to decide, and the
/// department head's overdue tasks.
#[tokio::test]
async fn each_home_is_a_work_queue() {
    let c = city().await;
    let (_, matter) = c.mayor.post("/api/v1/matters", json!({ "title": "稳外资专项行动" })).await;
    let tasks_url = format!("/api/v1/matters/{}/tasks", matter["id"]);
    let (_, soon) = c
        .mayor
        .post(&tasks_url, json!({ "title": "走访外资企业", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-04-11" }))
        .await;
    let (_, later) = c
        .mayor
        .post(&tasks_url, json!({ "title": "梳理外资项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-05-31" }))
        .await;
    let staff = c.app.browser("lin").await;
    let (_, home) = staff.text("/").await;
    let (near, far) = (home.find("走访外资企业"), home.find("梳理外资项目清单"));
    assert!(near.is_some() && far.is_some() && near < far, "nearest deadline first");
    assert!(home.contains("<strong>接收</strong>"), "the action, in words");

    assert_eq!(fire(&c.fgw_staff, &later, "accept", None).await.0, 200);
    let count = |v: &Value| v["items"].as_array().map_or(0, Vec::len);
    assert_eq!(count(&c.fgw_staff.get("/api/v1/tasks?scope=mine&state=assigned").await.1), 1);
    assert_eq!(
        count(&c.fgw_staff.get("/api/v1/tasks?scope=mine&state=assigned,accepted").await.1),
        2,
        "several states"
    );
    let (_, notes) = c.mayor.get("/api/v1/notifications").await;
    assert!(!notes.to_string().contains("接收"), "a routine acceptance does not notify the leader: {notes}");
    assert_eq!(fire(&c.fgw_staff, &later, "submit_feedback", Some("清单已报送")).await.0, 200);
    let (_, home) = c.app.browser("mayor").await.text("/").await;
    assert!(
        home.contains("梳理外资项目清单") && home.contains("审核通过（办结）、驳回重办"),
        "the leader decides the feedback"
    );
    assert!(!home.contains("走访外资企业"), "not overdue yet, nothing to decide");
    assert_eq!(fire(&c.fgw_staff, &soon, "accept", None).await.0, 200);
    let (s, _) = c
        .fgw_staff
        .post(
            &format!("/api/v1/tasks/{}/extensions", soon["id"]),
            json!({ "deadline": "2019-04-19", "reason": "企业负责人出差" }),
        )
        .await;
    assert_eq!(s, 201);
    let (_, home) = c.app.browser("mayor").await.text("/").await;
    assert!(home.contains("走访外资企业") && home.contains("审批延期申请"), "the leader decides the extension");
    let (_, page) = c.app.browser("mayor").await.text(&format!("/tasks/{}", soon["id"])).await;
    assert!(page.contains("<strong>lin 测试</strong> · 接收"), "the history names the person");
    assert!(page.contains("· lin 测试"), "so does the extension request");
    assert!(!page.contains("<strong>lin</strong>"), "not the username");

    c.app.clock.advance_ms(3 * 86_400_000);
    let (_, home) = c.app.browser("chen").await.text("/").await;
    assert!(home.contains("走访外资企业") && home.contains("已逾期"), "the department head sees it overdue");
    let (_, home) = c.app.browser("mayor").await.text("/").await;
    assert!(home.contains("走访外资企业"), "and so does the leader");
    let (_, tasks) = c.app.browser("chen").await.text("/tasks").await;
    assert!(tasks.contains("走访外资企业"), "/tasks opens on the tab with tasks in it: the department's");
    assert!(tasks.contains("class=\"button\" href=\"/tasks?scope=department\""), "and marks it");
    assert!(soon["id"].is_i64());
}

/// An export follows the page: its headers are the page's, in the reader's language, its
/// values in words, and Excel holds dates as dates (read back with calamine).
#[tokio::test]
async fn a_task_export_reads_like_the_page_in_excel() {
    use calamine::{Data, Reader, Xlsx};
    let c = city().await;
    let (_, matter) = c.mayor.post("/api/v1/matters", json!({ "title": "优化营商环境" })).await;
    let (s, _) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", matter["id"]),
            json!({ "title": "压缩开办时间", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": "2019-04-11" }),
        )
        .await;
    assert_eq!(s, 201);
    c.app.clock.advance_ms(2 * 86_400_000);
    let res = c.app.browser("mayor").await.get("/tasks?scope=leading&format=xlsx").await;
    let bytes = res.bytes().await.expect("xlsx").to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert!(header.contains(&"任务".to_owned()) && header.contains(&"亮灯".to_owned()), "{header:?}");
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = rows[1];
    assert!(matches!(row[column("期限")], Data::DateTime(_)), "the deadline is an Excel date: {:?}", row);
    assert_eq!(row[column("亮灯")].to_string(), "红灯（逾期）");
    let csv = c.app.browser("mayor").await.get("/tasks?scope=leading&format=csv").await.text().await.expect("csv");
    assert!(csv.contains("2019-04-11") && csv.contains("红灯（逾期）"), "{csv}");
}

/// An overdue task climbs the 分管 chain: the assigning leader at once, the leader in
/// charge of the lead department after 2 working days, the principal leader after 5;
/// the responsible person and the unit's head are urged again every working day; each
/// step once, and a step missed while no server ran goes out on the next run.
#[tokio::test]
async fn an_overdue_task_escalates_along_the_portfolio_chain() {
    let c = city().await;
    c.app.user("admin", "system_admin", None, None).await;
    let principal = c.app.user("zhou", "leader", None, None).await;
    let in_charge = c.app.user("sun", "leader", None, None).await;
    let admin = c.app.api(&c.app.token("admin", &["read", "write"]).await);
    for (name, title, user, dept) in [("周明远", "市长", principal, c.swj), ("孙海涛", "副市长", in_charge, c.fgw)]
    {
        let (_, p) =
            admin.post("/api/v1/people", json!({ "name": name, "leader_title": title, "user_id": user })).await;
        let (s, f) =
            admin.post(&format!("/api/v1/people/{}/portfolios", p["id"]), json!({ "department_id": dept })).await;
        assert_eq!(s, 201, "{f}");
    }
    // Wednesday 10 April 2019: a task due in one working day (Thursday 11 April).
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let (s, t) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "研究用地保障方案", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 1 }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let notes = |user: &'static str| {
        let app = &c.app;
        async move {
            let api = app.api(&app.token(user, &["read"]).await);
            let (_, inbox) = api.get("/api/v1/notifications").await;
            inbox["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|n| n["title"].as_str().is_some_and(|t| t.starts_with("逾期")))
                        .map(|n| n["repeats"].as_i64().unwrap_or(1))
                        .sum::<i64>()
                })
                .unwrap_or(0)
        }
    };
    let day = 86_400_000;
    // Friday 12 April: overdue; the assigning leader is told, the responsible person urged.
    c.app.clock.advance_ms(2 * day);
    c.app.run_scheduler().await;
    assert_eq!((notes("mayor").await, notes("sun").await, notes("zhou").await), (1, 0, 0));
    assert_eq!(c.app.run_scheduler().await, 0, "each step once");
    // Monday 15 April: two working days overdue — the leader in charge of the unit.
    c.app.clock.advance_ms(3 * day);
    c.app.run_scheduler().await;
    assert_eq!((notes("sun").await, notes("zhou").await), (1, 0));
    // No server ran from Tuesday to Friday; on Friday 19 April, six working days overdue,
    // the principal leader is told once, and the urging resumes.
    let urged = notes("lin").await;
    c.app.clock.advance_ms(4 * day);
    c.app.run_scheduler().await;
    assert_eq!((notes("sun").await, notes("zhou").await), (1, 1));
    assert!(notes("lin").await > urged, "urged again");
    assert!(notes("chen").await >= 1, "the unit's head is urged too");
    assert_eq!(c.app.run_scheduler().await, 0);
    let (_, detail) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    let history = detail.to_string();
    assert!(history.contains("已逾期"), "the task's record shows the escalations: {history}");
}

#[tokio::test]
async fn a_leader_instructs_and_a_task_is_urged_by_hand() {
    let c = city().await;
    c.app.user("du", "supervisor", None, None).await;
    let office = c.app.api(&c.app.token("du", &["read", "write"]).await);
    let head = c.app.api(&c.app.token("chen", &["read", "write"]).await);
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let (_, t) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "研究用地保障方案", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 5 }),
        )
        .await;
    let url = format!("/api/v1/tasks/{}/directives", t["id"]);
    // The responsible person can neither instruct nor urge.
    for kind in ["instruction", "urge"] {
        let (s, e) = c.fgw_staff.post(&url, json!({ "kind": kind, "body": "自己催自己" })).await;
        assert_eq!(s, 403, "{e}");
    }
    let (s, e) = c.mayor.post(&url, json!({ "kind": "instruction", "body": "  " })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")), "{e}");
    // 批示: to the responsible person and the lead department's head, and to whom the leader adds.
    let (s, instruction) = c
        .mayor
        .post(
            &url,
            json!({ "kind": "instruction", "body": "请商务局配合，月底前拿出方案。", "also_user_id": c.swj_staff_id }),
        )
        .await;
    assert_eq!(s, 201, "{instruction}");
    let names: Vec<&str> =
        instruction["recipients"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3, "lin, chen and wang: {names:?}");
    assert!(instruction["number"].is_null());
    let (_, inbox) = c.swj_staff.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("批示"), "{inbox}");
    // 催办 by hand by the supervision office and by the unit's head, numbered.
    let (s, first) = office.post(&url, json!({ "kind": "urge", "body": "请于本周内报送进展。" })).await;
    assert_eq!(s, 201, "{first}");
    assert!(first["number"].as_str().unwrap().starts_with("青督催〔2019〕1号"), "{first}");
    let (s, second) = head.post(&url, json!({ "kind": "urge", "body": "抓紧办理。" })).await;
    assert_eq!(s, 201, "{second}");
    assert_eq!(second["number"], "青督催〔2019〕2号");
    assert!(
        second["recipients"].as_array().unwrap().iter().all(|r| r["name"] != "chen 测试"),
        "not to the one who urges"
    );
    let (s, e) = office.post(&url, json!({ "kind": "urge", "body": "x", "also_user_id": c.swj_staff_id })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("instruction_only")), "{e}");
    // Listed on the task, counted, and answered once by each recipient.
    let (_, detail) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    assert_eq!(detail["directives"].as_array().unwrap().len(), 3);
    let answer = format!("/api/v1/directives/{}/answer", instruction["id"]);
    let (s, a) = c.fgw_staff.post(&answer, json!({ "answer": "已对接商务局，方案初稿已成。" })).await;
    assert_eq!(s, 200, "{a}");
    let (s, _) = c.fgw_staff.post(&answer, json!({ "answer": "again" })).await;
    assert_eq!(s, 409);
    let (s, _) =
        c.swj_staff.post(&format!("/api/v1/directives/{}/answer", first["id"]), json!({ "answer": "x" })).await;
    assert_eq!(s, 404, "not addressed to wang");
    let (s, _) = c.swj_staff.get(&format!("/api/v1/directives/{}", first["id"])).await;
    assert_eq!(s, 404);
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("回复"), "the leader is told of the answer: {inbox}");
    // Pages: the task shows the count; the urging notice is a document the recipient answers.
    let lin = c.app.browser("lin").await;
    let (_, home) = lin.text("/").await;
    assert!(
        home.contains("催办通知") && home.contains(&format!("/directives/{}", first["id"])),
        "on the home queue: {home}"
    );
    let (_, page) = lin.text(&format!("/tasks/{}", t["id"])).await;
    assert!(page.contains("已催办 2 次"), "{page}");
    let (s, slip) = lin.text(&format!("/tasks/{}/print", t["id"])).await;
    assert_eq!(s, 200);
    assert!(
        slip.contains("督办事项交办单") && slip.contains("请商务局配合") && slip.contains("青督催〔2019〕2号"),
        "the assignment slip carries the instructions and the urging: {slip}"
    );
    assert_eq!(
        c.app.browser("wang").await.text(&format!("/tasks/{}/print", t["id"])).await.0,
        200,
        "wang is addressed"
    );
    let (s, doc) = lin.text(&format!("/directives/{}", first["id"])).await;
    assert_eq!(s, 200);
    assert!(doc.contains("青督催〔2019〕1号") && doc.contains("催办通知") && doc.contains("gongwen"), "{doc}");
    let r = lin.post(&format!("/directives/{}/answer", first["id"]), &[("answer", "本周五前报送。")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, doc) = lin.text(&format!("/directives/{}", first["id"])).await;
    assert!(doc.contains("本周五前报送。"));
    let mayor = c.app.browser("mayor").await;
    let r = mayor.post(&format!("/tasks/{}/directives", t["id"]), &[("kind", "instruction"), ("body", "")]).await;
    assert_eq!(r.status().as_u16(), 422, "an empty instruction is refused on the page");
    assert_eq!(c.app.count("directives").await, 3);
}

#[tokio::test]
async fn per_person_figures_are_seen_by_the_person_their_heads_and_leaders_only() {
    let c = city().await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    for (who, dept) in [(c.fgw_staff_id, c.fgw), (c.swj_staff_id, c.swj)] {
        let (s, t) = c
            .mayor
            .post(
                &format!("/api/v1/matters/{}/tasks", m["id"]),
                json!({ "title": "梳理项目清单", "assignee_id": who, "lead_department_id": dept, "working_days": 5 }),
            )
            .await;
        assert_eq!(s, 201, "{t}");
    }
    let head = c.app.api(&c.app.token("chen", &["read"]).await);
    let people = |api: &Api| {
        let api = Api { base: api.base.clone(), token: api.token.clone(), client: api.client.clone() };
        async move {
            let (s, v) = api.get("/api/v1/coordination/figures?group=person").await;
            assert_eq!(s, 200, "{v}");
            let mut ids: Vec<i64> = v.as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
            ids.sort_unstable();
            ids
        }
    };
    assert_eq!(people(&c.fgw_staff).await, vec![c.fgw_staff_id], "staff see their own");
    assert_eq!(people(&c.swj_staff).await, vec![c.swj_staff_id]);
    assert_eq!(people(&head).await, vec![c.fgw_staff_id], "a head sees their department's people");
    assert_eq!(people(&c.mayor).await, vec![c.fgw_staff_id, c.swj_staff_id], "leaders see everyone");
    let (_, by_dept) = c.swj_staff.get("/api/v1/coordination/figures").await;
    assert_eq!(by_dept.as_array().unwrap().len(), 2, "departments' figures stay open to staff");
    let (_, page) = c.app.browser("wang").await.text("/coordination/figures").await;
    assert!(!page.contains("lin 测试"), "nor does the page show another person's rate");
}

#[tokio::test]
async fn a_deadline_in_a_year_without_a_holiday_notice_is_warned_of() {
    let c = city().await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let url = format!("/api/v1/matters/{}/tasks", m["id"]);
    let task = |deadline: &str| json!({ "title": "梳理项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "deadline": deadline });
    let (_, known) = c.mayor.post(&url, task("2019-05-06")).await;
    assert_eq!(known["holidays_known"], true, "{known}");
    let (s, unknown) = c.mayor.post(&url, task("2027-05-06")).await;
    assert_eq!((s, &unknown["holidays_known"]), (201, &json!(false)), "2027's notice is not shipped: {unknown}");
    let (_, add) = c.mayor.get("/api/v1/calendar/add?from=2026-12-20&days=10").await;
    assert_eq!(add["holidays_known"], false, "{add}");
    let (_, add) = c.mayor.get("/api/v1/calendar/add?from=2019-04-10&days=10").await;
    assert_eq!(add["holidays_known"], true);
    // On the page: the leader is told at once, and the task shows it.
    let mayor = c.app.browser("mayor").await;
    let res = mayor
        .post(
            &format!("/matters/{}/tasks", m["id"]),
            &[
                ("title", "研究用地保障方案"),
                ("kind", "execute"),
                ("lead_department_id", &c.fgw.to_string()),
                ("assignee_id", &c.fgw_staff_id.to_string()),
                ("deadline", "2027-03-01"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, page) = mayor.text(&format!("/matters/{}", m["id"])).await;
    assert!(page.contains("节假日安排尚未录入"), "{page}");
    let (_, page) = mayor.text(&format!("/tasks/{}", unknown["id"])).await;
    assert!(page.contains("节假日安排尚未录入"));
}

#[tokio::test]
async fn the_lead_departments_head_reassigns_an_open_task() {
    let c = city().await;
    let zhao = c.app.user("zhao", "staff", Some(c.fgw), None).await;
    let head = c.app.api(&c.app.token("chen", &["read", "write"]).await);
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let (_, t) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "梳理项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 5 }),
        )
        .await;
    let url = format!("/api/v1/tasks/{}/reassign", t["id"]);
    let (s, _) = c.fgw_staff.post(&url, json!({ "assignee_id": zhao })).await;
    assert_eq!(s, 403, "the responsible person does not hand it on");
    let (s, e) = head.post(&url, json!({ "assignee_id": c.swj_staff_id })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_in_lead_department")), "{e}");
    let (s, moved) = head.post(&url, json!({ "assignee_id": zhao, "note": "林某入池培训" })).await;
    assert_eq!((s, moved["assignee_id"].as_i64()), (200, Some(zhao)), "{moved}");
    let (_, inbox) = c.app.api(&c.app.token("zhao", &["read"]).await).get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("改派"), "{inbox}");
    let (_, people) = c.mayor.get("/api/v1/coordination/figures?group=person").await;
    let tasks_of = |id: i64| {
        people.as_array().unwrap().iter().find(|f| f["id"] == id).map_or(0, |f| f["tasks"].as_i64().unwrap_or(0))
    };
    assert_eq!((tasks_of(c.fgw_staff_id), tasks_of(zhao)), (0, 1), "the figures follow the task: {people}");
    let (_, page) = c.app.browser("chen").await.text(&format!("/tasks/{}", t["id"])).await;
    assert!(page.contains("改派") && page.contains("林某入池培训"), "{page}");
}

#[tokio::test]
async fn each_co_department_gives_its_own_part_of_the_feedback() {
    let c = city().await;
    c.app.user("zhang", "dept_head", Some(c.swj), None).await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let (s, t) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "梳理项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "co_department_ids": [c.swj], "working_days": 5 }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let (_, inbox) = c.app.api(&c.app.token("zhang", &["read"]).await).get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("协办任务"), "the co-department's head is told: {inbox}");
    let url = format!("/api/v1/tasks/{}/co-feedback", t["id"]);
    let (s, _) = c.fgw_staff.put(&url, json!({ "body": "牵头单位不是协办单位" })).await;
    assert_eq!(s, 403);
    let (s, e) = c.swj_staff.put(&url, json!({ "body": " " })).await;
    assert_eq!(s, 422, "{e}");
    let (s, part) = c.swj_staff.put(&url, json!({ "body": "已提供 6 个外资项目的对接材料" })).await;
    assert_eq!((s, part["department_id"].as_i64()), (200, Some(c.swj)), "{part}");
    let (_, d) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    assert_eq!(d["co_parts"][0]["body"], "已提供 6 个外资项目的对接材料", "{d}");
    let (_, inbox) = c.fgw_staff.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("反馈了协办情况"), "the responsible person hears of it: {inbox}");
    let (_, page) = c.app.browser("lin").await.text(&format!("/tasks/{}", t["id"])).await;
    assert!(page.contains("协办单位反馈") && page.contains("已提供 6 个外资项目的对接材料"), "{page}");
}

#[tokio::test]
async fn overdue_tasks_are_named_in_a_weekly_notice() {
    let c = city().await;
    c.app.user("du", "supervisor", None, None).await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let (_, t) = c
        .mayor
        .post(
            &format!("/api/v1/matters/{}/tasks", m["id"]),
            json!({ "title": "研究用地保障方案", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 1 }),
        )
        .await;
    assert_eq!(t["deadline"], "2019-04-11");
    let bulletins = |user: &'static str| {
        let app = &c.app;
        async move {
            let (_, inbox) = app.api(&app.token(user, &["read"]).await).get("/api/v1/notifications").await;
            inbox["items"]
                .as_array()
                .map_or(0, |a| a.iter().filter(|n| n["title"].as_str().is_some_and(|t| t.starts_with("通报"))).count())
        }
    };
    // Friday 12 April: overdue, but the notice goes out on the week's first working day.
    c.app.clock.advance_ms(2 * 86_400_000);
    c.app.run_scheduler().await;
    assert_eq!(bulletins("du").await, 0);
    // Monday 15 April, after 08:00: one notice, to the office, the unit's head and the leader.
    c.app.clock.advance_ms(3 * 86_400_000);
    c.app.run_scheduler().await;
    c.app.run_scheduler().await;
    assert_eq!((bulletins("du").await, bulletins("chen").await, bulletins("mayor").await), (1, 1, 1));
    let (_, inbox) = c.mayor.get("/api/v1/notifications").await;
    let link = inbox["items"]
        .as_array()
        .and_then(|a| a.iter().find(|n| n["title"].as_str().is_some_and(|t| t.starts_with("通报"))))
        .and_then(|n| n["link"].as_str())
        .expect("the notice's link")
        .to_owned();
    let (s, page) = c.app.browser("wang").await.text(&link).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("青督报〔2019〕1号") && page.contains("研究用地保障方案") && page.contains("gongwen"),
        "{page}"
    );
    // Tuesday: nothing more this week.
    c.app.clock.advance_ms(86_400_000);
    c.app.run_scheduler().await;
    assert_eq!(bulletins("du").await, 1);
}

#[tokio::test]
async fn task_figures_are_counted_by_period_beside_the_period_before() {
    let c = city().await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let url = format!("/api/v1/matters/{}/tasks", m["id"]);
    let task = json!({ "title": "梳理项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 5 });
    for _ in 0..2 {
        assert_eq!(c.mayor.post(&url, task.clone()).await.0, 201);
    }
    // A month later (2019-05-10, with a new token), one more.
    c.app.clock.advance_ms(30 * 86_400_000);
    let mayor = c.app.api(&c.app.token("mayor", &["read", "write"]).await);
    assert_eq!(mayor.post(&url, task.clone()).await.0, 201);

    let fgw = |v: &Value| v.as_array().and_then(|f| f.iter().find(|f| f["id"] == c.fgw)).cloned().unwrap_or_default();
    let (s, may) = mayor.get("/api/v1/coordination/figures?period=2019-05").await;
    assert_eq!(s, 200, "{may}");
    let may = fgw(&may);
    assert_eq!(may["tasks"], 1, "{may}");
    assert_eq!((may["previous"]["period"].as_str(), may["previous"]["tasks"].as_i64()), (Some("2019-04"), Some(2)));
    assert_eq!(may["previous"]["overdue"], 2, "April's two are past their deadline and still open");
    let (_, week) = mayor.get("/api/v1/coordination/figures?period=2019-W15").await;
    assert_eq!((fgw(&week)["tasks"].as_i64(), fgw(&week)["previous"]["period"].as_str()), (Some(2), Some("2019-W14")));
    let (_, range) = mayor.get("/api/v1/coordination/figures?period=2019-04-01~2019-05-31").await;
    assert_eq!(fgw(&range)["tasks"], 3);
    assert_eq!(fgw(&range)["previous"]["period"], "2019-01-30~2019-03-31", "as many days just before");
    let (_, all) = mayor.get("/api/v1/coordination/figures").await;
    assert_eq!((fgw(&all)["tasks"].as_i64(), fgw(&all)["previous"].is_null()), (Some(3), true), "all time by default");
    let (s, e) = mayor.get("/api/v1/coordination/figures?period=2019-13").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_period")));

    let b = c.app.browser("mayor").await;
    let (s, page) = b.text("/coordination/figures?from=2019-05-01&to=2019-05-31").await;
    assert_eq!(s, 200);
    assert!(page.contains("2019-05-01 至 2019-05-31") && page.contains("上期"), "the range and the period before");
    let csv = b.get("/coordination/figures?period=2019-05&format=csv").await.text().await.unwrap_or_default();
    assert!(
        csv.contains("上期交办任务数") && csv.contains("fgw 局") && csv.contains("2019-04"),
        "a download with the period before: {csv}"
    );
    let (_, page) = b.text("/coordination/figures?period=2019-Q2").await;
    assert!(page.contains("2019年第2季度") && page.contains("rel=\"prev\""), "with links to the periods either side");
    let (s, page) = b.text("/coordination/figures?period=2019-W99").await;
    assert!(s == 422 && page.contains("2019-W15"), "a bad period is explained: {s}");
}

/// A meeting's decisions as a spreadsheet, one task per row.
fn decisions(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["任务名称", "牵头单位", "责任人", "办理时限（工作日）"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("heading");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

async fn import_tasks(api: &Api, matter: &Value, file: Vec<u8>, dry_run: bool) -> (u16, Value) {
    api.post_bytes(&format!("/api/v1/matters/{}/tasks/import?dry_run={dry_run}", matter["id"]), file).await
}

#[tokio::test]
async fn a_meetings_decisions_are_imported_as_tasks_all_or_none() {
    let c = city().await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let bad = decisions(&[
        ["梳理项目清单", "fgw 局", "lin 测试", "5"],
        ["对接央企总部", "fgw 局", "王五", "5"],
        ["研究用地保障", "不存在的局", "lin 测试", "x"],
    ]);
    let (s, report) = import_tasks(&c.mayor, &m, bad.clone(), true).await;
    assert_eq!((s, report["failed"].as_i64(), report["imported"].as_i64()), (422, Some(2), Some(0)), "{report}");
    assert_eq!(report["rows"][0]["line"], 2, "lines are counted as the spreadsheet shows them");
    assert!(report["rows"][0]["error"].is_null());
    assert_eq!(report["rows"][1]["error"]["code"], "import_unknown_person");
    assert!(
        report["rows"][1]["error"]["message"].as_str().is_some_and(|m| m.contains("找不到此人") && m.contains("王五"))
    );
    assert_eq!(report["rows"][2]["error"]["code"], "import_unknown_department");
    assert_eq!(import_tasks(&c.mayor, &m, bad, false).await.0, 422);
    assert_eq!(c.app.count("tasks").await, 0, "nothing half-imported");

    let good = decisions(&[["梳理项目清单", "fgw 局", "lin 测试", "5"], ["对接央企总部", "swj 局", "wang 测试", "10"]]);
    let (s, report) = import_tasks(&c.mayor, &m, good.clone(), true).await;
    assert_eq!((s, report["failed"].as_i64(), report["imported"].as_i64()), (200, Some(0), Some(0)), "{report}");
    assert_eq!(c.app.count("tasks").await, 0, "a preview keeps nothing");
    assert_eq!(import_tasks(&c.fgw_staff, &m, good.clone(), false).await.0, 403, "only the matter's leader assigns");
    let (s, report) = import_tasks(&c.mayor, &m, good, false).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");
    let (_, mine) = c.swj_staff.get("/api/v1/tasks?scope=mine").await;
    assert_eq!(mine["items"][0]["deadline"], "2019-04-24", "10 working days from 10 April");
    let csv = "任务名称,牵头单位,责任人,办结期限\n复核签约金额,fgw 局,lin,2019-05-31\n";
    assert_eq!(import_tasks(&c.mayor, &m, csv.as_bytes().to_vec(), false).await.1["imported"], 1, "CSV too");
    let (s, e) = import_tasks(&c.mayor, &m, b"just words".to_vec(), true).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("import_missing_column")), "{e}");

    // The same from the page: upload, preview, confirm.
    let b = c.app.browser("mayor").await;
    let (_, page) = b.text(&format!("/matters/{}/import", m["id"])).await;
    assert!(page.contains("下载导入模板") && page.contains("* 任务名称"), "{page}");
    let template = b.get(&format!("/matters/{}/import/template.xlsx", m["id"])).await.bytes().await.expect("template");
    assert!(template.starts_with(b"PK"), "an Excel template");
    let upload = |file: Vec<u8>| {
        let b = &b;
        let id = m["id"].clone();
        async move {
            let csrf = b.csrf().await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", csrf)
                .part("file", reqwest::multipart::Part::bytes(file).file_name("决定事项.xlsx"));
            let res =
                b.client.post(format!("{}/matters/{id}/import", b.base)).multipart(form).send().await.expect("upload");
            (res.status().as_u16(), res.text().await.unwrap_or_default())
        }
    };
    let (s, preview) = upload(decisions(&[["梳理项目清单", "fgw 局", "王五", "5"]])).await;
    assert!(s == 422 && preview.contains("找不到此人") && preview.contains("不会导入任何一行"), "{s}");
    let (s, preview) =
        upload(decisions(&[["落实用地指标", "fgw 局", "lin 测试", "3"], ["协调资金", "swj 局", "wang 测试", "3"]]))
            .await;
    assert_eq!(s, 200);
    assert!(preview.contains("确认导入 2 行"), "{preview}");
    let rows = crate::support::hidden(&preview, "rows").replace("&quot;", "\"");
    let res = b.post(&format!("/matters/{}/import/confirm", m["id"]), &[("rows", &rows)]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap_or_default().contains("已导入 2 行"));
    assert_eq!(c.app.count("tasks").await, 5);
}

/// A research task ends in a research report with its conclusions, which the deciding
/// leader adopts or sends back; it does not end in an execution task's feedback.
#[tokio::test]
async fn a_research_task_ends_in_a_report_the_leader_adopts() {
    let c = city().await;
    let (_, m) = c.mayor.post("/api/v1/matters", json!({ "title": "推进项目落地" })).await;
    let url = format!("/api/v1/matters/{}/tasks", m["id"]);
    let (_, t) = c
        .mayor
        .post(&url, json!({ "title": "研究用地保障方案", "kind": "research", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 5 }))
        .await;
    let (_, exec) = c
        .mayor
        .post(&url, json!({ "title": "梳理项目清单", "assignee_id": c.fgw_staff_id, "lead_department_id": c.fgw, "working_days": 5 }))
        .await;
    fire(&c.fgw_staff, &t, "accept", None).await;
    fire(&c.fgw_staff, &t, "start", None).await;
    let (_, d) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    assert_eq!(d["available"], json!(["submit_report"]), "no execution feedback for research: {d}");
    assert_eq!(d["may_write_report"], true);
    let (s, e) = fire(&c.fgw_staff, &t, "submit_report", None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("guard_failed")), "not without a report");

    let report_url = format!("/api/v1/tasks/{}/report", t["id"]);
    let report = json!({ "background": "走访自然资源和规划局，测算三个园区的用地指标。", "conclusions": "用地指标可满足 12 个项目\n\n能耗指标缺口约 3 万吨标准煤", "recommendations": "建议市级统筹能耗指标。" });
    assert_eq!(c.swj_staff.put(&report_url, report.clone()).await.0, 403, "only the responsible person writes it");
    let (s, e) = c.fgw_staff.put(&format!("/api/v1/tasks/{}/report", exec["id"]), report.clone()).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("not_research_task")));
    let (s, e) = c.fgw_staff.put(&report_url, json!({ "background": "x", "conclusions": " \n " })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("conclusions")));
    let (s, r) = c.fgw_staff.put(&report_url, report).await;
    assert_eq!((s, r["conclusions"].as_array().map(Vec::len)), (200, Some(2)), "{r}");
    assert_eq!(fire(&c.fgw_staff, &t, "submit_report", None).await.0, 200);
    let (s, _) = c.fgw_staff.put(&report_url, json!({ "background": "x", "conclusions": "改" })).await;
    assert_eq!(s, 409, "a sent report is not changed");

    let (_, d) = c.mayor.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    assert_eq!((d["state"].as_str(), d["met_deadline"].as_bool()), (Some("report_submitted"), Some(true)), "{d}");
    assert_eq!(d["available"], json!(["adopt", "return_report"]));
    assert_eq!(fire(&c.mayor, &t, "return_report", Some("请补充能耗指标来源")).await.0, 200);
    let (s, _) = c
        .fgw_staff
        .put(
            &report_url,
            json!({ "background": "补充测算。", "conclusions": "用地指标可满足\n能耗指标由市级统筹 2 万吨" }),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(fire(&c.fgw_staff, &t, "submit_report", None).await.0, 200);
    assert_eq!(fire(&c.mayor, &t, "adopt", None).await.0, 200);
    let (_, d) = c.mayor.get(&format!("/api/v1/tasks/{}", t["id"])).await;
    assert_eq!(d["state"], "done");
    assert_eq!(d["research_report"]["conclusions"][1], "能耗指标由市级统筹 2 万吨");
    let (_, page) = c.app.browser("mayor").await.text(&format!("/tasks/{}", t["id"])).await;
    assert!(page.contains("研究报告") && page.contains("主要结论") && page.contains("能耗指标由市级统筹"), "{page}");

    // The execution task keeps its feedback, and its page offers no report.
    fire(&c.fgw_staff, &exec, "accept", None).await;
    let (_, d) = c.fgw_staff.get(&format!("/api/v1/tasks/{}", exec["id"])).await;
    assert_eq!(
        (d["available"].clone(), d["may_write_report"].as_bool()),
        (json!(["start", "submit_feedback"]), Some(false))
    );
}
