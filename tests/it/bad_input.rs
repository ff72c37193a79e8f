use serde_json::Value;

use crate::support::TestApp;

/// Malformed, mistyped, over-long, non-UTF-8 and oversized bodies to every endpoint
/// that takes one: always a clear 4xx, never a change, never a crash.
#[tokio::test]
async fn a_corpus_of_bad_requests_changes_nothing_and_breaks_nothing() {
    let app = TestApp::spawn().await;
    app.department("fgw", "public").await;
    app.user("admin", "system_admin", None, None).await;
    let token = app.token("admin", &["read", "write"]).await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.expect("doc").json().await.expect("json");
    let before = (app.count("audit_log").await, app.count("departments").await, app.count("users").await);

    let long = "长".repeat(5000);
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"not json".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        br#"{"code": 5, "name": [], "kind": {}}"#.to_vec(),
        br#"{"department_id": "x", "post_id": -1, "quota": 1e99, "active": "maybe"}"#.to_vec(),
        format!(r#"{{"code": "{long}", "name": "{long}", "kind": "other", "username": "{long}", "title": "{long}", "quota": 1}}"#).into_bytes(),
        vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
        format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024)).into_bytes(),
    ];
    let client = reqwest::Client::new();
    let mut sent = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["post", "put"] {
            let takes_body = item.get(method).is_some_and(|op| op.get("requestBody").is_some());
            if !takes_body || path == "/api/v1/auth/tokens" {
                continue;
            }
            for body in &bodies {
                let res = client
                    .request(
                        reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("m"),
                        app.url(&path.replace("{id}", "1")),
                    )
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("send");
                let status = res.status().as_u16();
                assert!((400..500).contains(&status), "{method} {path}: {status}");
                let json: Value = res.json().await.unwrap_or(Value::Null);
                assert!(json["error"]["code"].is_string(), "{method} {path}: a stable error code");
                assert!(json["error"]["request_id"].is_string());
                sent += 1;
            }
        }
    }
    assert!(sent > 100);
    let unknown = client.get(app.url("/api/v1/departments/999999")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(unknown.status(), 404);
    let bad_query = client.get(app.url("/api/v1/departments?page=abc")).bearer_auth(&token).send().await.expect("get");
    assert_eq!(bad_query.status(), 400);

    let after = (app.count("audit_log").await, app.count("departments").await, app.count("users").await);
    assert_eq!(before, after, "nothing changed");
    assert!(app.verify().await.ok);
    assert_eq!(reqwest::get(app.url("/readyz")).await.expect("ready").status(), 200, "still serving");
}

#[tokio::test]
async fn repeating_a_create_does_not_make_a_second_record() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let api = app.api(&app.token("admin", &["read", "write"]).await);
    let body = serde_json::json!({ "code": "fgw", "name": "市发展和改革委员会", "kind": "city_department" });
    assert_eq!(api.post("/api/v1/departments", body.clone()).await.0, 201);
    assert_eq!(api.post("/api/v1/departments", body).await.0, 409);
    assert_eq!(app.count("departments").await, 1);
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let app = TestApp::spawn().await;
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 401);
    let id = res.headers()["x-request-id"].to_str().expect("id").to_owned();
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["message"], "Please sign in first");
    assert_eq!(body["error"]["request_id"], id.as_str());
    let body: Value = reqwest::get(app.url("/api/v1/me")).await.expect("get").json().await.expect("json");
    assert_eq!(body["error"]["message"], "请先登录");
}
