//! The outside test's findings, each as a test: sign-in counting under concurrency,
//! Open311 keys and limits, tokens after a password reset, errors in each route's own
//! format, UTF-8 in forms, the Host header, and the approver who is not the assignee.

use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp};

async fn token_attempt(app: &TestApp, username: &str, password: &str) -> u16 {
    attempt_at(app.url("/api/v1/auth/tokens"), username.to_owned(), password.to_owned()).await
}

async fn attempt_at(url: String, username: String, password: String) -> u16 {
    reqwest::Client::new()
        .post(url)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

#[tokio::test]
async fn concurrent_wrong_passwords_each_count_and_lock_the_account() {
    let app = TestApp::spawn().await;
    app.user("leader1", "leader", None, None).await;
    let attempts: Vec<_> = (0..18)
        .map(|_| attempt_at(app.url("/api/v1/auth/tokens"), "leader1".into(), "wrong-password-1".into()))
        .collect();
    let statuses = futures_join(attempts).await;
    assert!(statuses.iter().all(|s| *s == 422 || *s == 423), "{statuses:?}");
    let failed = app
        .db
        .read(|tx| Ok(tx.count("SELECT failed_logins FROM users WHERE username = 'leader1'", &[])?))
        .await
        .expect("count");
    assert!(failed >= 5, "every concurrent failure counted, got {failed}");
    assert_eq!(token_attempt(&app, "leader1", PASSWORD).await, 423, "locked even with the right password");
    // The wait grows with the failures, and is at most a quarter of an hour.
    app.clock.advance_ms(15 * 60 * 1000 + 1000);
    assert_eq!(token_attempt(&app, "leader1", PASSWORD).await, 201);
}

/// Run futures at once (the test crate has no `futures` dependency).
async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(fs: Vec<F>) -> Vec<u16> {
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

#[tokio::test]
async fn a_locked_out_administrator_is_unlocked_from_the_cli() {
    let app = TestApp::spawn().await;
    app.user("root", "system_admin", None, None).await;
    for _ in 0..5 {
        assert_eq!(token_attempt(&app, "root", "not-the-password").await, 422);
    }
    assert_eq!(token_attempt(&app, "root", PASSWORD).await, 423);
    let url = app.database_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_zaizao"))
            .args(["--database-url", &url, "user", "unlock", "root"])
            .output()
            .expect("run")
    })
    .await
    .expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(token_attempt(&app, "root", PASSWORD).await, 201);
    let unlocks = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'unlock'", &[])?))
        .await
        .expect("count");
    assert_eq!(unlocks, 1);
}

#[tokio::test]
async fn invented_open311_keys_are_limited_per_address_without_touching_the_writer() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (_, k) = admin.post("/api/v1/open311/keys", json!({ "name": "12345 热线" })).await;
    let key = k["api_key"].as_str().expect("key").to_owned();
    let client = reqwest::Client::new();
    let post = |key: String| {
        let client = client.clone();
        let url = app.url("/open311/v2/requests.json");
        async move {
            client
                .post(url)
                .form(&[
                    ("api_key", key.as_str()),
                    ("service_code", "ENVIRONMENT"),
                    ("address_string", "香港中路 1 号"),
                    ("description", "路灯不亮"),
                ])
                .send()
                .await
                .expect("post")
        }
    };
    // The hotline has been filing from this address all along.
    assert_eq!(post(key.clone()).await.status(), 201);
    let audit_before = app.count("audit_log").await;
    let mut refused = None;
    for i in 0..12 {
        let res = post(format!("o311_invented_{i}")).await;
        if res.status() == 429 {
            refused = Some(res);
            break;
        }
        assert_eq!(res.status(), 403);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body[0]["code"], 403, "the standard's error format");
    }
    let refused = refused.expect("an address sending invented keys is refused");
    let retry: i64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry));
    assert_eq!(app.count("audit_log").await, audit_before, "nothing written for invented keys");
    let res = post(key).await;
    assert_eq!(res.status(), 201, "a key in use still files");
    // Other kinds of public request keep their own buckets.
    assert_eq!(client.get(app.url("/report")).send().await.expect("get").status(), 200);
}

#[tokio::test]
async fn a_flood_of_ratings_does_not_close_the_report_page() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let mut limited = false;
    for _ in 0..700 {
        let res = client.get(app.url("/api/v1/invitations/none")).send().await.expect("get");
        if res.status() == 429 {
            assert!(res.headers().get("retry-after").is_some(), "429 says when to retry");
            limited = true;
            break;
        }
    }
    assert!(limited, "ratings are limited per address");
    assert_eq!(client.get(app.url("/report")).send().await.expect("get").status(), 200);
    assert_eq!(client.get(app.url("/open311/v2/services.json")).send().await.expect("get").status(), 200);
}

#[tokio::test]
async fn a_password_reset_revokes_tokens_and_tokens_live_no_longer_than_the_cap() {
    let app = TestApp::spawn().await;
    let id = app.user("staff1", "supervisor", None, None).await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let old = app.api(&app.token("staff1", &["read", "write"]).await);
    assert_eq!(old.get("/api/v1/me").await.0, 200);
    let (s, _) = admin.post(&format!("/api/v1/users/{id}/password"), json!({ "password": "another-horse-2020" })).await;
    assert!(s == 200 || s == 204, "reset: {s}");
    assert_eq!(old.get("/api/v1/me").await.0, 401, "the old token no longer works");

    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/tokens"))
        .json(&json!({ "username": "admin", "password": PASSWORD, "expires_in_days": 366 }))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 422, "longer than the configured 90 days");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["field"], "expires_in_days");
}

#[tokio::test]
async fn every_refusal_answers_in_its_routes_format() {
    let app = TestApp::spawn().await;
    app.user("admin", "leader", None, None).await;
    let token = app.token("admin", &["read", "write"]).await;
    let client = reqwest::Client::new();
    let big = vec![b'a'; 2 * 1024 * 1024];

    let res = client.post(app.url("/open311/v2/requests.json")).body(big.clone()).send().await.expect("post");
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.expect("Open311 JSON");
    assert_eq!(body[0]["code"], 413);
    let res = client.post(app.url("/open311/v2/requests.xml")).body(big.clone()).send().await.expect("post");
    assert_eq!(res.status(), 413);
    assert!(res.text().await.expect("text").contains("<errors><error><code>413</code>"));

    let res = client.delete(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("delete");
    assert_eq!(res.status(), 405);
    assert_eq!(res.json::<Value>().await.expect("API JSON")["error"]["code"], "method_not_allowed");
    let res = client.put(app.url("/open311/v2/requests.json")).send().await.expect("put");
    assert_eq!(res.status(), 405);
    assert_eq!(res.json::<Value>().await.expect("Open311 JSON")[0]["code"], 405);

    let res = client.get(app.url("/api/v1/attachments/1.0")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("API JSON");
    assert_eq!(body["error"]["code"], "bad_request");

    let res = client
        .post(app.url("/api/v1/tasks/1/attachments?filename=a.txt"))
        .bearer_auth(&token)
        .body(vec![b'a'; 11 * 1024 * 1024])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 413);
    assert_eq!(res.json::<Value>().await.expect("json")["error"]["code"], "body_too_large");
    let res = client
        .post(app.url("/api/v1/tasks/999/attachments?filename=a.txt"))
        .bearer_auth(&token)
        .body(vec![b'a'; 1100 * 1024])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 404, "a 1.1 MB file is read (and the task is unknown), not refused as too large");

    for path in ["/login", "/report"] {
        let res = client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![b'a'; 11 * 1024 * 1024])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 413, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/html"), "{path}");
    }
}

#[tokio::test]
async fn text_that_is_not_utf8_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (_, k) = admin.post("/api/v1/open311/keys", json!({ "name": "12345" })).await;
    let key = k["api_key"].as_str().expect("key").to_owned();
    let client = reqwest::Client::new();
    let res = client
        .post(app.url("/open311/v2/requests.json"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("api_key={key}&service_code=ENVIRONMENT&address_string=x&description=%FF%FE%E8"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body[0]["code"], 400);
    let res = client
        .post(app.url("/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("category=ENVIRONMENT&address=x&description=%C3%28")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("leads").await, 0);
}

#[tokio::test]
async fn open311_discovery_names_the_configured_address_and_a_bad_host_is_refused() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let doc: Value = client
        .get(app.url("/open311/discovery.json"))
        .header("host", "evil.example")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["endpoints"][0]["url"], "https://zaizao.example.gov.cn/open311/v2");
    assert!(!doc.to_string().contains("evil"));
    let res =
        client.get(app.url("/open311/discovery.json")).header("host", "evil.example\"><x").send().await.expect("get");
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_department_head_cannot_approve_a_task_they_assigned_themselves() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "public").await;
    let head = app.user("chen", "dept_head", Some(dept), None).await;
    app.user("mayor", "leader", None, None).await;
    let chen = app.api(&app.token("chen", &["read", "write"]).await);
    let mayor = app.api(&app.token("mayor", &["read", "write"]).await);
    let (s, m) = chen.post("/api/v1/matters", json!({ "title": "稳岗补贴落实", "description": "本局事项" })).await;
    assert_eq!(s, 201, "{m}");
    let matter = m["id"].as_i64().expect("id");
    let (s, t) = chen
        .post(
            &format!("/api/v1/matters/{matter}/tasks"),
            json!({ "title": "梳理企业名单", "assignee_id": head, "lead_department_id": dept, "deadline": "2019-05-10" }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let task = t["id"].as_i64().expect("id");
    for step in ["accept", "start", "submit_feedback"] {
        let (s, body) = chen
            .post(&format!("/api/v1/tasks/{task}/transitions"), json!({ "transition": step, "note": "已完成" }))
            .await;
        assert_eq!(s, 200, "{step}: {body}");
    }
    let (s, body) = chen
        .post(&format!("/api/v1/tasks/{task}/transitions"), json!({ "transition": "approve", "note": "同意" }))
        .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["error"]["code"], "self_approval");
    let (s, body) = mayor
        .post(&format!("/api/v1/tasks/{task}/transitions"), json!({ "transition": "approve", "note": "同意" }))
        .await;
    assert_eq!(s, 200, "the leader above decides: {body}");
    assert_eq!(body["to"], "done");
}
