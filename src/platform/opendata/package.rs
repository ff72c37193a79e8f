//! The catalogue as a Frictionless Data Package (`datapackage.json`: each dataset's CSV
//! with its Table Schema) and as a DCAT catalog in JSON-LD (`catalog.jsonld`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::ckan::{FORMATS, LICENSE_TITLE, LICENSE_URL, publishers};
use crate::kernel::clock;
use crate::kernel::error::AppResult;
use crate::kernel::i18n::{self, Lang};
use crate::kernel::opendata::{Dataset, FieldType};
use crate::kernel::web::{AppState, Ctx};

fn zh(key: &str) -> String {
    i18n::t(Lang::Zh, key).to_owned()
}

fn withheld(s: &AppState) -> Vec<String> {
    s.settings.opendata_withhold.clone()
}

/// The Table Schema of a dataset's published fields.
fn schema(d: &Dataset, withheld: &[String]) -> Value {
    let fields: Vec<Value> = d
        .published(withheld)
        .map(|f| {
            let mut field = json!({ "name": f.name, "type": f.kind.table_schema(), "title": zh(f.title) });
            if f.kind == FieldType::DateTime {
                field["format"] = json!("any");
            }
            if f.name == d.fields[0].name {
                field["constraints"] = json!({ "required": true, "unique": true });
            }
            field
        })
        .collect();
    json!({ "fields": fields, "primaryKey": [d.fields[0].name], "missingValues": [""] })
}

/// `GET /opendata/datapackage.json`.
pub async fn datapackage(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Value>> {
    s.limit_public(&ctx, "opendata")?;
    let kept = withheld(&s);
    let resources: Vec<Value> = s
        .registry
        .datasets
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "title": zh(d.title),
                "description": zh(d.notes),
                "path": format!("datasets/{}.csv", d.name),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": schema(d, &kept),
            })
        })
        .collect();
    Ok(Json(json!({
        "profile": "tabular-data-package",
        "name": "zaizao-opendata",
        "title": zh("od-site-title"),
        "description": zh("od-site-description"),
        "homepage": format!("{}/opendata", s.settings.public_base_url),
        "created": clock::rfc3339(s.clock.now_ms()),
        "licenses": [{ "name": "CC-BY-4.0", "title": LICENSE_TITLE, "path": LICENSE_URL }],
        "resources": resources,
    })))
}

/// `GET /opendata/catalog.jsonld`: DCAT 2 in JSON-LD with its context inline.
pub async fn dcat(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "opendata")?;
    let base = s.settings.public_base_url.clone();
    let all = s.registry.datasets.clone();
    let listed = all.clone();
    let modified: Vec<Option<i64>> = s.db.read(move |tx| listed.iter().map(|d| d.modified(tx)).collect()).await?;
    let publisher = |name: &str, title: &str| json!({ "@id": format!("{base}/opendata#{name}"), "@type": "foaf:Organization", "foaf:name": zh(title) });
    let datasets: Vec<Value> = all
        .iter()
        .zip(modified)
        .map(|(d, m)| {
            let distributions: Vec<Value> = FORMATS
                .iter()
                .map(|(ext, format, mime)| {
                    let url = format!("{base}/opendata/datasets/{}.{ext}", d.name);
                    json!({
                        "@id": url,
                        "@type": "dcat:Distribution",
                        "dct:title": format!("{}（{format}）", zh(d.title)),
                        "dcat:downloadURL": { "@id": url },
                        "dcat:accessURL": { "@id": url },
                        "dcat:mediaType": mime,
                        "dct:format": format,
                        "dct:license": { "@id": LICENSE_URL },
                    })
                })
                .collect();
            let mut dataset = json!({
                "@id": format!("{base}/opendata/datasets/{}", d.name),
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": [{ "@value": zh(d.title), "@language": "zh" }, { "@value": i18n::t(Lang::En, d.title), "@language": "en" }],
                "dct:description": { "@value": zh(d.notes), "@language": "zh" },
                "dcat:keyword": d.tags,
                "dct:publisher": publisher(d.publisher.name, d.publisher.title),
                "dct:license": { "@id": LICENSE_URL },
                "dcat:landingPage": { "@id": format!("{base}/opendata/datasets/{}", d.name) },
                "dcat:distribution": distributions,
            });
            if let Some(m) = m {
                dataset["dct:modified"] = json!({ "@value": clock::rfc3339(m), "@type": "xsd:dateTime" });
            }
            dataset
        })
        .collect();
    let orgs: Vec<Value> = publishers(&all).iter().map(|p| publisher(p.name, p.title)).collect();
    let doc = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{base}/opendata/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": { "@value": zh("od-site-title"), "@language": "zh" },
        "dct:description": { "@value": zh("od-site-description"), "@language": "zh" },
        "dct:publisher": orgs.first().cloned().unwrap_or(Value::Null),
        "dcat:dataset": datasets,
    });
    let mut res = Json(doc).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/ld+json"));
    Ok(res)
}
