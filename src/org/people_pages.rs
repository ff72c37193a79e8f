//! People pages: the roster, a person's posts over time, and city leaders' portfolios.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::pages::{StatusForm, can_manage, status_badge, status_form};
use super::people::{self, AssignInput, EndInput, PeopleFilter, PersonInput, PortfolioInput};
use super::{departments, divisions};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org/people", get(list).post(create))
        .route("/org/people/new", get(new_person))
        .route("/org/people/{id}", get(show).post(update))
        .route("/org/people/{id}/status", post(set_status))
        .route("/org/people/{id}/assignments", post(assign))
        .route("/org/people/{id}/portfolios", post(add_portfolio))
        .route("/org/assignments/{id}/end", post(end_assignment))
        .route("/org/portfolios/{id}/end", post(end_portfolio))
        .route("/org/leaders", get(leaders))
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<PeopleFilter>) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let (page, depts) = s
        .look(&ctx, Action::ViewPeople, move |tx, u| Ok((people::list(tx, u, &fq, &pq)?, departments::options(tx)?)))
        .await?;
    let table = Table::new()
        .row_class(|pe: &people::Person| if pe.active { "" } else { "inactive" })
        .exported("id", ctx.t("col-id"), |pe| pe.id.to_string())
        .column(
            "name",
            ctx.t("common-name"),
            |pe| html! { a href=(format!("/org/people/{}", pe.id)) { (pe.name) } @if let Some(t) = &pe.leader_title { " " (badge(t, "blue")) } },
            |pe| pe.name.clone(),
        )
        .sorts("name")
        .exported("leader_title", ctx.t("col-leader_title"), |pe| pe.leader_title.clone().unwrap_or_default())
        .column(
            "posts",
            ctx.t("org-current-posts"),
            |pe| html! { @for post in &pe.current_posts { div { (post) } } },
            |pe| pe.current_posts.join("; "),
        )
        .column("status", ctx.t("common-status"), |pe| status_badge(&ctx, pe.active), |pe| {
            if pe.active { ctx.t("common-active") } else { ctx.t("common-inactive") }.to_owned()
        });
    let extra: Vec<(&str, String)> = vec![
        ("department_id", f.department_id.map(|d| d.to_string()).unwrap_or_default()),
        ("only", f.only.clone().unwrap_or_default()),
        ("status", f.status.clone().unwrap_or_default()),
    ];
    let mut dept_opts = vec![(String::new(), ctx.t("common-all").to_owned())];
    dept_opts.extend(depts.into_iter().map(|(id, n)| (id.to_string(), n)));
    let only =
        vec![(String::new(), ctx.t("common-all").to_owned()), ("leaders".into(), ctx.t("role-leader").to_owned())];
    respond(&p, "people", &table, &page.items, || {
        let body = html! {
            @if can_manage(&ctx) { div.actions { a.button href="/org/people/new" { (ctx.t("common-create")) } } }
            form.filters method="get" action="/org/people" {
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "department_id", ctx.t("common-department"), &dept_opts, &f.department_id.map(|d| d.to_string()).unwrap_or_default(), None))
                (select_field(&ctx, "only", ctx.t("common-kind"), &only, f.only.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("org-nobody-matches")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("nav-people"), Section::People, body).into_response()
    })
}

fn person_fields(ctx: &Ctx, retry: Option<&Retry>, name: &str, title: &str, vis: &str) -> maud::Markup {
    let f = "person";
    let err = error(retry, f);
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "name", ctx.t("org-name"), value(retry, f, "name", name), err, true))
        (text_field(ctx, "leader_title", ctx.t("org-city-leader-title-e-g"), value(retry, f, "leader_title", title), err, false))
        (select_field(ctx, "visibility", ctx.t("common-visibility"), &layout::visibility_options(ctx), value(retry, f, "visibility", vis), err))
    }
}

async fn new_person(ctx: Ctx) -> AppResult<Response> {
    new_person_page(&ctx, None)
}

fn new_person_page(ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManageOrg)?;
    let body = html! {
        form.stack method="post" action="/org/people" {
            (csrf_field(ctx))
            (person_fields(ctx, retry, "", "", "internal"))
            div.actions { button type="submit" { (ctx.t("common-save")) } a href="/org/people" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    Ok((
        status,
        layout::page(ctx, &format!("{} · {}", ctx.t("common-create"), ctx.t("nav-people")), Section::People, body),
    )
        .into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "person", form, |tx, who, input: PersonInput| {
        people::create(tx, who, &input)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/org/people/{}", p.id)).into_response()),
        Err(retry) => new_person_page(&ctx, Some(&retry)),
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    person_page(&s, &ctx, id, None).await
}

async fn person_page(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let manage = can_manage(ctx);
    let (person, history, portfolios, posts, depts) = s
        .look(ctx, Action::ViewPeople, move |tx, u| {
            let p = people::get(tx, u, id)?;
            let posts = if manage { post_options(tx)? } else { Vec::new() };
            Ok((p, people::assignments_of(tx, id)?, people::portfolios_of(tx, id)?, posts, departments::options(tx)?))
        })
        .await?;
    let (fa, ff) = ("assign", "portfolio");
    let dept_opts: Vec<(String, String)> = depts.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
    let body = html! {
        @if let Some(r) = retry.filter(|r| r.form == "status" || r.form == "end") { (error_banner(ctx, Some(&r.err))) }
        div.card { dl.facts {
            @if let Some(t) = &person.leader_title { dt { (ctx.t("org-leader-title")) } dd { (t) } }
            dt { (ctx.t("common-visibility")) } dd { (ctx.t(&format!("vis-{}", person.visibility.as_str()))) }
            dt { (ctx.t("common-status")) } dd { (status_badge(ctx, person.active)) }
        } }
        h2 { (ctx.t("org-posts-held")) }
        @if history.is_empty() { (layout::empty_state(ctx.t("org-no-posts-held-yet"))) }
        @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("org-post")) } th { (ctx.t("common-start_date")) } th { (ctx.t("common-end_date")) } @if manage { th {} } } }
                tbody { @for a in &history { tr class=@if a.end_date.is_some() { "inactive" } {
                    td { (a.department_name) " · " a href=(format!("/org/divisions/{}", a.division_id)) { (a.division_name) } " · " (a.post_title) }
                    td { (a.start_date) } td { (a.end_date.clone().unwrap_or_else(|| ctx.t("org-present").into())) }
                    @if manage { td { @if a.end_date.is_none() {
                        form.filters method="post" action=(format!("/org/assignments/{}/end", a.id)) {
                            (csrf_field(ctx))
                            input type="date" name="end_date" aria-label=(ctx.t("common-end_date"));
                            button.secondary type="submit" { (ctx.t("org-end")) }
                        }
                    } } }
                } } }
            } }
        }
        @if manage && person.active {
            form.filters method="post" action=(format!("/org/people/{}/assignments", person.id)) {
                (csrf_field(ctx))
                (error_banner(ctx, error(retry, fa)))
                (select_field(ctx, "post_id", ctx.t("org-appoint-to-post"), &posts, value(retry, fa, "post_id", ""), error(retry, fa)))
                (layout::input_field(ctx, "date", "start_date", ctx.t("common-start_date"), value(retry, fa, "start_date", ""), error(retry, fa), false))
                button type="submit" { (ctx.t("org-appoint")) }
            }
        }
        @if person.leader_title.is_some() {
            h2 { (ctx.t("org-portfolio")) }
            @if portfolios.is_empty() { (layout::empty_state(ctx.t("org-no-portfolio-yet"))) }
            @else { ul { @for f in &portfolios { li class=@if f.end_date.is_some() { "muted" } {
                (f.department_name) " " span.muted { (f.start_date) " – " (f.end_date.clone().unwrap_or_default()) }
                @if manage && f.end_date.is_none() {
                    " " form.inline method="post" action=(format!("/org/portfolios/{}/end", f.id)) { (csrf_field(ctx)) button.link type="submit" { (ctx.t("org-end-2")) } }
                }
            } } } }
            @if manage && person.active {
                form.filters method="post" action=(format!("/org/people/{}/portfolios", person.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, ff)))
                    (select_field(ctx, "department_id", ctx.t("common-department"), &dept_opts, value(retry, ff, "department_id", ""), error(retry, ff)))
                    (layout::input_field(ctx, "date", "start_date", ctx.t("common-start_date"), value(retry, ff, "start_date", ""), error(retry, ff), false))
                    button type="submit" { (ctx.t("org-add-to-portfolio")) }
                }
            }
        }
        @if manage {
            details.panel open[error(retry, "person").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/org/people/{}", person.id)) {
                    (csrf_field(ctx))
                    (person_fields(ctx, retry, &person.name, person.leader_title.as_deref().unwrap_or(""), person.visibility.as_str()))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            div.actions { (status_form(ctx, &format!("/org/people/{}/status", person.id), person.active)) }
        }
        p { (layout::history_link(ctx, "person", person.id)) }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &person.name, Section::People, body)).into_response())
}

/// Active posts with room in their quota, for the appointment picker.
fn post_options(tx: &mut crate::kernel::db::Tx<'_>) -> AppResult<Vec<(String, String)>> {
    let divisions = divisions::options(tx)?;
    let mut out = Vec::new();
    for (div_id, label) in divisions {
        for p in divisions::posts_of(tx, div_id)?.into_iter().filter(|p| p.active && p.staffed < p.quota) {
            out.push((p.id.to_string(), format!("{label} · {} ({}/{})", p.title, p.staffed, p.quota)));
        }
    }
    Ok(out)
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "person", form, move |tx, who, input: PersonInput| {
        people::update(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(retry) => person_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn set_status(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "status", form, move |tx, who, st: StatusForm| {
        people::set_active(tx, who, id, st.active)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(retry) => person_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn assign(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "assign", form, move |tx, who, input: AssignInput| {
        people::assign(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(retry) => person_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn add_portfolio(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "portfolio", form, move |tx, who, input: PortfolioInput| {
        people::add_portfolio(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(retry) => person_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn end_assignment(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let person = s
        .look(&ctx, Action::ViewPeople, move |tx, _| {
            Ok(tx
                .query_opt("SELECT person_id FROM assignments WHERE id = $1", crate::params![id])?
                .map(|r| r.int(0))
                .transpose()?)
        })
        .await?
        .ok_or(crate::kernel::error::AppError::NotFound)?;
    match attempt(&s, &ctx, Action::ManageOrg, "end", form, move |tx, who, input: EndInput| {
        people::end_assignment(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{person}")).into_response()),
        Err(retry) => person_page(&s, &ctx, person, Some(&retry)).await,
    }
}

async fn end_portfolio(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let person = s
        .look(&ctx, Action::ViewPeople, move |tx, _| {
            Ok(tx
                .query_opt("SELECT person_id FROM portfolios WHERE id = $1", crate::params![id])?
                .map(|r| r.int(0))
                .transpose()?)
        })
        .await?
        .ok_or(crate::kernel::error::AppError::NotFound)?;
    match attempt(&s, &ctx, Action::ManageOrg, "end", form, move |tx, who, input: EndInput| {
        people::end_portfolio(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{person}")).into_response()),
        Err(retry) => person_page(&s, &ctx, person, Some(&retry)).await,
    }
}

async fn leaders(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let filter = PeopleFilter { only: Some("leaders".into()), status: Some("active".into()), ..Default::default() };
    let (leaders, portfolios) = s
        .look(&ctx, Action::ViewPeople, move |tx, u| {
            let p = ListParams { per: Some(200), ..Default::default() };
            Ok((people::list(tx, u, &filter, &p)?.items, people::current_portfolios(tx)?))
        })
        .await?;
    let body = html! {
        p.muted { (ctx.t("org-city-leaders-coordinate-major-matters")) }
        @if leaders.is_empty() {
            (layout::empty_state(ctx.t("org-no-city-leaders-yet-add")))
        } @else {
            div.cards { @for l in &leaders {
                div.card {
                    h3 { a href=(format!("/org/people/{}", l.id)) { (l.name) } " " (badge(l.leader_title.as_deref().unwrap_or(""), "blue")) }
                    @let mine: Vec<_> = portfolios.iter().filter(|f| f.person_id == l.id).collect();
                    @if mine.is_empty() { p.muted { (ctx.t("org-no-portfolio")) } }
                    @else { ul { @for f in mine { li { a href=(format!("/org/departments/{}", f.department_id)) { (f.department_name) } } } } }
                }
            } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("nav-leaders"), Section::Leaders, body).into_response())
}
