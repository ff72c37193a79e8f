//! Process analytics, per process kind: the page beside the declared diagram, the figures
//! as JSON, CSV or Excel, and the event log as XES for process-mining tools.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{PreEscaped, html};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::analytics::{self, Analysis, Resources, Scope, ocel, versions, xes};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::list::{csv_response, xlsx_response};
use crate::kernel::web::period::{self, PeriodQuery};
use crate::kernel::web::{AppState, Ctx, Q};
use crate::kernel::workflow::diagram;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(slowest))
        .routes(routes!(figures))
        .routes(routes!(event_log))
        .routes(routes!(object_log))
        .routes(routes!(comparison))
        .routes(routes!(bpmn_definition))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin/processes/{kind}/analytics", get(page))
        .route("/processes/slowest", get(slowest_page))
}

/// Records per page of a streamed export.
const EXPORT_BATCH: i64 = 2000;

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// `csv` or `xlsx` for a file of one figure.
    pub format: Option<String>,
    /// The figure a file holds: `waits` (default), `edges`, `variants` or `deviations`.
    pub figure: Option<String>,
}

/// The records an analysis covers beyond the period; only what the caller may see, always.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// Only records of this responsible department (its id).
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department: Option<i64>,
    /// Only records that came in by this channel (kinds with channels, such as leads).
    pub channel: Option<String>,
}

/// The scope of an analysis of `kind` for the caller.
fn scope(s: &AppState, ctx: &Ctx, kind: &str, q: &ScopeQuery) -> AppResult<Scope> {
    let channel = q.channel.clone().filter(|c| !c.is_empty());
    Scope::asked(s.registry.facets(kind), q.department, channel, ctx.user.clone())
}

async fn analyse(s: &AppState, ctx: &Ctx, kind: &str, q: &PeriodQuery, sq: &ScopeQuery) -> AppResult<Analysis> {
    ctx.require(Action::ViewProcesses)?;
    let spec = s.processes.spec(kind).ok_or(AppError::NotFound)?;
    let process = s.processes.get(kind)?;
    let (from, to) = q.bounds()?;
    let scope = scope(s, ctx, kind, sq)?;
    let calendar = s.calendar();
    s.look(ctx, Action::ViewProcesses, move |tx, _| {
        let traces = analytics::traces(tx, spec, &scope, from, to)?;
        Ok(analytics::analyse(&process, &calendar, &traces))
    })
    .await
}

/// How many steps the city view shows, and the least records a step needs to be ranked.
const SLOWEST: usize = 5;
const MIN_RECORDS: usize = 2;

/// The period the city view covers: the one asked for, or this quarter.
fn quarter_or_asked(q: &PeriodQuery, now: i64) -> AppResult<crate::kernel::period::Period> {
    Ok(q.asked()?.unwrap_or_else(|| crate::kernel::period::Period::at(crate::kernel::period::Kind::Quarter, now)))
}

async fn slowest_steps(
    s: &AppState,
    ctx: &Ctx,
    shown: &crate::kernel::period::Period,
) -> AppResult<Vec<analytics::SlowStep>> {
    ctx.require(Action::ViewProcesses)?;
    let specs: Vec<&'static crate::kernel::workflow::Spec> =
        s.processes.all().iter().filter_map(|p| s.processes.spec(&p.kind)).collect();
    let (now, before) = (shown.bounds_ms(), shown.previous().bounds_ms());
    let calendar = s.calendar();
    let scopes: Vec<Scope> =
        specs.iter().map(|spec| scope(s, ctx, spec.kind, &ScopeQuery::default())).collect::<AppResult<_>>()?;
    s.look(ctx, Action::ViewProcesses, move |tx, _| {
        let mut this = Vec::new();
        let mut last = Vec::new();
        for (spec, scope) in specs.into_iter().zip(&scopes) {
            this.push((spec.kind.to_owned(), analytics::traces(tx, spec, scope, now.0, now.1)?));
            last.push((spec.kind.to_owned(), analytics::traces(tx, spec, scope, before.0, before.1)?));
        }
        Ok(analytics::slowest_steps(&calendar, &this, &last, SLOWEST, MIN_RECORDS))
    })
    .await
}

/// The five slowest steps across the city's processes in a period (this quarter unless
/// asked), each with the department that moved the records on and the period before.
#[utoipa::path(get, path = "/api/v1/process-analytics", tag = "processes", params(PeriodQuery),
    responses((status = 200, body = Vec<analytics::SlowStep>), (status = 422)))]
async fn slowest(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<Vec<analytics::SlowStep>>> {
    let shown = quarter_or_asked(&q, ctx.now)?;
    slowest_steps(&s, &ctx, &shown).await.map(Json)
}

async fn slowest_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    let shown = quarter_or_asked(&q, ctx.now)?;
    let steps = slowest_steps(&s, &ctx, &shown).await?;
    let names = s
        .look(&ctx, Action::ViewProcesses, |tx, _| {
            tx.query("SELECT code, name FROM departments", &[])?
                .iter()
                .map(|r| Ok((r.text(0)?, r.text(1)?)))
                .collect::<AppResult<std::collections::HashMap<String, String>>>()
        })
        .await?;
    let zh = ctx.lang == Lang::Zh;
    let body = html! {
        (period::chooser(&ctx, &[], Some(&shown), false))
        p.muted { (ctx.t("pa-slowest-hint")) }
        @if steps.is_empty() { (layout::empty_state(ctx.t("pa-no-steps"))) } @else {
            div.table-wrap { table {
                thead { tr {
                    th { (ctx.t("pa-process")) } th { (ctx.t("pa-state")) } th { (ctx.t("common-department")) }
                    th { (ctx.t("pa-median-working")) } th { (ctx.t("pa-before")) } th { (ctx.t("pa-records")) } th { (ctx.t("pa-slowest")) }
                } }
                tbody { @for step in &steps {
                    @let process = s.processes.get(&step.kind).ok();
                    @let source = s.registry.sources.iter().find(|src| src.kind == step.kind);
                    tr {
                        td data-label=(ctx.t("pa-process")) {
                            a href=(format!("/admin/processes/{}/analytics?period={}", step.kind, shown.key())) {
                                (process.as_ref().map_or(step.kind.clone(), |p| if zh { p.name.clone() } else { p.name_en.clone() }))
                            }
                        }
                        td data-label=(ctx.t("pa-state")) { (process.as_ref().map_or(step.state.clone(), |p| p.state_name(&step.state, ctx.lang))) }
                        td data-label=(ctx.t("common-department")) { (names.get(&step.department).cloned().unwrap_or_else(|| ctx.t("pa-system").to_owned())) }
                        td data-label=(ctx.t("pa-median-working")) { strong { (step.median_working_hours) } }
                        td data-label=(ctx.t("pa-before")) {
                            @match step.previous_median_working_hours {
                                Some(before) if before < step.median_working_hours => { (before) " " span.badge.red { "↑" } }
                                Some(before) if before > step.median_working_hours => { (before) " " span.badge.green { "↓" } }
                                Some(before) => { (before) }
                                None => { span.muted { "—" } }
                            }
                        }
                        td data-label=(ctx.t("pa-records")) { (step.records) }
                        td data-label=(ctx.t("pa-slowest")) {
                            @for id in step.slowest.iter().take(5) {
                                @if let Some(src) = source { a href=((src.link)(*id)) { "#" (id) } } @else { "#" (id) } " "
                            }
                        }
                    }
                } }
            } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("pa-slowest-title"), Section::Processes, body).into_response())
}

/// The measures of one process over a period: paths, waits, variants, deviations. With
/// `format=csv|xlsx`, one figure (`figure`) as a file.
#[utoipa::path(get, path = "/api/v1/process-analytics/{kind}", tag = "processes", params(PeriodQuery, ScopeQuery, FileQuery),
    responses((status = 200, body = Analysis), (status = 404), (status = 422)))]
async fn figures(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Q(q): Q<PeriodQuery>,
    Q(sq): Q<ScopeQuery>,
    Q(f): Q<FileQuery>,
) -> AppResult<Response> {
    let a = analyse(&s, &ctx, &kind, &q, &sq).await?;
    match f.format.as_deref() {
        Some("csv" | "xlsx") => file(&a, &f),
        Some(_) => Err(AppError::invalid("bad_format", "format")),
        None => Ok(Json(a).into_response()),
    }
}

fn file(a: &Analysis, q: &FileQuery) -> AppResult<Response> {
    let figure = q.figure.as_deref().unwrap_or("waits");
    let (header, rows): (&[&str], Vec<Vec<String>>) = match figure {
        "waits" => (
            &["state", "left", "median_hours", "p90_hours", "median_working_hours", "p90_working_hours", "waiting_now"],
            a.waits
                .iter()
                .map(|w| {
                    vec![
                        w.state.clone(),
                        w.left.to_string(),
                        w.median_hours.to_string(),
                        w.p90_hours.to_string(),
                        w.median_working_hours.to_string(),
                        w.p90_working_hours.to_string(),
                        w.waiting_now.to_string(),
                    ]
                })
                .collect(),
        ),
        "edges" => (
            &["from", "to", "transition", "count", "median_hours", "p90_hours", "median_working_hours", "declared"],
            a.edges
                .iter()
                .map(|e| {
                    vec![
                        e.from.clone(),
                        e.to.clone(),
                        e.transition.clone(),
                        e.count.to_string(),
                        e.median_hours.to_string(),
                        e.p90_hours.to_string(),
                        e.median_working_hours.to_string(),
                        e.declared.to_string(),
                    ]
                })
                .collect(),
        ),
        "variants" => (
            &["transitions", "records", "share", "median_hours", "rework", "example"],
            a.variants
                .iter()
                .map(|v| {
                    vec![
                        v.transitions.join(" > "),
                        v.records.to_string(),
                        v.share.to_string(),
                        v.median_hours.to_string(),
                        v.rework.to_string(),
                        v.example.to_string(),
                    ]
                })
                .collect(),
        ),
        "deviations" => (
            &["record", "transition", "from", "to", "at"],
            a.deviations
                .iter()
                .map(|d| vec![d.record.to_string(), d.transition.clone(), d.from.clone(), d.to.clone(), d.at.clone()])
                .collect(),
        ),
        _ => return Err(AppError::invalid("bad_figure", "figure")),
    };
    let name = format!("{}-{figure}", a.kind);
    if q.format.as_deref() == Some("xlsx") {
        xlsx_response(&name, header, rows)
    } else {
        csv_response(&name, header, rows)
    }
}

/// A file written piece by piece by `produce`, which sends its pieces and stops when the
/// client has gone; a failure midway cuts the response off, so no client takes a partial
/// file for a whole one.
fn streamed<F, Fut>(name: &str, content_type: &'static str, produce: F) -> Response
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<String, std::io::Error>>) -> Fut,
    Fut: std::future::Future<Output = AppResult<()>> + Send + 'static,
{
    let (tx_out, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    let failed = tx_out.clone();
    let work = produce(tx_out);
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::warn!(error = %e, "export stopped");
            let _ = failed.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Send one piece; `false` when the client has gone.
async fn send(out: &tokio::sync::mpsc::Sender<Result<String, std::io::Error>>, piece: String) -> bool {
    out.send(Ok(piece)).await.is_ok()
}

/// The event log of one process as XES (IEEE 1849-2016): a trace per record created in the
/// period that the caller may see, an event per transition, resources as role and
/// department or as pseudonyms (setting `analytics.resource_detail`), never a name or a
/// record's text. Streamed page by page.
#[utoipa::path(get, path = "/api/v1/process-analytics/{kind}/xes", tag = "processes", params(PeriodQuery, ScopeQuery),
    responses((status = 200, description = "XES event log", content_type = "application/xml"), (status = 404)))]
async fn event_log(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Q(q): Q<PeriodQuery>,
    Q(sq): Q<ScopeQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ViewProcesses)?;
    let spec = s.processes.spec(&kind).ok_or(AppError::NotFound)?;
    let (from, to) = q.bounds()?;
    let scope = scope(&s, &ctx, &kind, &sq)?;
    let state = s.clone();
    Ok(streamed(&format!("{}.xes", spec.kind), "application/xml; charset=utf-8", move |out| async move {
        let resources = state.db.read(Resources::load).await?;
        if !send(&out, xes::head(spec.kind)).await {
            return Ok(());
        }
        let mut after = 0;
        loop {
            let page = scope.clone();
            let traces = state
                .db
                .read(move |tx| analytics::traces_after(tx, spec, &page, from, to, after, EXPORT_BATCH))
                .await?;
            let Some(last) = traces.last().map(|t| t.record) else { break };
            if !send(&out, xes::traces(spec.kind, &traces, &resources)).await {
                return Ok(());
            }
            after = last;
        }
        send(&out, xes::TAIL.to_owned()).await;
        Ok(())
    }))
}

/// Every process's event log as one object-centric log, OCEL 2.0 JSON: records as objects
/// of their kind, transitions as events, and the links between records (a lead handed
/// over as a task, a task of a matter, an idea supported by a package, a hearing of a
/// plan) as the objects' relationships. Records created in the period that the caller may
/// see; people as in the XES log. Streamed kind by kind.
#[utoipa::path(get, path = "/api/v1/process-analytics/ocel", tag = "processes", params(PeriodQuery),
    responses((status = 200, description = "OCEL 2.0 JSON", content_type = "application/json"), (status = 422)))]
async fn object_log(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::ViewProcesses)?;
    let (from, to) = q.bounds()?;
    let kinds: Vec<(&'static crate::kernel::workflow::Spec, Scope)> = s
        .processes
        .all()
        .iter()
        .filter_map(|p| s.processes.spec(&p.kind))
        .map(|spec| Ok((spec, scope(&s, &ctx, spec.kind, &ScopeQuery::default())?)))
        .collect::<AppResult<_>>()?;
    let declared: Vec<String> =
        s.processes.all().iter().flat_map(|p| p.transitions.iter().map(|t| t.id.clone())).collect();
    let state = s.clone();
    Ok(streamed("zaizao.jsonocel", "application/json", move |out| async move {
        let resources = state.db.read(Resources::load).await?;
        let activities = state.db.read(move |tx| ocel::activities(tx, &declared)).await?;
        let names: Vec<&str> = kinds.iter().map(|(spec, _)| spec.kind).collect();
        if !send(&out, ocel::head(&names, &activities)).await {
            return Ok(());
        }
        let targets = std::sync::Arc::new(kinds.clone());
        let mut first = true;
        for (spec, scope) in &kinds {
            let mut after = 0;
            loop {
                let (page, targets, spec) = (scope.clone(), targets.clone(), *spec);
                let (traces, links) = state
                    .db
                    .read(move |tx| {
                        let traces = analytics::traces_after(tx, spec, &page, from, to, after, EXPORT_BATCH)?;
                        let target = |kind: &str| targets.iter().find(|(t, _)| t.kind == kind).cloned();
                        let links = ocel::links(tx, &traces, &page, &target, from, to)?;
                        Ok((traces, links))
                    })
                    .await?;
                let Some(last) = traces.last().map(|t| t.record) else { break };
                if !send(&out, ocel::objects(spec.kind, &traces, &links, &mut first)).await {
                    return Ok(());
                }
                after = last;
            }
        }
        if !send(&out, ocel::BETWEEN.to_owned()).await {
            return Ok(());
        }
        let mut first = true;
        for (spec, scope) in &kinds {
            let mut after = 0;
            loop {
                let (page, spec) = (scope.clone(), *spec);
                let traces = state
                    .db
                    .read(move |tx| analytics::traces_after(tx, spec, &page, from, to, after, EXPORT_BATCH))
                    .await?;
                let Some(last) = traces.last().map(|t| t.record) else { break };
                if !send(&out, ocel::events(spec.kind, &traces, &resources, &mut first)).await {
                    return Ok(());
                }
                after = last;
            }
        }
        send(&out, ocel::TAIL.to_owned()).await;
        Ok(())
    }))
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The change to compare across [default: the latest].
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub version: Option<i64>,
}

const DAY_MS: i64 = 86_400_000;

/// Records created since change `version` (or the latest) against those created in as long
/// a time before it (at least 30 days), and the changes there are.
async fn compared(
    s: &AppState,
    ctx: &Ctx,
    kind: &str,
    version: Option<i64>,
    sq: &ScopeQuery,
) -> AppResult<(Vec<versions::Version>, Option<versions::Comparison>)> {
    ctx.require(Action::ViewProcesses)?;
    let spec = s.processes.spec(kind).ok_or(AppError::NotFound)?;
    let process = s.processes.get(kind)?;
    let scope = scope(s, ctx, kind, sq)?;
    let now = ctx.now;
    s.look(ctx, Action::ViewProcesses, move |tx, _| {
        let all = versions::list(tx, spec.kind)?;
        let Some(v) = all.iter().find(|v| version.is_none_or(|n| n == v.version)).cloned() else {
            return if version.is_some() { Err(AppError::NotFound) } else { Ok((all, None)) };
        };
        let span = (now - v.changed_at).max(30 * DAY_MS);
        let before = analytics::traces(tx, spec, &scope, v.changed_at - span, v.changed_at)?;
        let after = analytics::traces(tx, spec, &scope, v.changed_at, v.changed_at + span)?;
        let c = versions::compare(&process, &v, &before, &after);
        Ok((all, Some(c)))
    })
    .await
}

/// Before and after a change of the definition: the median duration of finished records
/// and the rework share, with sample sizes, 95 % intervals and whether the difference is
/// beyond noise (the method is in the answer).
#[utoipa::path(get, path = "/api/v1/process-analytics/{kind}/comparison", tag = "processes", params(VersionQuery, ScopeQuery),
    responses((status = 200, body = versions::Comparison), (status = 404)))]
async fn comparison(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Q(q): Q<VersionQuery>,
    Q(sq): Q<ScopeQuery>,
) -> AppResult<Json<versions::Comparison>> {
    compared(&s, &ctx, &kind, q.version, &sq).await?.1.map(Json).ok_or(AppError::NotFound)
}

/// A process definition as BPMN 2.0 XML, for process-modelling tools: its transitions as
/// tasks (named as the XES log names them), its states as gateways.
#[utoipa::path(get, path = "/api/v1/processes/{kind}/bpmn", tag = "processes",
    responses((status = 200, description = "BPMN 2.0 XML", content_type = "application/xml"), (status = 404)))]
async fn bpmn_definition(State(s): State<AppState>, ctx: Ctx, Path(kind): Path<String>) -> AppResult<Response> {
    ctx.require(Action::ViewProcesses)?;
    let process = s.processes.get(&kind)?;
    let xml = analytics::bpmn::definition(&process, ctx.lang == Lang::Zh);
    Ok(crate::kernel::web::list::download(&format!("{kind}.bpmn"), "application/xml; charset=utf-8", xml.into_bytes()))
}

async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Q(q): Q<PeriodQuery>,
    Q(sq): Q<ScopeQuery>,
    Q(v): Q<VersionQuery>,
) -> AppResult<Response> {
    let a = analyse(&s, &ctx, &kind, &q, &sq).await?;
    let (changes, before_after) = compared(&s, &ctx, &kind, v.version, &sq).await?;
    let process = s.processes.get(&kind)?;
    let zh = ctx.lang == Lang::Zh;
    let state = |id: &str| process.state_name(id, ctx.lang);
    let transition = |id: &str| {
        process.transition(id).map_or(id.to_owned(), |t| if zh { t.name.clone() } else { t.name_en.clone() })
    };
    let shown = q.asked()?;
    let facets = s.registry.facets(&kind);
    let departments = match facets.filter(|f| !f.department.is_empty()) {
        Some(_) => s.look(&ctx, Action::ViewProcesses, |tx, _| crate::org::departments::options(tx)).await?,
        None => Vec::new(),
    };
    let channels: Vec<(String, String)> = facets
        .map(|f| f.channels.iter().map(|c| ((*c).to_owned(), f.channel_name(ctx.lang, c))).collect())
        .unwrap_or_default();
    // The filters every link of the page keeps.
    let keep: Vec<(&str, String)> = vec![
        ("department", sq.department.map(|d| d.to_string()).unwrap_or_default()),
        ("channel", sq.channel.clone().unwrap_or_default()),
    ];
    let query = shown
        .iter()
        .map(|p| ("period", p.key()))
        .chain(keep.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.clone())))
        .map(|(k, v)| format!("{k}={}", crate::kernel::web::list::url_encode(&v)))
        .collect::<Vec<_>>()
        .join("&");
    let api = format!("/api/v1/process-analytics/{kind}");
    // A record a click away, where its kind has a page (search knows where).
    let source = s.registry.sources.iter().find(|src| src.kind == process.kind).copied();
    let record = |id: i64| match source {
        Some(src) => html! { a href=((src.link)(id)) { "#" (id) } },
        None => html! { "#" (id) },
    };
    let mut slowest: Vec<&analytics::Wait> = a.waits.iter().filter(|w| w.left > 0).collect();
    slowest.sort_by(|x, y| y.median_working_hours.total_cmp(&x.median_working_hours));
    let body = html! {
        (period::chooser(&ctx, &keep, shown.as_ref(), true))
        @if !departments.is_empty() || !channels.is_empty() {
            form.filters method="get" action=(ctx.path) {
                @if let Some(p) = &shown { input type="hidden" name="period" value=(p.key()); }
                @if !departments.is_empty() {
                    label.field { span { (ctx.t("common-department")) }
                        select name="department" {
                            option value="" { (ctx.t("pa-all")) }
                            @for (id, name) in &departments { option value=(id) selected[sq.department == Some(*id)] { (name) } }
                        }
                    }
                }
                @if !channels.is_empty() {
                    label.field { span { (ctx.t("pa-channel")) }
                        select name="channel" {
                            option value="" { (ctx.t("pa-all")) }
                            @for (code, name) in &channels { option value=(code) selected[sq.channel.as_deref() == Some(code.as_str())] { (name) } }
                        }
                    }
                }
                button type="submit" { (ctx.t("pa-filter")) }
            }
        }
        p {
            a.export href=(format!("{api}/xes?{query}")) { (ctx.t("pa-export-xes")) } " · "
            a href=(format!("/api/v1/process-analytics/ocel?{}", shown.as_ref().map(|p| format!("period={}", p.key())).unwrap_or_default())) { (ctx.t("pa-export-ocel")) } " · "
            a href=(format!("/api/v1/processes/{kind}/bpmn")) { (ctx.t("pa-export-bpmn")) } " · "
            a href=(format!("/admin/processes/{kind}")) { (ctx.t("pa-declared")) }
        }
        div.cards {
            div.card { div.muted { (ctx.t("pa-records")) } strong { (a.records) } }
            div.card { div.muted { (ctx.t("pa-events")) } strong { (a.events) } }
            div.card { div.muted { (ctx.t("pa-variants")) } strong { (a.variants.len()) } }
            div.card { div.muted { (ctx.t("pa-rework-share")) } strong { (a.rework_share) "%" } }
            div.card { div.muted { (ctx.t("pa-deviations")) } strong { (a.deviations.len()) } }
        }
        h2 { (ctx.t("pa-discovered")) }
        p.muted { (ctx.t("pa-discovered-hint")) }
        div.diagram { (PreEscaped(diagram::svg(&analytics::discovered(&process, &a, zh), ctx.lang))) }
        h2 { (ctx.t("pa-declared")) }
        div.diagram { (PreEscaped(diagram::svg(&process, ctx.lang))) }
        h2 { (ctx.t("pa-bottlenecks")) }
        p.muted { (ctx.t("pa-bottlenecks-hint")) " " a href=(format!("{api}?{query}&format=csv&figure=waits")) { "CSV" } " · " a href=(format!("{api}?{query}&format=xlsx&figure=waits")) { "Excel" } }
        div.table-wrap { table {
            thead { tr {
                th { (ctx.t("pa-state")) } th { (ctx.t("pa-left")) } th { (ctx.t("pa-median-working")) }
                th { (ctx.t("pa-p90-working")) } th { (ctx.t("pa-median-calendar")) } th { (ctx.t("pa-waiting-now")) } th { (ctx.t("pa-slowest")) }
            } }
            tbody { @for w in &slowest { tr {
                td data-label=(ctx.t("pa-state")) { (state(&w.state)) }
                td data-label=(ctx.t("pa-left")) { (w.left) }
                td data-label=(ctx.t("pa-median-working")) { (w.median_working_hours) }
                td data-label=(ctx.t("pa-p90-working")) { (w.p90_working_hours) }
                td data-label=(ctx.t("pa-median-calendar")) { (w.median_hours) }
                td data-label=(ctx.t("pa-waiting-now")) { (w.waiting_now) }
                td data-label=(ctx.t("pa-slowest")) { @for id in w.slowest.iter().take(5) { (record(*id)) " " } }
            } } }
        } }
        h2 { (ctx.t("pa-variants")) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("pa-path")) } th { (ctx.t("pa-records")) } th { (ctx.t("pa-share")) } th { (ctx.t("pa-median-calendar")) } th { (ctx.t("pa-example")) } } }
            tbody { @for v in a.variants.iter().take(20) { tr {
                td data-label=(ctx.t("pa-path")) {
                    @if v.transitions.is_empty() { span.muted { (ctx.t("pa-not-moved")) } }
                    (v.transitions.iter().map(|t| transition(t)).collect::<Vec<_>>().join(" → "))
                    @if v.rework { " " (layout::badge(ctx.t("pa-rework"), "yellow")) }
                }
                td data-label=(ctx.t("pa-records")) { (v.records) }
                td data-label=(ctx.t("pa-share")) { (v.share) "%" }
                td data-label=(ctx.t("pa-median-calendar")) { (v.median_hours) }
                td data-label=(ctx.t("pa-example")) { (record(v.example)) }
            } } }
        } }
        h2 { (ctx.t("pa-before-after")) }
        @match &before_after {
            None => { p.muted { (ctx.t("pa-no-change")) } }
            Some(c) => {
                p.muted {
                    (ctx.t_args("pa-change-of", &[("version", &c.version.to_string()), ("at", &c.changed_at)])) " "
                    @for other in changes.iter().filter(|o| o.version != c.version) {
                        a href=(format!("?version={}&{query}", other.version)) { "v" (other.version) } " "
                    }
                }
                div.table-wrap { table {
                    thead { tr {
                        th { (ctx.t("pa-measure")) } th { (ctx.t("pa-before-change")) } th { (ctx.t("pa-after-change")) }
                        th { (ctx.t("pa-difference")) } th { (ctx.t("pa-interval")) } th { (ctx.t("pa-verdict")) }
                    } }
                    tbody { @for m in &c.measures { tr {
                        td data-label=(ctx.t("pa-measure")) { (ctx.t(&format!("pa-measure-{}", m.measure))) }
                        td data-label=(ctx.t("pa-before-change")) { (figure(m.before)) " (n=" (m.before_n) ")" }
                        td data-label=(ctx.t("pa-after-change")) { (figure(m.after)) " (n=" (m.after_n) ")" }
                        td data-label=(ctx.t("pa-difference")) { (figure(m.difference)) }
                        td data-label=(ctx.t("pa-interval")) { @if let (Some(l), Some(h)) = (m.low, m.high) { (l) " ~ " (h) } @else { "—" } }
                        td data-label=(ctx.t("pa-verdict")) {
                            @if m.low.is_none() { span.muted { (ctx.t("pa-too-few")) } }
                            @else if m.beyond_noise { (layout::badge(ctx.t("pa-beyond-noise"), "green")) }
                            @else { (ctx.t("pa-within-noise")) }
                        }
                    } } }
                } }
                p.muted { (ctx.t("pa-method")) }
            }
        }
        h2 { (ctx.t("pa-deviations")) }
        @if a.deviations.is_empty() { p.muted { (ctx.t("pa-no-deviations")) } } @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("pa-record")) } th { (ctx.t("pa-move")) } th { (ctx.t("pa-at")) } } }
                tbody { @for d in &a.deviations { tr {
                    td data-label=(ctx.t("pa-record")) { (record(d.record)) }
                    td data-label=(ctx.t("pa-move")) { (state(&d.from)) " → " (state(&d.to)) " (" (transition(&d.transition)) ")" }
                    td data-label=(ctx.t("pa-at")) { (d.at) }
                } } }
            } }
        }
    };
    let title = format!("{} · {}", ctx.t("pa-title"), if zh { &process.name } else { &process.name_en });
    fn figure(v: Option<f64>) -> String {
        v.map_or_else(|| "—".to_owned(), |v| v.to_string())
    }
    Ok(layout::page(&ctx, &title, Section::Processes, body).into_response())
}
