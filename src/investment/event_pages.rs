//! The event pages: the list with each event's projects and amount, a new event, and one
//! event with its platforms, the meetings before and after, and the follow-up pipeline
//! of the enterprises met there.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::events::{self, CONTACT_STATUSES, Event, EventInput, FollowUp, MeetingInput, TIMINGS};
use super::platforms;
use super::project_pages::{
    SECTION, as_choices as options, enterprise_fields, id_field, may_record, named_of, tabs, text_of,
};
use crate::kernel::access::Action;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate::fen_in_words;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value, with_repeated};
use crate::kernel::web::layout::{self, Pick, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/investment/events", get(list).post(create))
        .route("/investment/events/{id}", get(show).post(update))
        .route("/investment/events/{id}/meetings", post(add_meeting))
        .route("/investment/events/{id}/next", post(next_edition))
        .route("/investment/events/{id}/contacts", post(add_contact))
        .route("/investment/contacts/{id}", post(follow_up))
}

fn event_fields(
    ctx: &Ctx,
    e: Option<&Event>,
    departments: &[(String, String)],
    all_platforms: &[(String, String)],
    retry: Option<&Retry>,
) -> Markup {
    let f = "event";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let mine = ctx.user.as_ref().and_then(|u| u.department_id).map(|d| d.to_string()).unwrap_or_default();
    let chosen: Vec<String> = e.map(|e| e.platforms.iter().map(|p| p.id.to_string()).collect()).unwrap_or_default();
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "name", ctx.t("inv-event-name"), &was("name", e.map(|e| e.name.clone()).unwrap_or_default()), err, true))
        (layout::input_field(ctx, "date", "held_on", ctx.t("inv-held-on"), &was("held_on", e.map(|e| e.held_on.clone()).unwrap_or_default()), err, true))
        (text_field(ctx, "place", ctx.t("inv-place"), &was("place", e.map(|e| e.place.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "organisers", ctx.t("inv-organisers"), &was("organisers", e.map(|e| e.organisers.clone()).unwrap_or_default()), err, false))
        label.field { span { (ctx.t("inv-summary")) } textarea name="summary" rows="3" { (was("summary", e.map(|e| e.summary.clone()).unwrap_or_default())) } }
        (layout::picker_field(ctx, "department_id", ctx.t("inv-department"), departments, &was("department_id", e.map_or(mine, |e| e.department_id.to_string())), err, &Pick::UNIT))
        (layout::checks_field("platform_ids", ctx.t("inv-platforms"), all_platforms, &chosen))
    }
}

fn input_of(f: &Fields, platform_ids: Vec<i64>) -> AppResult<EventInput> {
    Ok(EventInput {
        name: text_of(f, "name"),
        held_on: text_of(f, "held_on"),
        place: text_of(f, "place"),
        organisers: text_of(f, "organisers"),
        summary: text_of(f, "summary"),
        department_id: id_field(f, "department_id")?.ok_or(AppError::invalid("required", "department_id"))?,
        platform_ids,
    })
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>) -> AppResult<Response> {
    list_page(&s, &ctx, p, None).await
}

async fn list_page(s: &AppState, ctx: &Ctx, p: ListParams, retry: Option<&Retry>) -> AppResult<Response> {
    let pq = p.clone();
    let (page, departments, all_platforms) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            Ok((events::list(tx, &pq)?, crate::org::departments::options(tx)?, platforms::options(tx)?))
        })
        .await?;
    let table = Table::new()
        .column(
            "name",
            ctx.t("inv-event-name"),
            |e: &Event| html! { a href=(format!("/investment/events/{}", e.id)) { (e.name) } },
            |e| e.name.clone(),
        )
        .sorts("name")
        .text("held_on", ctx.t("inv-held-on"), |e| e.held_on.clone())
        .sorts("held_on")
        .text("organisers", ctx.t("inv-organisers"), |e| e.organisers.clone())
        .text("projects", ctx.t("inv-projects"), |e| e.projects.to_string())
        .column(
            "amount",
            ctx.t("inv-amount"),
            |e| html! { (fen_in_words(e.amount_fen)) },
            |e| format!("{:.2}", e.amount_fen as f64 / 100.0),
        )
        .sorts("amount")
        .exported("place", ctx.t("inv-place"), |e| e.place.clone())
        .exported("department", ctx.t("inv-department"), |e| e.department_name.clone());
    respond(&p, "events", &table, &page.items, || {
        let (departments, all_platforms) = (options(departments), options(all_platforms));
        let body = html! {
            (tabs(ctx, "/investment/events"))
            @if may_record(ctx) {
                details.panel open[retry.is_some()] {
                    summary { (ctx.t("inv-new-event")) }
                    form.stack method="post" action="/investment/events" {
                        (csrf_field(ctx))
                        (event_fields(ctx, None, &departments, &all_platforms, retry))
                        div { button type="submit" { (ctx.t("common-save")) } }
                    }
                }
            }
            form.filters method="get" action="/investment/events" {
                (text_field(ctx, "q", ctx.t("inv-search-events"), p.q().unwrap_or(""), None, false))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(ctx, &p, &[], &page.items, ctx.t("inv-no-events")))
            (pager(ctx, &p, &[], page.total))
        };
        let status = retry.map_or(StatusCode::OK, |r| r.err.status());
        (status, layout::page(ctx, ctx.t("inv-events"), SECTION, body)).into_response()
    })
}

async fn create(State(s): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    let (fields, platform_ids) = with_repeated(&ctx, &body, "platform_ids")?;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "event", fields, move |tx, who, f: Fields| {
        events::create(tx, who, &user, &input_of(&f, platform_ids)?)
    })
    .await?
    {
        Ok(e) => Ok(Redirect::to(&format!("/investment/events/{}", e.id)).into_response()),
        Err(retry) => list_page(&s, &ctx, ListParams::default(), Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (e, meetings, contacts, departments, all_platforms) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            Ok((
                events::find(tx, id)?,
                events::meetings(tx, id)?,
                events::contacts(tx, id)?,
                crate::org::departments::options(tx)?,
                platforms::options(tx)?,
            ))
        })
        .await?;
    let changes = ctx.user.as_ref().is_some_and(|u| may_record(ctx) && events::may_change(u, &e));
    let timings: Vec<(String, String)> =
        TIMINGS.iter().map(|t| ((*t).to_owned(), ctx.t(&format!("inv-meeting-{t}")).to_owned())).collect();
    let statuses: Vec<(String, String)> =
        CONTACT_STATUSES.iter().map(|t| ((*t).to_owned(), ctx.t(&format!("inv-contact-{t}")).to_owned())).collect();
    let (mf, cf) = ("meeting", "contact");
    let body = html! {
        (tabs(ctx, "/investment/events"))
        div.card { dl.facts {
            dt { (ctx.t("inv-held-on")) } dd { (e.held_on) " · " (e.place) }
            dt { (ctx.t("inv-organisers")) } dd { (e.organisers) }
            dt { (ctx.t("inv-platforms")) } dd {
                @for (i, p) in e.platforms.iter().enumerate() { @if i > 0 { "、" } a href=(format!("/investment/platforms/{}", p.id)) { (p.name) } }
            }
            dt { (ctx.t("inv-projects")) } dd {
                a href=(format!("/investment?event_id={}", e.id)) { (ctx.t_args("inv-projects-count", &[("count", &e.projects.to_string())])) }
                " · " (fen_in_words(e.amount_fen))
            }
            dt { (ctx.t("inv-department")) } dd { (e.department_name) }
        } }
        @if !e.summary.is_empty() { p { (e.summary) } }
        h2 { (ctx.t("inv-meetings")) }
        @if meetings.is_empty() { (layout::empty_state(ctx.t("inv-no-meetings"))) }
        ul.history { @for m in &meetings { li {
            strong { (m.held_on) " " (ctx.t(&format!("inv-meeting-{}", m.timing))) } " " (m.title)
            @if !m.notes.is_empty() { br; span.muted { (m.notes) } }
        } } }
        @if changes {
            details.panel open[error(retry, mf).is_some()] {
                summary { (ctx.t("inv-add-meeting")) }
                form.stack method="post" action=(format!("/investment/events/{}/meetings", e.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, mf)))
                    (select_field(ctx, "timing", ctx.t("inv-meeting-timing"), &timings, value(retry, mf, "timing", "after"), error(retry, mf)))
                    (layout::input_field(ctx, "date", "held_on", ctx.t("inv-held-on"), value(retry, mf, "held_on", ""), error(retry, mf), true))
                    (text_field(ctx, "title", ctx.t("inv-meeting-title"), value(retry, mf, "title", ""), error(retry, mf), true))
                    label.field { span { (ctx.t("inv-meeting-notes")) } textarea name="notes" rows="2" { (value(retry, mf, "notes", "")) } }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("inv-contacts")) }
        @if contacts.is_empty() { (layout::empty_state(ctx.t("inv-no-contacts"))) }
        @else {
            div.table-wrap { table.list {
                thead { tr { th { (ctx.t("inv-enterprise")) } th { (ctx.t("inv-responsible")) } th { (ctx.t("inv-next-step")) } th { (ctx.t("common-status")) } } }
                tbody { @for c in &contacts { tr {
                    td data-label=(ctx.t("inv-enterprise")) { div.cell { a href=(format!("/enterprises/{}", c.enterprise_id)) { (c.enterprise_name) } } }
                    td data-label=(ctx.t("inv-responsible")) { div.cell { (c.responsible_name) } }
                    td data-label=(ctx.t("inv-next-step")) { div.cell {
                        @if changes || ctx.user.as_ref().is_some_and(|u| u.id == c.responsible_id) {
                            form.inline method="post" action=(format!("/investment/contacts/{}", c.id)) {
                                (csrf_field(ctx))
                                input type="text" name="next_step" value=(c.next_step) aria-label=(ctx.t("inv-next-step"));
                                select name="status" aria-label=(ctx.t("common-status")) { @for (v, l) in &statuses { option value=(v) selected[*v == c.status] { (l) } } }
                                button.secondary type="submit" { (ctx.t("common-save")) }
                            }
                        } @else { (c.next_step) }
                    } }
                    td data-label=(ctx.t("common-status")) { div.cell { (ctx.t(&format!("inv-contact-{}", c.status))) } }
                } } }
            } }
        }
        @if changes {
            details.panel open[error(retry, cf).is_some()] {
                summary { (ctx.t("inv-add-contact")) }
                form.stack method="post" action=(format!("/investment/events/{}/contacts", e.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, cf)))
                    (enterprise_fields(ctx, retry, cf, None))
                    (text_field(ctx, "contact_name", ctx.t("ent-contact-name"), value(retry, cf, "contact_name", ""), error(retry, cf), false))
                    (text_field(ctx, "contact_phone", ctx.t("ent-contact-phone"), value(retry, cf, "contact_phone", ""), error(retry, cf), false))
                    (layout::picker_field(ctx, "responsible_id", ctx.t("inv-responsible"), &[], value(retry, cf, "responsible_id", ""), error(retry, cf), &Pick::PERSON))
                    (text_field(ctx, "next_step", ctx.t("inv-next-step"), value(retry, cf, "next_step", ""), error(retry, cf), false))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            details.panel open[error(retry, "event").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/investment/events/{}", e.id)) {
                    (csrf_field(ctx))
                    (event_fields(ctx, Some(&e), &options(departments), &options(all_platforms), retry))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        @if changes {
            form.inline method="post" action=(format!("/investment/events/{}/next", e.id)) {
                (csrf_field(ctx))
                button.secondary type="submit" { (ctx.t("inv-next-edition")) }
            }
        }
        p { (layout::history_link(ctx, "event", e.id)) " " a href="/investment/events" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &e.name, SECTION, body)).into_response())
}

async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    ctx: Ctx,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (fields, platform_ids) = with_repeated(&ctx, &body, "platform_ids")?;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "event", fields, move |tx, who, f: Fields| {
        events::update(tx, who, &user, id, &input_of(&f, platform_ids)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/events/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn next_edition(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "next", form, move |tx, who, _: Fields| {
        events::next_edition(tx, who, &user, id)
    })
    .await?
    {
        Ok(e) => Ok(Redirect::to(&format!("/investment/events/{}", e.id)).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn add_meeting(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "meeting", form, move |tx, who, m: MeetingInput| {
        events::add_meeting(tx, who, &user, id, &m)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/events/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn add_contact(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "contact", form, move |tx, who, f: Fields| {
        let input = events::ContactInput {
            enterprise: named_of(&f)?,
            responsible_id: id_field(&f, "responsible_id")?.ok_or(AppError::invalid("required", "responsible_id"))?,
            next_step: text_of(&f, "next_step"),
        };
        events::add_contact(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/events/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn follow_up(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::RecordInvestment)?.clone();
    match attempt(&s, &ctx, Action::RecordInvestment, "follow_up", form, move |tx, who, input: FollowUp| {
        events::follow_up(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(c) => Ok(Redirect::to(&format!("/investment/events/{}", c.event_id)).into_response()),
        Err(retry) => Err(retry.err),
    }
}
