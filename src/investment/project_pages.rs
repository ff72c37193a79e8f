//! The project pages: the list (paged, sorted, filtered by stage, light, event and
//! platform, exported), a new project, and one project with its stages, the step forward
//! and its history.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::projects::{self, Project, ProjectFilter, ProjectInput};
use super::{events, platforms};
use crate::enterprises::registry::Named;
use crate::kernel::access::{self, Action};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate::{fen_in_words, fen_to_yuan};
use crate::kernel::web::form::{Fields, Retry, TransitionForm, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};
use crate::kernel::workflow;

pub const SECTION: Section = Section::Of("investment");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/investment", get(list))
        .route("/investment/projects", post(create))
        .route("/investment/projects/new", get(new_form))
        .route("/investment/projects/{id}", get(show).post(update))
        .route("/investment/projects/{id}/transition", post(transition))
}

/// The sub-navigation of the mechanism's pages.
pub fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let tabs = [
        ("/investment", "inv-projects"),
        ("/investment/events", "inv-events"),
        ("/investment/platforms", "inv-platforms"),
        ("/investment/figures", "inv-figures"),
        ("/enterprises", "nav-enterprises"),
        ("/opendata", "od-title"),
    ];
    html! {
        nav.tabs aria-label=(ctx.t("m2")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

pub fn stage_name(ctx: &Ctx, process: &workflow::Process, state: &str) -> String {
    process.state_name(state, ctx.lang)
}

pub fn may_record(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::RecordInvestment))
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<ProjectFilter>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewInvestment)?.clone();
    let rules = s.rules(&super::PROJECT)?;
    let (pq, fq, r, now) = (p.clone(), f.clone(), rules.clone(), ctx.now);
    let (page, event_opts, platform_opts) = s
        .look(&ctx, Action::ViewInvestment, move |tx, _| {
            Ok((projects::list(tx, &user, &r, &fq, &pq, now)?, events::options(tx)?, platforms::options(tx)?))
        })
        .await?;
    let process = &rules.process;
    let table = Table::new()
        .column(
            "title",
            ctx.t("inv-project"),
            |p: &Project| html! { a href=(format!("/investment/projects/{}", p.id)) { (p.title) } },
            |p| p.title.clone(),
        )
        .sorts("title")
        .text("enterprise", ctx.t("inv-enterprise"), |p| p.enterprise_name.clone())
        .column(
            "amount",
            ctx.t("inv-amount"),
            |p| html! { span title=(format!("{} 元", fen_to_yuan(p.amount_fen))) { (fen_in_words(p.amount_fen)) } },
            |p| format!("{:.2}", p.amount_fen as f64 / 100.0),
        )
        .sorts("amount")
        .column(
            "state",
            ctx.t("inv-stage"),
            |p| html! { (stage_name(&ctx, process, &p.state)) " " (layout::light_badge(&ctx, p.light)) },
            |p| stage_name(&ctx, process, &p.state),
        )
        .sorts("state")
        .text("sector", ctx.t("inv-sector"), |p| p.sector.clone())
        .text("district", ctx.t("ent-district"), |p| p.district.clone())
        .text("source", ctx.t("inv-source"), |p| {
            p.event_name.clone().or_else(|| p.platform_name.clone()).unwrap_or_default()
        })
        .text("responsible", ctx.t("inv-responsible"), |p| format!("{} · {}", p.responsible_name, p.department_name))
        .column(
            "deadline",
            ctx.t("inv-next-stage-by"),
            |p| html! { (p.deadline.clone().unwrap_or_default()) },
            |p| p.deadline.clone().unwrap_or_default(),
        )
        .sorts("deadline")
        .exported("light", ctx.t("col-light"), |p| layout::light_words(&ctx, p.light))
        .exported("enterprise_uscc", ctx.t("ent-uscc"), |p| p.enterprise_uscc.clone().unwrap_or_default())
        .exported("signed_on", ctx.t("inv-signed-on"), |p| p.signed_on.clone().unwrap_or_default())
        .exported("landed_on", ctx.t("inv-landed-on"), |p| p.landed_on.clone().unwrap_or_default())
        .exported("producing_on", ctx.t("inv-producing-on"), |p| p.producing_on.clone().unwrap_or_default());
    respond(&p, "projects", &table, &page.items, || {
        let id_text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let extra: Vec<(&str, String)> = vec![
            ("state", f.state.clone().unwrap_or_default()),
            ("light", f.light.clone().unwrap_or_default()),
            ("event_id", id_text(f.event_id)),
            ("platform_id", id_text(f.platform_id)),
            ("responsible", f.responsible.clone().unwrap_or_default()),
        ];
        let mut states = vec![(String::new(), ctx.t("common-all").to_owned())];
        states.extend(process.states.iter().map(|st| (st.id.clone(), stage_name(&ctx, process, &st.id))));
        let lights = vec![
            (String::new(), ctx.t("common-all").to_owned()),
            ("red".to_owned(), ctx.t("inv-stalled").to_owned()),
            ("yellow".to_owned(), ctx.t("inv-stalling").to_owned()),
        ];
        let with_all = |opts: &[(i64, String)]| {
            let mut v = vec![(String::new(), ctx.t("common-all").to_owned())];
            v.extend(opts.iter().map(|(i, n)| (i.to_string(), n.clone())));
            v
        };
        let body = html! {
            (tabs(&ctx, "/investment"))
            @if may_record(&ctx) {
                div.actions {
                    a.button href="/investment/projects/new" { (ctx.t("inv-new-project")) }
                    a.button.secondary href="/investment/import" { (ctx.t("inv-import")) }
                    a.button.secondary href="/investment?responsible=me" { (ctx.t("inv-my-projects")) }
                }
            }
            form.filters method="get" action="/investment" {
                (text_field(&ctx, "q", ctx.t("inv-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "state", ctx.t("inv-stage"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "light", ctx.t("col-light"), &lights, f.light.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "event_id", ctx.t("inv-event"), &with_all(&event_opts), &id_text(f.event_id), None))
                (select_field(&ctx, "platform_id", ctx.t("inv-platform"), &with_all(&platform_opts), &id_text(f.platform_id), None))
                @if let Some(r) = &f.responsible { input type="hidden" name="responsible" value=(r); }
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("inv-no-projects")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("m2"), SECTION, body).into_response()
    })
}

/// A number typed in a form field: empty is none, anything else must be a whole number.
pub fn id_field(f: &Fields, name: &'static str) -> AppResult<Option<i64>> {
    match f.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => v.parse().map(Some).map_err(|_| AppError::invalid("bad_value", name)),
        None => Ok(None),
    }
}

/// Records as a form's choices: (id as text, name).
pub fn as_choices(v: Vec<(i64, String)>) -> Vec<(String, String)> {
    v.into_iter().map(|(i, n)| (i.to_string(), n)).collect()
}

pub fn text_of(f: &Fields, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// The enterprise a form names: one picked from the registry, or a new one by name.
pub fn named_of(f: &Fields) -> AppResult<Named> {
    Ok(Named {
        enterprise_id: id_field(f, "enterprise_id")?,
        enterprise_name: text_of(f, "enterprise_name"),
        enterprise_uscc: text_of(f, "enterprise_uscc"),
        contact_name: text_of(f, "contact_name"),
        contact_phone: text_of(f, "contact_phone"),
    })
}

fn input_of(f: &Fields) -> AppResult<ProjectInput> {
    Ok(ProjectInput {
        title: text_of(f, "title"),
        enterprise: named_of(f)?,
        event_id: id_field(f, "event_id")?,
        platform_id: id_field(f, "platform_id")?,
        sector: text_of(f, "sector"),
        district: text_of(f, "district"),
        amount_yuan: serde_json::Value::String(text_of(f, "amount_yuan")),
        department_id: id_field(f, "department_id")?.ok_or(AppError::invalid("required", "department_id"))?,
        responsible_id: id_field(f, "responsible_id")?.ok_or(AppError::invalid("required", "responsible_id"))?,
        negotiating_on: text_of(f, "negotiating_on"),
    })
}

/// The enterprise fields of a form: a type-ahead over the registry, or a new one.
pub fn enterprise_fields(ctx: &Ctx, retry: Option<&Retry>, form: &str, chosen: Option<(i64, String)>) -> Markup {
    let err = error(retry, form);
    let options: Vec<(String, String)> = chosen.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
    let selected = chosen.map(|(i, _)| i.to_string()).unwrap_or_default();
    let pick = Pick { required: false, ..Pick::ENTERPRISE };
    html! {
        (layout::picker_field(ctx, "enterprise_id", ctx.t("inv-enterprise"), &options, value(retry, form, "enterprise_id", &selected), err, &pick))
        details.panel open[!value(retry, form, "enterprise_name", "").is_empty()] {
            summary { (ctx.t("inv-new-enterprise")) }
            (text_field(ctx, "enterprise_name", ctx.t("inv-enterprise-name"), value(retry, form, "enterprise_name", ""), err, false))
            (text_field(ctx, "enterprise_uscc", ctx.t("ent-uscc-18"), value(retry, form, "enterprise_uscc", ""), err, false))
        }
    }
}

struct Choices {
    departments: Vec<(String, String)>,
    people: Vec<(String, String)>,
    events: Vec<(String, String)>,
    platforms: Vec<(String, String)>,
}

async fn choices(s: &AppState, ctx: &Ctx, responsible: Option<i64>) -> AppResult<Choices> {
    let (d, people, e, p) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            let people = match responsible {
                Some(id) => tx
                    .query_opt("SELECT display_name FROM users WHERE id = $1", crate::params![id])?
                    .map(|r| r.text(0))
                    .transpose()?
                    .map(|name| vec![(id.to_string(), name)])
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            Ok((crate::org::departments::options(tx)?, people, events::options(tx)?, platforms::options(tx)?))
        })
        .await?;
    Ok(Choices { departments: as_choices(d), people, events: as_choices(e), platforms: as_choices(p) })
}

fn fields(ctx: &Ctx, c: &Choices, p: Option<&Project>, retry: Option<&Retry>) -> Markup {
    let f = "project";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mine = ctx.user.as_ref().and_then(|u| u.department_id).map(|d| d.to_string()).unwrap_or_default();
    let none = |mut v: Vec<(String, String)>| {
        v.insert(0, (String::new(), ctx.t("inv-none").to_owned()));
        v
    };
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "title", ctx.t("inv-project"), &was("title", p.map(|p| p.title.clone()).unwrap_or_default()), err, true))
        (enterprise_fields(ctx, retry, f, p.map(|p| (p.enterprise_id, p.enterprise_name.clone()))))
        (select_field(ctx, "event_id", ctx.t("inv-event"), &none(c.events.clone()), &was("event_id", opt(p.and_then(|p| p.event_id))), err))
        (select_field(ctx, "platform_id", ctx.t("inv-platform"), &none(c.platforms.clone()), &was("platform_id", opt(p.and_then(|p| p.platform_id))), err))
        (text_field(ctx, "sector", ctx.t("inv-sector"), &was("sector", p.map(|p| p.sector.clone()).unwrap_or_default()), err, true))
        (text_field(ctx, "district", ctx.t("ent-district"), &was("district", p.map(|p| p.district.clone()).unwrap_or_default()), err, true))
        (layout::input_field(ctx, "text", "amount_yuan", ctx.t("inv-amount-yuan"), &was("amount_yuan", p.map(|p| format!("{:.2}", p.amount_fen as f64 / 100.0)).unwrap_or_default()), err, true))
        p.muted.hint { (ctx.t("inv-amount-hint")) }
        (layout::picker_field(ctx, "department_id", ctx.t("inv-department"), &c.departments, &was("department_id", p.map_or(mine, |p| p.department_id.to_string())), err, &Pick::UNIT))
        (layout::picker_field(ctx, "responsible_id", ctx.t("inv-responsible"), &c.people, &was("responsible_id", opt(p.map(|p| p.responsible_id))), err, &Pick::person_in("department_id")))
        (layout::input_field(ctx, "date", "negotiating_on", ctx.t("inv-negotiating-on"), &was("negotiating_on", p.map(|p| p.negotiating_on.clone()).unwrap_or_default()), err, false))
    }
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::RecordInvestment)?;
    let chosen = retry.and_then(|r| r.values.get("responsible_id")).and_then(|v| v.parse().ok());
    let c = choices(s, ctx, chosen).await?;
    let body = html! {
        form.stack method="post" action="/investment/projects" {
            (csrf_field(ctx))
            (fields(ctx, &c, None, retry))
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/investment" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("inv-new-project"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::RecordInvestment)?.clone(), s.rules(&super::PROJECT)?);
    match attempt(&s, &ctx, Action::RecordInvestment, "project", form, move |tx, who, fields: Fields| {
        projects::create(tx, who, &user, &rules, &input_of(&fields)?)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/investment/projects/{}", p.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let rules = s.rules(&super::PROJECT)?;
    let (r, now) = (rules.clone(), ctx.now);
    let (p, history) = s
        .look(ctx, Action::ViewInvestment, move |tx, _| {
            Ok((projects::find(tx, &r, id, now)?, workflow::history(tx, "project", id)?))
        })
        .await?;
    let user = ctx.user()?;
    let process = &rules.process;
    let relations = projects::relations(user, &p);
    let available = process.available(&p.state, &relations);
    let may_edit = may_record(ctx) && !relations.is_empty();
    let c = if may_edit { Some(choices(s, ctx, Some(p.responsible_id)).await?) } else { None };
    let stages = [
        ("negotiating", Some(p.negotiating_on.clone())),
        ("signed", p.signed_on.clone()),
        ("landed", p.landed_on.clone()),
        ("producing", p.producing_on.clone()),
    ];
    let body = html! {
        @if let Some(r) = retry.filter(|r| r.form == "transition") { (error_banner(ctx, Some(&r.err))) }
        ol.stages aria-label=(ctx.t("inv-stage")) { @for (state, day) in &stages {
            li class=[day.is_some().then_some("reached")] aria-current=[(p.state == *state).then_some("step")] {
                strong { (stage_name(ctx, process, state)) } br;
                span.muted { (day.clone().unwrap_or_else(|| "—".to_owned())) }
            }
        } }
        div.card { dl.facts {
            dt { (ctx.t("inv-stage")) } dd { (stage_name(ctx, process, &p.state)) " " (layout::light_badge(ctx, p.light))
                @if let Some(d) = &p.deadline { " " span.muted { (ctx.t("inv-next-stage-by")) " " (d) } } }
            dt { (ctx.t("inv-enterprise")) } dd { a href=(format!("/enterprises/{}", p.enterprise_id)) { (p.enterprise_name) }
                @if let Some(c) = &p.enterprise_uscc { " " code { (c) } } }
            dt { (ctx.t("inv-amount")) } dd { (fen_in_words(p.amount_fen)) " " span.muted { "（" (fen_to_yuan(p.amount_fen)) " 元）" } }
            dt { (ctx.t("inv-sector")) } dd { (p.sector) " · " (p.district) }
            @if let (Some(id), Some(name)) = (p.event_id, &p.event_name) {
                dt { (ctx.t("inv-event")) } dd { a href=(format!("/investment/events/{id}")) { (name) } }
            }
            @if let (Some(id), Some(name)) = (p.platform_id, &p.platform_name) {
                dt { (ctx.t("inv-platform")) } dd { a href=(format!("/investment/platforms/{id}")) { (name) } }
            }
            dt { (ctx.t("inv-responsible")) } dd { (p.responsible_name) " · " (p.department_name) }
        } }
        @if !available.is_empty() {
            (layout::transition_forms(ctx, &format!("/investment/projects/{}/transition", p.id), &available, |_| html! {}))
        }
        @if let Some(c) = &c {
            details.panel open[error(retry, "project").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/investment/projects/{}", p.id)) {
                    (csrf_field(ctx))
                    (fields(ctx, c, Some(&p), retry))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        h2 { (ctx.t("common-history")) }
        (layout::history(ctx, process, &history))
        p { (layout::history_link(ctx, "project", p.id)) " " a href="/investment" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &p.title, SECTION, body)).into_response())
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::RecordInvestment)?.clone(), s.rules(&super::PROJECT)?);
    match attempt(&s, &ctx, Action::RecordInvestment, "project", form, move |tx, who, fields: Fields| {
        projects::update(tx, who, &user, &rules, id, &input_of(&fields)?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/projects/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn transition(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let (user, rules) = (ctx.require(Action::RecordInvestment)?.clone(), s.rules(&super::PROJECT)?);
    match attempt(&s, &ctx, Action::RecordInvestment, "transition", form, move |tx, who, t: TransitionForm| {
        projects::transition(tx, who, &user, &rules, id, &t.transition, t.note.as_deref())
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/investment/projects/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}
