//! Mechanism 4: a plan drafted, defended in a public hearing with questions from an
//! entrepreneur and an expert, revised with its differences shown, adopted with its
//! commitments tracked as tasks, published (changed only by corrections), and questioned at
//! the next annual inquiry with delivery figures computed from the tasks; the calendars
//! read by published iCalendar parsers.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    mayor: Api,
    secretary: Api,
    hyj_head: Api,
    boss: Api,
    expert: Api,
    citizen: Api,
    hyj: i64,
    fgw: i64,
    ids: std::collections::HashMap<&'static str, i64>,
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (hyj, _, _) = app.department("hyj", "public").await;
    let (fgw, _, _) = app.department("fgw", "public").await;
    let (laoshan, _, _) = app.department("laoshan", "public").await;
    let mut ids = std::collections::HashMap::new();
    for (name, role, dept) in [
        ("mayor", "leader", None),
        ("secretary", "leader", None),
        ("hyjhead", "dept_head", Some(hyj)),
        ("fgwhead", "dept_head", Some(fgw)),
        ("hyjstaff", "staff", Some(hyj)),
        ("district", "dept_head", Some(laoshan)),
        ("boss", "enterprise", None),
        ("expert", "public", None),
        ("citizen", "public", None),
        ("deputy1", "supervisor", None),
        ("deputy2", "supervisor", None),
    ] {
        ids.insert(name, app.user(name, role, dept, None).await);
    }
    let api = |name: &'static str| {
        let app = &app;
        async move { app.api(&app.token(name, &["read", "write"]).await) }
    };
    City {
        mayor: api("mayor").await,
        secretary: api("secretary").await,
        hyj_head: api("hyjhead").await,
        boss: api("boss").await,
        expert: api("expert").await,
        citizen: api("citizen").await,
        app,
        hyj,
        fgw,
        ids,
    }
}

const BODY: &str = "一、总体目标：到2019年底，海洋生产总值增长15%。\n二、建设海洋科技创新高地。\n三、发展海洋新兴产业。\n四、保障措施。";

fn hearing(plan: &Value, kind: &str, people: Value) -> Value {
    json!({
        "plan_id": plan["id"], "kind": kind, "title": format!("{}公开答辩会", plan["title"].as_str().unwrap_or("")),
        "starts_at": "2019-04-14T09:00", "ends_at": "2019-04-14T12:00", "venue": "市行政中心第一会议室",
        "live_url": "https://live.example.gov.cn/2019/hysh", "year": if kind == "inquiry" { json!(2019) } else { Value::Null },
        "report": if kind == "inquiry" { "一年来，海洋攻势各项承诺事项有序推进。" } else { "" },
        "people": people,
    })
}

fn person(c: &City, role: &str, name: &'static str, affiliation: &str) -> Value {
    json!({ "role": role, "user_id": c.ids[name], "affiliation": affiliation })
}

async fn fire(api: &Api, path: &str, transition: &str) -> (u16, Value) {
    api.post(path, json!({ "transition": transition })).await
}

#[tokio::test]
async fn a_plan_is_defended_revised_adopted_published_and_questioned_a_year_on() {
    let c = city().await;
    // Drafted.
    let (s, plan) = c
        .mayor
        .post(
            "/api/v1/plans",
            json!({ "kind": "offensive", "title": "海洋攻势作战方案", "leader_id": c.ids["mayor"],
                    "department_ids": [c.hyj, c.fgw], "body": BODY,
                    "goals": [{ "goal": "海洋生产总值", "target": "增长15%" }] }),
        )
        .await;
    assert_eq!((s, plan["state"].as_str(), plan["version"].as_i64()), (201, Some("drafting"), Some(1)), "{plan}");
    let plan_path = format!("/api/v1/plans/{}", plan["id"]);
    let (s, e) = fire(&c.mayor, &format!("{plan_path}/transitions"), "defend").await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("guard_failed")), "not before a hearing: {e}");

    // A hearing needs a chair and a team.
    let participants = [
        person(&c, "participant", "boss", "企业家"),
        person(&c, "participant", "expert", "中国海洋大学教授"),
        person(&c, "participant", "district", "崂山区"),
    ];
    let without_chair = hearing(&plan, "hearing", json!([person(&c, "team", "mayor", "")]));
    let (s, e) = c.mayor.post("/api/v1/hearings", without_chair).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("hearing_needs_chair")), "{e}");
    let without_team = hearing(&plan, "hearing", json!([person(&c, "chair", "secretary", "市委书记")]));
    let (s, e) = c.mayor.post("/api/v1/hearings", without_team).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("hearing_needs_team")), "{e}");
    assert_eq!(c.app.count("hearings").await, 0);
    let mut people = vec![
        person(&c, "chair", "secretary", "市委书记"),
        person(&c, "team", "mayor", "分管副市长"),
        person(&c, "team", "hyjhead", "市海洋发展局"),
    ];
    people.extend(participants);
    let (s, h) = c.mayor.post("/api/v1/hearings", hearing(&plan, "hearing", json!(people))).await;
    assert_eq!((s, h["plan_version"].as_i64(), h["sequence"].as_i64()), (201, Some(1), Some(0)), "{h}");
    let hp = format!("/api/v1/hearings/{}", h["id"]);
    let (_, inbox) = c.boss.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("邀请"), "invited in the inbox: {inbox}");
    let attached = c
        .app
        .db
        .read(|tx| {
            Ok(tx.count(
                "SELECT COUNT(*) FROM notifications WHERE kind = 'hearing' AND attachment_type LIKE 'text/calendar%' \
                 AND attachment LIKE '%BEGIN:VEVENT%'",
                &[],
            )?)
        })
        .await
        .expect("count");
    assert_eq!(attached, 5, "each invitation (all but the organiser's own) carries the event for its e-mail");

    // Beforehand: the public's questions are moderated; a paragraph must exist.
    let (s, e) = c.citizen.post(&format!("{hp}/questions"), json!({ "question": "第九段？", "anchor": 9 })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("no_such_passage")), "{e}");
    let (s, mine) = c
        .citizen
        .post(
            &format!("{hp}/questions"),
            json!({ "question": "海洋生产总值15%的增长如何测算？", "anchor": 1, "anonymous": true }),
        )
        .await;
    assert_eq!(
        (s, mine["state"].as_str(), mine["asker_name"].as_str()),
        (201, Some("pending"), Some("匿名")),
        "{mine}"
    );
    let (_, off_topic) = c.citizen.post(&format!("{hp}/questions"), json!({ "question": "小区停车难怎么办？" })).await;
    let moderation = |id: &Value| format!("/api/v1/hearing-questions/{id}/moderation");
    let (s, _) = c.boss.post(&moderation(&mine["id"]), json!({ "decision": "accept" })).await;
    assert_eq!(s, 403, "only the organiser or chair moderates");
    assert_eq!(c.secretary.post(&moderation(&mine["id"]), json!({ "decision": "accept" })).await.0, 200);
    let (s, rejected) = c
        .mayor
        .post(&moderation(&off_topic["id"]), json!({ "decision": "reject", "reason": "与本方案无关，已转12345热线" }))
        .await;
    assert_eq!((s, rejected["state"].as_str()), (200, Some("rejected")));
    let (_, seen) = c.citizen.get(&hp).await;
    let reasons: Vec<&str> =
        seen["questions"].as_array().into_iter().flatten().filter_map(|q| q["reason"].as_str()).collect();
    assert_eq!(reasons, ["与本方案无关，已转12345热线"], "the asker reads why: {seen}");

    // In session: the entrepreneur and the expert ask; the team answers, with a commitment.
    assert_eq!(fire(&c.mayor, &format!("{hp}/transitions"), "open").await.0, 200);
    let (s, e) = c.citizen.post(&format!("{hp}/questions"), json!({ "question": "现场提问" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("only_invited_in_session")));
    let (s, from_boss) = c
        .boss
        .post(&format!("{hp}/questions"), json!({ "question": "深远海养殖用海审批能否提速？", "anchor": 3 }))
        .await;
    assert_eq!(
        (s, from_boss["asker_kind"].as_str(), from_boss["state"].as_str()),
        (201, Some("entrepreneur"), Some("open"))
    );
    let (_, from_expert) = c
        .expert
        .post(&format!("{hp}/questions"), json!({ "question": "科技创新高地的指标是什么？", "asker_kind": "expert" }))
        .await;
    let answer = |id: &Value| format!("/api/v1/hearing-questions/{id}/answer");
    let (s, e) = c.boss.post(&answer(&from_boss["id"]), json!({ "answer": "自问自答" })).await;
    assert!(s == 403 || s == 422, "only the team answers: {s} {e}");
    let (s, e) = c.secretary.post(&answer(&from_boss["id"]), json!({ "answer": "主持人不答" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_on_the_team")), "{e}");
    let (s, answered) = c
        .hyj_head
        .post(
            &answer(&from_boss["id"]),
            json!({ "answer": "我们将开通用海审批绿色通道。",
                    "commitments": [{ "content": "开通深远海养殖用海审批绿色通道", "department_id": c.hyj,
                                      "assignee_id": c.ids["hyjstaff"], "deadline": "2019-06-30" }] }),
        )
        .await;
    assert_eq!((s, answered["answered_by_name"].as_str()), (200, Some("hyjhead 测试")), "{answered}");
    let task = answered["commitments"][0]["task_id"].clone();
    assert!(task.is_i64(), "the commitment is a task: {answered}");
    c.mayor.post(&answer(&from_expert["id"]), json!({ "answer": "到2019年底新增海洋科技创新平台10个。" })).await;
    assert_eq!(fire(&c.mayor, &format!("{hp}/transitions"), "close").await.0, 200);
    assert_eq!(fire(&c.secretary, &format!("{hp}/transitions"), "publish").await.0, 200);

    // Published: the public reads it whole; it changes only by a visible correction.
    let public = reqwest::get(c.app.url(&format!("/api/v1/public/hearings/{}", h["id"]))).await.expect("public");
    let record: Value = public.json().await.expect("json");
    let text = record.to_string();
    assert!(
        text.contains("开通深远海养殖用海审批绿色通道") && text.contains("hyjhead 测试") && text.contains("匿名"),
        "{text}"
    );
    assert!(!text.contains("小区停车难") && !text.contains("citizen 测试"), "no rejected question, no anonymous name");
    let found = reqwest::get(c.app.url("/api/v1/public/hearings?q=绿色通道")).await.expect("search");
    let found: Value = found.json().await.expect("json");
    assert_eq!(found["total"], 1, "the record is found by the words of an answer: {found}");
    let (s, e) =
        c.hyj_head.put(&format!("/api/v1/hearing-questions/{}", from_boss["id"]), json!({ "answer": "悄悄改" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("published_use_correction")), "{e}");
    let (s, corrected) = c
        .mayor
        .post(
            &format!("/api/v1/hearing-questions/{}/corrections", from_expert["id"]),
            json!({ "part": "answer", "text": "到2019年底新增海洋科技创新平台12个。", "reason": "笔误" }),
        )
        .await;
    assert_eq!(s, 200, "{corrected}");
    assert_eq!(corrected["corrections"][0]["before"], "到2019年底新增海洋科技创新平台10个。");

    // Revised, the difference shown by character; adopted by its leader only.
    assert_eq!(fire(&c.mayor, &format!("{plan_path}/transitions"), "defend").await.0, 200);
    let (s, e) = fire(&c.mayor, &format!("{plan_path}/transitions"), "revise").await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("guard_failed")), "not without a new version");
    let revised =
        BODY.replace("增长15%", "增长15%以上").replace("四、保障措施。", "四、开通用海审批绿色通道。\n五、保障措施。");
    let (s, _) =
        c.hyj_head.post(&format!("{plan_path}/versions"), json!({ "body": revised, "note": "吸收答辩意见" })).await;
    assert_eq!(s, 201);
    let (_, diff) = c.mayor.get(&format!("{plan_path}/compare?from=1&to=2")).await;
    let ops: Vec<&str> = diff.as_array().into_iter().flatten().filter_map(|p| p["op"].as_str()).collect();
    assert_eq!(ops, ["changed", "same", "same", "changed", "added"], "{diff}");
    assert!(diff[0]["spans"].to_string().contains(r#"{"op":"added","text":"以上"}"#), "{diff}");
    assert_eq!(fire(&c.mayor, &format!("{plan_path}/transitions"), "revise").await.0, 200);
    assert_eq!(fire(&c.hyj_head, &format!("{plan_path}/transitions"), "adopt").await.0, 403, "its leader adopts");
    let (s, adopted) = fire(&c.mayor, &format!("{plan_path}/transitions"), "adopt").await;
    assert_eq!((s, adopted["state"].as_str()), (200, Some("adopted")));
    let (s, e) = c.mayor.post(&format!("{plan_path}/versions"), json!({ "body": "再改" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("plan_adopted")));

    // The commitment's task is done on time.
    let staff = c.app.api(&c.app.token("hyjstaff", &["read", "write"]).await);
    let tp = format!("/api/v1/tasks/{task}/transitions");
    assert_eq!(staff.post(&tp, json!({ "transition": "accept" })).await.0, 200);
    assert_eq!(staff.post(&tp, json!({ "transition": "submit_feedback", "note": "绿色通道已开通" })).await.0, 200);
    assert_eq!(c.mayor.post(&tp, json!({ "transition": "approve" })).await.0, 200);

    // The annual inquiry: figures from the tasks, the panel's vote only.
    let panel = json!([
        person(&c, "chair", "secretary", "市委书记"),
        person(&c, "team", "mayor", ""),
        person(&c, "panel", "deputy1", "市人大代表"),
        person(&c, "panel", "deputy2", "市政协委员"),
    ]);
    let (s, q) = c.mayor.post("/api/v1/hearings", hearing(&plan, "inquiry", panel)).await;
    assert_eq!(s, 201, "{q}");
    let qp = format!("/api/v1/hearings/{}", q["id"]);
    assert_eq!(fire(&c.mayor, &format!("{qp}/transitions"), "open").await.0, 200);
    let (_, live) = c.mayor.get(&qp).await;
    assert_eq!(live["delivery"], json!({ "commitments": 1, "on_time": 1, "late": 0, "overdue": 0, "under_way": 0 }));
    let (s, e) = c.boss.post(&format!("{qp}/votes"), json!({ "vote": "satisfied" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_on_panel")), "{e}");
    let deputy1 = c.app.api(&c.app.token("deputy1", &["read", "write"]).await);
    let deputy2 = c.app.api(&c.app.token("deputy2", &["read", "write"]).await);
    assert_eq!(deputy1.post(&format!("{qp}/votes"), json!({ "vote": "satisfied" })).await.0, 200);
    let (s, e) = deputy1.post(&format!("{qp}/votes"), json!({ "vote": "dissatisfied" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_voted")));
    let (_, votes) = deputy2.post(&format!("{qp}/votes"), json!({ "vote": "dissatisfied" })).await;
    assert_eq!(
        (votes["satisfied"].as_i64(), votes["dissatisfied"].as_i64(), votes["satisfaction"].as_f64()),
        (Some(1), Some(1), Some(50.0))
    );
    fire(&c.mayor, &format!("{qp}/transitions"), "close").await;
    assert_eq!(fire(&c.mayor, &format!("{qp}/transitions"), "publish").await.0, 200);
    let (_, figures) = c.mayor.get(&format!("/api/v1/hearings/figures?plan_id={}", plan["id"])).await;
    assert_eq!(figures["satisfaction"][0]["year"], 2019, "{figures}");
    assert_eq!(figures["delivery"][0]["on_time"], 1, "{figures}");
    assert_eq!(figures["hearings"][0]["answered"], 2, "{figures}");
}

#[tokio::test]
async fn calendars_read_by_published_parsers_keep_their_uids_and_raise_the_sequence() {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import icalendar, vobject"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var("ZAIZAO_REQUIRE_CLIENTS").is_err(),
            "ZAIZAO_REQUIRE_CLIENTS is set but icalendar or vobject is missing"
        );
        eprintln!("skipped: pip install icalendar vobject to read the calendars with published parsers");
        return;
    }
    let c = city().await;
    let (_, plan) = c
        .mayor
        .post(
            "/api/v1/plans",
            json!({ "kind": "offensive", "title": "海洋攻势作战方案", "leader_id": c.ids["mayor"], "department_ids": [c.hyj], "body": BODY }),
        )
        .await;
    let people = json!([
        person(&c, "chair", "secretary", "市委书记"),
        person(&c, "team", "mayor", ""),
        person(&c, "participant", "boss", "企业家")
    ]);
    let mut input = hearing(&plan, "hearing", people);
    input["title"] = json!("海洋攻势答辩会; 第一场, 含逗号\\反斜杠");
    let (_, h) = c.mayor.post("/api/v1/hearings", input.clone()).await;
    let feed = c.boss.post("/api/v1/me/calendar-feed", json!({})).await.1["url"].as_str().unwrap_or("").to_owned();
    assert!(feed.ends_with(".ics"), "{feed}");
    let own = c.app.url(&format!("/calendar/feeds/{}", feed.rsplit('/').next().unwrap_or("")));
    let read = |urls: Vec<String>| async move {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/ical.py");
        let out =
            tokio::task::spawn_blocking(move || std::process::Command::new("python3").arg(script).args(urls).output())
                .await
                .expect("join")
                .expect("run python3");
        let (stdout, stderr) =
            (String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string());
        assert!(out.status.success(), "the parsers refused the feed:\n{stdout}\n{stderr}");
        stdout
    };
    let public = c.app.url("/calendar/hearings.ics");
    let one = c.app.url(&format!("/hearings/{}/event.ics", h["id"]));
    let before = read(vec![public.clone(), own.clone(), one]).await;
    let uid = format!("event hearing-{}@zaizao 0 海洋攻势答辩会; 第一场, 含逗号\\反斜杠", h["id"]);
    assert_eq!(before.matches(&uid).count(), 3, "the same event in the public feed, the person's and alone:\n{before}");
    // A change keeps the UID and raises the SEQUENCE.
    input["starts_at"] = json!("2019-04-14T14:30");
    input["ends_at"] = json!("2019-04-14T17:30");
    assert_eq!(c.mayor.put(&format!("/api/v1/hearings/{}", h["id"]), input).await.0, 200);
    let after = read(vec![public]).await;
    assert!(after.contains(&format!("event hearing-{}@zaizao 1 ", h["id"])), "{after}");
    let (s, _) = reqwest::get(c.app.url("/calendar/feeds/not-a-token.ics"))
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("get");
    assert_eq!(s, 404, "a feed address nobody was given shows nothing");
}
