//! 三员分立: the system, security and audit administrators each keep their own duty, none
//! reads business records, and none can change or remove an audit entry.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct Admins {
    system: Api,
    security: Api,
    audit: Api,
    security_id: i64,
    audit_id: i64,
}

async fn admins(app: &TestApp) -> Admins {
    app.user("sys", "system_admin", None, None).await;
    let security_id = app.user("sec", "security_admin", None, None).await;
    let audit_id = app.user("aud", "audit_admin", None, None).await;
    Admins {
        system: app.api(&app.token("sys", &["read", "write"]).await),
        security: app.api(&app.token("sec", &["read", "write"]).await),
        audit: app.api(&app.token("aud", &["read", "write"]).await),
        security_id,
        audit_id,
    }
}

fn refused(reply: &(u16, Value), code: &str) {
    assert_eq!(reply.0, 403, "{:?}", reply.1);
    assert_eq!(reply.1["error"]["code"], code, "{:?}", reply.1);
}

#[tokio::test]
async fn each_administrator_does_only_their_own_duty() {
    let app = TestApp::spawn().await;
    let a = admins(&app).await;
    let department = json!({ "code": "fgw", "name": "市发展改革委", "kind": "other" });

    let (s, dept) = a.system.post("/api/v1/departments", department.clone()).await;
    assert_eq!(s, 201, "{dept:?}");
    for other in [&a.security, &a.audit] {
        assert_eq!(
            other.post("/api/v1/departments", json!({ "code": "x", "name": "x 局", "kind": "other" })).await.0,
            403
        );
    }

    let clerk = json!({ "username": "clerk", "display_name": "李科员", "role": "staff",
        "department_id": dept["id"], "password": "Li-keyuan-2019!" });
    let (s, clerk) = a.system.post("/api/v1/users", clerk).await;
    assert_eq!(s, 201, "{clerk:?}");
    let clerk_id = clerk["id"].as_i64().expect("id");
    let auditor =
        json!({ "username": "aud2", "display_name": "审计二", "role": "audit_admin", "password": "Audit-2019-qd!" });
    refused(&a.system.post("/api/v1/users", auditor).await, "not_your_duty");
    assert_eq!(a.security.post("/api/v1/users", json!({})).await.0, 403);

    let promote = json!({ "display_name": "李科员", "role": "dept_head", "department_id": dept["id"] });
    refused(&a.system.put(&format!("/api/v1/users/{clerk_id}"), promote).await, "role_change_not_your_duty");
    assert_eq!(a.system.put(&format!("/api/v1/users/{clerk_id}/role"), json!({ "role": "dept_head" })).await.0, 403);
    let (s, promoted) = a.security.put(&format!("/api/v1/users/{clerk_id}/role"), json!({ "role": "dept_head" })).await;
    assert_eq!((s, promoted["role"].as_str()), (200, Some("dept_head")), "{promoted:?}");
    let own = a.security.put(&format!("/api/v1/users/{}/role", a.security_id), json!({ "role": "system_admin" })).await;
    assert_eq!((own.0, own.1["error"]["code"].as_str()), (409, Some("cannot_change_own_role")));
    assert_eq!(a.security.put(&format!("/api/v1/users/{clerk_id}/role"), json!({ "role": "king" })).await.0, 422);

    refused(
        &a.system.post(&format!("/api/v1/users/{}/status", a.audit_id), json!({ "active": false })).await,
        "not_your_duty",
    );
    let reset = json!({ "password": "Another-2019-qd!" });
    refused(&a.system.post(&format!("/api/v1/users/{}/password", a.security_id), reset).await, "not_your_duty");
    assert_eq!(a.audit.get("/api/v1/users").await.0, 403);
    assert_eq!(a.security.get("/api/v1/users").await.0, 200);

    refused(&a.system.put("/api/v1/settings/security.idle_minutes", json!({ "value": 20 })).await, "not_your_duty");
    assert_eq!(a.security.put("/api/v1/settings/security.idle_minutes", json!({ "value": 20 })).await.0, 200);
    refused(
        &a.security.put("/api/v1/settings/evaluation.assessment_weight", json!({ "value": 60 })).await,
        "not_your_duty",
    );
    assert_eq!(a.system.put("/api/v1/settings/evaluation.assessment_weight", json!({ "value": 60 })).await.0, 200);
    assert_eq!(a.audit.put("/api/v1/settings/security.idle_minutes", json!({ "value": 25 })).await.0, 403);

    for business in ["/api/v1/leads", "/api/v1/tasks", "/api/v1/search?q=局"] {
        for admin in [&a.system, &a.security, &a.audit] {
            assert_eq!(admin.get(business).await.0, 403, "{business}");
        }
    }

    assert_eq!(a.system.get("/api/v1/audit").await.0, 403);
    assert_eq!(a.security.get("/api/v1/audit").await.0, 403);
    let (s, verified) = a.audit.get("/api/v1/audit/verify").await;
    assert_eq!((s, verified["ok"].as_bool()), (200, Some(true)));
    for (actor, action, kind) in [
        ("sys", "create", "department"),
        ("sys", "create", "user"),
        ("sec", "set_role", "user"),
        ("sec", "set", "setting"),
    ] {
        let (s, entries) = a.audit.get(&format!("/api/v1/audit?actor={actor}&kind={kind}")).await;
        assert_eq!(s, 200);
        assert!(
            entries.as_array().expect("entries").iter().any(|e| e["action"] == action),
            "{actor} {action} {kind}: {entries:?}"
        );
    }
}

#[tokio::test]
async fn no_administrator_can_change_or_remove_an_audit_entry() {
    let app = TestApp::spawn().await;
    let a = admins(&app).await;
    assert_eq!(
        a.system.post("/api/v1/departments", json!({ "code": "fgw", "name": "市发展改革委", "kind": "other" })).await.0,
        201
    );
    let (_, entries) = a.audit.get("/api/v1/audit").await;
    let first = entries.as_array().and_then(|e| e.last()).expect("an entry")["id"].as_i64().expect("id");
    let before = app.count("audit_log").await;
    for admin in [&a.system, &a.security, &a.audit] {
        for method in ["DELETE", "PUT", "PATCH", "POST"] {
            for path in [format!("/api/v1/audit/{first}"), "/api/v1/audit".to_owned()] {
                let (s, _) = admin.send(method, &path, json!({ "actor": "nobody" })).await;
                assert!((403..=405).contains(&s), "{method} {path}: {s}");
            }
        }
    }
    assert_eq!(app.count("audit_log").await, before);
    assert!(app.verify().await.ok);
}
