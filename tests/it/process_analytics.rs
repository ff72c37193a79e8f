//! Process analytics on the demo city: the figures of a process through the API and the
//! page, files of each figure, and the XES event log and BPMN definitions read by pm4py, a
//! process-mining library we did not write, which must find the same activities and paths.

use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn a_process_is_measured_from_its_event_log_on_the_api_and_the_page() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let leader = app.api(&app.token("leader", &["read"]).await);
    for kind in ["lead", "task", "matter", "idea", "project"] {
        let (s, a) = leader.get(&format!("/api/v1/process-analytics/{kind}")).await;
        assert_eq!(s, 200, "{kind}: {a}");
        assert!(a["records"].as_u64().is_some_and(|n| n > 0), "{kind} has demo records: {a}");
    }
    let (_, a) = leader.get("/api/v1/process-analytics/lead").await;
    assert!(a["edges"].as_array().is_some_and(|e| !e.is_empty()), "{a}");
    let transfer = a["edges"].as_array().and_then(|e| e.iter().find(|e| e["transition"] == "transfer")).cloned();
    assert!(transfer.is_some_and(|e| e["count"].as_u64() > Some(0) && e["declared"] == true), "{a}");
    assert!(a["waits"].as_array().is_some_and(|w| w.iter().any(|w| w["state"] == "registered")), "{a}");
    let shares: f64 =
        a["variants"].as_array().map(|v| v.iter().filter_map(|v| v["share"].as_f64()).sum()).unwrap_or(0.0);
    assert!((shares - 100.0).abs() < 1.0, "the variants cover every record: {shares}");

    // A period with nothing in it, a file of a figure, and bad asks.
    let (_, empty) = leader.get("/api/v1/process-analytics/lead?period=2001").await;
    assert_eq!(empty["records"], 0);
    let csv = leader.raw_get("/api/v1/process-analytics/lead?format=csv&figure=edges").await;
    assert!(csv.contains("from,to,transition,count") && csv.contains("transfer"), "{csv}");
    let (s, e) = leader.get("/api/v1/process-analytics/lead?format=csv&figure=nope").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_figure")));
    let (s, e) = leader.get("/api/v1/process-analytics/lead?period=2019-13").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("bad_period")));
    assert_eq!(leader.get("/api/v1/process-analytics/nope").await.0, 404);
    let anonymous = reqwest::get(app.url("/api/v1/process-analytics/lead")).await.expect("get");
    assert_eq!(anonymous.status().as_u16(), 401);

    // The page: the discovered flow beside the declared one, the bottlenecks, the paths.
    let b = app.browser("leader").await;
    let (s, page) = b.text("/admin/processes/lead/analytics").await;
    assert_eq!(s, 200);
    assert!(page.contains("实际流转图") && page.contains("瓶颈") && page.matches("<svg").count() >= 2, "{page}");
    let (_, declared) = b.text("/admin/processes/lead").await;
    assert!(declared.contains("/admin/processes/lead/analytics"), "the definition links to its analytics");

    // The city view: the slowest steps of every process, slowest first, for the leader.
    let (s, steps) = leader.get("/api/v1/process-analytics?period=2019").await;
    assert_eq!(s, 200, "{steps}");
    let steps = steps.as_array().cloned().unwrap_or_default();
    assert!(!steps.is_empty() && steps.len() <= 5, "{steps:?}");
    let medians: Vec<f64> = steps.iter().filter_map(|s| s["median_working_hours"].as_f64()).collect();
    assert!(medians.windows(2).all(|w| w[0] >= w[1]), "slowest first: {medians:?}");
    assert!(steps.iter().all(|s| s["records"].as_u64() >= Some(2)), "{steps:?}");
    let (s, city) = b.text("/processes/slowest?period=2019").await;
    assert_eq!(s, 200);
    assert!(
        city.contains("全市最慢的流程环节") && city.contains("href=\"/processes/slowest\""),
        "in the leader's navigation"
    );
    let first = steps[0]["kind"].as_str().unwrap_or_default();
    assert!(city.contains(&format!("/admin/processes/{first}/analytics?period=2019")), "one click to the process");

    // Before and after the demo's redesign half a year ago: its leads finished faster,
    // went round the rework loop less often and met their deadline more often.
    let (s, c) = leader.get("/api/v1/process-analytics/lead/comparison").await;
    assert_eq!((s, c["version"].as_i64()), (200, Some(1)), "{c}");
    let measure = |c: &Value, name: &str| {
        c["measures"].as_array().and_then(|m| m.iter().find(|m| m["measure"] == name)).cloned().unwrap_or_default()
    };
    let duration = measure(&c, "duration_hours");
    assert!(duration["before_n"].as_u64() >= Some(25) && duration["after_n"].as_u64() >= Some(25), "{c}");
    assert!(duration["difference"].as_f64().is_some_and(|d| d < 0.0) && duration["beyond_noise"] == true, "{c}");
    let rework = measure(&c, "rework_share");
    assert!(rework["difference"].as_f64().is_some_and(|d| d < 0.0), "{c}");
    let on_time = measure(&c, "on_time_share");
    assert!(on_time["after"].as_f64() > on_time["before"].as_f64() && on_time["beyond_noise"] == true, "{c}");
    assert!(c["method"].as_str().is_some_and(|m| m.contains("bootstrap")));
    assert!(page.contains("第 1 次变更") && page.contains("超出随机波动"), "the page shows the demo's redesign");
    // A further change: nothing after it yet, no verdict; the first stays a click away.
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (_, source) = admin.get("/api/v1/processes/lead").await;
    let definition = source["definition"].as_str().unwrap_or_default().replace("移送责任单位", "转交责任单位");
    let (s, _) = admin.put("/api/v1/processes/lead", serde_json::json!({ "definition": definition })).await;
    assert_eq!(s, 200);
    let (s, c) = leader.get("/api/v1/process-analytics/lead/comparison").await;
    assert_eq!((s, c["version"].as_i64()), (200, Some(2)), "{c}");
    let rework = measure(&c, "rework_share");
    assert!(rework["before_n"].as_u64() > Some(0) && rework["after_n"] == 0, "the demo's leads came before: {c}");
    assert_eq!(rework["beyond_noise"], false, "no records after, no verdict");
    let (s, first) = leader.get("/api/v1/process-analytics/lead/comparison?version=1").await;
    assert_eq!((s, first["version"].as_i64()), (200, Some(1)));
    assert_eq!(leader.get("/api/v1/process-analytics/lead/comparison?version=9").await.0, 404);
    let (_, page) = b.text("/admin/processes/lead/analytics").await;
    assert!(page.contains("第 2 次变更") && page.contains("样本不足") && page.contains("version=1"), "{page}");

    // Filters: by channel and department where the kind has them, refused where not.
    let (_, congress) = leader.get("/api/v1/process-analytics/lead?channel=congress").await;
    let (_, all) = leader.get("/api/v1/process-analytics/lead").await;
    assert!(congress["records"].as_u64() > Some(0) && congress["records"].as_u64() < all["records"].as_u64());
    let (s, e) = leader.get("/api/v1/process-analytics/lead?channel=nope").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("pa_not_filterable")), "{e}");
    let (s, e) = leader.get("/api/v1/process-analytics/task?channel=public").await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("pa_not_filterable")), "{e}");
    let fgw = app
        .db
        .read(|tx| Ok(tx.query_one("SELECT id FROM departments WHERE code = 'fgw'", &[])?.int(0)?))
        .await
        .expect("fgw");
    let (s, unit) = leader.get(&format!("/api/v1/process-analytics/lead?department={fgw}")).await;
    assert_eq!(s, 200);
    assert!(unit["records"].as_u64() > Some(0) && unit["records"].as_u64() <= all["records"].as_u64());
    let (s, page) = b.text(&format!("/admin/processes/lead/analytics?channel=congress&department={fgw}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("name=\"channel\"") && page.contains("channel=congress"), "the filters stay on the page");

    // The XES log carries no names and no text.
    let xes = leader.raw_get("/api/v1/process-analytics/lead/xes").await;
    assert!(xes.starts_with("<?xml") && xes.contains("<trace>") && xes.trim_end().ends_with("</log>"));
    let texts = app
        .db
        .read(|tx| {
            Ok(tx
                .query("SELECT description FROM leads", &[])?
                .iter()
                .filter_map(|r| r.text(0).ok())
                .collect::<Vec<_>>())
        })
        .await
        .expect("texts");
    assert!(!texts.iter().any(|t| xes.contains(t.as_str())), "no record's text in the log");
    assert!(!xes.contains("张先生") && !xes.contains("督查室"), "no one's name");
}

/// Run one of the pm4py scripts in `tests/clients` and read the JSON it prints last.
async fn pm4py(script: &str, args: Vec<String>) -> Value {
    let script = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new("python3").arg(script).args(args).output())
            .await
            .expect("join")
            .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pm4py failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim().lines().last().unwrap_or("")).expect("pm4py's JSON")
}

#[tokio::test]
async fn pm4py_reads_the_xes_log_and_finds_the_same_activities_and_paths() {
    let ready =
        std::process::Command::new("python3").args(["-c", "import pm4py"]).output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(std::env::var("ZAIZAO_REQUIRE_CLIENTS").is_err(), "ZAIZAO_REQUIRE_CLIENTS is set but pm4py is missing");
        eprintln!("skipped: pip install pm4py to read the event log with a published process-mining library");
        return;
    }
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let token = app.token("leader", &["read"]).await;
    let leader = app.api(&token);
    for kind in ["lead", "task"] {
        let (_, ours) = leader.get(&format!("/api/v1/process-analytics/{kind}")).await;
        let (_, declared) = leader.get(&format!("/api/v1/processes/{kind}")).await;
        let process = &declared["process"];
        let finals: Vec<String> = process["transitions"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .filter(|t| {
                        process["states"]
                            .as_array()
                            .is_some_and(|ss| ss.iter().any(|s| s["id"] == t["to"] && s["final"] == true))
                    })
                    .filter_map(|t| t["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let args: Vec<String> = [app.url("").trim_end_matches('/').to_owned(), token.clone(), kind.to_owned()]
            .into_iter()
            .chain(finals)
            .collect();
        let theirs = pm4py("processmining.py", args).await;
        assert_eq!(theirs["activities"], ours["activities"], "{kind}: the same activities");
        let ours_follows: Vec<Value> = ours["follows"]
            .as_array()
            .map(|f| f.iter().map(|f| serde_json::json!([f["from"], f["to"], f["count"]])).collect())
            .unwrap_or_default();
        assert_eq!(theirs["follows"], Value::from(ours_follows), "{kind}: the same paths, as often");
        assert!(theirs["traces"].as_u64().is_some_and(|n| n > 0));
        // The definition, read as BPMN: its activities are the declared transitions, and
        // every finished record's steps align with it from start to end.
        let mut transitions: Vec<String> = declared["process"]["transitions"]
            .as_array()
            .map(|t| t.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        transitions.sort();
        transitions.dedup();
        assert_eq!(theirs["bpmn_activities"], Value::from(transitions), "{kind}: the BPMN's activities");
        assert!(theirs["finished"].as_u64().is_some_and(|n| n > 0), "{kind}: some demo records are finished: {theirs}");
        assert_eq!(
            theirs["finished_fit"], theirs["finished"],
            "{kind}: every finished record aligns with the definition"
        );
    }

    // The object-centric log, read by pm4py: flattened onto leads and onto tasks it gives
    // the activities and paths the API gives, and the links between records are there.
    let args = vec![app.url("").trim_end_matches('/').to_owned(), token, "lead".into(), "task".into()];
    let theirs = pm4py("ocel.py", args).await;
    // pm4py keeps the objects that took part in an event, and the links between them:
    // the same as our log holds.
    let ours: Value = serde_json::from_str(&leader.raw_get("/api/v1/process-analytics/ocel").await).expect("OCEL JSON");
    let acted: std::collections::BTreeSet<&str> = ours["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["relationships"][0]["objectId"].as_str()).collect())
        .unwrap_or_default();
    let mut types: Vec<&str> = ours["objects"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter(|o| o["id"].as_str().is_some_and(|id| acted.contains(id)))
                .filter_map(|o| o["type"].as_str())
                .collect()
        })
        .unwrap_or_default();
    types.sort();
    types.dedup();
    assert_eq!(theirs["object_types"], Value::from(types), "the same kinds of object");
    let mut links: Vec<Value> = Vec::new();
    for o in ours["objects"].as_array().cloned().unwrap_or_default() {
        let id = o["id"].as_str().unwrap_or_default().to_owned();
        for r in o["relationships"].as_array().cloned().unwrap_or_default() {
            let target = r["objectId"].as_str().unwrap_or_default();
            if acted.contains(id.as_str()) && acted.contains(target) {
                links.push(serde_json::json!([id, target, r["qualifier"]]));
            }
        }
    }
    links.sort_by_key(|l| l.to_string());
    assert!(!links.is_empty(), "records linked across kinds");
    let mut found = theirs["links"].as_array().cloned().unwrap_or_default();
    found.sort_by_key(|l| l.to_string());
    assert_eq!(found, links, "the same links between records");
    for kind in ["lead", "task"] {
        let (_, ours) = leader.get(&format!("/api/v1/process-analytics/{kind}")).await;
        assert_eq!(theirs["flattened"][kind]["activities"], ours["activities"], "{kind}: the same activities");
        let ours_follows: Vec<Value> = ours["follows"]
            .as_array()
            .map(|f| f.iter().map(|f| serde_json::json!([f["from"], f["to"], f["count"]])).collect())
            .unwrap_or_default();
        assert_eq!(theirs["flattened"][kind]["follows"], Value::from(ours_follows), "{kind}: the same paths");
    }
}

/// The objects of an OCEL 2.0 log, by id.
fn ocel_objects(log: &Value) -> Vec<String> {
    log["objects"]
        .as_array()
        .map(|o| o.iter().filter_map(|o| o["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn exports_hold_only_what_the_caller_may_see_and_name_people_only_by_pseudonym() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let leader = app.api(&app.token("leader", &["read"]).await);
    let staff = app.api(&app.token("staff", &["read"]).await);
    let hidden: Vec<i64> = app
        .db
        .read(|tx| {
            let d = tx.query_one("SELECT department_id FROM users WHERE username = 'staff'", &[])?.int(0)?;
            Ok(tx
                .query(
                    "SELECT id FROM leads WHERE visibility = 'confidential' \
                     AND (unit_department_id IS NULL OR unit_department_id <> $1)",
                    zaizao::params![d],
                )?
                .iter()
                .filter_map(|r| r.int(0).ok())
                .collect())
        })
        .await
        .expect("confidential leads");
    assert!(!hidden.is_empty(), "the demo has a confidential lead outside the staff member's department");

    // The object-centric log: every kind, the links between records, only what one may see.
    let log: Value = serde_json::from_str(&leader.raw_get("/api/v1/process-analytics/ocel").await).expect("OCEL JSON");
    let types: Vec<&str> = log["objectTypes"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(["lead", "task", "matter", "idea", "project"].iter().all(|k| types.contains(k)), "{types:?}");
    let handed_over = log["objects"].as_array().is_some_and(|o| {
        o.iter().any(|o| {
            o["type"] == "lead"
                && o["relationships"].as_array().is_some_and(|r| r.iter().any(|r| r["qualifier"] == "handed over as"))
        })
    });
    assert!(handed_over, "a lead handed over as a task is linked to it");
    let part_of = log["objects"].as_array().is_some_and(|o| {
        o.iter().any(|o| {
            o["type"] == "task"
                && o["relationships"].as_array().is_some_and(|r| r.iter().any(|r| r["qualifier"] == "part of"))
        })
    });
    assert!(part_of, "a task is linked to its matter");
    let theirs: Value =
        serde_json::from_str(&staff.raw_get("/api/v1/process-analytics/ocel").await).expect("OCEL JSON");
    let (all, seen) = (ocel_objects(&log), ocel_objects(&theirs));
    for id in &hidden {
        assert!(all.contains(&format!("lead-{id}")), "the leader sees confidential lead {id}");
        assert!(!seen.contains(&format!("lead-{id}")), "a staff member elsewhere does not see lead {id}");
    }
    let (_, mine) = staff.get("/api/v1/process-analytics/lead").await;
    let (_, every) = leader.get("/api/v1/process-analytics/lead").await;
    assert!(mine["records"].as_u64() < every["records"].as_u64(), "the figures count only what one may see");
    let xes = staff.raw_get("/api/v1/process-analytics/lead/xes").await;
    assert!(hidden.iter().all(|id| !xes.contains(&format!("\"lead-{id}\""))), "nor does the XES log");

    // People: role and department by default; pseudonyms by setting, never names.
    let before = leader.raw_get("/api/v1/process-analytics/lead/xes").await;
    assert!(before.contains("value=\"supervisor@") && !before.contains("P-"), "role@department by default");
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (s, e) = admin.put("/api/v1/settings/analytics.resource_detail", serde_json::json!({ "value": 1 })).await;
    assert_eq!(s, 200, "{e}");
    let after = leader.raw_get("/api/v1/process-analytics/lead/xes").await;
    let pseudonyms: std::collections::BTreeSet<&str> =
        after.split("key=\"org:resource\" value=\"").skip(1).filter_map(|p| p.split('"').next()).collect();
    assert!(pseudonyms.iter().all(|p| p.starts_with("P-") || *p == "system"), "{pseudonyms:?}");
    assert!(pseudonyms.len() >= 2, "one pseudonym per person: {pseudonyms:?}");
    let actors: Vec<(String, String)> = app
        .db
        .read(|tx| {
            let rows = tx.query(
                "SELECT DISTINCT u.username, u.display_name FROM workflow_events e JOIN users u ON u.id = e.actor_id",
                &[],
            )?;
            Ok(rows.iter().map(|r| (r.text(0).unwrap_or_default(), r.text(1).unwrap_or_default())).collect())
        })
        .await
        .expect("actors");
    assert!(actors.len() >= 3, "{actors:?}");
    for (username, name) in &actors {
        assert!(!pseudonyms.contains(username.as_str()), "no account is named: {username}");
        assert!(!after.contains(name.as_str()), "no one's name: {name}");
    }
    let ocel: Value = serde_json::from_str(&leader.raw_get("/api/v1/process-analytics/ocel").await).expect("OCEL JSON");
    let resources: std::collections::BTreeSet<String> = ocel["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["attributes"][0]["value"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert!(pseudonyms.iter().all(|p| resources.contains(*p)), "the OCEL log names the same people the same way");
}
