//! Pages: the matter board, a matter with its kickoff and tasks, and the figures.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{PreEscaped, html};

use super::matters::{self, Matter, MatterFilter, MatterInput};
use super::stats;
use super::task_pages::{state_badge, task_table};
use super::tasks::{self, KINDS, TaskFilter, TaskInput, View};
use crate::kernel::access::{self, Action};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::chart;
use crate::kernel::web::form::{Fields, Retry, TransitionForm, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};
use crate::kernel::workflow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters", get(board).post(create))
        .route("/matters/new", get(new_matter))
        .route("/matters/{id}", get(show).post(update))
        .route("/matters/{id}/tasks", post(create_task))
        .route("/matters/{id}/transition", post(transition))
        .route("/matters/{id}/directives", post(direct))
        .route("/coordination/figures", get(figures))
}

fn progress_bar(finished: i64, total: i64) -> maud::Markup {
    let pct = if total > 0 { finished * 100 / total } else { 0 };
    html! {
        span.bar {
            svg width="100" height="10" role="img" aria-label=(format!("{pct}%")) {
                rect width="100" height="10" rx="3" fill="#f0f0f3" {}
                rect width=(pct) height="10" rx="3" fill="#1e7b34" {}
            }
            span { (finished) "/" (total) }
        }
    }
}

async fn board(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<MatterFilter>) -> AppResult<Response> {
    let (pq, fq, now) = (p.clone(), f.clone(), ctx.now);
    let page = s
        .look(&ctx, Action::ViewCoordination, move |tx, u| {
            matters::list(tx, u.ok_or(AppError::Unauthenticated)?, &fq, &pq, now)
        })
        .await?;
    let process = s.processes.get("matter")?;
    let state_text = |m: &Matter| process.state_name(&m.state, ctx.lang);
    let table = Table::new()
        .exported("id", ctx.t("col-id"), |m: &Matter| m.id.to_string())
        .column("title", ctx.t("co-matter"), |m| html! { a href=(format!("/matters/{}", m.id)) { (m.title) } }, |m| {
            m.title.clone()
        })
        .sorts("title")
        .text("leader", ctx.t("co-deciding-leader"), |m| m.leader_name.clone())
        .shown(ctx.t("co-progress-done-tasks"), |m| progress_bar(m.tasks_finished, m.tasks_total))
        .exported("tasks", ctx.t("col-tasks"), |m| m.tasks_total.to_string())
        .exported("finished", ctx.t("col-finished"), |m| m.tasks_finished.to_string())
        .column(
            "overdue",
            ctx.t("co-overdue"),
            |m| html! { @if m.tasks_overdue > 0 { (layout::badge(&m.tasks_overdue.to_string(), "red")) } @else { "0" } },
            |m| m.tasks_overdue.to_string(),
        )
        .column("state", ctx.t("common-status"), |m| state_badge(&process, &m.state, ctx.lang), state_text)
        .column(
            "updated",
            ctx.t("common-updated_at"),
            |m| html! { (crate::kernel::clock::fmt_local(m.updated_at)) },
            |m| crate::kernel::clock::fmt_local(m.updated_at),
        )
        .sorts("updated");
    let extra: Vec<(&str, String)> =
        vec![("state", f.state.clone().unwrap_or_default()), ("scope", f.scope.clone().unwrap_or_default())];
    let states = vec![
        (String::new(), ctx.t("common-all").to_owned()),
        ("open".into(), process.state_name("open", ctx.lang)),
        ("closed".into(), process.state_name("closed", ctx.lang)),
    ];
    let scopes =
        vec![(String::new(), ctx.t("common-all").to_owned()), ("mine".into(), (ctx.t("co-i-decide")).to_owned())];
    let can_open = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::OpenMatter));
    respond(&p, "matters", &table, &page.items, || {
        let body = html! {
            p.muted { (ctx.t("m1-desc")) }
            div.actions {
                @if can_open { a.button href="/matters/new" { (ctx.t("co-open-a-matter")) } }
                a.button.secondary href="/tasks" { (ctx.t("nav-my_tasks")) }
                a.button.secondary href="/coordination/figures" { (ctx.t("co-execution-figures")) }
            }
            form.filters method="get" action="/matters" {
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "state", ctx.t("common-status"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "scope", ctx.t("co-scope"), &scopes, f.scope.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("co-no-matters-yet-a-matter")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, &format!("{} · {}", ctx.t("m1"), ctx.t("co-matters")), Section::Of("matters"), body)
            .into_response()
    })
}

fn matter_fields(ctx: &Ctx, retry: Option<&Retry>, m: Option<&Matter>) -> maud::Markup {
    let f = "matter";
    let err = error(retry, f);
    let vis = m.map_or("internal", |m| m.visibility.as_str());
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "title", ctx.t("co-title"), value(retry, f, "title", m.map_or("", |m| &m.title)), err, true))
        label.field { span { (ctx.t("co-description")) }
            textarea name="description" rows="3" { (value(retry, f, "description", m.map_or("", |m| &m.description))) } }
        (layout::input_field(ctx, "date", "kickoff_date", ctx.t("co-kickoff-date"), value(retry, f, "kickoff_date", m.and_then(|m| m.kickoff_date.as_deref()).unwrap_or("")), err, false))
        label.field { span { (ctx.t("co-who-was-convened")) }
            textarea name="kickoff_attendees" rows="2" { (value(retry, f, "kickoff_attendees", m.map_or("", |m| &m.kickoff_attendees))) } }
        label.field { span { (ctx.t("co-what-was-decided")) }
            textarea name="kickoff_decisions" rows="3" { (value(retry, f, "kickoff_decisions", m.map_or("", |m| &m.kickoff_decisions))) } }
        (select_field(ctx, "visibility", ctx.t("common-visibility"), &layout::visibility_options(ctx), value(retry, f, "visibility", vis), err))
    }
}

async fn new_matter(ctx: Ctx) -> AppResult<Response> {
    new_page(&ctx, None)
}

fn new_page(ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::OpenMatter)?;
    let body = html! {
        p.muted { (ctx.t("co-opened-by-the-leader-whose")) }
        form.stack method="post" action="/matters" {
            (csrf_field(ctx))
            (matter_fields(ctx, retry, None))
            div.actions { button type="submit" { (ctx.t("common-save")) } a href="/matters" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("co-open-a-matter"), Section::Of("matters"), body)).into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let process = s.processes.get("matter")?;
    match attempt(&s, &ctx, Action::OpenMatter, "matter", form, move |tx, who, input: MatterInput| {
        matters::create(tx, who, &user, &process, &input)
    })
    .await?
    {
        Ok(m) => Ok(Redirect::to(&format!("/matters/{}", m.id)).into_response()),
        Err(retry) => new_page(&ctx, Some(&retry)),
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let v = View::of(s, ctx.now)?;
    let now = ctx.now;
    let vq = v.clone();
    let (m, task_list, history, people, depts, given) = s
        .look(ctx, Action::ViewCoordination, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let m = matters::get(tx, u, id, now)?;
            let f = TaskFilter { matter_id: Some(id), scope: Some("matter".into()), ..Default::default() };
            let p = ListParams { per: Some(200), sort: Some("deadline".into()), ..Default::default() };
            let list = tasks::list(tx, u, &f, &p, &vq)?.items;
            Ok((
                m,
                list,
                workflow::history(tx, "matter", id)?,
                tasks::assignable(tx)?,
                crate::org::departments::options(tx)?,
                crate::kernel::workflow::directives::on(tx, "matter", id)?,
            ))
        })
        .await?;
    let user = ctx.user()?;
    let mp = s.processes.get("matter")?;

    let decides = user.id == m.leader_id || user.id == m.opened_by;
    let available = mp.available(&m.state, &matters::relations(user, &m));
    let (ft, fm) = ("task", "matter");
    let terr = error(retry, ft);
    let dept_opts: Vec<(String, String)> = depts.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("task-kind-{k}")).to_owned())).collect();
    let body = html! {
        @if let Some(r) = retry.filter(|r| r.form == "transition") { (error_banner(ctx, Some(&r.err))) }
        div.card { dl.facts {
            dt { (ctx.t("co-deciding-leader")) } dd { (m.leader_name) }
            dt { (ctx.t("common-status")) } dd { (state_badge(&mp, &m.state, ctx.lang)) }
            dt { (ctx.t("co-progress")) } dd { (progress_bar(m.tasks_finished, m.tasks_total)) @if m.tasks_overdue > 0 { " " (layout::badge(&format!("{} {}", m.tasks_overdue, ctx.t("co-overdue-2")), "red")) } }
            @if !m.description.is_empty() { dt { (ctx.t("co-description-2")) } dd { (m.description) } }
            dt { (ctx.t("co-kickoff")) } dd { (m.kickoff_date.clone().unwrap_or_default()) " " (m.kickoff_attendees) }
            @if !m.kickoff_decisions.is_empty() { dt { (ctx.t("co-decided")) } dd { (m.kickoff_decisions) } }
        } }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/matters/{}/transition", m.id), &available, |_| html! {}))
        }
        h2 { (ctx.t("co-tasks")) }
        (task_table(ctx, &v).render(ctx, &ListParams::default(), &[], &task_list, ctx.t("co-no-tasks-yet-each-task")))
        @if decides && m.state == "open" {
            details.panel open[terr.is_some() || task_list.is_empty()] {
                summary { (ctx.t("co-assign-a-task")) }
                form.stack method="post" action=(format!("/matters/{}/tasks", m.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, terr))
                    (text_field(ctx, "title", ctx.t("co-task"), value(retry, ft, "title", ""), terr, true))
                    label.field { span { (ctx.t("co-what-is-asked")) } textarea name="description" rows="2" { (value(retry, ft, "description", "")) } }
                    (select_field(ctx, "kind", ctx.t("common-kind"), &kinds, value(retry, ft, "kind", "execute"), terr))
                    (layout::picker_field(ctx, "lead_department_id", ctx.t("co-lead-department"), &dept_opts, value(retry, ft, "lead_department_id", ""), terr, &Pick::UNIT))
                    (layout::picker_field(ctx, "assignee_id", ctx.t("co-responsible-person"), &people, value(retry, ft, "assignee_id", ""), terr, &Pick::person_in("lead_department_id")))
                    (layout::checks_field("co_department_ids", ctx.t("co-co-departments"), &dept_opts, &[]))
                    (layout::deadline_fields(ctx, value(retry, ft, "deadline", ""), value(retry, ft, "working_days", ""), &v.today.to_string(), terr))
                    div { button type="submit" { (ctx.t("co-assign")) } }
                }
                p { a href=(format!("/matters/{}/import", m.id)) { (ctx.t("co-import-tasks")) } }
            }
            details.panel open[error(retry, fm).is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/matters/{}", m.id)) {
                    (csrf_field(ctx))
                    (matter_fields(ctx, retry, Some(&m)))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        (crate::kernel::web::directives::section(ctx, &given, crate::kernel::workflow::directives::may(&mp, user, &matters::relations(user, &m), &m.state), &format!("/matters/{}/directives", m.id), retry))
        @if !history.is_empty() {
            h2 { (ctx.t("co-history")) }
            (layout::history(ctx, &mp, &history))
        }
        p { (layout::history_link(ctx, "matter", m.id)) " " a href="/matters" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &m.title, Section::Of("matters"), body)).into_response())
}

async fn direct(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let process = s.processes.get("matter")?;
    match attempt(
        &s,
        &ctx,
        Action::ViewCoordination,
        "directive",
        form,
        move |tx, who, g: crate::kernel::workflow::directives::Giving| {
            matters::direct(tx, who, &user, &process, id, &g)
        },
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/matters/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewCoordination, "matter", form, move |tx, who, input: MatterInput| {
        matters::update(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/matters/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn create_task(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    ctx: Ctx,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (fields, co) = crate::kernel::web::form::with_repeated(&ctx, &body, "co_department_ids")?;
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    match attempt(&s, &ctx, Action::ViewCoordination, "task", fields, move |tx, who, mut input: TaskInput| {
        input.co_department_ids = co;
        tasks::create(tx, who, &user, id, &input, &v)
    })
    .await?
    {
        Ok(t) => {
            if !t.holidays_known {
                crate::kernel::web::form::confirm(crate::kernel::web::form::CONFIRMATIONS[2]);
            }
            Ok(Redirect::to(&format!("/matters/{id}")).into_response())
        }
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn transition(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::MATTER)?;
    match attempt(&s, &ctx, Action::ViewCoordination, "transition", form, move |tx, who, t: TransitionForm| {
        matters::transition(tx, who, &user, &rules, id, &t.transition, t.note.as_deref())
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/matters/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

#[derive(serde::Deserialize, Default)]
struct FiguresQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// `department` (default) or `person`, for a download.
    group: Option<String>,
    /// `csv` or `xlsx`: the figures, with the period before, as a download.
    format: Option<String>,
}

async fn figures(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FiguresQuery>) -> AppResult<Response> {
    let shown = crate::kernel::web::period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let running = s.rules(&super::TASK)?.process.timing.running.clone();
    let today = crate::kernel::clock::local_date(ctx.now).to_string();
    let period = shown.clone();
    let (by_dept, by_person, bulletins) = s
        .look(&ctx, Action::ViewCoordination, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let scope = stats::Scope { period: period.as_ref(), today: &today, running: &running };
            Ok((
                stats::figures(tx, u, "department", &scope)?,
                stats::figures(tx, u, "person", &scope)?,
                crate::kernel::workflow::bulletins::recent(tx, &super::bulletins::SERIES, None, 10)?,
            ))
        })
        .await?;
    let pct = |r: Option<f64>| r.map_or("—".to_owned(), |r| format!("{:.0}%", r * 100.0));
    let days = |d: Option<f64>| d.map_or("—".to_owned(), |d| format!("{d:.1}"));
    let chart_rows: Vec<(String, f64, String)> =
        by_dept.iter().take(20).map(|f| (f.name.clone(), f.on_time_rate.unwrap_or(0.0), pct(f.on_time_rate))).collect();
    let table = |rows: &[stats::Figures]| {
        html! {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("common-name")) } th { (ctx.t("co-tasks-2")) } th { (ctx.t("co-fed-back")) } th { (ctx.t("co-on-time")) } th { (ctx.t("co-overdue-now")) } th { (ctx.t("co-avg-days")) } } }
                tbody { @for f in rows {
                    @let before = f.previous.as_ref();
                    tr {
                        td { (f.name) }
                        td { (period::beside(&ctx, &f.tasks.to_string(), before.map(|b| b.tasks.to_string()).as_deref())) }
                        td { (f.fed_back) }
                        td { (period::beside(&ctx, &pct(f.on_time_rate), before.map(|b| pct(b.on_time_rate)).as_deref())) }
                        td { @if f.overdue > 0 { (layout::badge(&f.overdue.to_string(), "red")) } @else { "0" }
                            @if let Some(b) = before { " " span.muted.before { "(" (ctx.t("k-period-before")) " " (b.overdue) ")" } } }
                        td { (period::beside(&ctx, &days(f.avg_cycle_days), before.map(|b| days(b.avg_cycle_days)).as_deref())) }
                    }
                } }
            } }
        }
    };
    let as_file = ListParams { format: q.format.clone(), ..Default::default() };
    if as_file.is_export() {
        let header = [
            "co-col-name",
            "co-tasks-2",
            "co-fed-back",
            "co-on-time",
            "co-overdue-now",
            "co-avg-days",
            "co-col-previous-period",
            "co-col-previous-tasks",
            "co-col-previous-on-time",
            "co-col-previous-overdue",
        ]
        .map(|k| ctx.t(k));
        let rows = if q.group.as_deref() == Some("person") { &by_person } else { &by_dept };
        let cells = rows
            .iter()
            .map(|f| {
                let b = f.previous.as_ref();
                vec![
                    f.name.clone(),
                    f.tasks.to_string(),
                    f.fed_back.to_string(),
                    pct(f.on_time_rate),
                    f.overdue.to_string(),
                    days(f.avg_cycle_days),
                    b.map(|b| b.period.clone()).unwrap_or_default(),
                    b.map(|b| b.tasks.to_string()).unwrap_or_default(),
                    b.map(|b| pct(b.on_time_rate)).unwrap_or_default(),
                    b.map(|b| b.overdue.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        return crate::kernel::web::list::export(&as_file, "task_figures", &header, cells);
    }
    let keep = [("period", shown.as_ref().map(|p| p.key()).unwrap_or_default())];
    let downloads = |group: &str| {
        html! { p.no-print {
            a href=(crate::kernel::web::list::link_with(&ctx, &keep, &[("group", group), ("format", "csv")])) { (ctx.t("common-export_csv")) } " · "
            a href=(crate::kernel::web::list::link_with(&ctx, &keep, &[("group", group), ("format", "xlsx")])) { (ctx.t("common-export_xlsx")) }
        } }
    };
    let title = match &shown {
        Some(p) => format!("{} · {}", ctx.t("co-execution-figures"), period::label(&ctx, p)),
        None => ctx.t("co-execution-figures").to_owned(),
    };
    let body = html! {
        (period::chooser(&ctx, &[], shown.as_ref(), true))
        p.muted { (ctx.t("co-definitions-on-time-rate-tasks"))
            @if let Some(p) = &shown { " " (ctx.t("co-definitions-period")) " " (ctx.t_args("k-period-compared", &[("previous", &period::label(&ctx, &p.previous()))])) } }
        @if by_dept.is_empty() { (layout::empty_state(ctx.t("co-no-tasks-yet"))) }
        @else {
            div.card { (PreEscaped(chart::bars(ctx.t("co-on-time-rate-by-lead"), &chart_rows, 1.0, "#1e7b34"))) }
            h2 { (ctx.t("co-by-lead-department")) }
            (downloads("department"))
            (table(&by_dept))
            h2 { (ctx.t("co-by-responsible-person")) }
            (downloads("person"))
            (table(&by_person))
        }
        @if !bulletins.is_empty() {
            h2 { (ctx.t("co-bulletins")) }
            ul { @for (id, number, n) in &bulletins { li { a href=(format!("/coordination/bulletins/{id}")) { (number) } " · " (n) } } }
        }
    };
    Ok(layout::page(&ctx, &title, Section::Of("matters"), body).into_response())
}
