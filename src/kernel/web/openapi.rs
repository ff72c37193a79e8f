//! What every operation of the API has in common, added to the generated OpenAPI
//! document in one place: its path parameters, the error body, and the refusals any
//! operation may answer (malformed input, no or the wrong caller, unknown record, too
//! large, too many requests).

use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The error body every refusal carries.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "request_id"],
                "properties": {
                    "code": { "type": "string", "description": "Stable machine code, e.g. quota_full." },
                    "message": { "type": "string", "description": "In the caller's language (Accept-Language)." },
                    "field": { "type": ["string", "null"] },
                    "detail": { "type": ["string", "null"] },
                    "request_id": { "type": "string" }
                }
            }
        }
    })
}

/// `{id}`, `{token}`… of a path template, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect()
}

fn path_parameter(name: &str) -> Value {
    let numeric = name == "id" || name.ends_with("_id") || name == "year";
    let schema = if numeric { json!({ "type": "integer", "format": "int64" }) } else { json!({ "type": "string" }) };
    json!({ "name": name, "in": "path", "required": true, "schema": schema })
}

fn refusal(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApiError" } } }
    })
}

/// An operation is public when it says so with an empty security requirement.
fn is_public(op: &Value) -> bool {
    op.get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| reqs.iter().any(|r| r.as_object().is_some_and(Map::is_empty)))
}

fn complete_operation(op: &mut Value, method: &str, names: &[&str]) {
    let public = is_public(op);
    let Some(op) = op.as_object_mut() else { return };
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    if let Some(list) = params.as_array_mut() {
        list.retain(|p| p["in"] != "path" || names.contains(&p["name"].as_str().unwrap_or("")));
        for name in names {
            if !list.iter().any(|p| p["in"] == "path" && p["name"] == *name) {
                list.push(path_parameter(name));
            }
        }
        if list.is_empty() {
            op.remove("parameters");
        }
    }
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| refusal(description));
    };
    add("400", "Malformed input (query, path or body)");
    if !public {
        add("401", "No valid session or token");
        add("403", "The caller's role, department or token scope does not allow this");
    }
    if !names.is_empty() {
        add("404", "No such record, or one the caller may not see");
    }
    if method != "get" {
        add("413", "The body is larger than this operation accepts");
        add("422", "Input that parsed but is not acceptable");
    }
    add("429", "Too many requests from this client; see Retry-After");
    // Documented refusals carry the error body.
    for (status, response) in responses.iter_mut() {
        let refused = status.starts_with('4') || status.starts_with('5');
        if refused && response.get("content").is_none() && response.get("$ref").is_none() {
            let description = response["description"].as_str().unwrap_or("Refused").to_owned();
            *response = refusal(&description);
        }
    }
}

/// Operation ids are the handlers' names, which repeat across modules (`list`): a
/// repeated one is prefixed with its tag, so every id is unique as the standard requires.
fn unique_operation_ids(paths: &mut Map<String, Value>) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in paths.values() {
        for method in METHODS {
            if let Some(id) = item.get(method).and_then(|op| op["operationId"].as_str()) {
                *seen.entry(id.to_owned()).or_default() += 1;
            }
        }
    }
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else { continue };
            let Some(id) = op["operationId"].as_str().map(str::to_owned) else { continue };
            if seen.get(&id).is_some_and(|n| *n > 1) {
                let tag = op["tags"][0].as_str().unwrap_or("api").to_owned();
                op["operationId"] = json!(format!("{tag}_{id}"));
            }
        }
    }
}

/// Add the shared parts to a generated document.
pub fn complete(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.insert("ApiError".into(), error_schema());
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    unique_operation_ids(paths);
    for (path, item) in paths.iter_mut() {
        let names = placeholders(path);
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                complete_operation(op, method, &names);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_and_refusals_are_added_once() {
        let mut doc = json!({
            "components": { "schemas": {} },
            "paths": {
                "/api/v1/tasks/{id}/attachments": { "post": {
                    "parameters": [{ "name": "filename", "in": "query", "schema": { "type": "string" } }],
                    "responses": { "201": { "description": "ok" }, "413": { "description": "too big" } }
                } },
                "/api/v1/leads/track/{token}": { "get": { "security": [{}], "responses": { "200": { "description": "ok" } } } }
            }
        });
        complete(&mut doc);
        complete(&mut doc);
        let post = &doc["paths"]["/api/v1/tasks/{id}/attachments"]["post"];
        let params = post["parameters"].as_array().expect("params");
        assert_eq!(params.len(), 2);
        assert_eq!(params[1]["in"], "path");
        assert_eq!(params[1]["schema"]["type"], "integer");
        assert_eq!(post["responses"]["413"]["description"], "too big");
        assert!(post["responses"]["413"]["content"].is_object());
        assert!(post["responses"]["401"].is_object());
        let track = &doc["paths"]["/api/v1/leads/track/{token}"]["get"];
        assert_eq!(track["parameters"][0]["schema"]["type"], "string");
        assert!(track["responses"].get("401").is_none(), "public");
        assert!(doc["components"]["schemas"]["ApiError"].is_object());
    }
}
