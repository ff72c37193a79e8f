//! The support package pages: the list, the department's form (the evaluated ideas it
//! bundles, the measures with owner, resources and deadline), one package with its
//! approval and how each measure's task stands, and its print layout for filing.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::idea::{self, Idea, IdeaFilter};
use super::idea_pages::{SECTION, tabs};
use super::packages::{self, KINDS, MeasureInput, Package, PackageFilter, PackageInput};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::{self, fmt_local};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value, with_repeated};
use crate::kernel::web::layout::{self, Pick, choose_field, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/packages", get(list).post(create))
        .route("/ideas/packages/new", get(new_form))
        .route("/ideas/packages/{id}", get(show).post(update))
        .route("/ideas/packages/{id}/transition", post(transition))
        .route("/ideas/packages/{id}/print", get(print))
}

fn kind_name(ctx: &Ctx, kind: &str) -> String {
    ctx.t(&format!("idea-package-{kind}")).to_owned()
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<PackageFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewIdeas)?.clone();
    let rules = s.rules(&super::PACKAGE)?;
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewIdeas, move |tx, _| packages::list(tx, &user, &fq, &pq)).await?;
    let process = &rules.process;
    let table = Table::new()
        .column(
            "title",
            ctx.t("idea-package-title"),
            |p: &Package| html! { a href=(format!("/ideas/packages/{}", p.id)) { (p.title) } },
            |p| p.title.clone(),
        )
        .sorts("title")
        .text("kind", ctx.t("idea-package-kind"), |p| kind_name(&ctx, &p.kind))
        .text("industry", ctx.t("idea-industry"), |p| p.industry.clone())
        .text("state", ctx.t("idea-stage"), |p| process.state_name(&p.state, ctx.lang))
        .sorts("state")
        .text("department", ctx.t("idea-department"), |p| p.department_name.clone())
        .text("leader", ctx.t("idea-leader"), |p| p.leader_name.clone())
        .exported("approved", ctx.t("idea-approved-at"), |p| p.approved_at.map(fmt_local).unwrap_or_default());
    respond(&p, "support-packages", &table, &page.items, || {
        let extra: Vec<(&str, String)> =
            vec![("state", f.state.clone().unwrap_or_default()), ("kind", f.kind.clone().unwrap_or_default())];
        let mut states = vec![(String::new(), ctx.t("common-all").to_owned())];
        states.extend(process.states.iter().map(|st| (st.id.clone(), process.state_name(&st.id, ctx.lang))));
        let mut kinds = vec![(String::new(), ctx.t("common-all").to_owned())];
        kinds.extend(KINDS.iter().map(|k| ((*k).to_owned(), kind_name(&ctx, k))));
        let body = html! {
            (tabs(&ctx, "/ideas/packages"))
            @if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::HandleIdeas)) {
                div.actions { a.button href="/ideas/packages/new" { (ctx.t("idea-new-package")) } }
            }
            form.filters method="get" action="/ideas/packages" {
                (text_field(&ctx, "q", ctx.t("idea-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "state", ctx.t("idea-stage"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "kind", ctx.t("idea-package-kind"), &kinds, f.kind.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("idea-no-packages")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("idea-packages"), SECTION, body).into_response()
    })
}

/// The measure rows of the form: those the package has, and three more.
const BLANK_ROWS: usize = 3;

fn input_of(f: &Fields, idea_ids: Vec<i64>) -> AppResult<PackageInput> {
    let text = |name: &str| f.get(name).cloned().unwrap_or_default();
    let opt_id = |name: &str| text(name).trim().parse::<i64>().ok();
    let rows: usize = text("rows").parse().unwrap_or(0).min(60);
    let measures = (0..rows)
        .filter(|n| !text(&format!("m_content_{n}")).trim().is_empty())
        .map(|n| MeasureInput {
            content: text(&format!("m_content_{n}")),
            resources: text(&format!("m_resources_{n}")),
            department_id: opt_id(&format!("m_department_{n}")),
            assignee_id: opt_id(&format!("m_assignee_{n}")),
            deadline: text(&format!("m_deadline_{n}")),
            confidential: f.contains_key(&format!("m_confidential_{n}")),
        })
        .collect();
    Ok(PackageInput {
        kind: text("kind"),
        title: text("title"),
        industry: text("industry"),
        summary: text("summary"),
        leader_id: opt_id("leader_id").ok_or_else(|| AppError::invalid("required", "leader_id"))?,
        idea_ids,
        measures,
    })
}

struct Choices {
    ideas: Vec<Idea>,
    leaders: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    people: Vec<(String, String)>,
}

async fn choices(s: &AppState, ctx: &Ctx, package: Option<&Package>) -> AppResult<Choices> {
    let user = ctx.require(Action::HandleIdeas)?.clone();
    let (rules, now) = (s.rules(&super::IDEA)?, ctx.now);
    let people: Vec<(String, String)> = package
        .map(|p| p.measures.iter().map(|m| (m.assignee_id.to_string(), m.assignee_name.clone())).collect())
        .unwrap_or_default();
    let chosen: Vec<i64> = package.map(|p| p.ideas.iter().map(|i| i.id).collect()).unwrap_or_default();
    let (ideas, leaders, departments) = s
        .look(ctx, Action::HandleIdeas, move |tx, _| {
            let f = IdeaFilter { state: Some("evaluated".into()), ..Default::default() };
            let p = ListParams { per: Some(100), ..Default::default() };
            let mut list = idea::list(tx, &user, &rules, &f, &p, now)?.items;
            for id in chosen {
                if !list.iter().any(|i| i.id == id) {
                    list.push(idea::find(tx, &rules, id, now)?);
                }
            }
            let leaders = tx
                .query("SELECT id, display_name FROM users WHERE role = 'leader' AND active = 1 ORDER BY id", &[])?
                .iter()
                .map(|r| Ok((r.int(0)?.to_string(), r.text(1)?)))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((list, leaders, crate::org::departments::options(tx)?))
        })
        .await?;
    let departments = departments.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    Ok(Choices { ideas, leaders, departments, people })
}

fn fields(ctx: &Ctx, c: &Choices, p: Option<&Package>, retry: Option<&Retry>) -> Markup {
    let f = "package";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let kinds: Vec<(String, String)> = KINDS.iter().map(|k| ((*k).to_owned(), kind_name(ctx, k))).collect();
    let rows = p.map_or(0, |p| p.measures.len()) + BLANK_ROWS;
    let chosen: Vec<i64> = p.map(|p| p.ideas.iter().map(|i| i.id).collect()).unwrap_or_default();
    html! {
        (error_banner(ctx, err))
        (choose_field(ctx, "kind", ctx.t("idea-package-kind"), &kinds, &was("kind", p.map(|p| p.kind.clone()).unwrap_or_default()), true, err))
        (text_field(ctx, "title", ctx.t("idea-package-title"), &was("title", p.map(|p| p.title.clone()).unwrap_or_default()), err, true))
        (text_field(ctx, "industry", ctx.t("idea-industry"), &was("industry", p.map(|p| p.industry.clone()).unwrap_or_default()), err, true))
        label.field { span { (ctx.t("idea-package-summary")) } textarea name="summary" rows="4" { (was("summary", p.map(|p| p.summary.clone()).unwrap_or_default())) } }
        (choose_field(ctx, "leader_id", ctx.t("idea-leader"), &c.leaders, &was("leader_id", p.map(|p| p.leader_id.to_string()).unwrap_or_default()), true, err))
        fieldset.checks {
            legend { (ctx.t("idea-package-ideas")) }
            @if c.ideas.is_empty() { p.muted { (ctx.t("idea-no-evaluated")) } }
            div.checks-box { @for i in &c.ideas {
                label { input type="checkbox" name="idea_ids" value=(i.id) checked[chosen.contains(&i.id)]; " " (i.title) " · " span.muted { (i.enterprise_name) " · " (i.industry) } }
            } }
        }
        fieldset.items {
            legend { (ctx.t("idea-measures")) }
            p.muted.hint { (ctx.t("idea-measures-hint")) }
            input type="hidden" name="rows" value=(rows);
            @for n in 0..rows {
                @let m = p.and_then(|p| p.measures.get(n));
                @let v = |name: &str, current: String| value(retry, f, &format!("m_{name}_{n}"), &current).to_owned();
                @let dept_field = format!("m_department_{n}");
                div.item-row {
                    label.field { span { (ctx.t("idea-measure")) } textarea name=(format!("m_content_{n}")) rows="2" { (v("content", m.map(|m| m.content.clone()).unwrap_or_default())) } }
                    (text_field(ctx, &format!("m_resources_{n}"), ctx.t("idea-resources"), &v("resources", m.map(|m| m.resources.clone()).unwrap_or_default()), None, false))
                    (layout::picker_field(ctx, &dept_field, ctx.t("idea-measure-department"), &c.departments, &v("department", m.map(|m| m.department_id.to_string()).unwrap_or_default()), None, &Pick { required: false, ..Pick::UNIT }))
                    (layout::picker_field(ctx, &format!("m_assignee_{n}"), ctx.t("idea-measure-assignee"), &c.people, &v("assignee", m.map(|m| m.assignee_id.to_string()).unwrap_or_default()), None, &Pick { required: false, ..Pick::person_in(&dept_field) }))
                    (layout::input_field(ctx, "date", &format!("m_deadline_{n}"), ctx.t("idea-measure-deadline"), &v("deadline", m.map(|m| m.deadline.clone()).unwrap_or_default()), None, false))
                    label.check { input type="checkbox" name=(format!("m_confidential_{n}")) value="1" checked[m.is_some_and(|m| m.confidential)]; " " (ctx.t("idea-confidential")) }
                }
            }
        }
    }
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let c = choices(s, ctx, None).await?;
    let body = html! {
        form.stack method="post" action="/ideas/packages" {
            (csrf_field(ctx))
            (fields(ctx, &c, None, retry))
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/ideas/packages" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("idea-new-package"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, idea_ids) = with_repeated(&ctx, &body, "idea_ids")?;
    let user = ctx.require(Action::HandleIdeas)?.clone();
    let (rules, idea_rules) = (s.rules(&super::PACKAGE)?, s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::HandleIdeas, "package", form, move |tx, who, fields: Fields| {
        packages::create(tx, who, &user, &rules, &idea_rules, &input_of(&fields, idea_ids)?)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/ideas/packages/{}", p.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn load(s: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Package, Vec<&'static str>)> {
    let (user, env, now) = (ctx.require(Action::ViewIdeas)?.clone(), s.environment(), ctx.now);
    let port = s.registry.tasks()?;
    s.look(ctx, Action::ViewIdeas, move |tx, _| packages::get(tx, &user, id, Some((port, &env, now)))).await
}

fn delivery_badge(ctx: &Ctx, m: &packages::Measure, today: &str) -> Markup {
    let d = packages::delivery(&m.deadline, m.delivered_on.as_deref(), today);
    let tone = match d {
        "on_time" => "green",
        "overdue" | "late" => "red",
        _ => "",
    };
    layout::badge(ctx.t(&format!("idea-delivery-{d}")), tone)
}

fn measures_table(ctx: &Ctx, p: &Package, today: &str) -> Markup {
    html! {
        table.data { thead { tr {
            th { "#" } th { (ctx.t("idea-measure")) } th { (ctx.t("idea-resources")) } th { (ctx.t("idea-measure-department")) }
            th { (ctx.t("idea-measure-deadline")) } th { (ctx.t("idea-delivery")) }
        } } tbody { @for (n, m) in p.measures.iter().enumerate() { tr {
            td { (n + 1) }
            td data-label=(ctx.t("idea-measure")) { (m.content) @if m.confidential { " " (layout::badge(ctx.t("idea-confidential"), "")) } }
            td data-label=(ctx.t("idea-resources")) { (m.resources) }
            td data-label=(ctx.t("idea-measure-department")) { (m.department_name) " · " (m.assignee_name) }
            td data-label=(ctx.t("idea-measure-deadline")) { (m.deadline) }
            td data-label=(ctx.t("idea-delivery")) {
                (delivery_badge(ctx, m, today))
                @if let Some(t) = &m.task { " " (layout::light_badge(ctx, t.light)) " " a href=(format!("/tasks/{}", t.id)) { (if ctx.lang == crate::kernel::i18n::Lang::En { &t.state_en } else { &t.state }) " · " (t.progress) "%" } }
            }
        } } } }
    }
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (p, relations) = load(s, ctx, id).await?;
    let rules = s.rules(&super::PACKAGE)?;
    let process = &rules.process;
    let available = process.available(&p.state, &relations);
    let editable = relations.contains(&"department") && matches!(p.state.as_str(), "drafting" | "returned");
    let c = if editable { Some(choices(s, ctx, Some(&p)).await?) } else { None };
    let history = s
        .look(ctx, Action::ViewIdeas, move |tx, _| crate::kernel::workflow::history(tx, "support_package", id))
        .await?;
    let today = clock::local_date(ctx.now).to_string();
    let body = html! {
        (tabs(ctx, "/ideas/packages"))
        @if let Some(r) = retry.filter(|r| r.form == "transition") { (error_banner(ctx, Some(&r.err))) }
        div.card { dl.facts {
            dt { (ctx.t("idea-stage")) } dd { (process.state_name(&p.state, ctx.lang)) }
            dt { (ctx.t("idea-package-kind")) } dd { (kind_name(ctx, &p.kind)) " · " (p.industry) }
            dt { (ctx.t("idea-department")) } dd { (p.department_name) " · " (p.drafted_by_name) }
            dt { (ctx.t("idea-leader")) } dd { (p.leader_name) }
            @if let Some(m) = p.matter_id { dt { (ctx.t("idea-matter")) } dd { a href=(format!("/matters/{m}")) { "#" (m) } } }
            dt { (ctx.t("idea-package-ideas")) } dd { @for i in &p.ideas { a href=(format!("/ideas/{}", i.id)) { (i.title) } " · " span.muted { (i.enterprise_name) } br; } }
        } }
        @if !p.summary.is_empty() { div.card.prose { @for line in p.summary.lines() { p { (line) } } } }
        h2 { (ctx.t("idea-measures")) }
        (measures_table(ctx, &p, &today))
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/ideas/packages/{}/transition", p.id), &available, |_| html! {}))
        }
        @if let Some(c) = &c {
            details.panel open[error(retry, "package").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/ideas/packages/{}", p.id)) {
                    (csrf_field(ctx))
                    (fields(ctx, c, Some(&p), retry))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("common-history")) }
        (layout::history(ctx, process, &history))
        p { a href=(format!("/ideas/packages/{}/print", p.id)) { (ctx.t("idea-print")) } " " (layout::history_link(ctx, "support_package", p.id)) " " a href="/ideas/packages" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &p.title, SECTION, body)).into_response())
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, idea_ids) = with_repeated(&ctx, &body, "idea_ids")?;
    let user = ctx.require(Action::HandleIdeas)?.clone();
    match attempt(&s, &ctx, Action::HandleIdeas, "package", form, move |tx, who, fields: Fields| {
        packages::update(tx, who, &user, id, &input_of(&fields, idea_ids)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/packages/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn transition(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<packages::Step>,
) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match super::api::package_transition(&s, &ctx, id, form.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/packages/{id}")).into_response()),
        Err(e) if crate::kernel::web::form::is_fixable(&e) => {
            let values = Fields::from([("transition".to_owned(), form.transition)]);
            render(&s, &ctx, id, Some(&Retry::new("transition", values, e))).await
        }
        Err(e) => Err(e),
    }
}

/// The package as a document to file: 一业一策 / 一企一策 with its measures as a table.
async fn print(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (p, _) = load(&s, &ctx, id).await?;
    let today = clock::local_date(ctx.now).to_string();
    let body = html! {
        article.document {
            h1 { (p.title) }
            p.subtitle { (kind_name(&ctx, &p.kind)) " · " (p.industry) " · " (p.department_name) }
            @if let Some(at) = p.approved_at { p { (ctx.t("idea-approved-at")) " " (fmt_local(at)) " · " (p.leader_name) } }
            @for line in p.summary.lines() { p { (line) } }
            h2 { (ctx.t("idea-package-ideas")) }
            ol { @for i in &p.ideas { li { (i.title) "（" (i.enterprise_name) "）" } } }
            h2 { (ctx.t("idea-measures")) }
            (measures_table(&ctx, &p, &today))
        }
    };
    Ok(layout::bare_page(ctx.lang, &p.title, body).into_response())
}
