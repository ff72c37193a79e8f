//! The open catalogue (开放数据), without sign-in: a page listing every dataset the
//! mechanisms publish, a page per dataset with its fields and a preview, the downloads
//! (`files`), the CKAN Action API (`ckan`), and the Data Package and DCAT catalog
//! (`package`). What is published is decided once, by each dataset's declaration
//! (`kernel::opendata`) and the configuration's `opendata_withhold`.

mod ckan;
mod files;
mod package;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;

use crate::kernel::clock::fmt_local;
use crate::kernel::error::AppResult;
use crate::kernel::opendata::cell;
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx};

const SECTION: Section = Section::Public("/opendata");

pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/opendata", get(catalogue))
        .route("/opendata/datasets/{file}", get(dataset_or_file))
        .route("/opendata/datapackage.json", get(package::datapackage))
        .route("/opendata/catalog.jsonld", get(package::dcat))
        .route("/opendata/api/action/{action}", get(ckan::action).post(ckan::action))
        .route("/opendata/api/3/action/{action}", get(ckan::action).post(ckan::action))
}

async fn catalogue(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "opendata")?;
    let all = s.registry.datasets.clone();
    let listed = all.clone();
    let facts: Vec<(i64, Option<i64>)> =
        s.db.read(move |tx| listed.iter().map(|d| Ok((d.count(tx)?, d.modified(tx)?))).collect()).await?;
    let body = html! {
        p.muted { (ctx.t("od-intro")) }
        div.cards { @for (d, (count, modified)) in all.iter().zip(&facts) {
            section.card {
                h2 { a href=(format!("/opendata/datasets/{}", d.name)) { (ctx.t(d.title)) } }
                p { (ctx.t(d.notes)) }
                p.muted {
                    (ctx.t_args("od-records", &[("count", &count.to_string())]))
                    @if let Some(m) = modified { " · " (ctx.t("od-updated")) " " (fmt_local(*m)) }
                    " · " (ctx.t(d.publisher.title))
                }
                p { @for (ext, format, _) in ckan::FORMATS {
                    a.button.secondary href=(format!("/opendata/datasets/{}.{ext}", d.name)) download { (format) } " "
                } }
            }
        } }
        h2 { (ctx.t("od-for-machines")) }
        ul {
            li { a href="/opendata/api/3/action/package_list" { (ctx.t("od-ckan")) } " " code { "/opendata/api/3/action/…" } }
            li { a href="/opendata/datapackage.json" { (ctx.t("od-datapackage")) } }
            li { a href="/opendata/catalog.jsonld" { (ctx.t("od-dcat")) } }
            li { (ctx.t("od-sync")) " " code { "/opendata/datasets/enterprises.json?since=2019-04-01T00:00:00%2B08:00" } }
        }
        p.muted { (ctx.t("od-licence")) " " a href=(ckan::LICENSE_URL) rel="license" { (ckan::LICENSE_TITLE) } }
    };
    Ok(layout::page(&ctx, ctx.t("od-title"), SECTION, body).into_response())
}

async fn dataset_or_file(
    state: State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    query: crate::kernel::web::Q<files::SyncQuery>,
) -> AppResult<Response> {
    if file.contains('.') {
        return files::download(state, ctx, Path(file), query).await;
    }
    dataset_page(state, ctx, file).await
}

/// A dataset's fields (the personal ones named as withheld) and its latest records.
async fn dataset_page(State(s): State<AppState>, ctx: Ctx, name: String) -> AppResult<Response> {
    s.limit_public(&ctx, "opendata")?;
    let d = files::dataset(&s, &name)?;
    let withheld = s.settings.opendata_withhold.clone();
    let w = withheld.clone();
    let (count, latest) = s.db.read(move |tx| Ok((d.count(tx)?, d.latest(tx, &w, 20)?))).await?;
    let fields: Vec<_> = d.published(&withheld).collect();
    let kept: Vec<_> = d.fields.iter().filter(|f| !fields.iter().any(|p| p.name == f.name)).collect();
    let body = html! {
        p { (ctx.t(d.notes)) }
        p.muted { (ctx.t_args("od-records", &[("count", &count.to_string())])) " · " (ctx.t(d.publisher.title)) }
        p { @for (ext, format, _) in ckan::FORMATS {
            a.button.secondary href=(format!("/opendata/datasets/{}.{ext}", d.name)) download { (format) } " "
        } }
        h2 { (ctx.t("od-fields")) }
        div.table-wrap { table.list {
            thead { tr { th { (ctx.t("od-field")) } th { (ctx.t("od-field-title")) } th { (ctx.t("od-field-type")) } } }
            tbody { @for f in &fields { tr {
                td data-label=(ctx.t("od-field")) { div.cell { code { (f.name) } } }
                td data-label=(ctx.t("od-field-title")) { div.cell { (ctx.t(f.title)) } }
                td data-label=(ctx.t("od-field-type")) { div.cell { (f.kind.table_schema()) } }
            } } }
        } }
        @if !kept.is_empty() {
            p.muted { (ctx.t("od-withheld")) " " (kept.iter().map(|f| ctx.t(f.title)).collect::<Vec<_>>().join("、")) }
        }
        h2 { (ctx.t("od-preview")) }
        @if latest.is_empty() { (layout::empty_state(ctx.t("od-empty"))) }
        @else {
            div.table-wrap { table.list {
                thead { tr { @for f in &fields { th { (ctx.t(f.title)) } } } }
                tbody { @for r in &latest { tr {
                    @for (f, v) in fields.iter().zip(&r.values) {
                        td data-label=(ctx.t(f.title)) { div.cell { (cell(v, f.kind)) } }
                    }
                } } }
            } }
        }
        p { a href="/opendata" { (ctx.t("common-back")) } }
    };
    Ok(layout::page(&ctx, ctx.t(d.title), SECTION, body).into_response())
}
