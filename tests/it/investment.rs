//! Mechanism 2: platforms, events and the projects they bring, followed to 投产 on the
//! workflow kernel with exact amounts; and the open catalogue that publishes them without
//! personal data, through its files, CKAN, the Data Package and DCAT.

use serde_json::{Value, json};

use crate::support::{Api, TestApp};

struct City {
    app: TestApp,
    staff: Api,
    head: Api,
    other: Api,
    firm: Api,
    swj: i64,
    staff_id: i64,
}

async fn city() -> City {
    let app = TestApp::spawn().await;
    let (swj, _, _) = app.department("swj", "public").await;
    let (fgw, _, _) = app.department("fgw", "public").await;
    let staff_id = app.user("lin", "staff", Some(swj), None).await;
    app.user("chen", "dept_head", Some(swj), None).await;
    app.user("zhao", "staff", Some(fgw), None).await;
    app.user("firm", "enterprise", None, None).await;
    let staff = app.api(&app.token("lin", &["read", "write"]).await);
    let head = app.api(&app.token("chen", &["read", "write"]).await);
    let other = app.api(&app.token("zhao", &["read", "write"]).await);
    let firm = app.api(&app.token("firm", &["read", "write"]).await);
    City { app, staff, head, other, firm, swj, staff_id }
}

/// A caller without an account.
struct Public(String);

impl Public {
    async fn get(&self, path: &str) -> (u16, Value) {
        let res = reqwest::get(format!("{}{path}", self.0)).await.expect("get");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = reqwest::Client::new().post(format!("{}{path}", self.0)).json(&body).send().await.expect("post");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }
}

fn project(c: &City, amount: Value, extra: Value) -> Value {
    let mut body = json!({
        "title": "轨道交通装备产业园",
        "enterprise_name": "中国中车股份有限公司",
        "sector": "高端装备",
        "district": "城阳区",
        "amount_yuan": amount,
        "department_id": c.swj,
        "responsible_id": c.staff_id,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

/// Issue #14's bad input: an invalid credit code names the expected check character; a
/// negative, fractional-fen or non-numeric amount is refused per field; nothing is stored.
#[tokio::test]
async fn bad_projects_are_refused_per_field_and_change_nothing() {
    let c = city().await;
    for (amount, code) in [
        (json!("-5"), "negative_amount"),
        (json!("12.345"), "fractional_fen"),
        (json!(1.005), "fractional_fen"),
        (json!("两千万"), "bad_amount"),
        (json!(null), "required"),
    ] {
        let (s, e) = c.staff.post("/api/v1/investment/projects", project(&c, amount.clone(), json!({}))).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some(code), Some("amount_yuan")),
            "{amount}: {e}"
        );
    }
    let (s, e) = c
        .staff
        .post(
            "/api/v1/investment/projects",
            project(&c, json!("100"), json!({ "enterprise_uscc": "91370200163562681H" })),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str(), e["error"]["detail"].as_str()),
        (422, Some("bad_uscc_check"), Some("enterprise_uscc"), Some("G")),
        "{e}"
    );
    let (s, e) = c.other.post("/api/v1/investment/projects", project(&c, json!("100"), json!({}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_your_department")), "another unit's staff: {e}");
    let (s, _) = c.firm.post("/api/v1/investment/projects", project(&c, json!("100"), json!({}))).await;
    assert_eq!(s, 403, "an enterprise records no projects");
    assert_eq!(c.firm.get("/api/v1/investment/projects").await.0, 403, "nor reads them");
    c.app.user("mayor", "leader", None, None).await;
    c.app.user("resident", "public", None, None).await;
    let mayor = c.app.api(&c.app.token("mayor", &["read", "write"]).await);
    let resident = c.app.api(&c.app.token("resident", &["read"]).await);
    assert_eq!(mayor.get("/api/v1/investment/figures").await.0, 200, "leaders see every figure");
    assert_eq!(resident.get("/api/v1/investment/figures").await.0, 403, "the public reads the open catalogue instead");
    let (s, e) = mayor.post("/api/v1/investment/projects", project(&c, json!("-1"), json!({}))).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("negative_amount")),
        "a leader records for any unit, checked alike"
    );
    assert_eq!(c.app.count("projects").await, 0);
    assert_eq!(c.app.count("enterprises").await, 0, "no enterprise gathered by a refused project");
}

/// A project is followed from 洽谈 to 投产 with exact amounts: each stage's day is kept,
/// a skipped stage needs a reason, another unit's staff cannot move it, and a project that
/// does not move turns red, is escalated to the unit's head, and shows in the figures.
#[tokio::test]
async fn projects_move_through_stages_stall_and_are_counted() {
    let c = city().await;
    let (s, p) = c
        .staff
        .post(
            "/api/v1/investment/projects",
            project(&c, json!("23500000000.01"), json!({ "enterprise_uscc": "91370200163562681g" })),
        )
        .await;
    assert_eq!(
        (s, p["state"].as_str(), p["amount_fen"].as_i64()),
        (201, Some("negotiating"), Some(2_350_000_000_001)),
        "{p}"
    );
    assert_eq!(p["amount_yuan"], "23,500,000,000.01");
    assert_eq!(p["enterprise_uscc"], "91370200163562681G", "the enterprise is gathered into the registry");
    assert!(p["deadline"].as_str().is_some_and(|d| d > "2019-04-10"), "{p}");
    let id = p["id"].as_i64().expect("id");
    async fn go(api: &Api, id: i64, transition: &str, note: Option<&str>) -> (u16, Value) {
        let body = json!({ "transition": transition, "note": note });
        api.post(&format!("/api/v1/investment/projects/{id}/transitions"), body).await
    }

    let (_, found) = c.head.get("/api/v1/search?q=%E8%BD%A8%E9%81%93%E4%BA%A4%E9%80%9A").await;
    assert!(
        found["hits"].as_array().is_some_and(|h| h.iter().any(|x| x["kind"] == "project" && x["id"] == id)),
        "found by Chinese search: {found}"
    );
    let (_, unseen) = c.firm.get("/api/v1/search?q=%E8%BD%A8%E9%81%93%E4%BA%A4%E9%80%9A").await;
    assert!(!unseen.to_string().contains("\"project\""), "not by an enterprise: {unseen}");
    let (s, e) = go(&c.staff, id, "land_unsigned", None).await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (422, Some("required"), Some("note")),
        "{e}"
    );
    let (s, _) = go(&c.other, id, "sign", None).await;
    assert_eq!(s, 403, "another unit's staff cannot move it");
    let (s, e) = go(&c.staff, id, "produce", None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("illegal_transition")));
    let (s, signed) = go(&c.staff, id, "sign", None).await;
    assert_eq!(
        (s, signed["state"].as_str(), signed["signed_on"].as_str()),
        (200, Some("signed"), Some("2019-04-10")),
        "{signed}"
    );

    // Six weeks without a stage change: stalled, red, and the head is told.
    c.app.clock.advance_ms(42 * 86_400_000);
    let staff = c.app.api(&c.app.token("lin", &["read", "write"]).await);
    let head = c.app.api(&c.app.token("chen", &["read", "write"]).await);
    let (_, red) = staff.get("/api/v1/investment/projects?light=red").await;
    assert_eq!(red["items"][0]["id"].as_i64(), Some(id), "{red}");
    assert_eq!(red["items"][0]["light"], "red");
    c.app.run_scheduler().await;
    let (_, inbox) = head.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("轨道交通装备产业园"), "the head hears of the stalled project: {inbox}");
    let (_, yellow) = staff.get("/api/v1/investment/projects?light=yellow").await;
    assert_eq!(yellow["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(staff.get("/api/v1/investment/projects?light=blue").await.0, 422);

    let (s, landed) =
        head.post(&format!("/api/v1/investment/projects/{id}/transitions"), json!({ "transition": "land" })).await;
    assert_eq!((s, landed["light"].as_str()), (200, Some("green")), "a stage change gives it a fresh date: {landed}");
    let (s, done) =
        staff.post(&format!("/api/v1/investment/projects/{id}/transitions"), json!({ "transition": "produce" })).await;
    assert_eq!((s, done["state"].as_str(), done["deadline"].as_str()), (200, Some("producing"), None), "{done}");
    assert!(done["landed_on"].as_str().is_some_and(|d| d > "2019-05-01"));

    let (_, by_platform) = staff.get("/api/v1/investment/figures?group=district&period=2019-Q2").await;
    let row = &by_platform[0];
    assert_eq!(
        (row["name"].as_str(), row["signed"].as_i64(), row["signed_fen"].as_i64()),
        (Some("城阳区"), Some(1), Some(2_350_000_000_001)),
        "{by_platform}"
    );
    assert_eq!(row["previous"]["signed"].as_i64(), Some(0), "the quarter before");
    let (_, y2020) = staff.get("/api/v1/investment/figures?group=district&period=2020").await;
    assert_eq!(
        (y2020[0]["signed"].as_i64(), y2020[0]["previous"]["signed"].as_i64()),
        (Some(0), Some(1)),
        "a year with nothing, 2019 beside it: {y2020}"
    );
    let (_, y2021) = staff.get("/api/v1/investment/figures?group=district&period=2021").await;
    assert_eq!(y2021.as_array().map(Vec::len), Some(0), "{y2021}");
    assert_eq!(staff.get("/api/v1/investment/figures?group=colour").await.0, 422);
    c.app.user("root", "audit_admin", None, None).await;
    let admin = c.app.api(&c.app.token("root", &["read"]).await);
    let (_, history) = admin.get(&format!("/api/v1/audit?kind=project&record_id={id}")).await;
    assert!(history.to_string().contains("transition:produce"), "every stage change is audited");
}

/// Events keep their meetings and a follow-up list of the enterprises met, each gathered
/// into the registry once; platforms are entrusted with cohorts whose members qualify.
#[tokio::test]
async fn events_gather_contacts_and_platforms_carry_cohorts() {
    let c = city().await;
    let (s, platform) = c
        .staff
        .post("/api/v1/investment/platforms", json!({ "name": "华为", "kind": "enterprise", "department_id": c.swj }))
        .await;
    assert_eq!(s, 201, "{platform}");
    let pid = platform["id"].as_i64().expect("id");
    let (s, e) = c
        .staff
        .post("/api/v1/investment/platforms", json!({ "name": "x", "kind": "moon", "department_id": c.swj }))
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("kind")));
    let (s, event) = c
        .staff
        .post(
            "/api/v1/investment/events",
            json!({ "name": "2019春季央企青岛行", "held_on": "2019-04-10", "department_id": c.swj, "platform_ids": [pid] }),
        )
        .await;
    assert_eq!((s, event["platforms"][0]["name"].as_str()), (201, Some("华为")), "{event}");
    let eid = event["id"].as_i64().expect("id");
    let (s, e) = c
        .staff
        .post(
            &format!("/api/v1/investment/events/{eid}/meetings"),
            json!({ "timing": "before", "held_on": "2019-04-20", "title": "对接" }),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("meeting_date_side")));
    let (s, _) = c
        .staff
        .post(
            &format!("/api/v1/investment/events/{eid}/meetings"),
            json!({ "timing": "after", "held_on": "2019-04-20", "title": "会后对接" }),
        )
        .await;
    assert_eq!(s, 201);
    let contact = json!({ "enterprise_name": "中国船舶集团有限公司", "contact_name": "王经理", "contact_phone": "13900000000", "responsible_id": c.staff_id, "next_step": "约谈" });
    let (s, first) = c.staff.post(&format!("/api/v1/investment/events/{eid}/contacts"), contact.clone()).await;
    assert_eq!(s, 201, "{first}");
    let mut again = contact.clone();
    again["enterprise_id"] = first["enterprise_id"].clone();
    let (s, e) = c.staff.post(&format!("/api/v1/investment/events/{eid}/contacts"), again).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("contact_exists")));
    let (s, followed) = c
        .staff
        .put(
            &format!("/api/v1/investment/contacts/{}", first["id"]),
            json!({ "next_step": "已签约", "status": "project" }),
        )
        .await;
    assert_eq!((s, followed["status"].as_str()), (200, Some("project")));
    assert_eq!(
        c.other
            .put(
                &format!("/api/v1/investment/contacts/{}", first["id"]),
                json!({ "next_step": "x", "status": "closed" })
            )
            .await
            .0,
        403
    );
    let (s, next) = c.staff.post(&format!("/api/v1/investment/events/{eid}/next"), json!({})).await;
    assert_eq!(
        (s, next["name"].as_str(), next["held_on"].as_str(), next["platforms"][0]["name"].as_str()),
        (201, Some("2020春季央企青岛行"), Some("2020-04-10"), Some("华为")),
        "next year's edition: {next}"
    );
    let (_, detail) = c.head.get(&format!("/api/v1/investment/events/{eid}")).await;
    assert_eq!(
        (detail["meetings"].as_array().map(Vec::len), detail["contacts"].as_array().map(Vec::len)),
        (Some(1), Some(1))
    );

    let (s, cohort) = c
        .staff
        .post(
            &format!("/api/v1/investment/platforms/{pid}/cohorts"),
            json!({ "name": "新一代信息技术企业赋能升级", "opened": "华为云", "entrusted_on": "2019-03-15", "target": 1900 }),
        )
        .await;
    assert_eq!(s, 201, "{cohort}");
    let cid = cohort["id"].as_i64().expect("id");
    let (s, after) = c
        .staff
        .post(
            &format!("/api/v1/investment/cohorts/{cid}/members"),
            json!({ "enterprise_name": "青岛海纳软件科技有限公司", "joined_on": "2019-04-01" }),
        )
        .await;
    assert_eq!((s, after["members"].as_i64()), (200, Some(1)), "{after}");
    let (_, members) = c.staff.get(&format!("/api/v1/investment/cohorts/{cid}/members")).await;
    let member = members["items"][0]["enterprise_id"].as_i64().expect("member");
    let (s, q) = c
        .staff
        .put(&format!("/api/v1/investment/cohorts/{cid}/members/{member}"), json!({ "qualified_on": "2019-06-01" }))
        .await;
    assert_eq!((s, q["qualified"].as_i64()), (200, Some(1)));
    let (_, p) = c.staff.get(&format!("/api/v1/investment/platforms/{pid}")).await;
    assert_eq!(p["cohorts"][0]["target"].as_i64(), Some(1900));
}

/// The open catalogue without sign-in: no private person's name or phone in any format;
/// projects from signing on; incremental sync with removals (a merged enterprise, a
/// dropped project); CKAN's actions and error shapes at both addresses; the Data Package
/// describes the CSV as it is sent; DCAT lists each dataset.
#[tokio::test]
async fn the_open_catalogue_publishes_without_personal_data_and_speaks_ckan() {
    let c = city().await;
    let (_, p) = c
        .staff
        .post(
            "/api/v1/investment/projects",
            project(&c, json!("1000000"), json!({ "contact_name": "王经理", "contact_phone": "13912345678" })),
        )
        .await;
    let pid = p["id"].as_i64().expect("project");
    let (_, twin) = c
        .staff
        .post(
            "/api/v1/enterprises",
            json!({ "name": "中国中车股份有限公司（青岛）", "contact_name": "李四", "contact_phone": "13800001111" }),
        )
        .await;
    let public = Public(c.app.url(""));
    let (s, page) = public.get("/opendata/datasets/enterprises.json").await;
    assert_eq!(s, 200, "no sign-in needed");
    let text = page.to_string();
    assert!(text.contains("中国中车股份有限公司") && !text.contains("13800001111") && !text.contains("李四"), "{text}");
    assert_eq!(page["records"].as_array().map(Vec::len), Some(2));
    let (_, projects) = public.get("/opendata/datasets/projects.json").await;
    assert_eq!(projects["records"].as_array().map(Vec::len), Some(0), "a project under negotiation is not public");
    c.staff.post(&format!("/api/v1/investment/projects/{pid}/transitions"), json!({ "transition": "sign" })).await;
    let (_, projects) = public.get("/opendata/datasets/projects.json").await;
    assert_eq!(
        (projects["records"][0]["amount_yuan"].as_f64(), projects["records"][0]["stage"].as_str()),
        (Some(1_000_000.0), Some("signed")),
        "{projects}"
    );
    assert!(projects["records"][0].get("responsible").is_none(), "the responsible official's name is withheld");

    let since = page["generated_at"].as_str().expect("time").to_owned();
    c.app.clock.advance_ms(60_000);
    c.staff
        .post(&format!("/api/v1/enterprises/{}/merge", p["enterprise_id"]), json!({ "merged_id": twin["id"] }))
        .await;
    c.staff
        .post(
            &format!("/api/v1/investment/projects/{pid}/transitions"),
            json!({ "transition": "drop", "note": "企业撤回" }),
        )
        .await;
    let q = |path: &str| format!("{path}?since={}", since.replace('+', "%2B"));
    let (_, changed) = public.get(&q("/opendata/datasets/enterprises.json")).await;
    assert_eq!(changed["removed"][0]["id"], twin["id"], "the merged record is withdrawn: {changed}");
    let (_, changed) = public.get(&q("/opendata/datasets/projects.json")).await;
    assert_eq!(
        (changed["records"].as_array().map(Vec::len), changed["removed"][0]["id"].as_i64()),
        (Some(0), Some(pid)),
        "{changed}"
    );
    let (_, paged) = public.get("/opendata/datasets/enterprises.json?limit=1").await;
    let next = paged["next"].as_str().expect("a next page");
    let (_, second) = public.get(&format!("/opendata/datasets/enterprises.json?limit=1&after={next}")).await;
    assert_ne!(second["records"][0]["id"], paged["records"][0]["id"]);
    assert_eq!(public.get("/opendata/datasets/enterprises.json?since=yesterday").await.0, 422);
    assert_eq!(public.get("/opendata/datasets/salaries.json").await.0, 404);

    let csv =
        reqwest::get(c.app.url("/opendata/datasets/enterprises.csv")).await.expect("csv").text().await.expect("text");
    let header = csv.lines().next().unwrap_or_default().to_owned();
    assert!(header.starts_with("id,uscc,name") && !header.contains("contact_phone"), "{header}");
    assert!(!csv.contains("13912345678"));
    let (_, package) = public.get("/opendata/datapackage.json").await;
    let enterprises = package["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["name"] == "enterprises")
        .expect("enterprises");
    let names: Vec<&str> =
        enterprises["schema"]["fields"].as_array().expect("fields").iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names.join(","), header, "the Data Package describes the CSV as sent");
    let (_, dcat) = public.get("/opendata/catalog.jsonld").await;
    let listed: Vec<&str> =
        dcat["dcat:dataset"].as_array().into_iter().flatten().filter_map(|d| d["dct:identifier"].as_str()).collect();
    for name in ["enterprises", "projects", "events", "platforms"] {
        assert!(listed.contains(&name), "{name} in {listed:?}");
    }

    for base in ["/opendata/api/action", "/opendata/api/3/action"] {
        let (s, list) = public.get(&format!("{base}/package_list")).await;
        assert_eq!((s, list["success"].as_bool()), (200, Some(true)), "{list}");
        assert_eq!(
            list["result"],
            json!(["enterprises", "events", "hearing-commitments", "hearing-questions", "platforms", "projects"])
        );
        assert!(list["help"].as_str().is_some_and(|h| h.contains("help_show")));
    }
    let (_, show) = public.get("/opendata/api/3/action/package_show?id=enterprises").await;
    assert_eq!(
        (show["result"]["num_resources"].as_i64(), show["result"]["organization"]["name"].as_str()),
        (Some(3), Some("investment-promotion"))
    );
    let (s, missing) = public.get("/opendata/api/3/action/package_show?id=salaries").await;
    assert_eq!(
        (s, missing["success"].as_bool(), missing["error"]["__type"].as_str()),
        (404, Some(false), Some("Not Found Error"))
    );
    let (s, none) = public.get("/opendata/api/3/action/package_show").await;
    assert_eq!(
        (s, none["error"]["__type"].as_str(), none["error"]["id"][0].as_str()),
        (409, Some("Validation Error"), Some("Missing value"))
    );
    let (s, unknown) = public.get("/opendata/api/3/action/package_delete?id=projects").await;
    assert_eq!((s, unknown["success"].as_bool()), (400, Some(false)), "nothing but reads");
    let (_, found) =
        public.post("/opendata/api/3/action/package_search", json!({ "q": "名录", "rows": 1, "start": 0 })).await;
    assert_eq!(
        (found["result"]["count"].as_i64(), found["result"]["results"].as_array().map(Vec::len)),
        (Some(1), Some(1)),
        "{found}"
    );
    let (_, tagged) =
        public.get("/opendata/api/3/action/package_search?fq=tags:investment%20res_format:CSV&rows=2&start=2").await;
    assert_eq!(
        (tagged["result"]["count"].as_i64(), tagged["result"]["results"].as_array().map(Vec::len)),
        (Some(4), Some(2))
    );
    let (s, bad) = public.get("/opendata/api/3/action/package_search?fq=colour:red").await;
    assert_eq!((s, bad["error"]["__type"].as_str()), (409, Some("Search Query Error")));
    let (_, orgs) = public.get("/opendata/api/3/action/organization_list?all_fields=true").await;
    assert_eq!(orgs["result"][0]["name"], "investment-promotion");
    let (_, org) =
        public.get("/opendata/api/3/action/organization_show?id=investment-promotion&include_datasets=true").await;
    assert_eq!(org["result"]["packages"].as_array().map(Vec::len), Some(4));
    let (_, tags) = public.get("/opendata/api/3/action/tag_list").await;
    assert!(tags["result"].as_array().is_some_and(|t| t.contains(&json!("investment"))));
    let (_, status) = public.get("/opendata/api/3/action/status_show").await;
    assert!(status["result"]["ckan_version"].as_str().is_some_and(|v| v.starts_with("2.")));
}

/// The catalogue read by clients we did not write: ckanapi (CKAN's own client library)
/// lists, shows, searches and downloads; the frictionless validator accepts the Data
/// Package; rdflib reads the DCAT catalog. They run in `.ci/run` (which installs them);
/// elsewhere the test runs when they are installed and says how to run it when not.
#[tokio::test]
async fn published_open_data_clients_read_the_catalogue() {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import ckanapi, frictionless, rdflib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var("ZAIZAO_REQUIRE_CLIENTS").is_err(),
            "ZAIZAO_REQUIRE_CLIENTS is set but ckanapi, frictionless or rdflib is missing"
        );
        eprintln!("skipped: pip install ckanapi frictionless rdflib to read the open catalogue with published clients");
        return;
    }
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let base = app.url("");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/opendata.py");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3").args([script, &base, "https://zaizao.example.gov.cn"]).output()
    })
    .await
    .expect("join")
    .expect("run python3");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the clients failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ckanapi: 6 packages") && stdout.contains("frictionless: valid"), "{stdout}");
}

/// A project ledger imported from a spreadsheet: a broken row says what is wrong in plain
/// words and nothing is kept; a clean ledger is kept whole, its enterprises gathered.
#[tokio::test]
async fn a_project_ledger_is_imported_all_or_nothing() {
    let c = city().await;
    let (s, _) = c
        .staff
        .post(
            "/api/v1/investment/events",
            json!({ "name": "2019春季央企青岛行", "held_on": "2019-04-10", "department_id": c.swj }),
        )
        .await;
    assert_eq!(s, 201);
    let header = "项目名称,企业名称,统一社会信用代码,招商活动,行业,区市,投资额（元）,责任单位,责任人\n";
    let good =
        "轨道交通装备产业园,中国中车股份有限公司,,2019春季央企青岛行,高端装备,城阳区,3200000000,swj 局,lin 测试\n";
    let bad = "海洋装备基地,中国船舶集团有限公司,91370200163562681H,2019春季央企青岛行,海洋经济,黄岛区,500,swj 局,lin 测试\n\
               氢能示范项目,中国能源建设集团有限公司,,,新能源,平度市,-5,swj 局,lin 测试\n\
               港航物流枢纽,中国交通建设集团有限公司,,不存在的活动,现代物流,黄岛区,1300000000.001,swj 局,lin 测试\n";
    let (s, report) =
        c.staff.post_bytes("/api/v1/investment/projects/import", format!("{header}{good}{bad}").into_bytes()).await;
    assert_eq!(s, 422, "{report}");
    let text = report.to_string();
    assert!(
        text.contains("校验位") && text.contains("负数") && text.contains("活动或平台"),
        "each row's error in words: {text}"
    );
    assert_eq!((c.app.count("projects").await, c.app.count("enterprises").await), (0, 0), "nothing half-imported");
    let (s, report) = c
        .staff
        .post_bytes("/api/v1/investment/projects/import?dry_run=true", format!("{header}{good}").into_bytes())
        .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(c.app.count("projects").await, 0, "a preview keeps nothing");
    let (s, _) = c.staff.post_bytes("/api/v1/investment/projects/import", format!("{header}{good}").into_bytes()).await;
    assert_eq!(s, 200);
    let (_, list) = c.staff.get("/api/v1/investment/projects").await;
    assert_eq!(
        (list["items"][0]["amount_fen"].as_i64(), list["items"][0]["event_name"].as_str()),
        (Some(320_000_000_000), Some("2019春季央企青岛行")),
        "{list}"
    );
    assert_eq!(
        c.other.post_bytes("/api/v1/investment/projects/import", format!("{header}{good}").into_bytes()).await.0,
        422,
        "another unit's staff records nothing for swj"
    );
}
