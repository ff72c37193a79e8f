//! Pages: my tasks (and my department's, and those I decide), and one task with its
//! actions, progress reports, files, extension requests and history.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::api::{TaskDetail, attach, detail};
use super::extensions::{self, ExtensionDecision, ExtensionRequest};
use super::tasks::{self, ProgressInput, Task, TaskFilter, View};
use crate::kernel::access::{Action, Role};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::web::form::{Fields, Retry, TransitionForm, attempt, error, value};
use crate::kernel::web::layout::{
    self, Section, badge, csrf_field, error_banner, light_badge, light_words, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager, sort_header};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};
use crate::kernel::workflow::directives::Giving;
use crate::kernel::workflow::{Light, Process};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list))
        .route("/tasks/{id}", get(show))
        .route("/tasks/{id}/transition", post(transition))
        .route("/tasks/{id}/progress", post(progress).layer(crate::kernel::attachments::body_limit()))
        .route("/tasks/{id}/extensions", post(request_extension))
        .route("/tasks/{id}/directives", post(direct))
        .route("/tasks/{id}/print", get(super::task_print::print))
        .route("/coordination/bulletins/{id}", get(super::task_print::bulletin))
        .route("/tasks/{id}/reassign", post(reassign))
        .route("/tasks/{id}/co-feedback", post(co_part))
        .route("/tasks/{id}/report", post(research_report))
        .route("/extensions/{id}/decision", post(decide_extension))
}

pub fn state_badge(p: &Process, state: &str, lang: Lang) -> Markup {
    let class = if p.is_final(state) { "green" } else { "blue" };
    badge(&p.state_name(state, lang), class)
}

/// A table of tasks with their lights.
/// Tasks as a list: the same columns on the task list, a matter's page and in exports.
pub fn task_table<'a>(ctx: &'a Ctx, v: &'a View) -> Table<'a, Task> {
    Table::new()
        .exported("id", ctx.t("col-id"), |t: &Task| t.id.to_string())
        .column(
            "task",
            ctx.t("co-task"),
            |t| html! { a href=(format!("/tasks/{}", t.id)) { (t.title) } @if t.kind == "research" { " " (badge(ctx.t("task-kind-research"), "")) } br; span.muted { (t.matter_title) } },
            |t| t.title.clone(),
        )
        .exported("matter", ctx.t("col-matter"), |t| t.matter_title.clone())
        .column(
            "responsible",
            ctx.t("co-responsible-department"),
            |t| html! { (t.assignee_name) br; span.muted { (t.lead_department_name) } },
            |t| t.assignee_name.clone(),
        )
        .exported("department", ctx.t("col-department"), |t| t.lead_department_name.clone())
        .column("deadline", ctx.t("co-deadline"), |t| html! { (t.deadline) " " (light_badge(ctx, t.light)) }, |t| t.deadline.clone())
        .exported("light", ctx.t("col-light"), |t| light_words(ctx, t.light))
        .column("state", ctx.t("common-status"), |t| state_badge(&v.process, &t.state, ctx.lang), |t| {
            v.process.state_name(&t.state, ctx.lang)
        })
        .column("progress", ctx.t("co-progress"), |t| html! { (t.progress) "%" }, |t| t.progress.to_string())
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(mut f): Q<TaskFilter>,
) -> AppResult<Response> {
    let v = View::of(&s, ctx.now)?;
    let (pq, fq, vq) = (p.clone(), f.clone(), v.clone());
    let (page, scope) = s
        .look(&ctx, Action::ViewCoordination, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            if let Some(scope) = &fq.scope {
                return Ok((tasks::list(tx, u, &fq, &pq, &vq)?, scope.clone()));
            }
            // Without a choice, open on the first tab (in the role's order) with tasks in it.
            let order: &[&str] = match u.role {
                Role::Leader => &["leading", "mine", "department"],
                Role::DeptHead | Role::DivisionHead => &["department", "mine", "leading"],
                _ => &["mine", "department", "leading"],
            };
            let mut first = None;
            for scope in order.iter().filter(|s| **s != "department" || u.department_id.is_some()) {
                let f = TaskFilter { scope: Some((*scope).into()), ..fq.clone() };
                let page = tasks::list(tx, u, &f, &pq, &vq)?;
                if page.total > 0 {
                    return Ok((page, (*scope).to_owned()));
                }
                first.get_or_insert((page, (*scope).to_owned()));
            }
            first.ok_or(AppError::NotFound)
        })
        .await?;
    f.scope = Some(scope);
    let table = task_table(&ctx, &v);
    let scope = f.scope.clone().unwrap_or_default();
    let extra: Vec<(&str, String)> = vec![
        ("scope", scope.clone()),
        ("state", f.state.clone().unwrap_or_default()),
        ("light", f.light.clone().unwrap_or_default()),
    ];
    let mut states = vec![(String::new(), ctx.t("common-all").to_owned())];
    states.extend(v.process.states.iter().map(|st| (st.id.clone(), v.process.state_name(&st.id, ctx.lang))));
    let lights = vec![
        (String::new(), ctx.t("common-all").to_owned()),
        ("red".into(), (ctx.t("co-overdue-4")).to_owned()),
        ("yellow".into(), (ctx.t("co-due-soon-2")).to_owned()),
        ("green".into(), (ctx.t("co-on-track")).to_owned()),
    ];
    let tabs = [
        ("mine", ctx.t("co-mine")),
        ("department", ctx.t("co-my-department")),
        ("leading", ctx.t("co-i-decide")),
        ("all", ctx.t("co-all-i-can-see")),
    ];
    respond(&p, "tasks", &table, &page.items, || {
        let body = html! {
            div.actions { @for (key, label) in tabs {
                a class=(if scope == key { "button" } else { "button secondary" }) href=(format!("/tasks?scope={key}")) { (label) }
            } }
            form.filters method="get" action="/tasks" {
                input type="hidden" name="scope" value=(scope);
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "state", ctx.t("common-status"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "light", ctx.t("co-light"), &lights, f.light.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            @if page.items.is_empty() {
                (layout::empty_state(ctx.t("co-no-tasks-match-tasks-assigned")))
            } @else {
                p.muted { (sort_header(&ctx, &p, &extra, "deadline", ctx.t("co-sort-by-deadline"))) " · " (sort_header(&ctx, &p, &extra, "updated", ctx.t("co-sort-by-last-update"))) }
                (table.render(&ctx, &p, &extra, &page.items, ""))
            }
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("nav-my_tasks"), Section::Of("tasks"), body).into_response()
    })
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

fn update_label(kind: &str, z: bool) -> &'static str {
    match (kind, z) {
        ("progress", true) => "进展",
        ("progress", false) => "Progress",
        ("reassigned", true) => "改派",
        ("reassigned", false) => "Reassigned",
        ("reminder", true) => "催办",
        ("reminder", false) => "Reminder",
        ("escalation", true) => "逾期升级",
        ("escalation", false) => "Escalated",
        (_, true) => "说明",
        (_, false) => "Note",
    }
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let v = View::of(s, ctx.now)?;
    let vq = v.clone();
    let d: TaskDetail = s
        .look(ctx, Action::ViewCoordination, move |tx, u| detail(tx, u.ok_or(AppError::Unauthenticated)?, id, &vq))
        .await?;
    let user = ctx.user()?;
    let t = &d.task;
    let rel = tasks::relations(user, t);
    let z = ctx.zh();
    let p = &v.process;
    let pending = d.extensions.iter().find(|e| e.state == "pending");
    let can_report =
        (rel.contains(&"assignee") || rel.contains(&"lead_head")) && p.runs_deadline(&t.state) && t.state != p.initial;
    let (fp, fe) = ("progress", "extension");
    let mut timeline: Vec<(i64, Markup)> = Vec::new();
    for e in &d.history {
        timeline.push((e.at, layout::history_entry(ctx, p, e)));
    }
    for u in d.updates.iter().filter(|u| !u.kind.starts_with("transition:")) {
        timeline.push((u.at, html! { (fmt_local(u.at)) " " strong { (u.actor_name) } " · " (update_label(&u.kind, z)) @if let Some(pr) = u.progress { " (" (pr) "%)" } " — " (u.body) }));
    }
    for e in d.extensions.iter().filter(|e| e.state != "pending") {
        let verdict = if e.state == "granted" { ctx.t("co-granted") } else { ctx.t("co-refused") };
        timeline.push((e.decided_at.unwrap_or(0), html! { (fmt_local(e.decided_at.unwrap_or(0))) " " strong { (e.decided_by_name.clone().unwrap_or_default()) } " · " (ctx.t("co-extension")) (e.old_deadline) " → " (e.requested_deadline) ": " (verdict) }));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let body = html! {
        @if let Some(r) = retry.filter(|r| r.form == "transition" || r.form == "decision") { (error_banner(ctx, Some(&r.err))) }
        div.card { dl.facts {
            dt { (ctx.t("co-matter-2")) } dd { a href=(format!("/matters/{}", t.matter_id)) { (t.matter_title) } }
            dt { (ctx.t("co-kind")) } dd { (ctx.t(&format!("task-kind-{}", t.kind))) }
            dt { (ctx.t("co-responsible")) } dd { (t.assignee_name) }
            dt { (ctx.t("co-lead-department")) } dd { (t.lead_department_name) }
            @if !t.co_departments.is_empty() { dt { (ctx.t("co-co-departments-2")) } dd { (t.co_departments.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、")) } }
            dt { (if t.kind == "research" { ctx.t("co-feedback-due") } else { ctx.t("co-deadline") }) } dd { (t.deadline) " " (light_badge(ctx, t.light)) @if !t.holidays_known { " " (badge(ctx.t("k-holidays-unknown"), "yellow")) } }
            dt { (ctx.t("common-status")) } dd { (state_badge(p, &t.state, ctx.lang)) @if let Some(m) = t.met_deadline { " " @if m { (badge(ctx.t("co-fed-back-on-time"), "green")) } @else { (badge(ctx.t("co-fed-back-late"), "red")) } } }
            dt { (ctx.t("co-progress")) } dd { (t.progress) "%" }
            @if !t.description.is_empty() { dt { (ctx.t("co-what-is-asked")) } dd { (t.description) } }
        } }
        @if !d.available.is_empty() {
            h2 { (ctx.t("co-act")) }
            (layout::transition_forms(ctx, &format!("/tasks/{}/transition", t.id), &d.available.iter().filter_map(|id| p.transition(id)).collect::<Vec<_>>(), |_| html! {}))
        }
        @if let Some(e) = pending {
            div.card {
                strong { (ctx.t("co-extension-requested")) } " " (e.old_deadline) " → " (e.requested_deadline) " · " (e.requested_by_name)
                p { (e.reason) }
                @if rel.contains(&"leader") {
                    form.filters method="post" action=(format!("/extensions/{}/decision", e.id)) {
                        (csrf_field(ctx))
                        input type="text" name="note" placeholder=(ctx.t("co-note-optional")) aria-label=(ctx.t("co-note-2"));
                        button type="submit" name="grant" value="true" { (ctx.t("co-grant")) }
                        button.secondary type="submit" name="grant" value="false" { (ctx.t("co-refuse")) }
                    }
                }
            }
        }
        @if can_report {
            details.panel open[error(retry, fp).is_some()] {
                summary { (ctx.t("co-report-progress-files-allowed")) }
                form.stack method="post" action=(format!("/tasks/{}/progress", t.id)) enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fp)))
                    label.field { span { (ctx.t("co-what-was-done")) } textarea name="body" rows="3" required { (value(retry, fp, "body", "")) } }
                    (layout::input_field(ctx, "number", "progress", ctx.t("co-done"), value(retry, fp, "progress", &t.progress.to_string()), error(retry, fp), false))
                    label.field { span { (ctx.t("co-file-pdf-image-docx-xlsx")) } input type="file" name="file"; }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        @if rel.contains(&"assignee") && p.runs_deadline(&t.state) && pending.is_none() && t.light != Some(Light::Red) {
            details.panel open[error(retry, fe).is_some()] {
                summary { (ctx.t("co-ask-for-more-time")) }
                form.stack method="post" action=(format!("/tasks/{}/extensions", t.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, fe)))
                    (layout::input_field(ctx, "date", "deadline", ctx.t("co-new-deadline"), value(retry, fe, "deadline", ""), error(retry, fe), true))
                    (text_field(ctx, "reason", ctx.t("co-reason"), value(retry, fe, "reason", ""), error(retry, fe), true))
                    div { button type="submit" { (ctx.t("co-ask")) } }
                }
            }
        }
        @if rel.contains(&"assignee") && p.is_final(&t.state) {
            form.inline method="post" action="/evaluation/invite" {
                (csrf_field(ctx))
                input type="hidden" name="kind" value="task";
                input type="hidden" name="ref_id" value=(t.id);
                input type="hidden" name="summary" value=(t.title);
                button.secondary type="submit" { (ctx.t("co-ask-the-people-served-to")) }
            }
        }
        @if t.kind == "research" {
            h2 { (ctx.t("co-research-report")) }
            @match &d.research_report {
                Some(r) => {
                    div.card {
                        p.muted { (r.author_name) " · " (fmt_local(r.written_at)) }
                        h3 { (ctx.t("co-research-background")) } p { (r.background) }
                        h3 { (ctx.t("co-research-conclusions")) } ol { @for c in &r.conclusions { li { (c) } } }
                        @if !r.recommendations.is_empty() { h3 { (ctx.t("co-research-recommendations")) } p { (r.recommendations) } }
                    }
                }
                None => { (layout::empty_state(ctx.t("co-research-no-report"))) }
            }
            @if d.may_write_report {
                @let (fr, current) = ("report", d.research_report.as_ref());
                details.panel open[error(retry, fr).is_some() || current.is_none()] {
                    summary { (if current.is_some() { ctx.t("co-research-revise") } else { ctx.t("co-research-write") }) }
                    form.stack method="post" action=(format!("/tasks/{}/report", t.id)) {
                        (csrf_field(ctx))
                        (error_banner(ctx, error(retry, fr)))
                        label.field { span { (ctx.t("co-research-background")) } textarea name="background" rows="3" required { (value(retry, fr, "background", current.map_or("", |r| r.background.as_str()))) } }
                        label.field { span { (ctx.t("co-research-conclusions-one-per-line")) } textarea name="conclusions" rows="4" required { (value(retry, fr, "conclusions", &current.map(|r| r.conclusions.join("\n")).unwrap_or_default())) } }
                        label.field { span { (ctx.t("co-research-recommendations")) } textarea name="recommendations" rows="3" { (value(retry, fr, "recommendations", current.map_or("", |r| r.recommendations.as_str()))) } }
                        div { button type="submit" { (ctx.t("common-save")) } }
                    }
                }
                @if current.is_some() { p.muted { (ctx.t("co-research-send-hint")) } }
            }
        }
        @if !d.co_parts.is_empty() {
            h2 { (ctx.t("co-co-parts")) }
            ul { @for part in &d.co_parts { li {
                strong { (part.department_name) } " · "
                @match &part.body {
                    Some(b) => { (badge(ctx.t("co-co-part-given"), "green")) " " (part.author_name.clone().unwrap_or_default()) " " (fmt_local(part.at.unwrap_or(0))) " — " (b) }
                    None => { (badge(ctx.t("co-co-part-waiting"), "yellow")) }
                }
            } } }
            @if d.co_department_id.is_some() {
                details.panel open[error(retry, "co_part").is_some()] {
                    summary { (ctx.t("co-give-co-part")) }
                    form.stack method="post" action=(format!("/tasks/{}/co-feedback", t.id)) {
                        (csrf_field(ctx))
                        (error_banner(ctx, error(retry, "co_part")))
                        label.field { span { (ctx.t("co-co-part-text")) } textarea name="body" rows="3" required { (value(retry, "co_part", "body", "")) } }
                        div { button type="submit" { (ctx.t("common-save")) } }
                    }
                }
            }
        }
        @if super::reassign::may(user, t, &v) {
            details.panel open[error(retry, "reassign").is_some()] {
                summary { (ctx.t("co-reassign")) }
                form.stack method="post" action=(format!("/tasks/{}/reassign", t.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, "reassign")))
                    input type="hidden" name="lead_department_id" value=(t.lead_department_id);
                    (layout::picker_field(ctx, "assignee_id", ctx.t("co-reassign-to"), &[], "", error(retry, "reassign"), &layout::Pick::person_in("lead_department_id")))
                    (text_field(ctx, "note", ctx.t("co-reassign-why"), value(retry, "reassign", "note", ""), error(retry, "reassign"), false))
                    div { button type="submit" { (ctx.t("co-reassign")) } }
                }
            }
        }
        (crate::kernel::web::directives::section(ctx, &d.directives, d.may_direct, &format!("/tasks/{}/directives", t.id), retry))
        @if !d.attachments.is_empty() {
            h2 { (ctx.t("co-files")) }
            ul { @for a in &d.attachments { li { a href=(format!("/api/v1/attachments/{}", a.id)) { (a.filename) } span.muted { " " (a.size / 1024 + 1) " KB · " (a.uploaded_by_name) " · " (fmt_local(a.created_at)) } } } }
        }
        h2 { (ctx.t("co-record")) }
        @if d.updates.is_empty() && d.history.is_empty() { (layout::empty_state(ctx.t("co-nothing-yet"))) }
        ul { @for (_, line) in &timeline { li { (line) } } }
        p { (layout::history_link(ctx, "task", t.id)) " " a href=(format!("/tasks/{}/print", t.id)) { (ctx.t("co-slip-title")) } " " a href="/tasks" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &t.title, Section::Of("tasks"), body)).into_response())
}

/// A form on a task's page: run `op` as the caller with the task view, then back to the
/// task, or the page again with what went wrong.
async fn on_task<T, R>(
    s: &AppState,
    id: i64,
    ctx: &Ctx,
    form_name: &'static str,
    fields: Fields,
    op: impl FnOnce(
        &mut crate::kernel::db::Tx<'_>,
        &crate::kernel::audit::Who,
        &crate::kernel::access::CurrentUser,
        &View,
        T,
    ) -> AppResult<R>
    + Send
    + 'static,
) -> AppResult<Response>
where
    T: serde::de::DeserializeOwned + Send + 'static,
    R: Send + 'static,
{
    let user = ctx.user()?.clone();
    let v = View::of(s, ctx.now)?;
    match attempt(s, ctx, Action::ViewCoordination, form_name, fields, move |tx, who, input: T| {
        op(tx, who, &user, &v, input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(retry) => render(s, ctx, id, Some(&retry)).await,
    }
}

async fn transition(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "transition", form, move |tx, who, user, v, input: TransitionForm| {
        tasks::transition(tx, who, user, id, &input.transition, input.note.as_deref(), v)
    })
    .await
}

/// A progress report with an optional file, sent as multipart.
async fn progress(State(s): State<AppState>, Path(id): Path<i64>, ctx: Ctx, form: Multipart) -> AppResult<Response> {
    let (mut fields, file) = crate::kernel::web::form::read_multipart(form, "file").await?;
    ctx.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
    fields.remove("_csrf");
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    match attempt(&s, &ctx, Action::ViewCoordination, "progress", fields, move |tx, who, input: ProgressInput| {
        let update = tasks::report_progress(tx, who, &user, id, &input, &v)?;
        if let Some((name, bytes)) = &file {
            attach(tx, who, &user, id, name, bytes, &v)?;
        }
        Ok(update)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn request_extension(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "extension", form, move |tx, who, user, v, input: ExtensionRequest| {
        extensions::request(tx, who, user, id, &input, v)
    })
    .await
}

async fn direct(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "directive", form, move |tx, who, user, v, input: Giving| {
        tasks::direct(tx, who, user, id, &input, v)
    })
    .await
}

async fn reassign(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "reassign", form, move |tx, who, user, v, input: super::reassign::ReassignInput| {
        super::reassign::reassign(tx, who, user, id, &input, v)
    })
    .await
}

async fn co_part(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "co_part", form, move |tx, who, user, v, input: super::co_feedback::CoPartInput| {
        super::co_feedback::give(tx, who, user, id, &input, v)
    })
    .await
}

async fn research_report(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    on_task(&s, id, &ctx, "report", form, move |tx, who, user, v, input: super::research::ReportInput| {
        super::research::write(tx, who, user, id, &input, v)
    })
    .await
}

async fn decide_extension(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let task = s
        .look(&ctx, Action::ViewCoordination, move |tx, _| {
            Ok(tx
                .query_opt("SELECT task_id FROM task_extensions WHERE id = $1", crate::params![id])?
                .map(|r| r.int(0))
                .transpose()?)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match attempt(&s, &ctx, Action::ViewCoordination, "decision", form, move |tx, who, input: ExtensionDecision| {
        extensions::decide(tx, who, &user, id, &input, &v)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{task}")).into_response()),
        Err(retry) => render(&s, &ctx, task, Some(&retry)).await,
    }
}
