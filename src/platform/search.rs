//! Full-text search for government users (page and API), and the index's status and
//! rebuild for administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{PreEscaped, html};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::{self, Action};
use crate::kernel::audit::{self, Change};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::search::{SearchPage, SearchQuery, Status, indexer};
use crate::kernel::validate;
use crate::kernel::web::form::Fields;
use crate::kernel::web::layout::{self, Section, csrf_field};
use crate::kernel::web::list::url_encode;
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q, need};
use crate::kernel::{clock, i18n};

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(status)).routes(routes!(rebuild))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/search", get(page))
        .route("/admin/search", get(admin_page))
        .route("/admin/search/rebuild", post(rebuild_page))
}

const MAX_QUERY: usize = 200;

/// Check the query, wait for changes made before it to be indexed, and search with the
/// caller's access keys.
async fn run(s: &AppState, ctx: &Ctx, mut q: SearchQuery) -> AppResult<SearchPage> {
    let user = ctx.require(Action::Search)?;
    q.q = validate::text(&q.q, "q", MAX_QUERY)?;
    if let Some(kind) = q.kind.as_deref().filter(|k| !k.is_empty())
        && s.registry.source(kind).is_none()
    {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let department = user.department_id;
    let desks = s.db.read(move |tx| access::desks_of(tx, department)).await?;
    let keys = access::search_keys(user, &desks);
    indexer::catch_up(&s.search, &s.db).await?;
    let turn = s.search.turn().await?;
    let search = s.search.clone();
    let mut found = tokio::task::spawn_blocking(move || search.query(&q, keys.as_deref()))
        .await
        .map_err(|e| AppError::internal(format!("search task failed: {e}")))??;
    drop(turn);
    for hit in &mut found.hits {
        if let Some(source) = s.registry.source(&hit.kind) {
            hit.link = (source.link)(hit.id);
        }
    }
    Ok(found)
}

/// Search leads, matters and tasks: Chinese is segmented into words; every word must
/// occur (when none has them all, records with some are returned and `partial` is set).
/// Only records the caller may see are found.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 403), (status = 422)))]
async fn search(State(s): State<AppState>, ctx: Ctx, Q(q): Q<SearchQuery>) -> AppResult<Json<SearchPage>> {
    run(&s, &ctx, q).await.map(Json)
}

/// The index: documents, size on disk, queue position, whether a rebuild runs.
#[utoipa::path(get, path = "/api/v1/search/status", tag = "search", responses((status = 200, body = Status), (status = 403)))]
async fn status(State(s): State<AppState>, Can(_, _): Can<need::ManageSearch>) -> Json<Status> {
    Json(s.search.status())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RebuildRequested {
    pub requested: bool,
}

/// Rebuild the index from the database in the background; searches use the old index
/// until the new one is ready.
#[utoipa::path(post, path = "/api/v1/search/rebuild", tag = "search",
    responses((status = 202, body = RebuildRequested), (status = 403)))]
async fn rebuild(State(s): State<AppState>, Can(ctx, _): Can<need::ManageSearch>) -> AppResult<Response> {
    request_rebuild(&s, &ctx).await?;
    Ok((StatusCode::ACCEPTED, Json(RebuildRequested { requested: true })).into_response())
}

async fn request_rebuild(s: &AppState, ctx: &Ctx) -> AppResult<()> {
    s.change(ctx, Action::ManageSearch, |tx, who| {
        audit::record(tx, who, Change { action: "rebuild", kind: "search_index", id: None, before: None, after: None })
    })
    .await?;
    s.search.request_rebuild();
    Ok(())
}

/// A kind of record in words, from its source's label.
fn kind_name(ctx: &Ctx, kind: &str) -> String {
    ctx.registry.source(kind).map_or_else(|| kind.to_owned(), |s| ctx.t(s.label).to_owned())
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<SearchQuery>) -> AppResult<Response> {
    ctx.require(Action::Search)?;
    let z = ctx.zh();
    let asked = !q.q.trim().is_empty();
    let (found, err) = if asked {
        match run(&s, &ctx, q.clone()).await {
            Ok(found) => (Some(found), None),
            Err(e @ AppError::Invalid { .. }) => (None, Some(e)),
            Err(e) => return Err(e),
        }
    } else {
        (None, None)
    };
    let facets: Vec<(&str, Vec<(String, String)>)> = s
        .registry
        .sources
        .iter()
        .filter_map(|src| src.facet)
        .map(|f| {
            let values =
                f.values.iter().map(|code| (code.to_string(), ctx.t(&format!("{}{code}", f.names)).to_owned()));
            (ctx.t(f.label), values.collect())
        })
        .collect();
    let kinds: Vec<(String, String)> =
        s.registry.sources.iter().map(|src| (src.kind.to_string(), ctx.t(src.label).to_string())).collect();
    let sorts = vec![
        ("relevance".to_string(), (ctx.t("pf-relevance")).to_string()),
        ("newest".to_string(), (ctx.t("pf-newest")).to_string()),
    ];
    let selected = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        form.filters method="get" action="/search" role="search" {
            label.field.grow {
                span { (ctx.t("pf-words")) }
                input type="search" name="q" value=(q.q) maxlength=(MAX_QUERY) autofocus
                    placeholder=(ctx.t("pf-e-g"));
            }
            (filter_select(&ctx, "kind", ctx.t("pf-kind-2"), &kinds, &selected(&q.kind)))
            @for (label, values) in &facets {
                (filter_select(&ctx, "channel", label, values, &selected(&q.facet)))
            }
            label.field {
                span { (ctx.t("pf-sort")) }
                select name="sort" {
                    @for (v, text) in &sorts { option value=(v) selected[Some(v.as_str()) == q.sort.as_deref()] { (text) } }
                }
            }
            button type="submit" { (ctx.t("pf-search")) }
        }
        (layout::error_banner(&ctx, err.as_ref()))
        @match &found {
            None => {
                @if err.is_none() {
                    (layout::empty_state(ctx.t("pf-type-words-to-search-the")))
                }
            }
            Some(found) => {
                @if found.rebuilding {
                    p.alert { (ctx.t("pf-the-index-is-being-rebuilt")) }
                }
                @if found.hits.is_empty() {
                    (layout::empty_state(ctx.t("pf-nothing-found-with-these-words")))
                } @else {
                    p.muted {
                        (match (z, found.total) {
                            (true, n) => format!("共 {n} 条结果"),
                            (false, 1) => "1 result".to_owned(),
                            (false, n) => format!("{n} results"),
                        })
                        " · " (ctx.t("pf-words-2")) (found.words.join(" / "))
                    }
                    @if found.partial {
                        p.alert { (ctx.t("pf-no-record-has-every-word")) }
                    }
                    ol.results {
                        @for hit in &found.hits {
                            li {
                                div {
                                    (layout::badge(&kind_name(&ctx, &hit.kind), "blue")) " "
                                    a href=(hit.link) { (PreEscaped(&hit.title_html)) }
                                    " " span.muted { "#" (hit.id) " · " (state_name(&s, &ctx, &hit.kind, &hit.state)) " · " (clock::fmt_local(hit.created_at)) }
                                }
                                p.snippet { (PreEscaped(&hit.snippet_html)) }
                            }
                        }
                    }
                    (pager(&ctx, &q, found))
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pf-search-2"), Section::Search, body).into_response())
}

fn filter_select(ctx: &Ctx, name: &str, label: &str, options: &[(String, String)], selected: &str) -> maud::Markup {
    html! {
        label.field {
            span { (label) }
            select name=(name) {
                option value="" { (ctx.t("pf-all")) }
                @for (v, text) in options { option value=(v) selected[*v == selected] { (text) } }
            }
        }
    }
}

fn state_name(s: &AppState, ctx: &Ctx, kind: &str, state: &str) -> String {
    s.processes.get(kind).map(|p| p.state_name(state, ctx.lang)).unwrap_or_else(|_| state.to_owned())
}

fn pager(ctx: &Ctx, q: &SearchQuery, found: &SearchPage) -> maud::Markup {
    let pages = (found.total as usize).div_ceil(found.per.max(1)).min(500);
    let link = |page: usize| {
        let mut url = format!("/search?q={}&page={page}", url_encode(&q.q));
        for (k, v) in [("kind", &q.kind), ("channel", &q.facet), ("sort", &q.sort), ("state", &q.state)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                url.push_str(&format!("&{k}={}", url_encode(v)));
            }
        }
        url
    };
    html! {
        div.pager {
            @if found.page > 1 { a href=(link(found.page - 1)) { (ctx.t("pf-previous")) } }
            span { (i18n::t_args(ctx.lang, "pf-page-of", &[("page", &found.page.to_string()), ("pages", &pages.max(1).to_string())])) }
            @if found.page < pages { a href=(link(found.page + 1)) { (ctx.t("pf-next")) } }
        }
    }
}

async fn admin_page(State(s): State<AppState>, Can(ctx, _): Can<need::ManageSearch>) -> AppResult<Response> {
    let st = s.search.status();
    let body = html! {
        p { (ctx.t("pf-the-index-lives-in-this")) }
        dl.facts {
            dt { (ctx.t("pf-documents")) } dd { (st.documents) }
            dt { (ctx.t("pf-segments")) } dd { (st.segments) }
            dt { (ctx.t("pf-size-on-disk")) } dd { (format!("{:.1} MB", st.size_bytes as f64 / 1_048_576.0)) }
            dt { (ctx.t("pf-queue-position-indexed")) } dd { (st.watermark) }
            dt { (ctx.t("pf-state")) } dd {
                @if st.rebuilding { (layout::badge(ctx.t("pf-rebuilding"), "yellow")) }
                @else { (layout::badge(ctx.t("pf-up-to-date"), "green")) }
            }
            dt { (ctx.t("pf-folder")) } dd { code { (st.folder) } }
        }
        form method="post" action="/admin/search/rebuild" {
            (csrf_field(&ctx))
            button type="submit" { (ctx.t("pf-rebuild-from-the-database")) }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pf-search-index"), Section::Search, body).into_response())
}

async fn rebuild_page(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    request_rebuild(&s, &f.ctx).await?;
    Ok(Redirect::to("/admin/search").into_response())
}
