//! The meeting pages: the list, a new meeting with its agenda and invitations (people by
//! type-ahead, associations' heads to 列席 seats), one meeting laid out as minutes for
//! printing with attendance, speeches and decisions made tasks, and the figures of how
//! often associations attended and spoke.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};

use super::associations;
use super::meetings::{
    self, AttendanceInput, DecisionInput, DecisionTaskInput, Detail, KINDS, Meeting, MeetingFilter, MeetingInput,
    SpeechInput,
};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value, with_repeated_lists};
use crate::kernel::web::layout::{
    self, Pick, Section, checks_field, csrf_field, error_banner, input_field, picker_field, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, chart, period};

pub const SECTION: Section = Section::Of("meetings");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/new", get(new_form))
        .route("/meetings/figures", get(figures_page))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/attendance", post(attendance))
        .route("/meetings/{id}/speeches", post(speech))
        .route("/meetings/{id}/decisions", post(decide))
        .route("/meeting-decisions/{id}/task", post(make_task))
}

fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let mut tabs = vec![("/meetings", "mk-meetings")];
    if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ConveneMeetings)) {
        tabs.extend([("/meetings/new", "mk-meeting-new"), ("/meetings/figures", "mk-meeting-figures")]);
    }
    html! {
        nav.tabs aria-label=(ctx.t("mk-meetings")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<MeetingFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewMeetings)?.clone();
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewMeetings, move |tx, _| meetings::list(tx, &user, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "title",
            ctx.t("mk-meeting-title"),
            |m: &Meeting| html! { a href=(format!("/meetings/{}", m.id)) { (m.title) } },
            |m| m.title.clone(),
        )
        .sorts("title")
        .text("kind", ctx.t("mk-meeting-kind"), |m| ctx.t(&format!("mk-meeting-kind-{}", m.kind)).to_owned())
        .text("starts", ctx.t("mk-meeting-starts"), |m| fmt_local(m.starts_at))
        .sorts("starts")
        .text("place", ctx.t("mk-meeting-place"), |m| m.place.clone())
        .text("attended", ctx.t("mk-meeting-attended"), |m| format!("{}/{}", m.attended, m.invited))
        .text("state", ctx.t("mk-meeting-state"), |m| ctx.t(&format!("mk-meeting-{}", m.state)).to_owned());
    respond(&p, "meetings", &table, &page.items, || {
        let extra = vec![("kind", f.kind.clone().unwrap_or_default())];
        let mut kinds = vec![(String::new(), ctx.t("common-all").to_owned())];
        kinds.extend(KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("mk-meeting-kind-{k}")).to_owned())));
        let body = html! {
            (tabs(&ctx, "/meetings"))
            form.filters method="get" action="/meetings" {
                (text_field(&ctx, "q", ctx.t("mk-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "kind", ctx.t("mk-meeting-kind"), &kinds, f.kind.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("mk-no-meetings")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("mk-meetings"), SECTION, body).into_response()
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ConveneMeetings)?;
    let options = s.look(ctx, Action::ConveneMeetings, |tx, _| associations::options(tx)).await?;
    let associations: Vec<(String, String)> = options.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let f = "meeting";
    let err = error(retry, f);
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("mk-meeting-kind-{k}")).to_owned())).collect();
    let pick = Pick { required: false, ..Pick::PERSON };
    let body = html! {
        (tabs(ctx, "/meetings/new"))
        form.stack method="post" action="/meetings" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (select_field(ctx, "kind", ctx.t("mk-meeting-kind"), &kinds, value(retry, f, "kind", "government"), err))
            (text_field(ctx, "title", ctx.t("mk-meeting-title"), value(retry, f, "title", ""), err, true))
            (input_field(ctx, "datetime-local", "starts_at", ctx.t("mk-meeting-starts"), value(retry, f, "starts_at", ""), err, true))
            (text_field(ctx, "place", ctx.t("mk-meeting-place"), value(retry, f, "place", ""), err, false))
            label.field { span { (ctx.t("mk-agenda")) } textarea name="items" rows="5" required placeholder=(ctx.t("mk-agenda-hint")) { (value(retry, f, "items", "")) } }
            fieldset {
                legend { (ctx.t("mk-meeting-members")) }
                @for i in 0..6 { (picker_field(ctx, "member_ids", &format!("{} {}", ctx.t("mk-member"), i + 1), &[], "", err, &pick)) }
            }
            (checks_field("association_ids", ctx.t("mk-observer-seats"), &associations, &[]))
            p.muted { (ctx.t("mk-observer-hint")) }
            div { button type="submit" { (ctx.t("mk-convene")) } a.button.secondary href="/meetings" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("mk-meeting-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, mut lists) = with_repeated_lists(&ctx, &body, &["member_ids", "association_ids"])?;
    let association_ids = lists.pop().unwrap_or_default();
    let member_ids = lists.pop().unwrap_or_default();
    let user = ctx.require(Action::ConveneMeetings)?.clone();
    match attempt(&s, &ctx, Action::ConveneMeetings, "meeting", form, move |tx, who, f: Fields| {
        let text = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = MeetingInput {
            kind: text("kind"),
            title: text("title"),
            starts_at: text("starts_at"),
            place: text("place"),
            items: text("items").lines().map(str::to_owned).collect(),
            member_ids,
            association_ids,
        };
        meetings::convene(tx, who, &user, &input)
    })
    .await?
    {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

fn seat_badge(ctx: &Ctx, seat: &str) -> Markup {
    layout::badge(ctx.t(&format!("mk-seat-{seat}")), if seat == "observer" { "blue" } else { "" })
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewMeetings)?.clone();
    let (d, departments): (Detail, Vec<(i64, String)>) = s
        .look(ctx, Action::ViewMeetings, move |tx, _| {
            Ok((meetings::detail(tx, &user, id)?, crate::org::departments::options(tx)?))
        })
        .await?;
    let m = &d.meeting;
    let may_keep = ctx.user.as_ref().is_some_and(|u| u.id == m.convener_id);
    let present: Vec<(String, String)> = d
        .invitees
        .iter()
        .filter(|i| i.attended == Some(true))
        .map(|i| (i.id.to_string(), format!("{}（{}）", i.name, i.unit)))
        .collect();
    let items: Vec<(String, String)> =
        d.items.iter().map(|i| (i.id.to_string(), format!("{}. {}", i.seq, i.title))).collect();
    let mut item_choices = vec![(String::new(), ctx.t("mk-no-item").to_owned())];
    item_choices.extend(items.iter().cloned());
    let mut departments_choices = vec![(String::new(), ctx.t("k-picker-unchosen").to_owned())];
    departments_choices.extend(departments.into_iter().map(|(i, n)| (i.to_string(), n)));
    let departments = departments_choices;
    let body = html! {
        (tabs(ctx, ""))
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href="/meetings" { (ctx.t("common-back")) }
        }
        @for key in ["attendance", "speech", "decision", "task"] { (error_banner(ctx, error(retry, key))) }
        article.gongwen {
            h2.doc-title { (m.title) }
            p.muted { (ctx.t(&format!("mk-meeting-kind-{}", m.kind))) " · " (fmt_local(m.starts_at)) " · " (m.place) " · " (ctx.t("mk-convener")) " " (m.convener_name) }
            h3 { (ctx.t("mk-agenda")) }
            ol { @for i in &d.items { li { (i.title)
                @let said: Vec<_> = d.speeches.iter().filter(|s| s.item_id == i.id).collect();
                @if !said.is_empty() { ul.speeches { @for sp in said {
                    li { strong { (sp.speaker) } "（" (sp.unit) "）" (seat_badge(ctx, &sp.seat)) "：" (sp.summary) }
                } } }
            } } }
            h3 { (ctx.t("mk-attendance")) " " span.muted { (m.attended) "/" (m.invited) } }
            table.list {
                thead { tr { th { (ctx.t("mk-name")) } th { (ctx.t("mk-unit")) } th { (ctx.t("mk-seat")) } th { (ctx.t("mk-meeting-attended")) } } }
                tbody { @for i in &d.invitees { tr {
                    td data-label=(ctx.t("mk-name")) { (i.name) }
                    td data-label=(ctx.t("mk-unit")) { (i.unit) }
                    td data-label=(ctx.t("mk-seat")) { (seat_badge(ctx, &i.seat)) }
                    td data-label=(ctx.t("mk-meeting-attended")) { (match i.attended { Some(true) => ctx.t("mk-present"), Some(false) => ctx.t("mk-absent"), None => "—" }) }
                } } }
            }
            h3 { (ctx.t("mk-decisions")) }
            @if d.decisions.is_empty() { p.muted { (ctx.t("mk-no-decisions")) } }
            ol { @for dec in &d.decisions { li {
                (dec.text)
                @if let Some(t) = dec.task_id { " " a href=(format!("/tasks/{t}")) { (layout::badge(ctx.t("mk-became-task"), "green")) } }
                @else if may_keep {
                    form.row-form.no-print method="post" action=(format!("/meeting-decisions/{}/task", dec.id)) {
                        (csrf_field(ctx))
                        (select_field(ctx, "department_id", ctx.t("mk-task-department"), &departments, "", None))
                        (picker_field(ctx, "assignee_id", ctx.t("mk-task-owner"), &[], "", None, &Pick::person_in("department_id")))
                        (input_field(ctx, "date", "deadline", ctx.t("mk-task-deadline"), "", None, true))
                        button.secondary type="submit" { (ctx.t("mk-make-task")) }
                    }
                }
            } } }
        }
        @if may_keep {
            section.no-print {
                h2 { (ctx.t("mk-keep-minutes")) }
                h3 { (ctx.t("mk-record-attendance")) }
                form.stack method="post" action=(format!("/meetings/{id}/attendance")) {
                    (csrf_field(ctx))
                    (checks_field("present", ctx.t("mk-attendance"), &d.invitees.iter().map(|i| (i.id.to_string(), format!("{}（{}）", i.name, i.unit))).collect::<Vec<_>>(),
                        &d.invitees.iter().filter(|i| i.attended == Some(true)).map(|i| i.id.to_string()).collect::<Vec<_>>()))
                    div { button.secondary type="submit" { (ctx.t("mk-record-attendance")) } }
                }
                @if !present.is_empty() {
                    h3 { (ctx.t("mk-record-speech")) }
                    form.stack method="post" action=(format!("/meetings/{id}/speeches")) {
                        (csrf_field(ctx))
                        (select_field(ctx, "item_id", ctx.t("mk-item"), &items, "", None))
                        (select_field(ctx, "invitee_id", ctx.t("mk-speaker"), &present, "", None))
                        label.field { span { (ctx.t("mk-summary")) } textarea name="summary" rows="2" required { (value(retry, "speech", "summary", "")) } }
                        div { button.secondary type="submit" { (ctx.t("mk-record-speech")) } }
                    }
                }
                h3 { (ctx.t("mk-record-decision")) }
                form.stack method="post" action=(format!("/meetings/{id}/decisions")) {
                    (csrf_field(ctx))
                    (select_field(ctx, "item_id", ctx.t("mk-item"), &item_choices, "", None))
                    label.field { span { (ctx.t("mk-decision")) } textarea name="text" rows="2" required { (value(retry, "decision", "text", "")) } }
                    div { button.secondary type="submit" { (ctx.t("mk-record-decision")) } }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &m.title, SECTION, body)).into_response())
}

fn id_of(f: &Fields, key: &'static str) -> AppResult<i64> {
    f.get(key).and_then(|v| v.trim().parse().ok()).ok_or(AppError::invalid("required", key))
}

async fn attendance(State(s): State<AppState>, Path(id): Path<i64>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, mut lists) = with_repeated_lists(&ctx, &body, &["present"])?;
    let present = lists.pop().unwrap_or_default();
    let user = ctx.require(Action::ConveneMeetings)?.clone();
    let done = attempt(&s, &ctx, Action::ConveneMeetings, "attendance", form, move |tx, who, _: Fields| {
        meetings::attendance(tx, who, &user, id, &AttendanceInput { present })
    })
    .await?;
    back(&s, &ctx, id, done.err()).await
}

async fn back(s: &AppState, ctx: &Ctx, id: i64, retry: Option<Retry>) -> AppResult<Response> {
    match retry {
        None => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Some(retry) => render(s, ctx, id, Some(&retry)).await,
    }
}

async fn speech(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ConveneMeetings)?.clone();
    let done = attempt(&s, &ctx, Action::ConveneMeetings, "speech", form, move |tx, who, f: Fields| {
        let input = SpeechInput {
            item_id: id_of(&f, "item_id")?,
            invitee_id: id_of(&f, "invitee_id")?,
            summary: f.get("summary").cloned().unwrap_or_default(),
        };
        meetings::speech(tx, who, &user, id, &input)
    })
    .await?;
    back(&s, &ctx, id, done.err()).await
}

async fn decide(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ConveneMeetings)?.clone();
    let done = attempt(&s, &ctx, Action::ConveneMeetings, "decision", form, move |tx, who, f: Fields| {
        let input = DecisionInput {
            item_id: f.get("item_id").and_then(|v| v.parse().ok()),
            text: f.get("text").cloned().unwrap_or_default(),
        };
        meetings::decide(tx, who, &user, id, &input)
    })
    .await?;
    back(&s, &ctx, id, done.err()).await
}

async fn make_task(
    State(s): State<AppState>,
    Path(decision): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let (user, env) = (ctx.require(Action::ConveneMeetings)?.clone(), s.environment());
    let port = s.registry.tasks()?;
    let meeting = s
        .look(&ctx, Action::ConveneMeetings, move |tx, _| {
            let r = tx.query_opt("SELECT meeting_id FROM meeting_decisions WHERE id = $1", crate::params![decision])?;
            Ok(r.ok_or(AppError::NotFound)?.int(0)?)
        })
        .await?;
    let done = attempt(&s, &ctx, Action::ConveneMeetings, "task", form, move |tx, who, f: Fields| {
        let input = DecisionTaskInput {
            assignee_id: id_of(&f, "assignee_id")?,
            department_id: id_of(&f, "department_id")?,
            deadline: f.get("deadline").cloned().unwrap_or_default(),
        };
        meetings::make_task(tx, who, &user, decision, &input, (port, &env))
    })
    .await?;
    back(&s, &ctx, meeting, done.err()).await
}

async fn figures_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::ConveneMeetings)?;
    let asked = q.asked()?;
    let (from, to) = q.bounds()?;
    let rows = s.look(&ctx, Action::ConveneMeetings, move |tx, _| meetings::figures(tx, from, to)).await?;
    let bars: Vec<(String, f64, String)> =
        rows.iter().map(|r| (r.association.clone(), r.spoke_at as f64, r.spoke_at.to_string())).collect();
    let max = rows.iter().map(|r| r.invited).max().unwrap_or(1).max(1) as f64;
    let body = html! {
        (tabs(&ctx, "/meetings/figures"))
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        @if let Some(p) = &asked { p.muted { (period::label(&ctx, p)) } }
        @if rows.is_empty() { (layout::empty_state(ctx.t("mk-no-meetings"))) } @else {
            div.card { (PreEscaped(chart::bars(ctx.t("mk-spoke-at"), &bars, max, "#1d4ed8"))) }
            table.list {
                thead { tr { th { (ctx.t("mk-association")) } th { (ctx.t("mk-invited")) } th { (ctx.t("mk-meeting-attended")) } th { (ctx.t("mk-spoke-at")) } th { (ctx.t("mk-speeches")) } } }
                tbody { @for r in &rows { tr {
                    td data-label=(ctx.t("mk-association")) { (r.association) }
                    td data-label=(ctx.t("mk-invited")) { (r.invited) }
                    td data-label=(ctx.t("mk-meeting-attended")) { (r.attended) }
                    td data-label=(ctx.t("mk-spoke-at")) { (r.spoke_at) }
                    td data-label=(ctx.t("mk-speeches")) { (r.speeches) }
                } } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("mk-meeting-figures"), SECTION, body).into_response())
}
