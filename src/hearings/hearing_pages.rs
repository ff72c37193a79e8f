//! The hearing pages: the list (public, with the calendar feed), scheduling one, and one
//! hearing's record — the version defended with numbered paragraphs, the questions and
//! answers with their commitments and corrections, and, for those taking part, the forms:
//! ask, moderate, answer with commitments, correct, vote, open/close/publish.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::api::{self, FiguresQuery, HearingDetail};
use super::plan_pages::{SECTION, delivery_badge, tabs};
use super::questions::{self, AnswerInput, CommitmentInput, CorrectionInput, Moderation, QuestionInput, VOTES};
use super::sessions::{self, Hearing, HearingFilter, HearingInput, Person};
use super::{figures, plans};
use crate::kernel::access::Action;
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, choose_field, csrf_field, error_banner, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, chart, period};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hearings", get(list).post(create))
        .route("/hearings/new", get(new_form))
        .route("/hearings/{id}", get(show))
        .route("/hearings/{id}/transition", post(transition))
        .route("/hearings/{id}/ask", post(ask))
        .route("/hearings/{id}/vote", post(vote))
        .route("/hearing-questions/{id}/moderate", post(moderate))
        .route("/hearing-questions/{id}/answer", post(answer))
        .route("/hearing-questions/{id}/correct", post(correct))
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>) -> AppResult<Response> {
    s.limit_public(&ctx, "hearings")?;
    let pq = p.clone();
    let page = s.db.read(move |tx| sessions::list(tx, &HearingFilter::default(), &pq, true)).await?;
    let rules = s.rules(&super::HEARING)?;
    let table = Table::new()
        .column(
            "title",
            ctx.t("hr-hearing"),
            |h: &Hearing| html! { a href=(format!("/hearings/{}", h.id)) { (h.title) } },
            |h| h.title.clone(),
        )
        .sorts("title")
        .text("plan", ctx.t("hr-plan"), |h| h.plan_title.clone())
        .text("kind", ctx.t("hr-hearing-kind"), |h| ctx.t(&format!("hr-kind-{}", h.kind)).to_owned())
        .text("starts", ctx.t("hr-starts-at"), |h| fmt_local(h.starts_at))
        .sorts("starts")
        .text("place", ctx.t("hr-venue"), |h| if h.venue.is_empty() { h.live_url.clone() } else { h.venue.clone() })
        .text("state", ctx.t("hr-stage"), |h| rules.process.state_name(&h.state, ctx.lang));
    respond(&p, "hearings", &table, &page.items, || {
        let government = ctx.user.as_ref().is_some_and(|u| u.role.is_government());
        let body = html! {
            @if government { (tabs(&ctx, "/hearings")) }
            p.muted { (ctx.t("hr-public-desc")) }
            div.actions {
                a.button.secondary href="/calendar/hearings.ics" { (ctx.t("hr-subscribe")) }
                @if ctx.user.is_some() { a.button.secondary href="/account#calendar" { (ctx.t("hr-my-feed")) } }
            }
            (table.render(&ctx, &p, &[], &page.items, ctx.t("hr-no-hearings")))
            (pager(&ctx, &p, &[], page.total))
        };
        layout::page(&ctx, ctx.t("hr-public"), if government { SECTION } else { layout::Section::Of("hearings") }, body)
            .into_response()
    })
}

/// Anyone with an account may be invited (not only staff).
const INVITEE: Pick<'static> =
    Pick { source: "/api/v1/hearings/people", narrow: None, required: false, placeholder: "k-picker-placeholder" };

const ROWS: [(&str, usize); 4] = [("chair", 2), ("team", 6), ("participant", 8), ("panel", 8)];

fn people_of(f: &Fields) -> Vec<Person> {
    let text = |k: String| f.get(&k).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (role, rows) in ROWS {
        for n in 0..rows {
            let user_id = text(format!("p_{role}_{n}_user")).trim().parse().ok();
            let name = text(format!("p_{role}_{n}_name"));
            if user_id.is_none() && name.trim().is_empty() {
                continue;
            }
            out.push(Person { role: role.into(), user_id, name, affiliation: text(format!("p_{role}_{n}_aff")) });
        }
    }
    out
}

fn input_of(f: &Fields) -> AppResult<HearingInput> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    Ok(HearingInput {
        plan_id: text("plan_id").trim().parse().map_err(|_| AppError::invalid("required", "plan_id"))?,
        kind: text("kind"),
        title: text("title"),
        starts_at: text("starts_at"),
        ends_at: text("ends_at"),
        venue: text("venue"),
        live_url: text("live_url"),
        year: text("year").trim().parse().ok(),
        report: text("report"),
        people: people_of(f),
    })
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    plan_id: Option<i64>,
}

async fn new_form(State(s): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let mut values = Fields::new();
    values.insert("plan_id".into(), q.plan_id.map(|p| p.to_string()).unwrap_or_default());
    form_page(&s, &ctx, None, &values).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>, start: &Fields) -> AppResult<Response> {
    ctx.require(Action::ManagePlans)?;
    let plans = s
        .look(ctx, Action::ManagePlans, |tx, _| {
            let p = ListParams { per: Some(200), ..Default::default() };
            Ok(plans::list(tx, &plans::PlanFilter::default(), &p)?.items)
        })
        .await?;
    let plan_choices: Vec<(String, String)> = plans.iter().map(|p| (p.id.to_string(), p.title.clone())).collect();
    let f = "hearing";
    let err = error(retry, f);
    let get = |k: &str| value(retry, f, k, start.get(k).map_or("", String::as_str)).to_owned();
    let kinds: Vec<(String, String)> =
        sessions::KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("hr-kind-{k}")).to_owned())).collect();
    let body = html! {
        form.stack method="post" action="/hearings" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (choose_field(ctx, "plan_id", ctx.t("hr-plan"), &plan_choices, &get("plan_id"), true, err))
            (choose_field(ctx, "kind", ctx.t("hr-hearing-kind"), &kinds, &get("kind"), true, err))
            (text_field(ctx, "title", ctx.t("hr-hearing-title"), &get("title"), err, true))
            (layout::input_field(ctx, "datetime-local", "starts_at", ctx.t("hr-starts-at"), &get("starts_at"), err, true))
            (layout::input_field(ctx, "datetime-local", "ends_at", ctx.t("hr-ends-at"), &get("ends_at"), err, true))
            (text_field(ctx, "venue", ctx.t("hr-venue"), &get("venue"), err, false))
            (layout::input_field(ctx, "url", "live_url", ctx.t("hr-live-url"), &get("live_url"), err, false))
            (layout::input_field(ctx, "number", "year", ctx.t("hr-year"), &get("year"), err, false))
            label.field { span { (ctx.t("hr-report")) " " span.muted { (ctx.t("hr-report-hint")) } } textarea name="report" rows="4" { (get("report")) } }
            @for (role, rows) in ROWS {
                fieldset { legend { (ctx.t(&format!("hr-role-{role}"))) }
                    @for n in 0..rows {
                        div.item-row {
                            (layout::picker_field(ctx, &format!("p_{role}_{n}_user"), ctx.t("hr-person"), &[], &get(&format!("p_{role}_{n}_user")), None, &INVITEE))
                            @if role == "participant" { (text_field(ctx, &format!("p_{role}_{n}_name"), ctx.t("hr-person-without-account"), &get(&format!("p_{role}_{n}_name")), None, false)) }
                            (text_field(ctx, &format!("p_{role}_{n}_aff"), ctx.t("hr-affiliation"), &get(&format!("p_{role}_{n}_aff")), None, false))
                        }
                    }
                }
            }
            div { button type="submit" { (ctx.t("hr-schedule")) } a.button.secondary href="/hearings" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("hr-new-hearing"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules, base) =
        (ctx.require(Action::ManagePlans)?.clone(), s.rules(&super::HEARING)?, s.settings.public_base_url.clone());
    match attempt(&s, &ctx, Action::ManagePlans, "hearing", form, move |tx, who, fields: Fields| {
        sessions::create(tx, who, &user, &rules, &input_of(&fields)?, &base)
    })
    .await?
    {
        Ok(h) => Ok(Redirect::to(&format!("/hearings/{}", h.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry), &Fields::new()).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

fn commitment_rows(
    ctx: &Ctx,
    q: &questions::Question,
    retry: Option<&Retry>,
    departments: &[(String, String)],
) -> Markup {
    let f = "answer";
    html! {
        @for n in 0..3 {
            @let dept = format!("c_{n}_department");
            div.item-row {
                (text_field(ctx, &format!("c_{n}_content"), ctx.t("hr-commitment"), value(retry, f, &format!("c_{n}_content"), ""), None, false))
                (layout::picker_field(ctx, &dept, ctx.t("hr-department"), departments, value(retry, f, &dept, ""), None, &Pick { required: false, ..Pick::UNIT }))
                (layout::picker_field(ctx, &format!("c_{n}_assignee"), ctx.t("hr-owner-person"), &[], value(retry, f, &format!("c_{n}_assignee"), ""), None, &Pick { required: false, ..Pick::person_in(&dept) }))
                (layout::input_field(ctx, "date", &format!("c_{n}_deadline"), ctx.t("hr-deadline"), value(retry, f, &format!("c_{n}_deadline"), ""), None, false))
                input type="hidden" name="question" value=(q.id);
            }
        }
    }
}

pub async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    if ctx.user.is_none() {
        s.limit_public(ctx, "hearings")?;
    }
    let (user, now) = (ctx.user.clone(), ctx.now);
    let (d, history, departments) =
        s.db.read(move |tx| {
            let d = api::hearing_detail(tx, user.as_ref(), id, now)?;
            let departments = if d.relations.iter().any(|r| r == "team") {
                crate::org::departments::options(tx)?
            } else {
                Vec::new()
            };
            Ok((d, crate::kernel::workflow::history(tx, "hearing", id)?, departments))
        })
        .await?;
    let departments: Vec<(String, String)> = departments.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let HearingDetail { hearing: h, relations, paragraphs, questions, votes, delivery } = &d;
    let rules = s.rules(&super::HEARING)?;
    let is = |r: &str| relations.iter().any(|x| x == r);
    let rel: Vec<&str> = relations.iter().map(String::as_str).collect();
    let available = rules.process.available(&h.state, &rel);
    let handles = is("organiser") || is("chair");
    let may_ask = ctx.user.is_some()
        && !is("team")
        && (h.state == "scheduled" || (h.state == "in_session" && (is("participant") || is("panel") || is("chair"))));
    let names = |role: &str| {
        h.people
            .iter()
            .filter(|p| p.role == role)
            .map(|p| {
                if p.affiliation.is_empty() || p.name.contains(&p.affiliation) {
                    p.name.clone()
                } else {
                    format!("{}（{}）", p.name, p.affiliation)
                }
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    let body = html! {
        @if ctx.user.as_ref().is_some_and(|u| u.role.is_government()) { (tabs(ctx, "/hearings")) }
        (error_banner(ctx, retry.map(|r| &r.err)))
        div.card { dl.facts {
            dt { (ctx.t("hr-stage")) } dd { (rules.process.state_name(&h.state, ctx.lang)) }
            dt { (ctx.t("hr-plan")) } dd { (h.plan_title) @if let Some(v) = h.plan_version { " · v" (v) } @if let Some(y) = h.year { " · " (y) } }
            dt { (ctx.t("hr-starts-at")) } dd { (fmt_local(h.starts_at)) " — " (fmt_local(h.ends_at)) " " a href=(format!("/hearings/{}/event.ics", h.id)) { (ctx.t("hr-add-to-calendar")) } }
            dt { (ctx.t("hr-venue")) } dd { (h.venue) @if !h.live_url.is_empty() { " " a href=(h.live_url) rel="noopener" { (ctx.t("hr-live")) } } }
            dt { (ctx.t("hr-role-chair")) } dd { (names("chair")) }
            dt { (ctx.t("hr-role-team")) } dd { (names("team")) }
            @if h.kind == "hearing" { dt { (ctx.t("hr-role-participant")) } dd { (names("participant")) } }
            @if h.kind == "inquiry" { dt { (ctx.t("hr-role-panel")) } dd { (names("panel")) } }
        } }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/hearings/{}/transition", h.id), &available, |_| html! {}))
        }
        @if let Some(dl) = delivery {
            h2 { (ctx.t("hr-implementation")) }
            @if !h.report.is_empty() { div.card.prose { @for line in h.report.lines() { p { (line) } } } }
            div.cards {
                div.card { h3 { (ctx.t("hr-commitments")) } div.stat { (dl.commitments) } }
                div.card { h3 { (ctx.t("hr-delivery-on_time")) } div.stat { (dl.on_time) } }
                div.card { h3 { (ctx.t("hr-delivery-late")) } div.stat { (dl.late) } }
                div.card { h3 { (ctx.t("hr-delivery-overdue")) } div.stat { (dl.overdue) } }
                div.card { h3 { (ctx.t("hr-delivery-under_way")) } div.stat { (dl.under_way) } }
            }
            p.muted { (ctx.t("hr-computed-from-tasks")) }
        }
        @if let Some(v) = votes {
            h2 { (ctx.t("hr-votes")) }
            p { (ctx.t("hr-vote-satisfied")) " " (v.satisfied) " · " (ctx.t("hr-vote-fairly_satisfied")) " " (v.fairly_satisfied) " · " (ctx.t("hr-vote-dissatisfied")) " " (v.dissatisfied)
                " · " (ctx.t("hr-satisfaction")) " " (v.satisfaction.map(|s| format!("{s:.1}%")).unwrap_or_else(|| "—".into())) " " span.muted { "(" (ctx.t("hr-panel-size")) " " (v.panel) ")" } }
            @if is("panel") && matches!(h.state.as_str(), "in_session" | "closed") {
                form.filters method="post" action=(format!("/hearings/{}/vote", h.id)) {
                    (csrf_field(ctx))
                    (choose_field(ctx, "vote", ctx.t("hr-your-vote"), &VOTES.iter().map(|v| ((*v).to_owned(), ctx.t(&format!("hr-vote-{v}")).to_owned())).collect::<Vec<_>>(), "", true, error(retry, "vote")))
                    button type="submit" { (ctx.t("hr-vote")) }
                }
            }
        }
        @if !paragraphs.is_empty() {
            details.panel { summary { (ctx.t("hr-defended-text")) }
                ol.paragraphs { @for (n, p) in paragraphs.iter().enumerate() { li id=(format!("p{}", n + 1)) { (p) } } } }
        }
        h2 { (ctx.t("hr-questions")) " (" (questions.len()) ")" }
        @if questions.is_empty() { (layout::empty_state(ctx.t("hr-no-questions"))) }
        @for q in questions {
            section.card id=(format!("q{}", q.id)) {
                p { strong { (q.asker_name) } " " span.muted { (ctx.t(&format!("hr-asker-{}", q.asker_kind))) " · " (fmt_local(q.created_at)) }
                    @if q.state != "answered" { " " (layout::badge(ctx.t(&format!("hr-question-{}", q.state)), if q.state == "rejected" { "red" } else { "" })) } }
                @if let Some(a) = q.anchor { p.muted { a href=(format!("#p{a}")) { (ctx.t("hr-about-paragraph").replace("{n}", &a.to_string())) } } }
                p { (q.question) }
                @if let Some(r) = &q.reason { p.muted { (ctx.t("hr-rejected-because")) "：" (r) } }
                @if let Some(a) = &q.answer {
                    blockquote { strong { (q.answered_by_name.clone().unwrap_or_default()) "：" } (a) }
                }
                @for c in &q.corrections {
                    p.muted { (ctx.t("hr-corrected")) " " (fmt_local(c.corrected_at)) "（" (c.reason) "）：" del { (c.before) } }
                }
                @if !q.commitments.is_empty() {
                    ul { @for c in &q.commitments { li { (ctx.t("hr-commitment")) "：" (c.content) " · " (c.department_name) " · " (c.deadline) " " (delivery_badge(ctx, &c.delivery)) } } }
                }
                @if handles && q.state == "pending" {
                    form.filters method="post" action=(format!("/hearing-questions/{}/moderate", q.id)) {
                        (csrf_field(ctx))
                        (choose_field(ctx, "decision", ctx.t("hr-moderate"), &[("accept".to_owned(), ctx.t("hr-accept").to_owned()), ("reject".to_owned(), ctx.t("hr-reject").to_owned())], "", true, None))
                        (text_field(ctx, "reason", ctx.t("hr-reject-reason"), "", None, false))
                        button type="submit" { (ctx.t("common-save")) }
                    }
                }
                @if is("team") && q.state == "open" && matches!(h.state.as_str(), "in_session" | "closed") {
                    form.stack method="post" action=(format!("/hearing-questions/{}/answer", q.id)) {
                        (csrf_field(ctx))
                        label.field { span { (ctx.t("hr-answer")) } textarea name="answer" rows="3" required { (value(retry, "answer", "answer", "")) } }
                        details { summary { (ctx.t("hr-add-commitments")) } (commitment_rows(ctx, q, retry, &departments)) }
                        div { button.primary type="submit" { (ctx.t("hr-answer")) } }
                    }
                }
                @if handles && h.state == "published" {
                    details { summary { (ctx.t("hr-correct")) }
                        form.stack method="post" action=(format!("/hearing-questions/{}/correct", q.id)) {
                            (csrf_field(ctx))
                            (choose_field(ctx, "part", ctx.t("hr-correct-part"), &[("question".to_owned(), ctx.t("hr-question").to_owned()), ("answer".to_owned(), ctx.t("hr-answer").to_owned())], "answer", true, None))
                            label.field { span { (ctx.t("hr-corrected-text")) } textarea name="text" rows="3" required {} }
                            (text_field(ctx, "reason", ctx.t("hr-correct-reason"), "", None, true))
                            div { button type="submit" { (ctx.t("hr-correct")) } }
                        }
                    }
                }
            }
        }
        @if may_ask {
            form.stack method="post" action=(format!("/hearings/{}/ask", h.id)) {
                (csrf_field(ctx))
                h2 { (ctx.t("hr-ask")) }
                @if h.state == "scheduled" { p.muted { (ctx.t("hr-ask-beforehand")) } }
                (error_banner(ctx, error(retry, "ask")))
                label.field { span { (ctx.t("hr-question")) } textarea name="question" rows="3" required { (value(retry, "ask", "question", "")) } }
                (choose_field(ctx, "asker_kind", ctx.t("hr-asker-kind"), &questions::ASKER_KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("hr-asker-{k}")).to_owned())).collect::<Vec<_>>(), value(retry, "ask", "asker_kind", ""), false, None))
                @if !paragraphs.is_empty() {
                    (layout::input_field(ctx, "number", "anchor", ctx.t("hr-anchor"), value(retry, "ask", "anchor", ""), error(retry, "ask"), false))
                }
                @if ctx.user.as_ref().is_some_and(|u| u.role == crate::kernel::access::Role::Public) {
                    label.check { input type="checkbox" name="anonymous" value="true"; " " (ctx.t("hr-anonymous")) }
                }
                div { button type="submit" { (ctx.t("hr-ask")) } }
            }
        }
        @if ctx.user.as_ref().is_some_and(|u| u.role.is_government()) {
            h2 { (ctx.t("common-history")) }
            (layout::history(ctx, &rules.process, &history))
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    let section = if ctx.user.as_ref().is_some_and(|u| u.role.is_government()) {
        SECTION
    } else {
        layout::Section::Of("hearings")
    };
    Ok((status, layout::page(ctx, &h.title, section, body)).into_response())
}

async fn transition(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<sessions::Step>,
) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let kept = form.transition.clone();
    match api::hearing_transition(&s, &ctx, id, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{id}")).into_response()),
        Err(e) if crate::kernel::web::form::is_fixable(&e) => {
            render(&s, &ctx, id, Some(&Retry::new("transition", Fields::from([("transition".to_owned(), kept)]), e)))
                .await
        }
        Err(e) => Err(e),
    }
}

async fn ask(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::TakePart)?.clone();
    match attempt(&s, &ctx, Action::TakePart, "ask", form, move |tx, who, f: Fields| {
        let input = QuestionInput {
            question: f.get("question").cloned().unwrap_or_default(),
            anchor: match f.get("anchor").map(|a| a.trim()).filter(|a| !a.is_empty()) {
                Some(a) => Some(a.parse().map_err(|_| AppError::invalid("no_such_passage", "anchor"))?),
                None => None,
            },
            asker_kind: f.get("asker_kind").cloned(),
            anonymous: f.contains_key("anonymous"),
        };
        questions::ask(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn vote(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::TakePart)?.clone();
    match attempt(&s, &ctx, Action::TakePart, "vote", form, move |tx, who, f: Fields| {
        questions::vote(tx, who, &user, id, f.get("vote").map_or("", String::as_str))
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn hearing_of(s: &AppState, question: i64) -> AppResult<i64> {
    s.db.read(move |tx| {
        Ok(tx
            .query_opt("SELECT hearing_id FROM hearing_questions WHERE id = $1", crate::params![question])?
            .ok_or(AppError::NotFound)?
            .int(0)?)
    })
    .await
}

async fn moderate(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::ManagePlans)?.clone();
    let hearing = hearing_of(&s, id).await?;
    match attempt(&s, &ctx, Action::ManagePlans, "moderate", form, move |tx, who, m: Moderation| {
        questions::moderate(tx, who, &user, id, &m)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{hearing}#q{id}")).into_response()),
        Err(retry) => render(&s, &ctx, hearing, Some(&retry)).await,
    }
}

fn answer_of(f: &Fields) -> AnswerInput {
    let text = |k: String| f.get(&k).cloned().unwrap_or_default();
    let commitments = (0..3)
        .filter(|n| !text(format!("c_{n}_content")).trim().is_empty())
        .map(|n| CommitmentInput {
            content: text(format!("c_{n}_content")),
            department_id: text(format!("c_{n}_department")).trim().parse().unwrap_or(0),
            assignee_id: text(format!("c_{n}_assignee")).trim().parse().unwrap_or(0),
            deadline: text(format!("c_{n}_deadline")),
        })
        .collect();
    AnswerInput { answer: text("answer".into()), commitments }
}

async fn answer(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    ctx.require(Action::ManagePlans)?;
    let hearing = hearing_of(&s, id).await?;
    match api::answer_question(&s, &ctx, id, answer_of(&form)).await {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{hearing}#q{id}")).into_response()),
        Err(e) if crate::kernel::web::form::is_fixable(&e) => {
            render(&s, &ctx, hearing, Some(&Retry::new("answer", form, e))).await
        }
        Err(e) => Err(e),
    }
}

async fn correct(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::ManagePlans)?.clone();
    let hearing = hearing_of(&s, id).await?;
    match attempt(&s, &ctx, Action::ManagePlans, "correct", form, move |tx, who, c: CorrectionInput| {
        questions::correct(tx, who, &user, id, &c)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/hearings/{hearing}#q{id}")).into_response()),
        Err(retry) => render(&s, &ctx, hearing, Some(&retry)).await,
    }
}

/// Plans by stage, questions per hearing and the share answered, commitments delivered on
/// time, and each offensive's inquiry satisfaction over the years as a chart.
pub async fn figures_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FiguresQuery>) -> AppResult<Response> {
    ctx.require(Action::ViewPlans)?;
    let asked = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let (shown, now, plan) = (asked.clone(), ctx.now, q.plan_id);
    let f = s.look(&ctx, Action::ViewPlans, move |tx, _| figures::figures(tx, shown.as_ref(), plan, now)).await?;
    let plan_rules = s.rules(&super::PLAN)?;
    let mut years: Vec<i64> = f.satisfaction.iter().map(|x| x.year).collect();
    years.sort();
    years.dedup();
    let mut titles: Vec<&str> = f.satisfaction.iter().map(|x| x.title.as_str()).collect();
    titles.dedup();
    let colors = ["#1f5fbf", "#b3261e", "#1f7a3f", "#8a5a00", "#6b3fa0"];
    let series: Vec<(&str, &str, Vec<f64>)> = titles
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let values = years
                .iter()
                .map(|y| {
                    f.satisfaction
                        .iter()
                        .find(|x| x.title == *t && x.year == *y)
                        .and_then(|x| x.satisfaction)
                        .unwrap_or(0.0)
                })
                .collect();
            (*t, colors[n % colors.len()], values)
        })
        .collect();
    let labels: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let body = html! {
        (tabs(&ctx, "/plans/figures"))
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        div.cards { @for c in &f.plans_by_stage {
            a.card href=(format!("/plans?state={}", c.key)) { h3 { (plan_rules.process.state_name(&c.key, ctx.lang)) } div.stat { (c.count) } }
        } }
        h2 { (ctx.t("hr-satisfaction-years")) }
        @if series.is_empty() { (layout::empty_state(ctx.t("hr-no-inquiries"))) } @else {
            div.card { (PreEscaped(chart::lines(ctx.t("hr-satisfaction"), &labels, &series, 0.0, 100.0))) }
        }
        h2 { (ctx.t("hr-questions-per-hearing")) }
        table.data { thead { tr { th { (ctx.t("hr-hearing")) } th { (ctx.t("hr-questions")) } th { (ctx.t("hr-answered")) } th { (ctx.t("hr-answered-share")) } } }
            tbody { @for h in &f.hearings { tr {
                td { a href=(format!("/hearings/{}", h.hearing_id)) { (h.title) } } td { (h.questions) } td { (h.answered) }
                td { (h.answered_share.map(|s| format!("{s:.1}%")).unwrap_or_else(|| "—".into())) }
            } } } }
        h2 { (ctx.t("hr-delivery-by-plan")) }
        table.data { thead { tr { th { (ctx.t("hr-plan")) } th { (ctx.t("hr-commitments")) } th { (ctx.t("hr-delivery-on_time")) } th { (ctx.t("hr-delivery-late")) } th { (ctx.t("hr-delivery-overdue")) } th { (ctx.t("hr-delivery-under_way")) } } }
            tbody { @for d in &f.delivery { tr {
                td { a href=(format!("/plans/{}", d.plan_id)) { (d.title) } } td { (d.delivery.commitments) } td { (d.delivery.on_time) }
                td { (d.delivery.late) } td { (d.delivery.overdue) } td { (d.delivery.under_way) }
            } } } }
    };
    Ok(layout::page(&ctx, ctx.t("hr-figures"), SECTION, body).into_response())
}
