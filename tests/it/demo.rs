use crate::support::TestApp;

#[tokio::test]
async fn the_demo_city_builds_on_an_empty_database() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let market = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM divisions WHERE kind = 'market_allocation'", &[])?))
        .await
        .expect("count");
    assert_eq!(market, 17, "the 17 economic departments each have a market-allocation division");
    assert_eq!(
        app.count("matters").await,
        6,
        "the article's three, the ocean package's, the ocean offensive's commitments, the economic meeting's decisions"
    );
    let (plans, published, votes, commitments) = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(*) FROM plans WHERE kind = 'offensive'", &[])?,
                tx.count("SELECT COUNT(*) FROM hearings WHERE state = 'published'", &[])?,
                tx.count("SELECT COUNT(*) FROM hearing_votes", &[])?,
                tx.count("SELECT COUNT(*) FROM hearing_commitments WHERE task_id IS NOT NULL", &[])?,
            ))
        })
        .await
        .expect("count");
    assert_eq!((plans, published, votes, commitments), (7, 2, 3, 4), "the offensives, the ocean hearing and inquiry");
    let (stages, fields, overdue) = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(DISTINCT state) FROM ideas", &[])?,
                tx.count("SELECT COUNT(DISTINCT field) FROM ideas", &[])?,
                tx.count(
                    "SELECT COUNT(*) FROM package_measures m JOIN support_packages p ON p.id = m.package_id \
                     WHERE p.state = 'approved' AND m.task_id IS NOT NULL AND m.delivered_on IS NULL \
                     AND m.deadline < '2019-04-10'",
                    &[],
                )?,
            ))
        })
        .await
        .expect("count");
    assert!(stages >= 7 && fields == 4, "ideas of the article's four fields in every stage: {stages}, {fields}");
    assert_eq!(overdue, 1, "one of the package's measures is overdue");
    let (notice_states, services, firms, line_states) = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(DISTINCT state) FROM policy_notices", &[])?,
                tx.count("SELECT COUNT(DISTINCT kind) FROM service_cases", &[])?,
                tx.count("SELECT COUNT(*) FROM law_firms", &[])?,
                tx.count("SELECT COUNT(DISTINCT state) FROM line_requests", &[])?,
            ))
        })
        .await
        .expect("count");
    assert_eq!((notice_states, services, firms), (5, 5, 5), "notices in every state, all five services, five firms");
    assert_eq!(line_states, 3, "direct-line requests open, answered and closed");
    let (coded, pairs) = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(*) FROM enterprises WHERE uscc IS NOT NULL", &[])?,
                zaizao::enterprises::registry::duplicates(tx)?.len() as i64,
            ))
        })
        .await
        .expect("count");
    assert!(coded >= 250 && pairs >= 3, "a registry with valid codes and duplicates to merge: {coded}, {pairs}");
    let figures = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM matters WHERE description LIKE '%总投资235亿元%'", &[])?))
        .await
        .expect("count");
    assert_eq!(figures, 1, "the spring event's ¥23.5 billion, as the article says");
    let states = app.db.read(|tx| Ok(tx.count("SELECT COUNT(DISTINCT state) FROM tasks", &[])?)).await.expect("count");
    assert!(states >= 5, "tasks in many states");
    let escalated = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM tasks WHERE escalated_at IS NOT NULL", &[])?))
        .await
        .expect("count");
    assert!(escalated >= 1, "some tasks are red and escalated");
    let supervision = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(*) FROM leads WHERE task_id IS NOT NULL", &[])?,
                tx.count("SELECT COUNT(*) FROM leads WHERE reporter_judgement IS NOT NULL", &[])?,
            ))
        })
        .await
        .expect("count");
    assert_eq!(supervision, (1, 2), "a congress finding became a task; reporters judged the published outcomes");
    let (ratings, states) = app
        .db
        .read(|tx| {
            Ok((
                tx.count("SELECT COUNT(*) FROM ratings", &[])?,
                tx.count("SELECT COUNT(DISTINCT state) FROM ratings WHERE bad = 1", &[])?,
            ))
        })
        .await
        .expect("count");
    assert!(ratings > 1000, "four quarters of ratings for every division");
    assert!(states >= 5, "bad reviews in (nearly) every state");
    let pooled =
        app.db.read(|tx| Ok(tx.count("SELECT COUNT(DISTINCT state) FROM pool_cases", &[])?)).await.expect("count");
    assert_eq!(pooled, 2, "two people in the pool at different stages");
    let lead_states =
        app.db.read(|tx| Ok(tx.count("SELECT COUNT(DISTINCT state) FROM leads", &[])?)).await.expect("count");
    assert_eq!(lead_states, 8, "leads at every step of the procedure");
    let channels =
        app.db.read(|tx| Ok(tx.count("SELECT COUNT(DISTINCT channel) FROM leads", &[])?)).await.expect("count");
    assert_eq!(channels, 6);
    assessment_weighs_both_parts(&app).await;
    assert!(app.verify().await.ok);
}

/// A department's assessment is the weighted mean of its service ratings and its
/// entrepreneurs' satisfaction index; the weights are settings.
async fn assessment_weighs_both_parts(app: &crate::support::TestApp) {
    let leader = app.api(&app.token("leader", &["read"]).await);
    let (s, a) = leader.get("/api/v1/assessment?period=2019").await;
    assert_eq!(s, 200, "{a}");
    let parts: Vec<&str> = a["parts"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(parts, ["service_ratings", "satisfaction"], "{a}");
    let both = a["departments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["scores"].as_array().is_some_and(|s| s.len() == 2))
        .cloned()
        .unwrap_or_else(|| panic!("a department with both parts: {a}"));
    let score = |d: &serde_json::Value, part: &str| {
        d["scores"].as_array().into_iter().flatten().find(|s| s["part"] == part).and_then(|s| s["score"].as_f64())
    };
    let (ratings, index) =
        (score(&both, "service_ratings").unwrap_or(-1.0), score(&both, "satisfaction").unwrap_or(-1.0));
    let weighted = ((0.7 * ratings + 0.3 * index) * 10.0).round() / 10.0;
    assert_eq!(both["total"].as_f64(), Some(weighted), "70% ratings, 30% index: {both}");
    assert_eq!(both["rank"].as_i64().map(|r| r > 0), Some(true), "{both}");

    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    assert_eq!(
        admin.put("/api/v1/settings/policies.assessment_weight", serde_json::json!({ "value": 0 })).await.0,
        200
    );
    let (_, unit) = leader.get(&format!("/api/v1/assessment/{}?period=2019", both["department_id"])).await;
    assert_eq!(unit["current"]["total"].as_f64(), Some(ratings), "the index weighs nothing now: {unit}");
    assert_eq!(unit["quarters"].as_array().map(Vec::len), Some(4), "{unit}");

    let browser = app.browser("leader").await;
    let (s, page) = browser.text("/evaluation/assessment?period=2019").await;
    assert!(s == 200 && page.contains("考核得分") && page.contains("企业家满意度指数"), "{page}");
    let (s, page) = browser.text(&format!("/evaluation/assessment/{}?period=2019", both["department_id"])).await;
    assert!(s == 200 && page.contains("近四个季度") && page.contains("各处室服务评价得分"), "{page}");
    let (s, csv) = browser.text("/evaluation/assessment?period=2019&format=csv").await;
    assert!(s == 200 && csv.lines().count() > 2, "{csv}");
    let (s, page) = crate::support::Browser::new(&app.base).text("/satisfaction").await;
    assert!(s == 200 && page.contains("历次调查趋势") && page.contains("<polyline"), "the public trend: {page}");

    let (s, trend) = leader.get("/api/v1/survey-campaigns/trend").await;
    let periods: Vec<&str> = trend.as_array().into_iter().flatten().filter_map(|t| t["period"].as_str()).collect();
    assert_eq!((s, periods), (200, vec!["2018", "2019"]), "{trend}");
    assert!(trend[1]["city"]["index"].as_f64() > trend[0]["city"]["index"].as_f64(), "the demo city improved: {trend}");
}
