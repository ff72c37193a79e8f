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
    for entry in crate::support::rust_files(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
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

/// A strict structural check of the document: what generated clients and fuzzers rely
/// on. (CI also runs the published `openapi-spec-validator` on `zaizao openapi`.)
#[tokio::test]
async fn the_openapi_document_is_structurally_sound() {
    let doc = zaizao::app::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut ids = std::collections::HashSet::new();
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let names: Vec<&str> = path.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n)).collect();
        for (method, op) in item.as_object().expect("item") {
            let at = format!("{method} {path}");
            assert!(ids.insert(op["operationId"].as_str().expect("operationId").to_owned()), "{at}: repeated id");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for name in &names {
                assert!(
                    params.iter().any(|p| p["in"] == "path" && p["name"] == *name && p["required"] == true),
                    "{at}: path parameter {name} is declared"
                );
            }
            for p in &params {
                let name = p["name"].as_str().unwrap_or("");
                if names.contains(&name) {
                    assert_eq!(p["in"], "path", "{at}: {name}");
                } else {
                    assert_eq!(p["in"], "query", "{at}: {name} is a query parameter");
                }
            }
            if params.iter().any(|p| p["name"] == "page") {
                lists += 1;
            }
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|s| s.starts_with('2')), "{at}: a success status");
            assert!(responses.contains_key("400") && responses.contains_key("429"), "{at}: refusals");
        }
    }
    assert!(lists >= 5, "list operations found: {lists}");
    let public = &doc["paths"]["/api/v1/auth/tokens"]["post"];
    assert_eq!(public["security"], serde_json::json!([{}]), "getting a token needs no token");
    for name in ["LeadFigures", "TaskFigures", "ReturnProposal", "AdjustmentProposal", "ApiError"] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap_or("");
        assert!(schemas.contains_key(name), "$ref to a missing schema {name}");
    }
}

/// Whether `v` fits `schema`, resolving references in `doc`; the reason when not.
fn fits(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return fits(doc, &doc["components"]["schemas"][name], v, at);
    }
    for all in schema["allOf"].as_array().into_iter().flatten() {
        fits(doc, all, v, at)?;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array()
            && !options.iter().any(|o| fits(doc, o, v, at).is_ok())
        {
            return Err(format!("{at}: fits none of {key}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        });
        if !ok {
            return Err(format!("{at}: {v} is not {types:?}"));
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {values:?}"));
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            fits(doc, items, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(obj) = v.as_object() {
        for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !obj.contains_key(name) {
                return Err(format!("{at}: required {name} is missing"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (name, value) in obj {
                if let Some(p) = props.get(name) {
                    fits(doc, p, value, &format!("{at}.{name}"))?;
                }
            }
        }
    }
    Ok(())
}

/// Real answers of the running service, checked against the schemas the document gives
/// for their status.
#[tokio::test]
async fn real_responses_match_their_documented_schemas() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.expect("doc").json().await.expect("json");
    let client = reqwest::Client::new();
    let mut checked = 0;
    // A leader reads the business records; each administrator their own duty's.
    let mut tokens = Vec::new();
    for (name, role) in
        [("checker", "leader"), ("sysadm", "system_admin"), ("secadm", "security_admin"), ("audadm", "audit_admin")]
    {
        app.user(name, role, None, None).await;
        tokens.push(app.token(name, &["read"]).await);
    }
    for token in &tokens {
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let Some(op) = item.get("get") else { continue };
            let url = crate::support::sample_path(path, "none").replace("{id}", "1");
            if url.contains('{') {
                continue;
            }
            let res = client.get(app.url(&url)).bearer_auth(token).send().await.expect("get");
            if res.status() == 403 {
                continue;
            }
            let status = res.status().as_u16().to_string();
            let json = res.headers().get("content-type").is_some_and(|c| c.to_str().unwrap_or("").contains("json"));
            let body: Value = if json { res.json().await.expect("json") } else { continue };
            let response =
                op["responses"].get(&status).unwrap_or_else(|| panic!("GET {url} answered undocumented {status}"));
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                if let Err(why) = fits(&doc, schema, &body, &format!("GET {url} {status}")) {
                    panic!("{why}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "responses checked: {checked}");
}
