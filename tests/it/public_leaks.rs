//! A walk of every route a caller without a session or token can reach, on the demo
//! city: no internal or confidential record's text may appear in any answer.

use serde_json::Value;

use crate::support::TestApp;

/// Texts only government users (or fewer) may read: non-public leads, matters and tasks,
/// the people who reported leads, ratings' comments, pool cases.
async fn secrets(app: &TestApp) -> Vec<String> {
    let queries = [
        "SELECT description FROM leads WHERE visibility <> 'public'",
        "SELECT reporter_name FROM leads",
        "SELECT reporter_contact FROM leads",
        "SELECT title FROM matters WHERE visibility <> 'public'",
        "SELECT description FROM matters WHERE visibility <> 'public'",
        "SELECT t.title FROM tasks t JOIN matters m ON m.id = t.matter_id WHERE m.visibility <> 'public'",
        "SELECT comment FROM ratings",
        "SELECT reasons FROM pool_cases",
        "SELECT email FROM users WHERE email IS NOT NULL",
        "SELECT phone FROM users WHERE phone IS NOT NULL",
        "SELECT rater_contact FROM ratings",
        "SELECT reply_address FROM interactions",
        "SELECT address FROM outbox",
    ];
    let mut out: Vec<String> = Vec::new();
    for sql in queries {
        let texts: Vec<String> = app
            .db
            .read(move |tx| Ok(tx.query(sql, &[])?.iter().filter_map(|r| r.text(0).ok()).collect::<Vec<String>>()))
            .await
            .expect("secrets");
        // A distinctive stretch of each: ten characters is long enough not to occur by
        // chance in a public page.
        out.extend(texts.iter().filter(|t| t.chars().count() >= 10).map(|t| t.chars().take(10).collect::<String>()));
    }
    out.sort();
    out.dedup();
    out
}

/// Every GET path without a session: the public pages, Open311, every API operation of
/// the OpenAPI document, with ids up to `max_id` in place of path parameters.
fn paths(openapi: &Value, max_id: i64) -> Vec<String> {
    let mut templates: Vec<String> = [
        "/",
        "/login",
        "/report",
        "/report/track?token=0",
        "/exposures",
        "/rate/0",
        "/search?q=%E7%BA%BF%E7%B4%A2",
        "/org",
        "/org/leaders",
        "/org/people",
        "/org/departments/{id}",
        "/org/divisions/{id}",
        "/org/people/{id}",
        "/matters",
        "/matters/{id}",
        "/tasks",
        "/tasks/{id}",
        "/supervision",
        "/supervision/leads/{id}",
        "/supervision/figures",
        "/supervision/teams",
        "/evaluation",
        "/evaluation/ranking",
        "/evaluation/bad-reviews/{id}",
        "/evaluation/pool/{id}",
        "/coordination/figures",
        "/open311/discovery.json",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        "/open311/v2/requests/{id}.json",
        "/open311/v2/requests/{id}.xml",
        "/opendata",
        "/opendata/datapackage.json",
        "/opendata/catalog.jsonld",
        "/opendata/api/3/action/package_list",
        "/opendata/api/3/action/current_package_list_with_resources",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for (path, ops) in openapi["paths"].as_object().expect("paths") {
        if ops.get("get").is_some() {
            templates.push(path.clone());
        }
    }
    let mut out = Vec::new();
    for t in templates {
        let t = crate::support::sample_path(&t, "0");
        match t.find('{') {
            Some(open) => {
                let close = t[open..].find('}').map_or(t.len(), |c| open + c + 1);
                for id in 1..=max_id {
                    out.push(format!("{}{id}{}", &t[..open], &t[close..]));
                }
            }
            None => out.push(t),
        }
    }
    out
}

#[tokio::test]
async fn no_unauthenticated_route_shows_an_internal_or_confidential_record() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let secrets = secrets(&app).await;
    assert!(secrets.len() > 20, "the demo city has internal and confidential records: {}", secrets.len());
    let confidential_leads = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM leads WHERE visibility = 'confidential'", &[])?))
        .await
        .expect("count");
    assert!(confidential_leads >= 1, "the demo has a party-discipline lead");
    let max_id = app.db.read(|tx| Ok(tx.count("SELECT MAX(id) FROM leads", &[])?)).await.expect("max") + 2;

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let openapi: Value =
        client.get(app.url("/api/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    // Each open dataset: its description, its rows through the DataStore API, its file.
    let datasets: Value = client
        .get(app.url("/opendata/api/3/action/package_list"))
        .send()
        .await
        .expect("package_list")
        .json()
        .await
        .expect("json");
    let datasets: Vec<String> =
        datasets["result"].as_array().expect("datasets").iter().filter_map(|d| d.as_str().map(str::to_owned)).collect();
    assert!(datasets.len() >= 3, "the open datasets are walked: {datasets:?}");
    let mut all = paths(&openapi, max_id);
    for d in &datasets {
        all.push(format!("/opendata/api/3/action/package_show?id={d}"));
        all.push(format!("/opendata/api/3/action/datastore_search?resource_id={d}&limit=1000"));
        all.push(format!("/opendata/datasets/{d}.csv"));
        all.push(format!("/opendata/datasets/{d}"));
    }
    let mut walked = 0;
    let mut public_answers = 0;
    for path in all {
        let res = client.get(app.url(&path)).send().await.expect("get");
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        walked += 1;
        if status == 200 {
            public_answers += 1;
        }
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "GET {path} ({status}) shows {s:?}");
        }
    }
    assert!(walked > 200, "walked {walked} paths");
    assert!(public_answers > 10, "some public paths answered: {public_answers}");
    // What the public filed is still there for the public.
    let (status, body) = {
        let res = client.get(app.url("/open311/v2/requests.json")).send().await.expect("get");
        (res.status().as_u16(), res.json::<Value>().await.expect("json"))
    };
    assert_eq!(status, 200);
    assert!(!body.as_array().expect("list").is_empty(), "public reports are listed");
}
