use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct Unit {
    app: TestApp,
    lin: Api,
    wang: Api,
    head: Api,
    division: i64,
}

async fn unit() -> Unit {
    let app = TestApp::spawn().await;
    let (dept, division, _) = app.department("fgw", "public").await;
    let (other, other_division, _) = app.department("swj", "public").await;
    app.user("lin", "staff", Some(dept), Some(division)).await;
    app.user("wang", "staff", Some(dept), Some(division)).await;
    app.user("head", "division_head", Some(dept), Some(division)).await;
    app.user("outsider", "staff", Some(other), Some(other_division)).await;
    app.user("jw", "supervisor", None, None).await;
    let lin = app.api(&app.token("lin", &["read", "write"]).await);
    let wang = app.api(&app.token("wang", &["read", "write"]).await);
    let head = app.api(&app.token("head", &["read", "write"]).await);
    Unit { app, lin, wang, head, division }
}

/// What the person served received: the link's token and the one-time code.
pub struct Sent {
    pub token: String,
    pub code: String,
}

static SERVED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Log a counter service for a new person served (a phone number of their own), and
/// read the SMS the gateway would deliver to them.
async fn invite(app: &TestApp, api: &Api, summary: &str) -> Sent {
    let phone = format!("1390000{:04}", SERVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    invite_to(app, api, summary, &phone).await
}

async fn invite_to(app: &TestApp, api: &Api, summary: &str, phone: &str) -> Sent {
    let (s, inv) = api
        .post(
            "/api/v1/interactions",
            json!({ "kind": "counter", "summary": summary, "served_name": "青岛某科技有限公司", "served_contact": phone }),
        )
        .await;
    assert_eq!(s, 201, "{inv}");
    assert!(inv.get("token").is_none() && !inv.to_string().contains("/rate/"), "the member gets no usable link: {inv}");
    assert_eq!(inv["channel"], "sms");
    assert_eq!(inv["sent_to"].as_str().map(|t| t.contains("****")), Some(true), "{inv}");
    received(app, phone).await
}

/// The latest message the outbox holds for `address`, as its link's token and code.
pub async fn received(app: &TestApp, address: &str) -> Sent {
    received_link(app, address, "/rate/").await
}

/// The latest message for `address` with a link under `path`, as its token and code.
pub async fn received_link(app: &TestApp, address: &str, path: &str) -> Sent {
    let address = address.to_owned();
    let body = app
        .db
        .read(move |tx| {
            Ok(tx
                .query_one(
                    "SELECT body FROM outbox WHERE address = $1 ORDER BY id DESC LIMIT 1",
                    zaizao::params![address],
                )?
                .text(0)?)
        })
        .await
        .expect("a message to the person served");
    let token = body.split(path).nth(1).map(|t| t.chars().take_while(char::is_ascii_hexdigit).collect()).expect("link");
    let code = body.split("验证码 ").nth(1).map(|c| c.chars().take(6).collect()).expect("code");
    Sent { token, code }
}

async fn rate(app: &TestApp, sent: &Sent, levels: [i64; 4]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/ratings"))
        .json(&json!({ "token": sent.token, "code": sent.code, "attitude": levels[0], "style": levels[1], "efficiency": levels[2], "competence": levels[3],
                       "comment": "办事很快", "rater_name": "张先生", "rater_contact": "13800000000" }))
        .send()
        .await
        .expect("rate");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn service_invitation_rating_and_the_division_scoreboard() {
    let u = unit().await;
    let t1 = invite(&u.app, &u.lin, "办理企业开办登记").await;
    let t2 = invite(&u.app, &u.lin, "答复政策咨询").await;
    let t3 = invite(&u.app, &u.wang, "办理项目备案").await;

    // The person served sees what they rate, without signing in.
    let shown: Value = reqwest::get(u.app.url(&format!("/api/v1/invitations/{}", t1.token)))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(shown["summary"], "办理企业开办登记");
    assert_eq!(rate(&u.app, &t1, [5, 5, 4, 5]).await.0, 201);
    assert_eq!(
        rate(&u.app, &t1, [5, 5, 5, 5]).await.1["error"]["code"],
        "invitation_used",
        "one rating per interaction"
    );
    assert_eq!(rate(&u.app, &t2, [6, 5, 5, 5]).await.1["error"]["code"], "bad_level");
    assert_eq!(rate(&u.app, &t2, [4, 4, 4, 4]).await.0, 201);
    assert_eq!(rate(&u.app, &t3, [3, 3, 3, 3]).await.0, 201);

    // Lin: (19 + 16) / 2 = 17.5; Wang: 12; the head's score is the sum, 29.5.
    let (s, board) =
        u.head.get(&format!("/api/v1/evaluation/scoreboard?division_id={}&period=2019-Q2", u.division)).await;
    assert_eq!(s, 200, "{board}");
    assert_eq!(board["sum_score"].as_f64(), Some(29.5), "{board}");
    assert_eq!(board["average_score"].as_f64(), Some(14.75));
    assert_eq!(board["ratings"].as_i64(), Some(3));
    assert_eq!(board["members"][0]["dimensions"][2].as_f64(), Some(4.0));
    let (_, ranking) = u.head.get("/api/v1/evaluation/ranking?period=2019").await;
    assert_eq!(ranking[0]["sum_score"].as_f64(), Some(29.5));

    // Staff see their own scores, not the division's; outsiders see neither.
    let (_, mine) = u.lin.get("/api/v1/ratings/mine").await;
    assert_eq!(mine["ratings"].as_array().map(Vec::len), Some(2));
    assert!(mine["ratings"][0]["rater_name"].is_null(), "raters are not shown to the member");
    assert_eq!(u.lin.get(&format!("/api/v1/evaluation/scoreboard?division_id={}", u.division)).await.0, 403);
    let outsider = u.app.api(&u.app.token("outsider", &["read"]).await);
    assert_eq!(outsider.get(&format!("/api/v1/evaluation/scoreboard?division_id={}", u.division)).await.0, 403);

    // Expired invitations are refused.
    let t4 = invite(&u.app, &u.lin, "窗口服务").await;
    u.app.clock.advance_ms(31 * 86_400_000);
    assert_eq!(rate(&u.app, &t4, [5, 5, 5, 5]).await.1["error"]["code"], "invitation_expired");
    assert!(u.app.verify().await.ok);
}

#[tokio::test]
async fn colleagues_cannot_rate_their_own_division() {
    let u = unit().await;
    let t = invite(&u.app, &u.lin, "窗口服务").await;
    let res = reqwest::Client::new()
        .post(u.app.url("/api/v1/ratings"))
        .bearer_auth(&u.wang.token)
        .json(&json!({ "token": t.token, "code": t.code, "attitude": 5, "style": 5, "efficiency": 5, "competence": 5 }))
        .send()
        .await
        .expect("rate");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "self_rating");
    assert_eq!(u.app.count("ratings").await, 0);
}

async fn fire(api: &Api, id: i64, transition: &str, note: &str) -> (u16, Value) {
    api.post(&format!("/api/v1/bad-reviews/{id}/transitions"), json!({ "transition": transition, "note": note })).await
}

#[tokio::test]
async fn a_bad_review_is_rectified_with_a_call_back_and_another_is_voided_on_appeal() {
    let u = unit().await;
    let phone = "13911112222";
    let t1 = invite_to(&u.app, &u.lin, "答复政策咨询", phone).await;
    let (_, r1) = rate(&u.app, &t1, [2, 3, 3, 3]).await;
    assert_eq!(r1["bad_review"], true);
    let (_, inbox) = u.head.get("/api/v1/notifications").await;
    assert!(inbox["items"][0]["title"].as_str().unwrap_or("").starts_with("收到差评"));
    let id = r1["id"].as_i64().expect("id");
    let (_, home) = u.app.browser("head").await.text("/").await;
    assert!(home.contains("答复政策咨询") && home.contains("核实属实，整改"), "the head's home asks for a verdict");
    let (_, home) = u.app.browser("lin").await.text("/").await;
    assert!(home.contains("/evaluation#invite"), "staff log a service in one click");
    assert!(!home.contains("答复政策咨询"), "the member does not judge their own review");
    assert_eq!(fire(&u.lin, id, "found", "属实").await.0, 403, "the member does not judge their own review");
    let (s, e) = fire(&u.head, id, "found", "").await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("note")));
    assert_eq!(fire(&u.head, id, "found", "答复不及时，属实").await.0, 200);
    let (_, review) = u.head.get(&format!("/api/v1/bad-reviews/{id}")).await;
    assert_eq!(
        review["rectify_deadline"], "2019-04-30",
        "15 working days after 10 April 2019, counting Sunday 28 April (调休)"
    );
    assert_eq!(review["rater_name"], "张先生", "the unit sees who to call back");
    let (_, own) = u.lin.get(&format!("/api/v1/bad-reviews/{id}")).await;
    assert!(own["rater_name"].is_null());
    assert_eq!(fire(&u.head, id, "report_fix", "已重新答复").await.0, 200);
    // The unit cannot say the rater is satisfied: the rater answers the call-back sent to
    // the phone the invitation went to, with its one-time code.
    assert_eq!(fire(&u.head, id, "rater_satisfied", "张先生表示满意").await.0, 403);
    let call = received_link(&u.app, phone, "/rate/callback/").await;
    let answer = |token: &str, code: &str, satisfied: bool, bearer: Option<&str>| {
        let mut req = reqwest::Client::new()
            .post(u.app.url("/api/v1/callbacks"))
            .json(&json!({ "token": token, "code": code, "satisfied": satisfied, "comment": "还是没有答复清楚" }));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        async move {
            let res = req.send().await.expect("answer");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let refusals = u.app.count("rating_refusals").await;
    let (s, e) = answer(&call.token, &call.code, true, Some(&u.lin.token)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("self_rating")), "the member rated cannot answer");
    assert_eq!(u.app.count("rating_refusals").await, refusals + 1, "and the attempt is counted");
    let (s, e) = answer(&call.token, "000000", true, None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("wrong_code")), "{e}");
    let (s, f) = answer(&call.token, &call.code, false, None).await;
    assert_eq!((s, f["to"].as_str()), (200, Some("rectifying")), "not satisfied: rectify again: {f}");
    assert_eq!(answer(&call.token, &call.code, true, None).await.0, 409, "a link answers once");
    assert_eq!(fire(&u.head, id, "report_fix", "再次上门答复").await.0, 200);
    let call = received_link(&u.app, phone, "/rate/callback/").await;
    let res = reqwest::get(u.app.url(&format!("/rate/callback/{}", call.token))).await.expect("page");
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.expect("text");
    assert!(page.contains("再次上门答复") && page.contains("name=\"code\""), "{page}");
    let res = reqwest::Client::new()
        .post(u.app.url(&format!("/rate/callback/{}", call.token)))
        .form(&[("code", call.code.as_str()), ("satisfied", "true"), ("comment", "满意")])
        .send()
        .await
        .expect("form");
    assert_eq!(res.status().as_u16(), 200);
    let (_, review) = u.head.get(&format!("/api/v1/bad-reviews/{id}")).await;
    assert_eq!(review["state"], "resolved", "{review}");

    let t2 = invite(&u.app, &u.wang, "窗口服务").await;
    let (_, r2) = rate(&u.app, &t2, [1, 1, 1, 1]).await;
    let id2 = r2["id"].as_i64().expect("id");
    let (s, _) = u
        .head
        .post(
            &format!("/api/v1/bad-reviews/{id2}/transitions"),
            json!({ "transition": "appeal", "note": "当日未接待该企业，疑为误评" }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = u
        .head
        .post(&format!("/api/v1/bad-reviews/{id2}/transitions"), json!({ "transition": "uphold_appeal", "note": "x" }))
        .await;
    assert_eq!(s, 403, "the division cannot decide its own appeal");
    let (_, home) = u.app.browser("jw").await.text("/").await;
    assert!(home.contains("窗口服务"), "the reviewers' home lists the appeal");
    let supervisor = u.app.api(&u.app.token("jw", &["read", "write"]).await);
    let (s, _) = supervisor
        .post(
            &format!("/api/v1/bad-reviews/{id2}/transitions"),
            json!({ "transition": "uphold_appeal", "note": "经核查系误评" }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, board) =
        u.head.get(&format!("/api/v1/evaluation/scoreboard?division_id={}&period=2019-04", u.division)).await;
    assert_eq!(board["ratings"].as_i64(), Some(1), "the voided review no longer counts");
    assert_eq!(u.app.count("ratings").await, 2, "but it is still on record");
    assert!(u.app.verify().await.ok);
}

#[tokio::test]
async fn the_public_rating_page_and_the_scoreboard_page() {
    let u = unit().await;
    let staff = u.app.browser("lin").await;
    let res = staff
        .post(
            "/evaluation/invite",
            &[
                ("kind", "counter"),
                ("summary", "办理企业开办登记"),
                ("served_name", ""),
                ("served_contact", "13866668888"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.expect("page");
    assert!(page.contains("评价邀请已通过短信发送至 138****8888"), "{page}");
    assert!(!page.contains("/rate/"), "the member sees no link");
    let sent = received(&u.app, "13866668888").await;
    let link = sent.token.clone();

    let anon = crate::support::Browser::new(&u.app.base);
    let (status, form) = anon.text(&format!("/rate/{link}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("服务态度") && form.contains("非常满意") && form.contains("验证码"));
    let res = anon
        .client
        .post(u.app.url(&format!("/rate/{link}")))
        .form(&[("attitude", "5"), ("comment", "好")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 422, "every dimension is needed");
    assert!(res.text().await.expect("page").contains(">好</textarea>"), "what was typed is kept");
    let res = anon
        .client
        .post(u.app.url(&format!("/rate/{link}")))
        .form(&[
            ("code", sent.code.as_str()),
            ("attitude", "5"),
            ("style", "5"),
            ("efficiency", "4"),
            ("competence", "5"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    assert!(res.text().await.expect("page").contains("感谢"));

    let head = u.app.browser("head").await;
    let (status, page) = head.text("/evaluation?period=2019-Q2").await;
    assert_eq!(status, 200);
    assert!(page.contains("成员得分之和") && page.contains("19.00"));
    let (status, page) = head.text("/evaluation/ranking?period=2019").await;
    assert_eq!(status, 200);
    assert!(page.contains("市场配置促进处"));
    assert!(page.contains("<polyline") || page.contains("<svg"));

    let csv = head.get(&format!("/evaluation?division_id={}&period=2019-Q2&format=csv", u.division)).await;
    assert_eq!(csv.status(), 200);
    let text = String::from_utf8_lossy(&csv.bytes().await.expect("csv")[3..]).to_string();
    assert!(text.starts_with("成员,评价数,服务态度") && text.contains("19.00"), "the page's headers: {text}");
    let xlsx = head.get("/evaluation/ranking?period=2019&format=xlsx").await;
    assert!(xlsx.bytes().await.expect("xlsx").starts_with(b"PK"));
    for path in ["/evaluation/bad-reviews?format=csv", "/evaluation/pool?format=xlsx"] {
        assert_eq!(head.get(path).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_handled_task_can_be_rated_by_the_people_it_served() {
    let u = unit().await;
    u.app.user("mayor", "leader", None, None).await;
    let mayor = u.app.api(&u.app.token("mayor", &["read", "write"]).await);
    let me = u.lin.get("/api/v1/me").await.1;
    let (_, m) = mayor.post("/api/v1/matters", json!({ "title": "企业开办一窗通办" })).await;
    let (s, t) = mayor
        .post(&format!("/api/v1/matters/{}/tasks", m["id"]), json!({ "title": "梳理开办流程", "assignee_id": me["id"], "lead_department_id": me["department_id"], "working_days": 5 }))
        .await;
    assert_eq!(s, 201, "{t}");
    let url = format!("/api/v1/tasks/{}/transitions", t["id"]);
    u.lin.post(&url, json!({ "transition": "accept" })).await;
    u.lin.post(&url, json!({ "transition": "submit_feedback", "note": "已完成" })).await;
    assert_eq!(mayor.post(&url, json!({ "transition": "approve" })).await.0, 200);

    let (s, e) = u
        .wang
        .post("/api/v1/interactions", json!({ "kind": "task", "ref_id": t["id"], "summary": "梳理开办流程" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_your_service")));
    let (s, e) = u
        .lin
        .post("/api/v1/interactions", json!({ "kind": "task", "ref_id": 999_999, "summary": "不存在的任务" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("no_such_service")));
    let (s, inv) = u
        .lin
        .post("/api/v1/interactions", json!({ "kind": "task", "ref_id": t["id"], "summary": "梳理开办流程" }))
        .await;
    assert_eq!(s, 201, "{inv}");
    assert_eq!((inv["channel"].as_str(), inv.get("token")), (Some("inbox"), None), "the leader is invited: {inv}");
    let (s, e) = u
        .lin
        .post("/api/v1/interactions", json!({ "kind": "task", "ref_id": t["id"], "summary": "梳理开办流程" }))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_invited")), "one invitation per service");

    // The invitation is in the leader's inbox; only the leader, signed in, can use it.
    let (_, notes) = mayor.get("/api/v1/notifications?unread=true").await;
    let link = notes["items"]
        .as_array()
        .and_then(|a| a.iter().find_map(|n| n["link"].as_str().filter(|l| l.starts_with("/rate/"))))
        .expect("an invitation in the leader's inbox")
        .to_owned();
    let token = link.trim_start_matches("/rate/");
    let levels = json!({ "token": token, "attitude": 5, "style": 5, "efficiency": 5, "competence": 5 });
    let anonymous = reqwest::Client::new().post(u.app.url("/api/v1/ratings")).json(&levels).send().await.expect("rate");
    assert_eq!(anonymous.status(), 422);
    assert_eq!(anonymous.json::<Value>().await.expect("json")["error"]["code"], "not_the_person_served");
    assert_eq!(mayor.post("/api/v1/ratings", levels).await.0, 201);
}

/// The member rated cannot produce a rating of themselves by any path: the response
/// holds no link; their own or a colleague's phone is refused as the person served; the
/// link used from their session, from a browser they signed in on, or with their own
/// contact details is refused and counted; the code must be the one sent, and wrong
/// codes lock the invitation.
#[tokio::test]
async fn a_member_cannot_rate_themselves_by_any_path() {
    let u = unit().await;
    u.app
        .db
        .write(|tx| Ok(tx.execute("UPDATE users SET phone = '13912345678' WHERE username = 'wang'", &[])?))
        .await
        .expect("phone");
    for own in ["13912345678", "139 1234 5678"] {
        let (s, e) = u
            .lin
            .post("/api/v1/interactions", json!({ "kind": "counter", "summary": "窗口服务", "served_contact": own }))
            .await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("served_is_colleague")), "{own}");
    }
    let (s, e) = u.lin.post("/api/v1/interactions", json!({ "kind": "counter", "summary": "窗口服务" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
    let (s, e) =
        u.lin.post("/api/v1/interactions", json!({ "kind": "lead", "ref_id": 424_242, "summary": "线索答复" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("no_such_service")));

    let sent = invite(&u.app, &u.lin, "窗口服务").await;
    let body = |extra: Value| {
        let mut b = json!({ "token": sent.token, "code": sent.code, "attitude": 5, "style": 5, "efficiency": 5, "competence": 5 });
        if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        b
    };
    // From the member's own session (and a colleague's).
    for api in [&u.lin, &u.wang] {
        let (s, e) = api.post("/api/v1/ratings", body(json!({}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("self_rating")));
    }
    // From a browser the member signed in on, now signed out.
    let browser = crate::support::Browser::new(&u.app.base);
    let signed_in = browser.sign_in("lin", crate::support::PASSWORD).await;
    let device = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok()?.strip_prefix(&format!("{}=", zaizao::kernel::auth::DEVICE_COOKIE)))
        .map(|c| c.split(';').next().unwrap_or("").to_owned())
        .next()
        .expect("a device cookie after sign-in");
    let res = reqwest::Client::new()
        .post(u.app.url("/api/v1/ratings"))
        .header("cookie", format!("{}={device}", zaizao::kernel::auth::DEVICE_COOKIE))
        .json(&body(json!({})))
        .send()
        .await
        .expect("rate");
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.expect("json")["error"]["code"], "self_rating");
    // With a colleague's phone as the rater's contact.
    let url = u.app.url("/api/v1/ratings");
    let anonymous = |b: Value| {
        let url = url.clone();
        async move {
            let res = reqwest::Client::new().post(url).json(&b).send().await.expect("rate");
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, e) = anonymous(body(json!({ "rater_contact": "+86 139-1234-5678" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("self_rating")));
    assert_eq!(u.app.count("rating_refusals").await, 4, "each refusal is counted");
    let (_, board) =
        u.head.get(&format!("/api/v1/evaluation/scoreboard?division_id={}&period=2019-Q2", u.division)).await;
    assert_eq!(board["refused_attempts"], 4, "and shown on the scoreboard: {board}");

    // The code sent with the link is needed; five wrong ones lock the invitation.
    let (s, e) = anonymous(body(json!({ "code": "" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("wrong_code")));
    for _ in 0..4 {
        assert_eq!(anonymous(body(json!({ "code": "000000" }))).await.1["error"]["code"], "wrong_code");
    }
    let (s, e) = anonymous(body(json!({}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("invitation_locked")), "even the right code, now");
    assert_eq!(u.app.count("ratings").await, 0);

    // The person served, with the code, from their own phone.
    let fresh = invite(&u.app, &u.lin, "窗口服务").await;
    assert_eq!(rate(&u.app, &fresh, [5, 5, 5, 5]).await.0, 201);
    assert!(u.app.verify().await.ok);
}

/// A member may send only so many invitations a day, and the limit holds when many are
/// sent at once (PostgreSQL runs them truly in parallel).
#[tokio::test]
async fn the_daily_invitation_limit_holds_under_concurrency() {
    let u = unit().await;
    u.app.user("admin", "system_admin", None, None).await;
    let admin = u.app.api(&u.app.token("admin", &["read", "write"]).await);
    assert_eq!(admin.put("/api/v1/settings/evaluation.invitations_per_day", json!({ "value": 5 })).await.0, 200);
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..12 {
        let lin = Api { base: u.lin.base.clone(), token: u.lin.token.clone(), client: u.lin.client.clone() };
        sends.spawn(async move {
            lin.post(
                "/api/v1/interactions",
                json!({ "kind": "counter", "summary": "窗口服务", "served_contact": format!("1370000{n:04}") }),
            )
            .await
        });
    }
    let answers = sends.join_all().await;
    let sent = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(sent, 5, "{answers:?}");
    assert!(
        answers.iter().filter(|(s, _)| *s != 201).all(|(s, e)| *s == 409 && e["error"]["code"] == "invitation_quota")
    );
    assert_eq!(u.app.count("interactions").await, 5);
    u.app.clock.advance_ms(86_400_000);
    let (s, _) = u
        .lin
        .post(
            "/api/v1/interactions",
            json!({ "kind": "counter", "summary": "窗口服务", "served_contact": "13700009999" }),
        )
        .await;
    assert_eq!(s, 201, "a new day, a new allowance");
}

#[tokio::test]
async fn commendations_interviews_and_adjustments_follow_the_configured_thresholds() {
    let u = unit().await;
    u.app.user("admin", "system_admin", None, None).await;
    let admin = u.app.api(&u.app.token("admin", &["read", "write"]).await);
    for (key, value) in [
        ("evaluation.commend_top", 1),
        ("evaluation.interview_bottom", 1),
        ("evaluation.adjust_after", 2),
        ("evaluation.min_ratings", 1),
    ] {
        let (s, v) = admin.put(&format!("/api/v1/settings/{key}"), json!({ "value": value })).await;
        assert_eq!((s, v["value"].as_i64()), (200, Some(value)));
    }
    let (s, _) = u.head.put("/api/v1/settings/evaluation.commend_top", json!({ "value": 5 })).await;
    assert_eq!(s, 403);
    let (s, e) = admin.put("/api/v1/settings/evaluation.adjust_after", json!({ "value": 0 })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_value")));

    // Two quarters in which the other department's division scores lowest.
    for _ in 0..2 {
        // Tokens last 30 days; each quarter signs in afresh.
        let lin = u.app.api(&u.app.token("lin", &["read", "write"]).await);
        let outsider = u.app.api(&u.app.token("outsider", &["read", "write"]).await);
        let good = invite(&u.app, &lin, "企业开办").await;
        let poor = invite(&u.app, &outsider, "项目备案").await;
        assert_eq!(rate(&u.app, &good, [5, 5, 5, 5]).await.0, 201);
        assert_eq!(rate(&u.app, &poor, [3, 3, 3, 3]).await.0, 201);
        u.app.clock.advance_ms(91 * 86_400_000);
    }
    u.app.user("mayor", "leader", None, None).await;
    let admin = u.app.api(&u.app.token("mayor", &["read", "write"]).await);
    let head = u.app.api(&u.app.token("head", &["read", "write"]).await);
    let (s, c) = admin.get("/api/v1/evaluation/consequences?period=2019-Q3").await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["commended"][0]["division_id"], u.division);
    let low = c["to_interview"][0]["division_id"].as_i64().expect("bottom division");
    assert_ne!(low, u.division);
    assert_eq!(c["proposals"][0]["periods"], json!(["2019-Q2", "2019-Q3"]));

    let (s, i) = admin
        .post("/api/v1/interviews", json!({ "division_id": low, "period": "2019-Q3", "held_on": "2019-10-15", "interviewer": "市委组织部", "said": "指出备案办理慢", "agreed": "一个月内压缩办理时限" }))
        .await;
    assert_eq!(s, 201, "{i}");
    let (s, _) = head.post("/api/v1/interviews", json!({ "division_id": low, "period": "2019-Q3", "held_on": "2019-10-15", "interviewer": "x", "said": "x", "agreed": "x" })).await;
    assert_eq!(s, 403, "another department's division");
    // The 约谈记录 prints as the document filed; another department's head cannot open it.
    let (s, record) = u.app.browser("mayor").await.text(&format!("/evaluation/interviews/{}", i["id"])).await;
    assert_eq!(s, 200);
    assert!(
        record.contains("约谈记录") && record.contains("一个月内压缩办理时限") && record.contains("gongwen"),
        "{record}"
    );
    assert_eq!(u.app.browser("head").await.text(&format!("/evaluation/interviews/{}", i["id"])).await.0, 404);
    for (division, periods) in [(u.division, "2019-Q2,2019-Q3"), (low, "2019-Q3")] {
        let (s, e) = admin
            .post("/api/v1/adjustments", json!({ "division_id": division, "periods": periods, "decision": "adjust" }))
            .await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("never_proposed")), "{division} {periods}");
    }
    let (s, _) = admin
        .post(
            "/api/v1/adjustments",
            json!({ "division_id": low, "periods": "2019-Q2,2019-Q3", "decision": "keep", "note": "留任观察一个季度" }),
        )
        .await;
    assert_eq!(s, 201);
    let (_, c) = admin.get("/api/v1/evaluation/consequences?period=2019-Q3").await;
    assert_eq!(c["interviews"][0]["agreed"], "一个月内压缩办理时限");
    assert_eq!(c["proposals"][0]["decision"], "keep");
    let b = u.app.browser("mayor").await;
    let (status, page) = b.text("/evaluation/consequences?period=2019-Q3").await;
    assert_eq!(status, 200);
    assert!(page.contains("表彰名单") && page.contains("已决定"));
    let res = b.get("/evaluation/consequences?period=2019-Q3&format=csv").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let csv = res.text().await.expect("csv");
    assert!(
        csv.contains("表彰")
            && csv.contains("约谈")
            && csv.contains("一个月内压缩办理时限")
            && csv.contains("调整建议"),
        "{csv}"
    );
    let res = b.get("/evaluation/consequences?period=2019-Q3&format=xlsx").await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_returned_member_is_approved_trained_assessed_and_reassigned() {
    let u = unit().await;
    let me = u.wang.get("/api/v1/me").await.1;
    u.app.user("director", "dept_head", me["department_id"].as_i64(), None).await;
    let director = u.app.api(&u.app.token("director", &["read", "write"]).await);
    let (s, _) = u.lin.post("/api/v1/pool", json!({ "staff_id": me["id"], "reasons": "x" })).await;
    assert_eq!(s, 403, "only the division head returns members");
    let (s, c) = u.head.post("/api/v1/pool", json!({ "staff_id": me["id"], "reasons": "连续两个季度评价末位，约谈后仍未改进", "evidence": "2019-Q2、Q3 评价得分" })).await;
    assert_eq!(s, 201, "{c}");
    let (s, e) = u.head.post("/api/v1/pool", json!({ "staff_id": me["id"], "reasons": "again" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_in_pool")));
    // wang holds a post (三定) in the division.
    u.app.user("admin", "system_admin", None, None).await;
    let admin = u.app.api(&u.app.token("admin", &["read", "write"]).await);
    let post = |title: &str| json!({ "division_id": u.division, "title": title, "quota": 2 });
    let (_, clerk) = admin.post("/api/v1/posts", post("综合科员")).await;
    let (_, desk) = admin.post("/api/v1/posts", post("窗口服务岗")).await;
    let (_, person) = admin.post("/api/v1/people", json!({ "name": "王芳", "user_id": me["id"] })).await;
    let assignments = format!("/api/v1/people/{}/assignments", person["id"]);
    let (s, a) = admin.post(&assignments, json!({ "post_id": clerk["id"] })).await;
    assert_eq!(s, 201, "{a}");
    let url = format!("/api/v1/pool/{}", c["id"]);
    let (s, _) = u.head.post(&format!("{url}/transitions"), json!({ "transition": "approve", "note": "同意" })).await;
    assert_eq!(s, 403, "the department head decides");
    assert_eq!(
        director.post(&format!("{url}/transitions"), json!({ "transition": "approve", "note": "同意入池" })).await.0,
        200
    );
    let (_, held) = admin.get(&assignments).await;
    assert!(
        held.as_array().unwrap().iter().all(|a| !a["end_date"].is_null()),
        "in the pool, the member leaves the post: {held}"
    );
    let (s, e) = director
        .put(
            &format!("{url}/plan"),
            json!({ "plan_kind": "practice", "start_date": "2019-05-01", "end_date": "2019-07-31" }),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("host_enterprise")));
    let (s, p) = director
        .put(&format!("{url}/plan"), json!({ "plan_kind": "practice", "host_enterprise": "青岛海联智造有限公司", "mentor": "赵工", "start_date": "2019-05-01", "end_date": "2019-07-31" }))
        .await;
    assert_eq!((s, p["plan_kind"].as_str()), (200, Some("practice")));
    assert_eq!(
        u.head
            .post(
                &format!("{url}/assessments"),
                json!({ "assessed_on": "2019-06-15", "result": "improving", "note": "态度积极" })
            )
            .await
            .0,
        201
    );
    let (s, mine) = u.wang.post(&format!("{url}/response"), json!({ "response": "接受安排，争取尽快提升" })).await;
    assert_eq!((s, mine["response"].as_str()), (200, Some("接受安排，争取尽快提升")));
    assert_eq!(u.lin.get(&url).await.0, 404, "a colleague does not see the case");
    let (s, _) =
        director.post(&format!("{url}/transitions"), json!({ "transition": "reassign", "note": "考核合格" })).await;
    assert_eq!(s, 422, "a post to go to is needed");
    let (s, _) = director
        .post(
            &format!("{url}/transitions"),
            json!({ "transition": "reassign", "note": "考核合格，重新安排", "post_id": desk["id"] }),
        )
        .await;
    assert_eq!(s, 200);
    let (_, held) = admin.get(&assignments).await;
    assert!(
        held.as_array().unwrap().iter().any(|a| a["post_id"] == desk["id"] && a["end_date"].is_null()),
        "reassignment puts the member in the post chosen: {held}"
    );
    let (_, case) = u.wang.get(&url).await;
    assert_eq!(case["state"], "reassigned");
    assert_eq!(case["assessments"].as_array().map(Vec::len), Some(1));
    let b = u.app.browser("director").await;
    let (status, page) = b.text(&format!("/evaluation/pool/{}", c["id"])).await;
    assert_eq!(status, 200);
    assert!(page.contains("已重新安排工作") && page.contains("接受安排"));
}

/// The bad-review process file's timing is acted on by the kernel's deadline engine:
/// the unit is reminded before the rectification deadline, the supervisors told once it
/// has passed, once each.
#[tokio::test]
async fn a_rectification_deadline_is_reminded_and_escalated_once() {
    let u = unit().await;
    let token = invite(&u.app, &u.lin, "答复政策咨询").await;
    let (_, rated) = rate(&u.app, &token, [2, 3, 3, 3]).await;
    let id = rated["id"].as_i64().expect("id");
    assert_eq!(fire(&u.head, id, "found", "答复不及时，属实").await.0, 200);
    let supervisor = u.app.api(&u.app.token("jw", &["read"]).await);
    let titles = |inbox: Value| -> Vec<String> {
        inbox["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["title"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    u.app.run_scheduler().await;
    assert!(!titles(u.head.get("/api/v1/notifications").await.1).iter().any(|t| t.starts_with("催办")), "not yet");
    // Monday 29 April 2019: the deadline (30 April) is within two working days.
    u.app.clock.advance_ms(19 * 86_400_000);
    u.app.run_scheduler().await;
    u.app.run_scheduler().await;
    let head = titles(u.head.get("/api/v1/notifications").await.1);
    let reminders: Vec<&String> = head.iter().filter(|t| t.starts_with("催办：差评核实整改「lin 测试」")).collect();
    assert_eq!(reminders.len(), 1, "{head:?}");
    assert!(reminders[0].contains("2019-04-30"), "{reminders:?}");
    // Monday 6 May, after the May Day holiday: overdue, the supervisors are told once.
    u.app.clock.advance_ms(7 * 86_400_000);
    u.app.run_scheduler().await;
    u.app.run_scheduler().await;
    let told = titles(supervisor.get("/api/v1/notifications").await.1);
    assert_eq!(told.iter().filter(|t| t.starts_with("逾期：差评核实整改")).count(), 1, "{told:?}");
    let audited = u
        .app
        .db
        .read(move |tx| {
            Ok(tx.count(
                "SELECT COUNT(*) FROM audit_log WHERE record_kind = 'bad_review' AND action IN ('remind', 'escalate')",
                &[],
            )?)
        })
        .await
        .expect("count");
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn ratings_are_ranked_by_week_month_or_range_beside_the_period_before() {
    let u = unit().await;
    let april = invite(&u.app, &u.lin, "办理企业开办登记").await;
    assert_eq!(rate(&u.app, &april, [5, 5, 5, 5]).await.0, 201);
    u.app.clock.advance_ms(30 * 86_400_000);
    let (lin, head) =
        (u.app.api(&u.app.token("lin", &["read", "write"]).await), u.app.api(&u.app.token("head", &["read"]).await));
    let may = invite(&u.app, &lin, "答复政策咨询").await;
    assert_eq!(rate(&u.app, &may, [3, 3, 3, 3]).await.0, 201);

    let (s, ranking) = head.get("/api/v1/evaluation/ranking?period=2019-05").await;
    assert_eq!(s, 200, "{ranking}");
    assert_eq!(ranking[0]["sum_score"].as_f64(), Some(12.0));
    assert_eq!(ranking[0]["previous"]["period"], "2019-04");
    assert_eq!(ranking[0]["previous"]["sum_score"].as_f64(), Some(20.0), "{ranking}");
    // A week and a range are counted from the ratings themselves.
    let (_, week) = head.get("/api/v1/evaluation/ranking?period=2019-W19").await;
    assert_eq!((week[0]["sum_score"].as_f64(), week[0]["ratings"].as_i64()), (Some(12.0), Some(1)), "{week}");
    let (_, board) = head
        .get(&format!("/api/v1/evaluation/scoreboard?division_id={}&period=2019-04-01~2019-05-31", u.division))
        .await;
    assert_eq!((board["ratings"].as_i64(), board["sum_score"].as_f64()), (Some(2), Some(16.0)), "{board}");
    assert_eq!(board["previous"]["period"], "2019-01-30~2019-03-31");
    let (_, board) =
        head.get(&format!("/api/v1/evaluation/scoreboard?division_id={}&period=2019-05", u.division)).await;
    assert_eq!((board["previous"]["ratings"].as_i64(), board["previous"]["sum_score"].as_f64()), (Some(1), Some(20.0)));
    let (s, e) = head.get("/api/v1/evaluation/consequences?period=2019-W19").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("period_not_for_decisions")), "{e}");

    let b = u.app.browser("head").await;
    let (_, page) = b.text("/evaluation/ranking?period=2019-05").await;
    assert!(page.contains("上期名次") && page.contains("2019年5月"), "the rank before beside this month's");
    let (_, page) = b.text(&format!("/evaluation?division_id={}&period=2019-W19", u.division)).await;
    assert!(page.contains("2019年第19周") && page.contains("本季度"), "a week, with the quick periods");
}
