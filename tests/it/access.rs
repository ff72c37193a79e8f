use serde_json::{Value, json};

use crate::support::TestApp;

/// Endpoints any signed-in user may use on their own account.
const OWN_ACCOUNT: [&str; 7] = [
    "/api/v1/auth/tokens",
    "/api/v1/tokens",
    "/api/v1/tokens/{id}/revoke",
    "/api/v1/me",
    "/api/v1/me/notification-preferences",
    "/api/v1/me/directives",
    "/api/v1/me/enterprise",
];

async fn operations(app: &TestApp) -> Vec<(String, String)> {
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.expect("doc").json().await.expect("json");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(ops.len() >= 30, "the API is documented");
    ops
}

async fn call(app: &TestApp, token: Option<&str>, method: &str, path: &str) -> u16 {
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = reqwest::Client::new().request(m, app.url(&path.replace("{id}", "1")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if method != "GET" {
        req = req.json(&json!({}));
    }
    req.send().await.expect("send").status().as_u16()
}

#[tokio::test]
async fn every_endpoint_refuses_callers_without_the_right_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (dept, division, _) = app.department("fgw", "public").await;
    app.user("admin", "system_admin", None, None).await;
    app.user("staff1", "staff", Some(dept), Some(division)).await;
    app.user("firm", "enterprise", None, None).await;
    let admin = app.token("admin", &["read", "write"]).await;
    app.api(&admin).post("/api/v1/people", json!({ "name": "林志强" })).await;
    let staff = app.token("staff1", &["read", "write"]).await;
    let firm = app.token("firm", &["read", "write"]).await;
    let before = app.count("audit_log").await;

    for (method, path) in operations(&app).await {
        let public = path == "/api/v1/auth/tokens"
            || path == "/api/v1/public/support-packages"
            || path == "/api/v1/public/survey-responses"
            || path.starts_with("/api/v1/public/hearings")
            || path == "/api/v1/ratings"
            || path.starts_with("/api/v1/callbacks")
            || path.starts_with("/api/v1/leads/track/")
            || (method == "GET" && path == "/api/v1/exposures")
            || (method == "GET" && (path.starts_with("/api/v1/calendar/") || path.starts_with("/api/v1/invitations/")));
        if !public {
            assert_eq!(call(&app, None, &method, &path).await, 401, "anonymous {method} {path}");
        }
        if OWN_ACCOUNT.contains(&path.as_str()) {
            continue;
        }
        // Notes and directives are read and answered only by those they are addressed to.
        if public || path.starts_with("/api/v1/notifications") || path.starts_with("/api/v1/directives") {
            continue;
        }
        if path.starts_with("/api/v1/plans")
            || path.starts_with("/api/v1/hearing")
            || path == "/api/v1/me/calendar-feed"
        {
            // Anyone signed in asks, votes (the panel) and reads a hearing; the rest is
            // government's, decided per plan and hearing (see tests::hearings).
            let takes_part = path == "/api/v1/me/calendar-feed"
                || (path.starts_with("/api/v1/hearings/")
                    && !path.starts_with("/api/v1/hearings/figures")
                    && !path.starts_with("/api/v1/hearings/people")
                    && (method == "GET" || path.ends_with("/questions") || path.ends_with("/votes")));
            if !takes_part {
                assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            }
            continue;
        }
        if path.starts_with("/api/v1/ideas") {
            // Enterprises, evaluators and government each hold their part; which idea is
            // decided per record (see tests::ideas).
            let packages = path.starts_with("/api/v1/ideas/packages");
            let criteria = method == "POST" && path == "/api/v1/ideas/criteria";
            let submits = !packages
                && ((method == "POST" && path == "/api/v1/ideas")
                    || (method == "PUT" && path.starts_with("/api/v1/ideas/"))
                    || path.ends_with("/submit")
                    || (method == "POST" && path.ends_with("/attachments")));
            let evaluates = path.ends_with("/report") || path.ends_with("/recuse") || path == "/api/v1/ideas/ties";
            let handles = path.ends_with("/decisions")
                || path.ends_with("/commissions")
                || path.starts_with("/api/v1/ideas/evaluators")
                || path.starts_with("/api/v1/ideas/figures")
                || (packages && method != "GET" && !path.ends_with("/transitions"));
            if submits || evaluates || criteria {
                assert_eq!(call(&app, Some(&staff), &method, &path).await, 403, "staff {method} {path}");
            }
            if handles || evaluates || criteria {
                assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            }
            continue;
        }
        if path.starts_with("/api/v1/associations") || path.starts_with("/api/v1/documents") {
            // Government and the associations' accounts; which document each may see and
            // answer is decided per record (see tests::market). Enterprises are refused.
            assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            continue;
        }
        let market =
            ["/api/v1/meetings", "/api/v1/meeting-decisions", "/api/v1/market-questions", "/api/v1/market-divisions"];
        if market.iter().any(|p| path.starts_with(p)) || path == "/api/v1/direct-line/figures" {
            // Government's (and, for meetings, the invited associations'): each meeting's
            // keeping is its convener's (see tests::meetings_and_direct_line).
            assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            continue;
        }
        let policies = [
            "/api/v1/policies",
            "/api/v1/policy-applications",
            "/api/v1/law-firms",
            "/api/v1/service-cases",
            "/api/v1/policy-notices",
            "/api/v1/survey-campaigns",
            "/api/v1/public/survey-responses",
        ];
        if policies.iter().any(|p| path.starts_with(p)) {
            // Anyone signed in reads the policy registry; applications, cases and notices
            // are decided per record (see tests::policies). Keeping the registry is
            // government's, serving is the firms', answering is the departments'.
            let keeps = method != "GET"
                && (path.starts_with("/api/v1/policies")
                    && !path.ends_with("/applications")
                    && !path.ends_with("/applicable")
                    || path.starts_with("/api/v1/survey-campaigns")
                    || path.starts_with("/api/v1/law-firms"));
            let answers = path.ends_with("/decision") || path.ends_with("/response");
            if keeps || answers {
                assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            }
            let serves = path.ends_with("/take")
                || path.ends_with("/close")
                || (path == "/api/v1/policy-notices" && method == "POST");
            if serves {
                assert_eq!(call(&app, Some(&staff), &method, &path).await, 403, "staff {method} {path}");
            }
            continue;
        }
        if path.starts_with("/api/v1/assessment") {
            // The departments' assessment is for those who see rankings, not for staff.
            assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            assert_eq!(call(&app, Some(&staff), &method, &path).await, 403, "staff {method} {path}");
            continue;
        }
        if path.starts_with("/api/v1/me/second-factor") {
            // One's own second factor: every signed-in person (see tests::auth).
            continue;
        }
        if path.starts_with("/api/v1/second-factor") && method == "PUT" {
            // The security administrator's duty (see tests::duties and tests::auth).
            assert_eq!(call(&app, Some(&staff), &method, &path).await, 403, "staff {method} {path}");
            assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            continue;
        }
        if path.starts_with("/api/v1/direct-line") {
            // Enterprises and government both hold threads; which thread each takes part
            // in is decided per thread (see tests::meetings_and_direct_line).
            continue;
        }
        let coordination = [
            "/api/v1/matters",
            "/api/v1/tasks",
            "/api/v1/extensions",
            "/api/v1/attachments",
            "/api/v1/coordination",
            "/api/v1/processes",
            "/api/v1/interactions",
            "/api/v1/ratings/mine",
            "/api/v1/evaluation",
            "/api/v1/bad-reviews",
            "/api/v1/interviews",
            "/api/v1/adjustments",
            "/api/v1/settings",
            "/api/v1/pool",
            "/api/v1/leads",
            "/api/v1/exposures",
            "/api/v1/work-teams",
            "/api/v1/enterprises",
            "/api/v1/investment",
            "/api/v1/search",
        ]
        .iter()
        .any(|p| path.starts_with(p));
        if coordination {
            // Government roles reach these; what they may do to each record is checked
            // per record (see tests::coordination). Outsiders are refused outright.
            assert_eq!(call(&app, Some(&firm), &method, &path).await, 403, "enterprise {method} {path}");
            let admin_only = path.starts_with("/api/v1/search/");
            if admin_only
                || (path.starts_with("/api/v1/processes/") || path.starts_with("/api/v1/settings")) && method == "PUT"
            {
                assert_eq!(call(&app, Some(&staff), &method, &path).await, 403, "staff {method} {path}");
            }
            continue;
        }
        let admin_only = method != "GET"
            || path.starts_with("/api/v1/users")
            || path.starts_with("/api/v1/audit")
            || path.starts_with("/api/v1/open311")
            || path.starts_with("/api/v1/deliveries");
        let staff_status = call(&app, Some(&staff), &method, &path).await;
        if admin_only {
            assert_eq!(staff_status, 403, "staff {method} {path}");
        } else {
            assert!(staff_status == 200 || staff_status == 404, "staff {method} {path}: {staff_status}");
        }
        let people =
            path.starts_with("/api/v1/people") || path.starts_with("/api/v1/portfolios") || path.ends_with("/staff");
        let firm_status = call(&app, Some(&firm), &method, &path).await;
        if admin_only || people {
            assert_eq!(firm_status, 403, "enterprise {method} {path}");
        }
    }
    assert_eq!(app.count("audit_log").await, before, "nothing changed");

    let (status, _) = app.api(&staff).post("/api/v1/tokens/1/revoke", json!({})).await;
    assert_eq!(status, 404, "another user's token is not even shown to exist");
    assert_eq!(app.count("audit_log").await, before);
}

#[tokio::test]
async fn confidential_records_are_seen_only_inside_their_department() {
    let app = TestApp::spawn().await;
    let (secret, _, _) = app.department("jw", "confidential").await;
    let (other, _, _) = app.department("swj", "public").await;
    app.user("insider", "staff", Some(secret), None).await;
    app.user("outsider", "staff", Some(other), None).await;
    app.user("firm", "enterprise", None, None).await;
    let insider = app.api(&app.token("insider", &["read"]).await);
    let outsider = app.api(&app.token("outsider", &["read"]).await);
    let firm = app.api(&app.token("firm", &["read"]).await);

    assert_eq!(insider.get(&format!("/api/v1/departments/{secret}")).await.0, 200);
    assert_eq!(outsider.get(&format!("/api/v1/departments/{secret}")).await.0, 404);
    assert_eq!(firm.get(&format!("/api/v1/departments/{secret}")).await.0, 404);
    let (_, list) = outsider.get("/api/v1/departments").await;
    assert_eq!(list["total"], 1, "hidden from lists too");
    let (_, list) = insider.get("/api/v1/departments").await;
    assert_eq!(list["total"], 2);

    let b = app.browser("outsider").await;
    assert_eq!(b.get(&format!("/org/departments/{secret}")).await.status(), 404);
    let (_, page) = b.text("/org").await;
    assert!(!page.contains("jw 局"));
}

#[tokio::test]
async fn pages_refuse_people_without_the_right() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "public").await;
    app.user("staff1", "staff", Some(dept), None).await;
    app.user("firm", "enterprise", None, None).await;
    let staff = app.browser("staff1").await;
    for path in ["/admin/users", "/admin/users/new", "/admin/audit", "/org/departments/new", "/org/people/new"] {
        assert_eq!(staff.get(path).await.status(), 403, "staff GET {path}");
    }
    let before = app.count("audit_log").await;
    for path in ["/org/departments", "/admin/users", &format!("/org/departments/{dept}/status")] {
        let res = staff.post(path, &[("code", "x"), ("name", "x"), ("kind", "other"), ("active", "false")]).await;
        assert_eq!(res.status(), 403, "staff POST {path}");
    }
    assert_eq!(app.count("audit_log").await, before);
    let firm = app.browser("firm").await;
    assert_eq!(firm.get("/org/people").await.status(), 403);
    let anon = crate::support::Browser::new(&app.base);
    let res = anon.get("/org/people").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/org/people");
}
