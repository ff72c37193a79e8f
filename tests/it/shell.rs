use crate::support::{Browser, TestApp};

#[tokio::test]
async fn health_readiness_and_security_headers() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/healthz")).await.expect("healthz");
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert!(h["content-security-policy"].to_str().unwrap_or("").contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h.contains_key("x-request-id"));
    assert_eq!(reqwest::get(app.url("/readyz")).await.expect("readyz").status(), 200);
}

#[tokio::test]
async fn the_shell_has_a_home_per_role_the_seven_mechanisms_and_an_english_switch() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "public").await;
    app.user("staff1", "staff", Some(dept), None).await;
    app.user("firm", "enterprise", None, None).await;
    let b = app.browser("staff1").await;
    let (_, home) = b.text("/").await;
    assert!(home.contains("办理分配给您的任务与线索"));
    assert!(home.contains("顶格协调推进") && home.contains("协同监督"));
    assert!(home.contains("fgw 局"), "the user's department");
    let (status, m3) = b.text("/m/3").await;
    assert_eq!(status, 200);
    assert!(m3.contains("本模块尚未上线"));
    assert_eq!(b.get("/m/9").await.status(), 404);

    let res = b.get("/lang/en?next=/m/3").await;
    assert_eq!(res.headers()["location"], "/m/3");
    let (_, m3) = b.text("/m/3").await;
    assert!(m3.contains("This section is not built yet"), "the choice is remembered");
    assert!(m3.contains("lang=\"en\""));
    let res = b.get("/lang/en?next=https://evil.example").await;
    assert_eq!(res.headers()["location"], "/");

    let firm = app.browser("firm").await;
    let (_, home) = firm.text("/").await;
    assert!(home.contains("评价政务服务"));
    assert!(!home.contains("/admin/users"), "no admin navigation for outsiders");

    let anon = Browser::new(&app.base);
    let (status, page) = anon.text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains("未找到该记录") && page.contains("请求编号"));
}
