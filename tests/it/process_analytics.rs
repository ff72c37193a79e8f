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

    // Before and after a change of the definition: nothing to compare until it changes.
    assert_eq!(leader.get("/api/v1/process-analytics/lead/comparison").await.0, 404);
    assert!(page.contains("未变更过"), "the page says there is no change yet");
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let (_, source) = admin.get("/api/v1/processes/lead").await;
    let definition = source["definition"].as_str().unwrap_or_default().replace("移送责任单位", "转交责任单位");
    let (s, _) = admin.put("/api/v1/processes/lead", serde_json::json!({ "definition": definition })).await;
    assert_eq!(s, 200);
    let (s, c) = leader.get("/api/v1/process-analytics/lead/comparison").await;
    assert_eq!((s, c["version"].as_i64()), (200, Some(1)), "{c}");
    let measures = c["measures"].as_array().cloned().unwrap_or_default();
    assert_eq!(measures.len(), 2);
    let rework = measures.iter().find(|m| m["measure"] == "rework_share").cloned().unwrap_or_default();
    assert!(rework["before_n"].as_u64() > Some(0) && rework["after_n"] == 0, "the demo's leads came before: {c}");
    assert_eq!(rework["beyond_noise"], false, "no records after, no verdict");
    assert!(c["method"].as_str().is_some_and(|m| m.contains("bootstrap")));
    assert_eq!(leader.get("/api/v1/process-analytics/lead/comparison?version=9").await.0, 404);
    let (_, page) = b.text("/admin/processes/lead/analytics").await;
    assert!(page.contains("第 1 次变更") && page.contains("样本不足"), "{page}");

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
        let (base, token, k) = (app.url(""), token.clone(), kind.to_owned());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/processmining.py");
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("python3")
                .args([script, base.trim_end_matches('/'), &token, &k])
                .args(finals)
                .output()
        })
        .await
        .expect("join")
        .expect("run python3");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "pm4py failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let theirs: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or("")).expect("pm4py's JSON");
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
}
