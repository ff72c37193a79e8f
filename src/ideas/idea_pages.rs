//! The idea pages: the list (each role sees its own, paged, filtered, exported), the
//! enterprise's form with its items, and one idea with its stages, versions and their
//! differences, the division's decisions, the commission and the report, and who opened it.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::api::{self, Detail};
use super::commissions::{self, CommissionInput};
use super::idea::{self, FIELDS, ITEM_KINDS, Idea, IdeaFilter, IdeaInput, ItemInput};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate::{fen_in_words, fen_to_yuan};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{
    self, Pick, Section, choose_field, csrf_field, error_banner, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub const SECTION: Section = Section::Of("ideas");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas", get(list).post(create))
        .route("/ideas/new", get(new_form))
        .route("/ideas/{id}", get(show).post(update))
        .route("/ideas/{id}/submit", post(submit))
        .route("/ideas/{id}/decide", post(decide))
        .route("/ideas/{id}/commission", post(commission))
        .route("/ideas/{id}/attachments", post(upload).layer(crate::kernel::attachments::body_limit()))
}

/// The sub-navigation of the mechanism's pages, by what the caller may do.
pub fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let may = |a: Action| ctx.user.as_ref().is_some_and(|u| access::allows(u, a));
    let mut tabs =
        vec![("/ideas", "idea-ideas"), ("/ideas/packages", "idea-packages"), ("/ideas/criteria", "idea-criteria")];
    if may(Action::HandleIdeas) {
        tabs.push(("/ideas/evaluators", "idea-evaluators"));
        tabs.push(("/ideas/figures", "idea-figures"));
    }
    if may(Action::EvaluateIdeas) {
        tabs.push(("/ideas/ties", "idea-ties"));
    }
    tabs.push(("/support", "idea-public"));
    html! {
        nav.tabs aria-label=(ctx.t("m3")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

pub fn field_name(ctx: &Ctx, field: &str) -> String {
    ctx.t(&format!("idea-field-{field}")).to_owned()
}

fn field_options(ctx: &Ctx) -> Vec<(String, String)> {
    FIELDS.iter().map(|f| ((*f).to_owned(), field_name(ctx, f))).collect()
}

pub fn state_name(s: &AppState, ctx: &Ctx, state: &str) -> String {
    s.rules(&super::IDEA).map(|r| r.process.state_name(state, ctx.lang)).unwrap_or_else(|_| state.to_owned())
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<IdeaFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewIdeas)?.clone();
    let rules = s.rules(&super::IDEA)?;
    let (pq, fq, r, now) = (p.clone(), f.clone(), rules.clone(), ctx.now);
    let page = s.look(&ctx, Action::ViewIdeas, move |tx, _| idea::list(tx, &user, &r, &fq, &pq, now)).await?;
    let process = &rules.process;
    let table = Table::new()
        .column(
            "title",
            ctx.t("idea-title"),
            |i: &Idea| html! { a href=(format!("/ideas/{}", i.id)) { (i.title) } },
            |i| i.title.clone(),
        )
        .sorts("title")
        .text("enterprise", ctx.t("idea-enterprise"), |i| i.enterprise_name.clone())
        .text("field", ctx.t("idea-field"), |i| format!("{} · {}", field_name(&ctx, &i.field), i.industry))
        .column(
            "state",
            ctx.t("idea-stage"),
            |i| html! { (process.state_name(&i.state, ctx.lang)) " " (layout::light_badge(&ctx, i.light)) },
            |i| process.state_name(&i.state, ctx.lang),
        )
        .sorts("state")
        .text("department", ctx.t("idea-department"), |i| i.department_name.clone())
        .column(
            "submitted",
            ctx.t("idea-submitted-at"),
            |i| html! { (i.submitted_at.map(fmt_local).unwrap_or_default()) },
            |i| i.submitted_at.map(fmt_local).unwrap_or_default(),
        )
        .sorts("submitted")
        .exported("deadline", ctx.t("idea-evaluator-deadline"), |i| i.deadline.clone().unwrap_or_default())
        .exported("version", ctx.t("idea-version"), |i| i.version.to_string());
    respond(&p, "ideas", &table, &page.items, || {
        let extra: Vec<(&str, String)> = vec![
            ("state", f.state.clone().unwrap_or_default()),
            ("field", f.field.clone().unwrap_or_default()),
            ("scope", f.scope.clone().unwrap_or_default()),
        ];
        let all = || vec![(String::new(), ctx.t("common-all").to_owned())];
        let mut states = all();
        states.extend(process.states.iter().map(|st| (st.id.clone(), process.state_name(&st.id, ctx.lang))));
        let mut fields = all();
        fields.extend(field_options(&ctx));
        let scopes = vec![
            (String::new(), ctx.t("common-all").to_owned()),
            ("waiting".to_owned(), ctx.t("idea-waiting").to_owned()),
        ];
        let body = html! {
            (tabs(&ctx, "/ideas"))
            @if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::SubmitIdeas)) {
                div.actions { a.button href="/ideas/new" { (ctx.t("idea-new")) } }
            }
            form.filters method="get" action="/ideas" {
                (text_field(&ctx, "q", ctx.t("idea-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "scope", ctx.t("idea-scope"), &scopes, f.scope.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "state", ctx.t("idea-stage"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "field", ctx.t("idea-field"), &fields, f.field.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("idea-none")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("m3"), SECTION, body).into_response()
    })
}

/// The item rows of the form: those the idea has, and three more to fill in.
const BLANK_ROWS: usize = 3;

fn input_of(f: &Fields) -> AppResult<IdeaInput> {
    let text = |name: &str| f.get(name).cloned().unwrap_or_default();
    let id = |name: &'static str| -> AppResult<i64> {
        text(name).trim().parse().map_err(|_| AppError::invalid("required", name))
    };
    let rows: usize = text("rows").parse().unwrap_or(0).min(60);
    let mut items = Vec::new();
    for n in 0..rows {
        let request = text(&format!("item_request_{n}"));
        if request.trim().is_empty() {
            continue;
        }
        let department_id = text(&format!("item_department_{n}"))
            .trim()
            .parse()
            .map_err(|_| AppError::invalid_detail("item_needs_department", "items", request.clone()))?;
        items.push(ItemInput {
            kind: text(&format!("item_kind_{n}")),
            request,
            amount_yuan: Some(text(&format!("item_amount_{n}"))),
            scope: text(&format!("item_scope_{n}")),
            department_id,
            confidential: f.contains_key(&format!("item_confidential_{n}")),
        });
    }
    Ok(IdeaInput {
        field: text("field"),
        industry: text("industry"),
        title: text("title"),
        content: text("content"),
        department_id: id("department_id")?,
        items,
    })
}

async fn departments(s: &AppState, ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    let d = s.look(ctx, Action::ViewIdeas, |tx, _| crate::org::departments::options(tx)).await?;
    Ok(d.into_iter().map(|(i, n)| (i.to_string(), n)).collect())
}

fn idea_fields(ctx: &Ctx, departments: &[(String, String)], idea: Option<&Idea>, retry: Option<&Retry>) -> Markup {
    let f = "idea";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let rows = idea.map_or(0, |i| i.items.len()) + BLANK_ROWS;
    let kinds: Vec<(String, String)> =
        ITEM_KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("idea-item-{k}")).to_owned())).collect();
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "title", ctx.t("idea-title"), &was("title", idea.map(|i| i.title.clone()).unwrap_or_default()), err, true))
        (choose_field(ctx, "field", ctx.t("idea-field"), &field_options(ctx), &was("field", idea.map(|i| i.field.clone()).unwrap_or_default()), true, err))
        (text_field(ctx, "industry", ctx.t("idea-industry"), &was("industry", idea.map(|i| i.industry.clone()).unwrap_or_default()), err, true))
        (layout::picker_field(ctx, "department_id", ctx.t("idea-department"), departments, &was("department_id", idea.map(|i| i.department_id.to_string()).unwrap_or_default()), err, &Pick::UNIT))
        label.field { span { (ctx.t("idea-content")) }
            textarea name="content" rows="8" required { (was("content", idea.map(|i| i.content.clone()).unwrap_or_default())) } }
        fieldset.items {
            legend { (ctx.t("idea-items")) }
            p.muted.hint { (ctx.t("idea-items-hint")) }
            input type="hidden" name="rows" value=(rows);
            @for n in 0..rows {
                @let item = idea.and_then(|i| i.items.get(n));
                @let v = |name: &str, current: String| value(retry, f, &format!("item_{name}_{n}"), &current).to_owned();
                div.item-row {
                    label.field { span { (ctx.t("idea-item-kind")) }
                        select name=(format!("item_kind_{n}")) { @for (k, l) in &kinds {
                            option value=(k) selected[*k == v("kind", item.map(|i| i.kind.clone()).unwrap_or_else(|| "policy".into()))] { (l) }
                        } } }
                    label.field { span { (ctx.t("idea-item-request")) }
                        input type="text" name=(format!("item_request_{n}")) value=(v("request", item.map(|i| i.request.clone()).unwrap_or_default())); }
                    label.field { span { (ctx.t("idea-item-amount")) }
                        input type="text" inputmode="decimal" name=(format!("item_amount_{n}")) value=(v("amount", item.and_then(|i| i.amount_fen).map(|a| format!("{:.2}", a as f64 / 100.0)).unwrap_or_default())); }
                    label.field { span { (ctx.t("idea-item-scope")) }
                        input type="text" name=(format!("item_scope_{n}")) value=(v("scope", item.map(|i| i.scope.clone()).unwrap_or_default())); }
                    label.field { span { (ctx.t("idea-item-department")) }
                        select name=(format!("item_department_{n}")) {
                            option value="" { (ctx.t("k-choose")) }
                            @for (d, l) in departments { option value=(d) selected[*d == v("department", item.map(|i| i.department_id.to_string()).unwrap_or_default())] { (l) } }
                        } }
                    label.check { input type="checkbox" name=(format!("item_confidential_{n}")) value="1" checked[item.is_some_and(|i| i.confidential)]; " " (ctx.t("idea-confidential")) }
                }
            }
        }
    }
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::SubmitIdeas)?;
    let departments = departments(s, ctx).await?;
    let body = html! {
        p.muted { (ctx.t("idea-new-hint")) }
        form.stack method="post" action="/ideas" {
            (csrf_field(ctx))
            (idea_fields(ctx, &departments, None, retry))
            div { button type="submit" { (ctx.t("idea-save-draft")) } a.button.secondary href="/ideas" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("idea-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::SubmitIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::SubmitIdeas, "idea", form, move |tx, who, fields: Fields| {
        idea::create(tx, who, &user, &rules, &input_of(&fields)?)
    })
    .await?
    {
        Ok(i) => Ok(Redirect::to(&format!("/ideas/{}", i.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

fn items_table(ctx: &Ctx, idea: &Idea, opinions: Option<&[commissions::ItemOpinion]>) -> Markup {
    html! {
        table.data { thead { tr {
            th { (ctx.t("idea-item-kind")) } th { (ctx.t("idea-item-request")) } th { (ctx.t("idea-item-amount")) }
            th { (ctx.t("idea-item-scope")) } th { (ctx.t("idea-item-department")) }
            @if opinions.is_some() { th { (ctx.t("idea-opinion")) } }
        } } tbody { @for item in &idea.items { tr {
            td data-label=(ctx.t("idea-item-kind")) { (ctx.t(&format!("idea-item-{}", item.kind)))
                @if item.confidential { " " (layout::badge(ctx.t("idea-confidential"), "")) } }
            td data-label=(ctx.t("idea-item-request")) { (item.request) }
            td data-label=(ctx.t("idea-item-amount")) { @if let Some(a) = item.amount_fen { (fen_in_words(a)) br; span.muted { (fen_to_yuan(a)) " 元" } } }
            td data-label=(ctx.t("idea-item-scope")) { (item.scope) }
            td data-label=(ctx.t("idea-item-department")) { (item.department_name) }
            @if let Some(ops) = opinions {
                @let o = ops.iter().find(|o| o.item_id == item.id);
                td data-label=(ctx.t("idea-opinion")) { @if let Some(o) = o {
                    (ctx.t(&format!("idea-opinion-{}", o.opinion))) @if !o.comment.is_empty() { "：" (o.comment) } } }
            }
        } } } }
    }
}

pub async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewIdeas)?.clone();
    let rules = s.rules(&super::IDEA)?;
    let (r, now, u) = (rules.clone(), ctx.now, user.clone());
    let may_handle = access::allows(&user, Action::HandleIdeas);
    let (d, evaluators, criteria, history, departments) = s
        .change(ctx, Action::ViewIdeas, move |tx, _| {
            let d = api::detail(tx, &u, &r, id, now)?;
            let evaluators = if d.relations.iter().any(|r| r == "division") && d.idea.state == "accepted" {
                commissions::evaluators(tx)?
            } else {
                Vec::new()
            };
            let version = d.commissions.last().map(|c| c.criteria_version);
            let criteria = match version {
                Some(v) => Some(commissions::criteria(tx, v)?),
                None => None,
            };
            let editable = d.relations.iter().any(|r| r == "enterprise")
                && matches!(d.idea.state.as_str(), "draft" | "more_requested");
            let departments = if editable { crate::org::departments::options(tx)? } else { Vec::new() };
            Ok((d, evaluators, criteria, crate::kernel::workflow::history(tx, "idea", id)?, departments))
        })
        .await?;
    let Detail { idea, relations, may, versions, changes, commissions, attachments, opens } = &d;
    let process = &rules.process;
    let is = |r: &str| relations.iter().any(|x| x == r);
    let editable = is("enterprise") && matches!(idea.state.as_str(), "draft" | "more_requested");
    let departments: Vec<(String, String)> = departments.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let stages = ["submitted", "accepted", "evaluating", "evaluated", "adopted"];
    let reached = stages.iter().position(|st| *st == idea.state);
    let body = html! {
        (error_banner(ctx, retry.filter(|r| matches!(r.form, "decide" | "commission" | "submit" | "upload")).map(|r| &r.err)))
        ol.stages aria-label=(ctx.t("idea-stage")) { @for (n, st) in stages.iter().enumerate() {
            li class=[reached.is_some_and(|r| n <= r).then_some("reached")] aria-current=[(idea.state == *st).then_some("step")] {
                strong { (process.state_name(st, ctx.lang)) }
            }
        } }
        div.card { dl.facts {
            dt { (ctx.t("idea-stage")) } dd { (process.state_name(&idea.state, ctx.lang)) " " (layout::light_badge(ctx, idea.light))
                @if let Some(d) = &idea.more_due { " " span.muted { (ctx.t("idea-more-due")) " " (d) } }
                @if let Some(d) = &idea.deadline { " " span.muted { (ctx.t("idea-evaluator-deadline")) " " (d) } } }
            dt { (ctx.t("idea-enterprise")) } dd { (idea.enterprise_name) }
            dt { (ctx.t("idea-field")) } dd { (field_name(ctx, &idea.field)) " · " (idea.industry) }
            dt { (ctx.t("idea-department")) } dd { (idea.department_name) " · " (ctx.t("idea-market-division")) }
            dt { (ctx.t("idea-version")) } dd { @if idea.version == 0 { (ctx.t("idea-not-submitted")) } @else { "v" (idea.version) } }
        } }
        h2 { (ctx.t("idea-content")) }
        div.card.prose { @for line in idea.content.lines() { p { (line) } } }
        h2 { (ctx.t("idea-items")) }
        (items_table(ctx, idea, commissions.iter().rev().find(|c| c.state == "reported").map(|c| c.item_opinions.as_slice())))
        @if !attachments.is_empty() {
            h2 { (ctx.t("idea-attachments")) }
            ul { @for a in attachments.iter() { li { a href=(format!("/api/v1/ideas/attachments/{}", a.id)) { (a.filename) } " " span.muted { (a.size / 1024) " KB" } } } }
        }
        @if editable {
            div.actions {
                form.inline method="post" action=(format!("/ideas/{}/submit", idea.id)) {
                    (csrf_field(ctx)) button.primary type="submit" { (ctx.t(if idea.state == "draft" { "idea-submit" } else { "idea-resubmit" })) }
                }
            }
            details.panel open[error(retry, "idea").is_some()] {
                summary { (ctx.t("idea-edit")) }
                form.stack method="post" action=(format!("/ideas/{}", idea.id)) {
                    (csrf_field(ctx))
                    (idea_fields(ctx, &departments, Some(idea), retry))
                    div { button type="submit" { (ctx.t("idea-save-draft")) } }
                }
            }
            form.stack method="post" action=(format!("/ideas/{}/attachments", idea.id)) enctype="multipart/form-data" {
                (csrf_field(ctx))
                label.field { span { (ctx.t("idea-attach")) } input type="file" name="file" required; }
                div { button.secondary type="submit" { (ctx.t("idea-upload")) } }
            }
        }
        @if may_handle && !may.is_empty() {
            @let available: Vec<&crate::kernel::workflow::TransitionDef> = process.available(&idea.state, &relations.iter().map(String::as_str).collect::<Vec<_>>()).into_iter().filter(|t| may.contains(&t.id)).collect();
            (layout::transition_forms(ctx, &format!("/ideas/{}/decide", idea.id), &available, |t| html! {
                @if t.id == "request_more" {
                    (layout::input_field(ctx, "date", "due_on", ctx.t("idea-more-due"), "", None, true))
                }
            }))
        }
        @if !evaluators.is_empty() {
            form.stack method="post" action=(format!("/ideas/{}/commission", idea.id)) {
                (csrf_field(ctx))
                h2 { (ctx.t("idea-commission")) }
                p.muted { (ctx.t("idea-commission-hint")) }
                (choose_field(ctx, "evaluator_id", ctx.t("idea-evaluator"), &evaluators.iter().map(|e| (e.id.to_string(), format!("{}（{}）", e.name, ctx.t("idea-open-count").replace("{n}", &e.open.to_string())))).collect::<Vec<_>>(), value(retry, "commission", "evaluator_id", ""), true, error(retry, "commission")))
                (layout::input_field(ctx, "number", "working_days", ctx.t("idea-working-days"), value(retry, "commission", "working_days", "15"), error(retry, "commission"), true))
                div { button.primary type="submit" { (ctx.t("idea-commission")) } }
            }
        }
        @for c in commissions.iter() {
            (super::review_pages::commission_card(ctx, c, criteria.as_ref(), is("evaluator") && c.state == "open"))
        }
        @if is("evaluator") && idea.state == "evaluating" {
            (super::review_pages::report_form(ctx, idea, criteria.as_ref(), retry))
        }
        @if !changes.is_empty() {
            h2 { (ctx.t("idea-changes")) }
            @for ch in changes.iter() {
                details.panel { summary { "v" (ch.version - 1) " → v" (ch.version) " · " (ctx.t("idea-n-changes").replace("{n}", &ch.differences.len().to_string())) }
                    table.data { thead { tr { th { (ctx.t("idea-what")) } th { (ctx.t("idea-before")) } th { (ctx.t("idea-after")) } } }
                        tbody { @for d in &ch.differences { tr {
                            td { (difference_name(ctx, &d.what)) } td { del { (d.before) } } td { ins { (d.after) } }
                        } } } }
                }
            }
        }
        @if !versions.is_empty() {
            p.muted { (ctx.t("idea-versions")) ": " @for v in versions.iter() { "v" (v.version) " " (fmt_local(v.submitted_at)) "　" } }
        }
        @if let Some(opens) = opens {
            details.panel { summary { (ctx.t("idea-opens")) " (" (opens.len()) ")" }
                table.data { thead { tr { th { (ctx.t("idea-opened-what")) } th { (ctx.t("idea-opened-by")) } th { (ctx.t("idea-opened-at")) } } }
                    tbody { @for o in opens { tr {
                        td { (ctx.t(&format!("idea-opened-{}", o.what))) } td { (o.name) " " span.muted { (ctx.t(&format!("role-{}", o.role))) } } td { (fmt_local(o.at)) }
                    } } } }
            }
        }
        h2 { (ctx.t("common-history")) }
        (layout::history(ctx, process, &history))
        p { (layout::history_link(ctx, "idea", idea.id)) " " a href="/ideas" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &idea.title, SECTION, body)).into_response())
}

fn difference_name(ctx: &Ctx, what: &str) -> String {
    match what.strip_prefix("item ") {
        Some(n) => ctx.t("idea-item-n").replace("{n}", n),
        None => ctx.t(&format!("idea-diff-{what}")).to_owned(),
    }
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::SubmitIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::SubmitIdeas, "idea", form, move |tx, who, fields: Fields| {
        idea::update(tx, who, &user, &rules, id, &input_of(&fields)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn submit(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::SubmitIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::SubmitIdeas, "submit", form, move |tx, who, _: Fields| {
        idea::submit(tx, who, &user, &rules, id)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn decide(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::HandleIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::HandleIdeas, "decide", form, move |tx, who, d: idea::Decision| {
        idea::decide(tx, who, &user, &rules, id, &d)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn commission(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules, lang) = (ctx.require(Action::HandleIdeas)?.clone(), s.rules(&super::IDEA)?, ctx.lang);
    match attempt(&s, &ctx, Action::HandleIdeas, "commission", form, move |tx, who, input: CommissionInput| {
        commissions::commission(tx, who, &user, &rules, id, &input, lang)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn upload(State(s): State<AppState>, Path(id): Path<i64>, ctx: Ctx, form: Multipart) -> AppResult<Response> {
    let (mut fields, file) = crate::kernel::web::form::read_multipart(form, "file").await?;
    ctx.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
    fields.remove("_csrf");
    let (user, rules) = (ctx.require(Action::SubmitIdeas)?.clone(), s.rules(&super::IDEA)?);
    match attempt(&s, &ctx, Action::SubmitIdeas, "upload", fields, move |tx, who, _: Fields| {
        let (name, bytes) = file.ok_or_else(|| AppError::invalid("required", "file"))?;
        api::attach_file(tx, who, &user, &rules, id, &name, &bytes)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}
