use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.expect("doc").json().await.expect("json");
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for expected in [
        "/api/v1/auth/tokens",
        "/api/v1/departments/{id}",
        "/api/v1/people/{id}/assignments",
        "/api/v1/audit/verify",
        "/api/v1/users/{id}/password",
    ] {
        assert!(paths.contains_key(expected), "{expected} is documented");
    }
    // Each documented operation is served: its method is routed (no 405) on its path.
    let client = reqwest::Client::new();
    for (path, item) in paths {
        for method in ["get", "post", "put"] {
            if item.get(method).is_some() {
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("m");
                let status =
                    client.request(m, app.url(&path.replace("{id}", "1"))).send().await.expect("send").status();
                assert_ne!(status.as_u16(), 405, "{method} {path} is routed");
            }
        }
    }
    // API routes are only ever registered through the documented router.
    let mut undocumented = Vec::new();
    for entry in walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        if text.contains(".route(\"/api/v1") {
            undocumented.push(entry.display().to_string());
        }
    }
    assert!(undocumented.is_empty(), "API routes registered outside utoipa: {undocumented:?}");

    let docs = reqwest::get(app.url("/api/docs")).await.expect("docs").text().await.expect("text");
    assert!(docs.contains("/static/vendor/swagger-ui/swagger-ui-bundle.js"), "the vendored browser, no CDN");
    assert!(!docs.contains("https://"));
    let js = reqwest::get(app.url("/static/vendor/swagger-ui/swagger-ui-bundle.js")).await.expect("js");
    assert_eq!(js.status(), 200);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}
