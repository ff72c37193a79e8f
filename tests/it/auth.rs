use serde_json::json;

use crate::support::{Browser, PASSWORD, TestApp, hidden};

#[tokio::test]
async fn signing_in_through_the_form_opens_a_session_and_signing_out_ends_it() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let b = Browser::new(&app.base);

    let res = b.sign_in("admin", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let cookie =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or("")).collect::<Vec<_>>().join("\n");
    assert!(cookie.contains("zz_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    let (status, home) = b.text("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("admin 测试"), "home greets the user");

    let res = b.post("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let (status, front) = b.text("/").await;
    assert_eq!(status, 200, "signed out, home is the public front page");
    assert!(
        front.contains("href=\"/report\"")
            && front.contains("href=\"/report/track\"")
            && front.contains("href=\"/exposures\"")
    );
    assert!(front.contains("href=\"/login\"") && !front.contains("admin 测试"));
    let (_, login) = b.text("/login").await;
    assert!(login.contains("href=\"/report\""), "the sign-in page links the public entries");
    let rows =
        app.db.read(|tx| Ok(tx.count("SELECT COUNT(*) FROM sessions WHERE revoked = 1", &[])?)).await.expect("count");
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_a_missing_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.user("staff1", "system_admin", None, None).await;
    let b = Browser::new(&app.base);

    let res = b.sign_in("staff1", "not-the-password").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("page");
    assert!(page.contains("用户名或密码错误"));
    assert!(page.contains("value=\"staff1\""), "the typed username is kept");

    let res = b
        .client
        .post(app.url("/login"))
        .form(&[("username", "staff1"), ("password", PASSWORD), ("_csrf", "forged")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("sessions").await, 0, "no session was opened");
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account() {
    let app = TestApp::spawn().await;
    app.user("leader1", "leader", None, None).await;
    let b = Browser::new(&app.base);
    for _ in 0..5 {
        assert_eq!(b.sign_in("leader1", "wrong-password!").await.status(), 422);
    }
    let res = b.sign_in("leader1", PASSWORD).await;
    assert_eq!(res.status(), 423, "locked even with the right password");
    assert_eq!(app.count("sessions").await, 0);

    app.clock.advance_ms(16 * 60 * 1000);
    assert_eq!(b.sign_in("leader1", PASSWORD).await.status(), 303, "the lock expires");
    let lockouts = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'lock_out'", &[])?))
        .await
        .expect("count");
    assert_eq!(lockouts, 1);
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let b = app.browser("admin").await;
    assert_eq!(b.get("/account").await.status(), 200);
    app.clock.advance_ms(13 * 3600 * 1000);
    assert_eq!(b.get("/account").await.status(), 303, "redirected to sign in");
}

#[tokio::test]
async fn an_unused_session_ends_after_the_idle_time_and_use_keeps_it() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let b = app.browser("admin").await;
    let (_, home) = b.text("/").await;
    assert!(home.contains("这是您首次登录") && home.contains("data-idle-minutes=\"30\""), "{home}");
    for _ in 0..3 {
        app.clock.advance_ms(20 * 60 * 1000);
        assert_eq!(b.get("/account").await.status(), 200, "used every 20 minutes, an hour on");
    }
    app.clock.advance_ms(31 * 60 * 1000);
    assert_eq!(b.get("/account").await.status(), 303, "31 minutes unused: ended");
    let (_, login) = b.text("/login").await;
    assert!(login.contains("会话已结束"), "the sign-in page says why: {login}");

    let again = app.browser("admin").await;
    let (_, home) = again.text("/").await;
    assert!(home.contains("上次登录") && home.contains("127.0.0.1"), "the previous sign-in is shown: {home}");
}

#[tokio::test]
async fn a_session_limit_ends_the_oldest_session() {
    let app = TestApp::spawn().await;
    app.user("admin", "security_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    assert_eq!(admin.put("/api/v1/settings/security.max_sessions", json!({ "value": 1 })).await.0, 200);
    let first = app.browser("admin").await;
    assert_eq!(first.get("/account").await.status(), 200);
    let second = app.browser("admin").await;
    assert_eq!(second.get("/account").await.status(), 200);
    assert_eq!(first.get("/account").await.status(), 303, "the older session ended");
    let ended = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'session_limit'", &[])?))
        .await
        .expect("count");
    assert_eq!(ended, 1);
}

#[tokio::test]
async fn weak_common_and_username_passwords_are_refused() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let users = app.count("users").await;
    for (password, code) in [
        ("aaaaaaaaaa", "weak_password"),
        ("abcdefgh12", "weak_password"),
        ("Password123", "common_password"),
        ("Wanghaiyan-2019", "password_has_username"),
    ] {
        let body = json!({ "username": "wanghaiyan", "display_name": "王海燕", "role": "staff", "password": password });
        let (s, e) = admin.post("/api/v1/users", body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some(code)), "{password}: {e}");
    }
    assert_eq!(app.count("users").await, users, "nothing created");
    let clerk = app.user("zhouqing", "leader", None, None).await;
    let (s, e) =
        admin.post(&format!("/api/v1/users/{clerk}/password"), json!({ "password": "Zhouqing-2019-qd" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("password_has_username")), "{e}");
}

#[tokio::test]
async fn a_new_password_may_not_repeat_the_last_few() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let staff = app.user("wang", "leader", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let set = |password: &'static str| {
        let admin = &admin;
        async move { admin.post(&format!("/api/v1/users/{staff}/password"), json!({ "password": password })).await }
    };
    assert_eq!(set(PASSWORD).await.0, 204, "no history kept by default");
    app.user("sec", "security_admin", None, None).await;
    let sec = app.api(&app.token("sec", &["read", "write"]).await);
    assert_eq!(sec.put("/api/v1/settings/security.password_history", json!({ "value": 3 })).await.0, 200);
    assert_eq!(set("Alpha-horse-1").await.0, 204);
    let (s, e) = set(PASSWORD).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("password_reused")), "{e}");
    assert_eq!(set("Bravo-horse-2").await.0, 204);
    assert_eq!(set("Charlie-horse-3").await.0, 204);
    assert_eq!(set(PASSWORD).await.0, 204, "three passwords back, allowed again");
    let b = app.browser("wang").await;
    let res = b.post("/account/password", &[("current", PASSWORD), ("password", "Charlie-horse-3")]).await;
    let page = res.text().await.expect("page");
    assert!(page.contains("新密码不得与最近使用过的密码相同"), "the account page applies the same rule: {page}");
    assert_eq!(app.browser("wang").await.get("/account").await.status(), 200, "the password did not change");
}

#[tokio::test]
async fn api_tokens_are_scoped_hashed_and_revocable() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let read = app.token("admin", &["read"]).await;
    let api = app.api(&read);

    let (status, me) = api.get("/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "admin");

    let stored = app.db.read(|tx| Ok(tx.query("SELECT token_hash FROM api_tokens", &[])?)).await.expect("rows");
    assert!(
        stored.iter().all(|r| r.text(0).map(|h| h.len() == 64 && !read.contains(&h)).unwrap_or(false)),
        "only digests are stored"
    );

    let before = app.count("departments").await;
    let (status, body) =
        api.post("/api/v1/departments", json!({ "code": "x1", "name": "某局", "kind": "city_department" })).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "token_scope");
    assert_eq!(app.count("departments").await, before);

    let write = app.token("admin", &["read", "write"]).await;
    let (status, tokens) = app.api(&write).get("/api/v1/tokens").await;
    assert_eq!(status, 200);
    let read_id =
        tokens.as_array().and_then(|t| t.iter().find(|t| t["scopes"] == json!(["read"]))).map(|t| t["id"].clone());
    let (status, _) =
        app.api(&write).post(&format!("/api/v1/tokens/{}/revoke", read_id.expect("read token")), json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = api.get("/api/v1/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");

    app.clock.advance_ms(31 * 86_400_000);
    assert_eq!(app.api(&write).get("/api/v1/me").await.0, 401, "tokens expire");
}

#[tokio::test]
async fn a_browser_session_must_send_its_csrf_token_to_change_things_through_the_api() {
    let app = TestApp::spawn().await;
    app.user("admin", "system_admin", None, None).await;
    let b = app.browser("admin").await;
    let body = json!({ "code": "c1", "name": "某局", "kind": "city_department" });
    let res = b.client.post(app.url("/api/v1/departments")).json(&body).send().await.expect("post");
    assert_eq!(res.status(), 403);
    let page = b.get("/account").await.text().await.expect("page");
    let csrf = hidden(&page, "_csrf");
    let res = b
        .client
        .post(app.url("/api/v1/departments"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn changing_ones_password_requires_the_current_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    app.user("staff1", "public", None, None).await;
    let first = app.browser("staff1").await;
    let second = app.browser("staff1").await;

    let res =
        first.post("/account/password", &[("current", "wrong-password"), ("password", "a-new-password-2019")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("page").contains("用户名或密码错误"));

    let res = first.post("/account/password", &[("current", PASSWORD), ("password", "a-new-password-2019")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(first.get("/account").await.status(), 200, "this session goes on");
    assert_eq!(second.get("/account").await.status(), 303, "other sessions end");
    assert_eq!(Browser::new(&app.base).sign_in("staff1", "a-new-password-2019").await.status(), 303);
}

#[tokio::test]
async fn an_expired_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    app.user("sec", "security_admin", None, None).await;
    let (dept, _, _) = app.department("fgw", "public").await;
    app.user("clerk", "staff", Some(dept), None).await;
    let sec = app.api(&app.token("sec", &["read", "write"]).await);
    assert_eq!(sec.put("/api/v1/settings/security.password_max_days", json!({ "value": 90 })).await.0, 200);
    app.clock.advance_ms(89 * 86_400_000);
    let clerk_token = app.token("clerk", &["read"]).await;
    assert_eq!(app.api(&clerk_token).get("/api/v1/me").await.0, 200, "89 days: still valid");
    app.clock.advance_ms(2 * 86_400_000);

    let (s, e) = app.api(&clerk_token).get("/api/v1/me").await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("password_expired")), "{e}");
    let (s, e) = app.api("").post("/api/v1/auth/tokens", json!({ "username": "clerk", "password": PASSWORD })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("password_expired")), "{e}");

    let b = Browser::new(&app.base);
    let res = b.sign_in("clerk", PASSWORD).await;
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/account"));
    let (s, page) = b.text("/tasks").await;
    assert_eq!(s, 403);
    assert!(page.contains("密码已过期"), "{page}");
    let (s, page) = b.text("/account").await;
    assert_eq!(s, 200);
    assert!(page.contains("密码已过期"), "the account page says why");
    let res = b.post("/account/password", &[("current", PASSWORD), ("password", "Renewed-2019-qd!")]).await;
    assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
    assert_eq!(b.get("/tasks").await.status(), 200, "changed: the rest opens again");
}

#[tokio::test]
async fn the_absolute_session_lifetime_is_a_setting() {
    let app = TestApp::spawn().await;
    app.user("sec", "security_admin", None, None).await;
    let sec = app.api(&app.token("sec", &["read", "write"]).await);
    let (s, e) = sec.put("/api/v1/settings/security.session_hours", json!({ "value": 0 })).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(sec.put("/api/v1/settings/security.session_hours", json!({ "value": 1 })).await.0, 200);
    let b = app.browser("sec").await;
    for _ in 0..2 {
        app.clock.advance_ms(25 * 60 * 1000);
        assert_eq!(b.get("/account").await.status(), 200, "in use, within the hour");
    }
    app.clock.advance_ms(15 * 60 * 1000);
    assert_eq!(b.get("/account").await.status(), 303, "an hour after sign-in: ended however used");
}

/// The base32 key an enrolment page shows.
fn hidden_secret(page: &str) -> String {
    page.split("code class=\"secret\">").nth(1).and_then(|rest| rest.split('<').next()).unwrap_or("").to_owned()
}

/// The code of the second factor (confirmed or still pending) of `username` now.
pub(crate) async fn current_code(app: &TestApp, username: &'static str) -> String {
    let key = app
        .db
        .read(move |tx| {
            let r = tx.query_one(
                "SELECT COALESCE(totp_pending, totp_secret) FROM users WHERE username = $1",
                zaizao::params![username],
            )?;
            Ok(r.text(0)?)
        })
        .await
        .expect("secret");
    let key = hex::decode(key).expect("hex");
    zaizao::kernel::totp::code(
        &key,
        zaizao::kernel::totp::step(zaizao::kernel::clock::Clock::now_ms(app.clock.as_ref())),
    )
    .expect("code")
}

#[tokio::test]
async fn a_second_factor_is_set_up_required_for_a_role_and_good_once() {
    let app = TestApp::spawn().await;
    app.user("sec", "security_admin", None, None).await;
    app.user("sys", "system_admin", None, None).await;
    let (dept, _, _) = app.department("fgw", "public").await;
    let clerk = app.user("clerk", "staff", Some(dept), None).await;
    let clerk_token = app.token("clerk", &["read"]).await;
    let sec = app.api(&app.token("sec", &["read", "write"]).await);
    let sys = app.api(&app.token("sys", &["read", "write"]).await);
    let staff_only = json!({ "roles": ["staff"] });
    assert_eq!(sys.put("/api/v1/second-factor/roles", staff_only.clone()).await.0, 403);
    assert_eq!(sec.put("/api/v1/second-factor/roles", json!({ "roles": ["king"] })).await.0, 422);
    let (s, roles) = sec.put("/api/v1/second-factor/roles", staff_only).await;
    assert_eq!((s, roles["roles"].clone()), (200, json!(["staff"])));

    let (s, e) = app.api(&clerk_token).get("/api/v1/me").await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("second_factor_required")), "{e}");
    let b = Browser::new(&app.base);
    let res = b.sign_in("clerk", PASSWORD).await;
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/account"));
    assert_eq!(b.get("/tasks").await.status(), 403);

    let (_, started) = {
        let res = b.post("/account/second-factor", &[]).await;
        (res.status(), res.text().await.unwrap_or_default())
    };
    assert!(started.contains("<svg") && started.contains("/account/second-factor/confirm"), "{started}");
    let secret = hidden_secret(&started);
    assert_eq!(secret.len(), 32, "a 20-byte key in base32: {started}");
    let res = b.post("/account/second-factor/confirm", &[("code", "12345")]).await;
    assert_eq!(res.status(), 422, "a wrong code sets nothing up");
    let retry = res.text().await.unwrap_or_default();
    assert_eq!(hidden_secret(&retry), secret, "the same QR code is shown again, to type the code anew: {retry}");
    assert_eq!(b.get("/tasks").await.status(), 403);
    let code = current_code(&app, "clerk").await;
    let res = b.post("/account/second-factor/confirm", &[("code", &code)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(b.get("/tasks").await.status(), 200, "set up: the rest opens");

    app.clock.advance_ms(30_000);
    let other = Browser::new(&app.base);
    let res = other.sign_in("clerk", PASSWORD).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap_or_default().contains("请输入验证器应用显示的六位动态口令"), "a code is asked for");
    let code = current_code(&app, "clerk").await;
    assert_eq!(other.sign_in_with_code("clerk", PASSWORD, &code).await.status(), 303);
    let again = Browser::new(&app.base);
    assert_eq!(again.sign_in_with_code("clerk", PASSWORD, &code).await.status(), 422, "a code is good once");
    let (s, e) = app.api("").post("/api/v1/auth/tokens", json!({ "username": "clerk", "password": PASSWORD })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("second_factor_needed")), "{e}");

    let res = other.post("/account/second-factor/disable", &[("code", &code)]).await;
    assert_eq!(res.status(), 409, "the role requires it");
    let failures = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in_failed'", &[])?))
        .await
        .expect("count");
    assert!(failures >= 1, "a reused code counts as a failed sign-in");

    // A lost authenticator: the security administrator clears it (not their own, and not
    // the system administrator), and the clerk must set up a new one; the host can too.
    let reset = format!("/api/v1/users/{clerk}/second-factor/reset");
    assert_eq!(sys.post(&reset, json!({})).await.0, 403);
    assert_eq!(sec.post(&reset, json!({})).await.0, 204);
    let (s, e) = sec.post(&reset, json!({})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("second_factor_not_set")), "{e}");
    let (s, own) = sec.post("/api/v1/users/1/second-factor/reset", json!({})).await;
    assert_eq!((s, own["error"]["code"].as_str()), (409, Some("cannot_reset_own_second_factor")), "{own}");
    let fresh = Browser::new(&app.base);
    let res = fresh.sign_in("clerk", PASSWORD).await;
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/account"), "set up anew");
    fresh.post("/account/second-factor", &[]).await;
    let code = current_code(&app, "clerk").await;
    assert_eq!(fresh.post("/account/second-factor/confirm", &[("code", &code)]).await.status(), 200);
    let url = app.database_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_zaizao"))
            .args(["--database-url", &url, "user", "reset-second-factor", "clerk"])
            .output()
            .expect("run")
    })
    .await
    .expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cleared = app
        .db
        .read(move |tx| {
            Ok(tx.count("SELECT COUNT(*) FROM users WHERE id = $1 AND totp_secret IS NULL", zaizao::params![clerk])?)
        })
        .await
        .expect("count");
    assert_eq!(cleared, 1, "cleared from the host");
}

#[tokio::test]
async fn the_security_administrators_home_lists_the_locked_out_accounts() {
    let app = TestApp::spawn().await;
    app.user("sec", "security_admin", None, None).await;
    let (dept, _, _) = app.department("fgw", "public").await;
    let clerk = app.user("clerk", "staff", Some(dept), None).await;
    let stranger = Browser::new(&app.base);
    for _ in 0..5 {
        assert_eq!(stranger.sign_in("clerk", "Wrong-guess-2019").await.status(), 422);
    }
    let sec = app.browser("sec").await;
    let link = format!("/admin/users/{clerk}");
    let (_, home) = sec.text("/").await;
    assert!(home.contains("clerk 测试") && home.contains(&link), "the locked account is in the queue: {home}");
    let (_, locked) = sec.text("/admin/users?status=locked").await;
    assert!(locked.contains(&link), "{locked}");
    assert!(sec.post(&format!("{link}/unlock"), &[]).await.status().is_redirection());
    let (_, home) = sec.text("/").await;
    assert!(!home.contains(&link), "unlocked: off the queue");
}
