//! Mechanism 5: associations kept like departments; one dispatch reaches a department
//! and an association, with read receipts, acknowledgement, feedback and the overdue
//! unread reminded; every bad input refused unchanged.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    issuer: Api,
    receiver: Api,
    outsider: Api,
    association: Api,
    gxj: i64,
    swj: i64,
    gxj_division: i64,
    receiver_id: i64,
    association_id: i64,
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (fgw, fgw_division, _) = app.department("fgw", "public").await;
    let (gxj, gxj_division, _) = app.department("gxj", "public").await;
    let (swj, _, _) = app.department("swj", "public").await;
    app.user("root", "system_admin", None, None).await;
    app.user("lin", "staff", Some(fgw), Some(fgw_division)).await;
    let receiver_id = app.user("zhao", "staff", Some(gxj), None).await;
    app.user("qian", "staff", Some(swj), None).await;
    let admin = app.api(&app.token("root", &["read", "write"]).await);
    let (s, e) = admin
        .post("/api/v1/enterprises", json!({ "name": "青岛市海洋产业协会", "legal_representative": "王海涛" }))
        .await;
    assert_eq!(s, 201, "{e}");
    let account = app.user("hyxh", "association", None, None).await;
    let (s, linked) =
        admin.post(&format!("/api/v1/enterprises/{}/account", e["id"]), json!({ "user_id": account })).await;
    assert_eq!(s, 200, "{linked}");
    let keeper = app.api(&app.token("lin", &["read", "write"]).await);
    let (s, a) = keeper
        .post(
            "/api/v1/associations",
            json!({ "enterprise_id": e["id"], "kind": "association", "industries": ["海洋", "海洋"], "head_name": "王海涛" }),
        )
        .await;
    assert_eq!((s, a["industries"].as_array().map(Vec::len)), (201, Some(1)), "{a}");
    City {
        issuer: app.api(&app.token("lin", &["read", "write"]).await),
        receiver: app.api(&app.token("zhao", &["read", "write"]).await),
        outsider: app.api(&app.token("qian", &["read", "write"]).await),
        association: app.api(&app.token("hyxh", &["read", "write"]).await),
        association_id: a["id"].as_i64().unwrap_or(0),
        app,
        gxj,
        swj,
        gxj_division,
        receiver_id,
    }
}

fn document(c: &City, number: &str) -> Value {
    json!({
        "number": number,
        "title": "关于建立行业协会商会参与经济工作会议制度的通知",
        "body": "各有关部门、行业协会商会：\n为发挥行业协会商会作用，现将有关事项通知如下。",
        "classification": "internal",
        "issued_on": "2019-04-10",
        "department_ids": [c.gxj],
        "association_ids": [c.association_id],
    })
}

#[tokio::test]
async fn one_dispatch_reaches_a_department_and_an_association_with_read_receipts() {
    let c = city().await;
    let (s, d) = c.issuer.post("/api/v1/documents", document(&c, "青发改〔2019〕5号")).await;
    assert_eq!((s, d["recipient_count"].as_i64()), (201, Some(2)), "{d}");
    assert_eq!(d["read_by"], "2019-04-15", "three working days after Wednesday the 10th");
    let path = format!("/api/v1/documents/{}", d["id"]);
    for who in [&c.receiver, &c.association] {
        let (s, list) = who.get("/api/v1/documents?unread=true").await;
        assert_eq!((s, list["total"].as_i64()), (200, Some(1)), "{list}");
    }
    let (_, inbox) = c.association.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("青发改〔2019〕5号"), "told in the inbox: {inbox}");

    let (s, r) = c.association.post(&format!("{path}/read"), json!({})).await;
    assert_eq!((s, r["first"].as_bool()), (200, Some(true)), "{r}");
    let (s, r) = c.association.post(&format!("{path}/read"), json!({})).await;
    assert_eq!((s, r["first"].as_bool()), (200, Some(false)), "the first opening is kept: {r}");
    let (s, e) = c.association.post(&format!("{path}/read"), json!({ "user_id": c.receiver_id })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("receipt_for_other")), "{e}");
    let (s, e) = c.outsider.post(&format!("{path}/read"), json!({})).await;
    assert_eq!(s, 404, "not a recipient: {e}");
    assert_eq!(c.outsider.get(&path).await.0, 404);

    let (s, r) = c.receiver.post(&format!("{path}/acknowledge"), json!({})).await;
    assert_eq!((s, r["readers"].as_array().map(Vec::len)), (200, Some(1)), "acknowledging reads it: {r}");
    let (s, e) = c.receiver.post(&format!("{path}/acknowledge"), json!({})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("already_acknowledged")), "{e}");
    let (s, r) =
        c.association.post(&format!("{path}/feedback"), json!({ "feedback": "协会将组织会员企业学习落实。" })).await;
    assert_eq!(s, 200, "{r}");

    let (s, detail) = c.issuer.get(&path).await;
    assert_eq!(
        (s, detail["standing"].as_str(), detail["read_count"].as_i64()),
        (200, Some("issuer"), Some(2)),
        "{detail}"
    );
    let recipients = detail["recipients"].as_array().cloned().unwrap_or_default();
    let association = recipients.iter().find(|r| r["kind"] == "association").cloned().unwrap_or_default();
    assert_eq!(association["feedback"], "协会将组织会员企业学习落实。");
    assert!(association["readers"].to_string().contains("hyxh"), "{association}");
    let (s, mine) = c.association.get(&path).await;
    assert_eq!(
        (s, mine["recipients"].as_array().map(Vec::len)),
        (200, Some(0)),
        "a recipient sees its own row: {mine}"
    );
    let search = format!("/api/v1/search?q={}", zaizao::kernel::web::list::url_encode("协会商会参与经济工作会议"));
    let (s, found) = c.receiver.get(&search).await;
    let kinds: Vec<&str> =
        found["hits"].as_array().map(|h| h.iter().filter_map(|x| x["kind"].as_str()).collect()).unwrap_or_default();
    assert_eq!((s, kinds), (200, vec!["document"]), "a receiving department finds it: {found}");
    let (_, hidden) = c.outsider.get(&search).await;
    assert_eq!(hidden["total"], 0, "an internal document is not found outside its accounts: {hidden}");
    assert!(c.app.verify().await.ok, "every change is in the audit chain");
}

#[tokio::test]
async fn bad_documents_and_dispatches_are_refused_and_change_nothing() {
    let c = city().await;
    assert_eq!(c.issuer.post("/api/v1/documents", document(&c, "青发改〔2019〕5号")).await.0, 201);
    let refused = [
        (document(&c, "青发改〔2019〕5号"), 409, "document_number_taken"),
        (document(&c, "青发改(2019)6号"), 422, "bad_document_number"),
        (document(&c, "青发改〔2018〕6号"), 422, "number_year_mismatch"),
    ];
    for (body, status, code) in refused {
        let (s, e) = c.issuer.post("/api/v1/documents", body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (status, Some(code)), "{e}");
    }
    let mut secret = document(&c, "青发改〔2019〕7号");
    secret["classification"] = json!("secret");
    let (s, e) = c.issuer.post("/api/v1/documents", secret).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("secret_not_here")), "{e}");
    let mut none = document(&c, "青发改〔2019〕8号");
    none["department_ids"] = json!([]);
    none["association_ids"] = json!([]);
    let (s, e) = c.issuer.post("/api/v1/documents", none).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("no_recipients")), "{e}");

    let path = format!("/api/v1/associations/{}", c.association_id);
    let (_, a) = c.issuer.get(&path).await;
    let mut off = a.clone();
    off["active"] = json!(false);
    off["division_id"] = json!(c.gxj_division + 1000);
    let (s, e) = c.issuer.put(&path, off.clone()).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_market_allocation_division")), "{e}");
    off["division_id"] = json!(c.gxj_division);
    let (s, a) = c.issuer.put(&path, off).await;
    assert_eq!((s, a["division_name"].as_str()), (200, Some("gxj 局 · 市场配置促进处")), "{a}");
    let (s, e) = c.issuer.post("/api/v1/documents", document(&c, "青发改〔2019〕9号")).await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (422, Some("recipient_inactive"), Some("association_ids")),
        "{e}"
    );
    let (s, e) = c.association.post("/api/v1/documents", document(&c, "青发改〔2019〕9号")).await;
    assert_eq!(s, 403, "an association does not issue: {e}");
    assert_eq!(c.app.count("documents").await, 1);
    assert_eq!(c.app.count("document_recipients").await, 2);
}

#[tokio::test]
async fn a_document_unread_past_its_day_is_listed_and_reminded_once() {
    let c = city().await;
    let mut body = document(&c, "青发改〔2019〕11号");
    body["department_ids"] = json!([c.gxj, c.swj]);
    body["association_ids"] = json!([]);
    body["read_by"] = json!("2019-04-11");
    let (s, d) = c.issuer.post("/api/v1/documents", body).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(c.receiver.post(&format!("/api/v1/documents/{}/read", d["id"]), json!({})).await.0, 200);
    let (_, overdue) = c.issuer.get("/api/v1/documents/overdue").await;
    assert_eq!(overdue.as_array().map(Vec::len), Some(0), "not yet past the day: {overdue}");
    c.app.clock.advance_ms(2 * 86_400_000);
    c.app.run_scheduler().await;
    c.app.run_scheduler().await;
    let (_, overdue) = c.issuer.get("/api/v1/documents/overdue").await;
    let rows = overdue.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "only the unread account: {overdue}");
    assert!(rows[0]["reminded_at"].is_i64(), "{overdue}");
    let (_, inbox) = c.outsider.get("/api/v1/notifications").await;
    assert_eq!(inbox.to_string().matches("逾期未读").count(), 1, "reminded once: {inbox}");
    let (s, figures) = c.issuer.get("/api/v1/documents/figures").await;
    assert_eq!(s, 200);
    let swj = figures.as_array().and_then(|f| f.iter().find(|r| r["overdue"] == 1).cloned()).unwrap_or_default();
    assert_eq!((swj["delivered"].as_i64(), swj["read"].as_i64()), (Some(1), Some(0)), "{figures}");
}
