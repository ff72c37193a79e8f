//! The direct-line pages: an enterprise's or leader's threads, a new thread with a city
//! leader, one thread with its messages (new ones appear while the page is open: it polls
//! `/direct-line/{id}/live`), its requests with the responder, the answer and the
//! enterprise's judgement, and the figures per leader and department.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::direct_line::{
    self, AnswerInput, AssignInput, JudgementInput, Message, MessageInput, Request, Side, Thread, ThreadFilter,
    ThreadInput,
};
use crate::kernel::access::{self, Action, Role};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{
    self, Pick, Section, csrf_field, error_banner, picker_field, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, period};

pub const SECTION: Section = Section::Of("direct-line");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/direct-line", get(list).post(create))
        .route("/direct-line/new", get(new_form))
        .route("/direct-line/figures", get(figures_page))
        .route("/direct-line/{id}", get(show))
        .route("/direct-line/{id}/live", get(live))
        .route("/direct-line/{id}/messages", post(post_message))
        .route("/direct-line/requests/{id}/responder", post(assign))
        .route("/direct-line/requests/{id}/answer", post(answer))
        .route("/direct-line/requests/{id}/judgement", post(judge))
}

fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let mut tabs = vec![("/direct-line", "mk-line-threads")];
    let role = ctx.user.as_ref().map(|u| u.role);
    if role == Some(Role::Enterprise) {
        tabs.push(("/direct-line/new", "mk-line-new"));
    }
    if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ViewRemit)) {
        tabs.push(("/direct-line/figures", "mk-line-figures"));
    }
    html! {
        nav.tabs aria-label=(ctx.t("mk-line")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<ThreadFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::UseDirectLine)?.clone();
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::UseDirectLine, move |tx, _| direct_line::list(tx, &user, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "subject",
            ctx.t("mk-line-subject"),
            |t: &Thread| html! { a href=(format!("/direct-line/{}", t.id)) { (t.subject) } },
            |t| t.subject.clone(),
        )
        .sorts("subject")
        .text("enterprise", ctx.t("mk-line-enterprise"), |t| t.enterprise_name.clone())
        .text("leader", ctx.t("mk-line-leader"), |t| t.leader_name.clone())
        .text("open", ctx.t("mk-line-open-requests"), |t| t.open_requests.to_string())
        .text("last", ctx.t("mk-line-last"), |t| fmt_local(t.last_at))
        .sorts("last");
    respond(&p, "direct-line", &table, &page.items, || {
        let extra = vec![("open", f.open.map(|o| o.to_string()).unwrap_or_default())];
        let body = html! {
            (tabs(&ctx, "/direct-line"))
            form.filters method="get" action="/direct-line" {
                (text_field(&ctx, "q", ctx.t("mk-search"), p.q().unwrap_or(""), None, false))
                label.check { input type="checkbox" name="open" value="true" checked[f.open == Some(true)]; (ctx.t("mk-line-only-open")) }
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("mk-line-none")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("mk-line"), SECTION, body).into_response()
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::UseDirectLine)?;
    let leaders = s.look(ctx, Action::UseDirectLine, |tx, _| direct_line::leaders(tx)).await?;
    let mut choices = vec![(String::new(), ctx.t("k-picker-unchosen").to_owned())];
    choices.extend(leaders.into_iter().map(|(i, n)| (i.to_string(), n)));
    let f = "thread";
    let err = error(retry, f);
    let body = html! {
        (tabs(ctx, "/direct-line/new"))
        p.muted { (ctx.t("mk-line-intro")) }
        form.stack method="post" action="/direct-line" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (select_field(ctx, "leader_id", ctx.t("mk-line-leader"), &choices, value(retry, f, "leader_id", ""), err))
            (text_field(ctx, "subject", ctx.t("mk-line-subject"), value(retry, f, "subject", ""), err, true))
            label.field { span { (ctx.t("mk-line-message")) } textarea name="body" rows="5" required { (value(retry, f, "body", "")) } }
            label.check { input type="checkbox" name="request" value="1"; (ctx.t("mk-line-mark-request")) }
            div { button type="submit" { (ctx.t("mk-line-send")) } a.button.secondary href="/direct-line" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("mk-line-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::UseDirectLine)?.clone(), s.calendar());
    match attempt(&s, &ctx, Action::UseDirectLine, "thread", form, move |tx, who, f: Fields| {
        let input = ThreadInput {
            leader_id: f.get("leader_id").and_then(|v| v.parse().ok()).unwrap_or(0),
            subject: f.get("subject").cloned().unwrap_or_default(),
            body: f.get("body").cloned().unwrap_or_default(),
            request: f.contains_key("request"),
        };
        direct_line::start(tx, who, &user, &calendar, &input)
    })
    .await?
    {
        Ok(t) => Ok(Redirect::to(&format!("/direct-line/{}", t.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

fn message_items(ctx: &Ctx, messages: &[Message]) -> Markup {
    html! { @for m in messages {
        li class=(format!("msg msg-{}", m.side)) data-id=(m.id) {
            div.meta { strong { (m.author) } " · " (fmt_local(m.created_at))
                @if m.request_id.is_some() { " " (layout::badge(ctx.t("mk-line-request"), "yellow")) } }
            div.body { (m.body) }
        }
    } }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

struct View {
    thread: Thread,
    side: Side,
    messages: Vec<Message>,
    requests: Vec<Request>,
    departments: Vec<(String, String)>,
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::UseDirectLine)?.clone();
    let now = ctx.now;
    let v = s
        .look(ctx, Action::UseDirectLine, move |tx, _| {
            let (thread, side) = direct_line::open_thread(tx, &user, id)?;
            let mut departments = Vec::new();
            for d in crate::org::people::portfolio_departments(tx, thread.leader_id)? {
                departments.push((d.to_string(), crate::org::departments::find(tx, d)?.name));
            }
            Ok(View {
                messages: direct_line::messages(tx, &user, id, 0)?,
                requests: direct_line::requests(tx, &user, id, now)?,
                thread,
                side,
                departments,
            })
        })
        .await?;
    let t = &v.thread;
    let last = v.messages.last().map_or(0, |m| m.id);
    let assigns = v.side == Side::Leader
        || (v.side == Side::Office && ctx.user.as_ref().is_some_and(|u| u.role == Role::DeptHead));
    let me = ctx.user.as_ref().map_or(0, |u| u.id);
    let body = html! {
        (tabs(ctx, ""))
        p.muted { (t.enterprise_name) " ⇄ " (t.leader_name) }
        @for key in ["message", "assign", "answer", "judge"] { (error_banner(ctx, error(retry, key))) }
        @if !v.requests.is_empty() {
            h2 { (ctx.t("mk-line-requests")) }
            @for r in &v.requests {
                div.card.request {
                    p { strong { (r.asked) } }
                    p.muted {
                        (ctx.t("mk-line-due")) " " (r.due_on) " · "
                        (ctx.t(&format!("mk-line-state-{}", r.state))) " · "
                        (layout::badge(ctx.t(&format!("mk-delivery-{}", r.delivery)), match r.delivery.as_str() { "on_time" => "green", "late" | "overdue" => "red", _ => "" }))
                        @if r.escalated_at.is_some() { " " (layout::badge(ctx.t("mk-line-escalated"), "red")) }
                    }
                    p { (ctx.t("mk-line-responder")) "：" (r.responder_name.clone().unwrap_or_else(|| ctx.t("mk-line-unassigned").to_owned()))
                        @if let Some(d) = &r.department_name { "（" (d) "）" } }
                    @if let Some(a) = &r.answer { p { (ctx.t("mk-line-answer")) "：" (a) } }
                    @if let Some(j) = &r.judgement { p { (ctx.t("mk-line-judgement")) "：" (ctx.t(&format!("mk-judgement-{j}")))
                        @if let Some(n) = &r.judgement_note { " · " (n) } } }
                    @if r.state == "open" && assigns {
                        form.row-form.no-print method="post" action=(format!("/direct-line/requests/{}/responder", r.id)) {
                            (csrf_field(ctx))
                            (select_field(ctx, "department_id", ctx.t("mk-task-department"), &v.departments, "", None))
                            (picker_field(ctx, "responder_id", ctx.t("mk-line-responder"), &[], "", None, &Pick::person_in("department_id")))
                            button.secondary type="submit" { (ctx.t("mk-line-assign")) }
                        }
                    }
                    @if r.state == "open" && (v.side == Side::Leader || r.responder_id == Some(me)) {
                        form.stack.no-print method="post" action=(format!("/direct-line/requests/{}/answer", r.id)) {
                            (csrf_field(ctx))
                            label.field { span { (ctx.t("mk-line-answer")) } textarea name="answer" rows="3" required { (value(retry, "answer", "answer", "")) } }
                            div { button type="submit" { (ctx.t("mk-line-send-answer")) } }
                        }
                    }
                    @if r.state == "answered" && v.side == Side::Enterprise {
                        form.stack.no-print method="post" action=(format!("/direct-line/requests/{}/judgement", r.id)) {
                            (csrf_field(ctx))
                            (text_field(ctx, "note", ctx.t("mk-line-judgement-note"), "", None, false))
                            div {
                                button type="submit" name="judgement" value="satisfied" { (ctx.t("mk-judgement-satisfied")) }
                                button.secondary type="submit" name="judgement" value="unsatisfied" { (ctx.t("mk-judgement-unsatisfied")) }
                            }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("mk-line-messages")) }
        ol.messages data-live=(format!("/direct-line/{id}/live")) data-after=(last) aria-live="polite" {
            (message_items(ctx, &v.messages))
        }
        form.stack.no-print method="post" action=(format!("/direct-line/{id}/messages")) {
            (csrf_field(ctx))
            label.field { span { (ctx.t("mk-line-message")) } textarea name="body" rows="3" required { (value(retry, "message", "body", "")) } }
            @if v.side == Side::Enterprise { label.check { input type="checkbox" name="request" value="1"; (ctx.t("mk-line-mark-request")) } }
            div { button type="submit" { (ctx.t("mk-line-send")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &t.subject, SECTION, body)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct After {
    #[serde(default)]
    after: i64,
}

/// The messages after `after`, as list items: what the open page polls for.
async fn live(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>, Q(a): Q<After>) -> AppResult<Response> {
    let user = ctx.require(Action::UseDirectLine)?.clone();
    let messages =
        s.look(&ctx, Action::UseDirectLine, move |tx, _| direct_line::messages(tx, &user, id, a.after)).await?;
    let html = message_items(&ctx, &messages).into_string();
    Ok(([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn back(s: &AppState, ctx: &Ctx, thread: i64, retry: Option<Retry>) -> AppResult<Response> {
    match retry {
        None => Ok(Redirect::to(&format!("/direct-line/{thread}")).into_response()),
        Some(retry) => render(s, ctx, thread, Some(&retry)).await,
    }
}

async fn post_message(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::UseDirectLine)?.clone(), s.calendar());
    let done = attempt(&s, &ctx, Action::UseDirectLine, "message", form, move |tx, who, f: Fields| {
        let input =
            MessageInput { body: f.get("body").cloned().unwrap_or_default(), request: f.contains_key("request") };
        direct_line::post(tx, who, &user, &calendar, id, &input)
    })
    .await?;
    back(&s, &ctx, id, done.err()).await
}

async fn thread_of(s: &AppState, ctx: &Ctx, request: i64) -> AppResult<i64> {
    s.look(ctx, Action::UseDirectLine, move |tx, _| {
        let r = tx.query_opt("SELECT thread_id FROM line_requests WHERE id = $1", crate::params![request])?;
        Ok(r.ok_or(AppError::NotFound)?.int(0)?)
    })
    .await
}

async fn assign(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::UseDirectLine)?.clone();
    let thread = thread_of(&s, &ctx, id).await?;
    let done = attempt(&s, &ctx, Action::UseDirectLine, "assign", form, move |tx, who, f: Fields| {
        let responder_id = f.get("responder_id").and_then(|v| v.parse().ok()).unwrap_or(0);
        direct_line::assign(tx, who, &user, id, &AssignInput { responder_id })
    })
    .await?;
    back(&s, &ctx, thread, done.err()).await
}

async fn answer(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::UseDirectLine)?.clone(), s.calendar());
    let thread = thread_of(&s, &ctx, id).await?;
    let done = attempt(&s, &ctx, Action::UseDirectLine, "answer", form, move |tx, who, f: Fields| {
        let input = AnswerInput { answer: f.get("answer").cloned().unwrap_or_default() };
        direct_line::answer(tx, who, &user, &calendar, id, &input)
    })
    .await?;
    back(&s, &ctx, thread, done.err()).await
}

async fn judge(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let (user, calendar) = (ctx.require(Action::UseDirectLine)?.clone(), s.calendar());
    let thread = thread_of(&s, &ctx, id).await?;
    let done = attempt(&s, &ctx, Action::UseDirectLine, "judge", form, move |tx, who, f: Fields| {
        let input = JudgementInput {
            judgement: f.get("judgement").cloned().unwrap_or_default(),
            note: f.get("note").cloned().unwrap_or_default(),
        };
        direct_line::judge(tx, who, &user, &calendar, id, &input)
    })
    .await?;
    back(&s, &ctx, thread, done.err()).await
}

async fn figures_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::ViewRemit)?;
    let asked = q.asked()?;
    let (from, to) = q.bounds()?;
    let now = ctx.now;
    let rows = s.look(&ctx, Action::ViewRemit, move |tx, _| direct_line::figures(tx, from, to, now)).await?;
    let body = html! {
        (tabs(&ctx, "/direct-line/figures"))
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        @if let Some(p) = &asked { p.muted { (period::label(&ctx, p)) } }
        @if rows.is_empty() { (layout::empty_state(ctx.t("mk-line-none"))) } @else {
            table.list {
                thead { tr {
                    th { (ctx.t("mk-line-leader")) } th { (ctx.t("mk-task-department")) } th { (ctx.t("mk-line-requests")) }
                    th { (ctx.t("mk-delivery-on_time")) } th { (ctx.t("mk-delivery-late")) } th { (ctx.t("mk-delivery-overdue")) }
                    th { (ctx.t("mk-judgement-satisfied")) } th { (ctx.t("mk-judgement-unsatisfied")) }
                } }
                tbody { @for r in &rows { tr {
                    td data-label=(ctx.t("mk-line-leader")) { (r.leader) }
                    td data-label=(ctx.t("mk-task-department")) { @if r.department.is_empty() { span.muted { (ctx.t("mk-line-unassigned")) } } @else { (r.department) } }
                    td data-label=(ctx.t("mk-line-requests")) { (r.requests) }
                    td data-label=(ctx.t("mk-delivery-on_time")) { (r.answered_on_time) }
                    td data-label=(ctx.t("mk-delivery-late")) { (r.answered_late) }
                    td data-label=(ctx.t("mk-delivery-overdue")) { (r.overdue) }
                    td data-label=(ctx.t("mk-judgement-satisfied")) { (r.satisfied) }
                    td data-label=(ctx.t("mk-judgement-unsatisfied")) { (r.unsatisfied) }
                } } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("mk-line-figures"), SECTION, body).into_response())
}
