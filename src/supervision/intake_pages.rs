//! The office's intake pages: filing a lead for a channel, registering a media exposure,
//! the work teams with their visits and inquiries, and the lead categories. Each does
//! what its API does, through the same functions.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::categories::{self, CategoryInput};
use super::exposures::{self, ExposureInput, Problem};
use super::leads::{self, LeadInput};
use super::teams::{self, ActivityInput, TeamInput};
use super::{CHANNELS, LEAD};
use crate::kernel::access::Action;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::{AppState, CsrfForm, Ctx};

/// Rows for problems on the exposure form.
const PROBLEM_ROWS: usize = 5;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/new", get(new_lead).post(file_lead))
        .route("/supervision/exposures/new", get(new_exposure).post(expose))
        .route("/supervision/teams", get(teams).post(create_team))
        .route("/supervision/teams/{id}/activities", post(record_activity))
        .route("/supervision/teams/{id}/members", post(add_member))
        .route("/supervision/questions/{id}/answer", post(answer_question))
        .route("/supervision/categories", get(categories_page).post(save_category))
}

struct Choices {
    channels: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<(String, String)>,
}

/// The channels the caller may file for, the active categories, and the units.
async fn choices(s: &AppState, ctx: &Ctx) -> AppResult<Choices> {
    let lang = ctx.lang;
    s.look(ctx, Action::ViewLeads, move |tx, u| {
        let sight = super::sight::of(tx, u.ok_or(AppError::Unauthenticated)?)?;
        let channels = CHANNELS
            .iter()
            .filter(|c| sight.may_file(c))
            .map(|c| ((*c).to_owned(), super::channel_name(lang, c)))
            .collect();
        let categories = categories::all(tx)?.into_iter().filter(|c| c.active).map(|c| (c.code, c.name)).collect();
        let units =
            crate::org::departments::options(tx)?.into_iter().map(|(i, n)| (i.to_string(), n)).collect::<Vec<_>>();
        Ok(Choices { channels, categories, units })
    })
    .await
}

async fn new_lead(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    lead_form(&s, &ctx, None).await
}

async fn lead_form(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let c = choices(s, ctx).await?;
    let f = "lead";
    let err = error(retry, f);
    let body = html! {
        @if c.channels.is_empty() {
            (layout::empty_state(ctx.t("sv-no-channel-to-file")))
        } @else {
            p.muted { (ctx.t("sv-file-explained")) }
            form.stack method="post" action="/supervision/new" {
                (csrf_field(ctx))
                (error_banner(ctx, err))
                (select_field(ctx, "channel", ctx.t("sv-channel"), &c.channels, value(retry, f, "channel", &c.channels[0].0), err))
                (select_field(ctx, "category", ctx.t("sv-category"), &c.categories, value(retry, f, "category", ""), err))
                label.field { span { (ctx.t("sv-report")) } textarea name="description" rows="4" required { (value(retry, f, "description", "")) } }
                (text_field(ctx, "address", ctx.t("sv-where"), value(retry, f, "address", ""), err, false))
                (text_field(ctx, "reporter_name", ctx.t("sv-reporter"), value(retry, f, "reporter_name", ""), err, false))
                (text_field(ctx, "reporter_contact", ctx.t("sv-reporter-contact"), value(retry, f, "reporter_contact", ""), err, false))
                label { input type="checkbox" name="reporter_confidential" value="true" checked[value(retry, f, "reporter_confidential", "") == "true"]; " " (ctx.t("sv-reporter-asks-confidentiality")) }
                div { button type="submit" { (ctx.t("sv-file-lead")) } }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("sv-file-lead"), Section::Of("supervision"), body)).into_response())
}

async fn file_lead(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let process = s.processes.get(LEAD.kind)?;
    match attempt(&s, &ctx, Action::ViewLeads, "lead", form, move |tx, who, input: LeadInput| {
        leads::file_for_channel(tx, who, &user, &process, &input)
    })
    .await?
    {
        Ok(filed) => Ok(Redirect::to(&format!("/supervision/leads/{}", filed.id)).into_response()),
        Err(retry) => lead_form(&s, &ctx, Some(&retry)).await,
    }
}

async fn new_exposure(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    exposure_form(&s, &ctx, None).await
}

async fn exposure_form(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let c = choices(s, ctx).await?;
    let f = "exposure";
    let err = error(retry, f);
    let today = exposures::today(ctx.now);
    let hours =
        s.look(ctx, Action::ViewLeads, |tx, _| crate::kernel::settings::get(tx, &super::EXPOSURE_HOURS)).await?;
    let body = html! {
        p.muted { (ctx.t_args("sv-expose-explained", &[("hours", &hours.to_string())])) }
        form.stack method="post" action="/supervision/exposures/new" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (text_field(ctx, "outlet", ctx.t("sv-outlet"), value(retry, f, "outlet", ""), err, true))
            (text_field(ctx, "column_name", ctx.t("sv-column"), value(retry, f, "column_name", ""), err, true))
            (layout::input_field(ctx, "date", "published_on", ctx.t("sv-published-on"), value(retry, f, "published_on", &today), err, true))
            (text_field(ctx, "title", ctx.t("sv-exposure-title"), value(retry, f, "title", ""), err, true))
            (layout::input_field(ctx, "url", "link", ctx.t("sv-exposure-link"), value(retry, f, "link", ""), err, false))
            @for i in 1..=PROBLEM_ROWS {
                fieldset.problem {
                    legend { (ctx.t_args("sv-exposed-problem-n", &[("n", &i.to_string())])) }
                    label.field { span { (ctx.t("sv-report")) } textarea name=(format!("problem_{i}_description")) rows="2" required[i == 1] { (value(retry, f, &format!("problem_{i}_description"), "")) } }
                    (layout::picker_field(ctx, &format!("problem_{i}_unit"), ctx.t("sv-unit"), &c.units, value(retry, f, &format!("problem_{i}_unit"), ""), None, &Pick { required: i == 1, ..Pick::UNIT }))
                    (select_field(ctx, &format!("problem_{i}_category"), ctx.t("sv-category"), &c.categories, value(retry, f, &format!("problem_{i}_category"), ""), None))
                }
            }
            div { button type="submit" { (ctx.t("sv-register-exposure")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("sv-register-exposure"), Section::Of("supervision"), body)).into_response())
}

/// The exposure form's fields as the API's input: the rows with a description are the
/// problems.
fn exposure_input(f: &Fields) -> AppResult<ExposureInput> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    for i in 1..=PROBLEM_ROWS {
        let description = get(&format!("problem_{i}_description"));
        if description.trim().is_empty() {
            continue;
        }
        let unit = get(&format!("problem_{i}_unit"));
        let unit = unit.trim().parse().map_err(|_| AppError::invalid("required", "unit_department_id"))?;
        problems.push(Problem {
            description,
            unit_department_id: unit,
            category: get(&format!("problem_{i}_category")),
        });
    }
    Ok(ExposureInput {
        outlet: get("outlet"),
        column_name: get("column_name"),
        published_on: get("published_on"),
        link: get("link"),
        title: get("title"),
        problems,
    })
}

async fn expose(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let rules = s.rules(&LEAD)?;
    match attempt(&s, &ctx, Action::ViewLeads, "exposure", form, move |tx, who, fields: Fields| {
        exposures::expose(tx, who, &user, &rules, &exposure_input(&fields)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/exposures").into_response()),
        Err(retry) => exposure_form(&s, &ctx, Some(&retry)).await,
    }
}

async fn teams(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    teams_page(&s, &ctx, None).await
}

/// The work teams with their activities; the office creates teams and records each
/// visit or inquiry, whose findings become leads.
async fn teams_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let list = s.look(ctx, Action::ViewLeads, |tx, _| teams::teams(tx)).await?;
    let user = ctx.user()?;
    let c = choices(s, ctx).await?;
    let office = ctx.user.as_ref().is_some_and(leads::is_office);
    let bodies = vec![
        ("congress".to_owned(), ctx.t("sv-congress").to_owned()),
        ("cppcc".to_owned(), ctx.t("sv-cppcc").to_owned()),
    ];
    let kinds = vec![
        ("visit".to_owned(), ctx.t("sv-site-visit").to_owned()),
        ("inquiry".to_owned(), ctx.t("sv-inquiry").to_owned()),
    ];
    let today = exposures::today(ctx.now);
    let activity_form = |team: i64| -> Markup {
        let f = "activity";
        let err = if value(retry, f, "team", "") == team.to_string() { error(retry, f) } else { None };
        html! {
            details.panel open[err.is_some()] {
                summary { (ctx.t("sv-record-activity")) }
                form.stack method="post" action=(format!("/supervision/teams/{team}/activities")) {
                    (csrf_field(ctx))
                    input type="hidden" name="team" value=(team);
                    (error_banner(ctx, err))
                    (select_field(ctx, "kind", ctx.t("common-kind"), &kinds, "visit", None))
                    (layout::input_field(ctx, "date", "held_on", ctx.t("sv-held-on"), &today, None, true))
                    (text_field(ctx, "place", ctx.t("sv-where"), "", None, true))
                    (text_field(ctx, "subject", ctx.t("sv-activity-subject"), "", None, true))
                    label.field { span { (ctx.t("sv-findings-one-per-line")) } textarea name="findings" rows="4" {} }
                    (select_field(ctx, "category", ctx.t("sv-category"), &c.categories, "", None))
                    (layout::picker_field(ctx, "unit_department_id", ctx.t("sv-inquiry-unit"), &c.units, "", None, &Pick::UNIT_OPTIONAL))
                    label.field { span { (ctx.t("sv-inquiry-questions")) } textarea name="questions" rows="4" {} }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
    };
    let f = "team";
    let terr = error(retry, f);
    let body = html! {
        p.muted { (ctx.t("sv-work-teams-of-the-people")) " " a href="/exposures" { (ctx.t("sv-exposures")) } }
        @if office {
            details.panel open[terr.is_some()] {
                summary { (ctx.t("sv-create-team")) }
                form.stack method="post" action="/supervision/teams" {
                    (csrf_field(ctx))
                    (error_banner(ctx, terr))
                    (text_field(ctx, "name", ctx.t("common-name"), value(retry, f, "name", ""), terr, true))
                    (select_field(ctx, "body", ctx.t("sv-team-body"), &bodies, value(retry, f, "body", "congress"), terr))
                    (text_field(ctx, "topic", ctx.t("sv-team-topic"), value(retry, f, "topic", ""), terr, true))
                    label.field { span { (ctx.t("sv-team-members")) } textarea name="members" rows="2" required { (value(retry, f, "members", "")) } }
                    div { button type="submit" { (ctx.t("common-create")) } }
                }
            }
        }
        @if list.is_empty() { (layout::empty_state(ctx.t("sv-no-work-teams-yet"))) }
        @for t in &list {
            div.card {
                h3 { (t.name) " " (badge(if t.body == "congress" { ctx.t("sv-congress") } else { ctx.t("sv-cppcc") }, "blue")) }
                p { (t.topic) } p.muted { (t.members.join("、")) }
                @if !t.accounts.is_empty() { p.muted { (ctx.t("sv-team-accounts")) (t.accounts.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join("、")) } }
                ul { @for a in &t.activities { li {
                    (a.held_on) " · " (if a.kind == "visit" { ctx.t("sv-site-visit") } else { ctx.t("sv-inquiry") }) " · " (a.place) " · " (a.subject)
                    @if let Some(unit) = &a.unit_name { " · " (ctx.t("sv-inquiry-unit")) "：" (unit) }
                    " · " span.muted { (a.recorded_by) }
                    @for id in &a.lead_ids { " " a href=(format!("/supervision/leads/{id}")) { "#" (id) } }
                    @if !a.questions.is_empty() { ol.questions { @for q in &a.questions { li {
                        strong { (q.asker) } "：" (q.question)
                        @match &q.answer {
                            Some(answer) => { div { (badge(ctx.t("sv-answered"), "green")) " " (q.answered_by.clone().unwrap_or_default()) "：" (answer) } }
                            None => {
                                div { (badge(ctx.t("sv-awaiting-answer"), "yellow")) }
                                @if teams::may_answer(user, a.unit_department_id) {
                                    form.filters method="post" action=(format!("/supervision/questions/{}/answer", q.id)) {
                                        (csrf_field(ctx))
                                        label.field.grow { span { (ctx.t("sv-written-answer")) } textarea name="answer" rows="2" required {} }
                                        button type="submit" { (ctx.t("sv-answer-it")) }
                                    }
                                }
                            }
                        }
                    } } } }
                } } }
                @if office || t.accounts.iter().any(|m| m.user_id == user.id) { (activity_form(t.id)) }
                @if office {
                    form.filters method="post" action=(format!("/supervision/teams/{}/members", t.id)) {
                        (csrf_field(ctx))
                        (layout::picker_field(ctx, "user_id", ctx.t("sv-add-team-account"), &[], "", None, &Pick::PERSON))
                        button.secondary type="submit" { (ctx.t("sv-add")) }
                    }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("sv-work-teams"), Section::Of("supervision"), body)).into_response())
}

async fn create_team(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewLeads, "team", form, move |tx, who, input: TeamInput| {
        teams::create_team(tx, who, &user, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/supervision/teams").into_response()),
        Err(retry) => teams_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn record_activity(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let process = s.processes.get(LEAD.kind)?;
    match attempt(&s, &ctx, Action::ViewLeads, "activity", form, move |tx, who, fields: Fields| {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let input = ActivityInput {
            kind: get("kind"),
            held_on: get("held_on"),
            place: get("place"),
            subject: get("subject"),
            findings: get("findings").lines().map(str::to_owned).collect(),
            category: get("category"),
            unit_department_id: get("unit_department_id").parse().ok(),
            questions: get("questions")
                .lines()
                .map(|line| match line.split_once(['：', ':']) {
                    Some((asker, question)) => teams::QuestionInput {
                        asker: asker.trim().into(),
                        question: question.trim().into(),
                        ..Default::default()
                    },
                    None => teams::QuestionInput { question: line.trim().into(), ..Default::default() },
                })
                .collect(),
        };
        teams::record_activity(tx, who, &user, &process, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/supervision/teams").into_response()),
        Err(retry) => teams_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn add_member(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewLeads, "member", form, move |tx, who, input: teams::MemberInput| {
        teams::add_member(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/supervision/teams").into_response()),
        Err(retry) => teams_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn answer_question(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewLeads, "answer", form, move |tx, who, input: teams::AnswerInput| {
        teams::answer(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/supervision/teams").into_response()),
        Err(retry) => teams_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn categories_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render_categories(&s, &ctx, None).await
}

async fn render_categories(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let list = s.look(ctx, Action::ViewLeads, |tx, _| categories::all(tx)).await?;
    let manages = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, categories::MANAGE));
    let f = "category";
    let err = error(retry, f);
    let body = html! {
        p.muted { (ctx.t("sv-categories-explained")) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("sv-category-code")) } th { (ctx.t("common-name")) } th { (ctx.t("sv-category-description")) } th { (ctx.t("common-status")) } } }
            tbody { @for c in &list { tr {
                td data-label=(ctx.t("sv-category-code")) { code { (c.code) } }
                td data-label=(ctx.t("common-name")) { (c.name) br; span.muted { (c.name_en) } }
                td data-label=(ctx.t("sv-category-description")) { (c.description) @if !c.keywords.is_empty() { br; span.muted { (c.keywords) } } }
                td data-label=(ctx.t("common-status")) { @if c.active { (badge(ctx.t("common-active"), "green")) } @else { (badge(ctx.t("common-inactive"), "")) } }
            } } }
        } }
        @if manages {
            details.panel open[err.is_some()] {
                summary { (ctx.t("sv-category-add-or-change")) }
                form.stack method="post" action="/supervision/categories" {
                    (csrf_field(ctx))
                    (error_banner(ctx, err))
                    (text_field(ctx, "code", ctx.t("sv-category-code"), value(retry, f, "code", ""), err, true))
                    (text_field(ctx, "name", ctx.t("common-name"), value(retry, f, "name", ""), err, true))
                    (text_field(ctx, "name_en", ctx.t("sv-category-name-en"), value(retry, f, "name_en", ""), err, false))
                    (text_field(ctx, "description", ctx.t("sv-category-description"), value(retry, f, "description", ""), err, true))
                    (text_field(ctx, "keywords", ctx.t("sv-category-keywords"), value(retry, f, "keywords", ""), err, false))
                    (select_field(ctx, "active", ctx.t("common-status"), &[("true".into(), ctx.t("common-active").into()), ("false".into(), ctx.t("common-inactive").into())], value(retry, f, "active", "true"), err))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("sv-categories"), Section::Of("supervision"), body)).into_response())
}

async fn save_category(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let code = form.get("code").cloned().unwrap_or_default();
    match attempt(&s, &ctx, categories::MANAGE, "category", form, move |tx, who, input: CategoryInput| {
        categories::save(tx, who, &code, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to("/supervision/categories").into_response()),
        Err(retry) => render_categories(&s, &ctx, Some(&retry)).await,
    }
}
