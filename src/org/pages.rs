//! Organisation pages: departments and districts, divisions, posts.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::departments::{self, Department, DepartmentFilter, DepartmentInput};
use super::divisions::{self, Division, DivisionInput, PostInput};
use super::{DEPARTMENT_KINDS, DIVISION_KINDS, people};
use crate::kernel::access::{self, Action};
use crate::kernel::clock;
use crate::kernel::error::AppResult;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(list))
        .route("/org/departments", post(create_department))
        .route("/org/departments/new", get(new_department))
        .route("/org/departments/{id}", get(show_department).post(update_department))
        .route("/org/departments/{id}/status", post(department_status))
        .route("/org/divisions", post(create_division))
        .route("/org/divisions/{id}", get(show_division).post(update_division))
        .route("/org/divisions/{id}/status", post(division_status))
        .route("/org/posts", post(create_post))
        .route("/org/posts/{id}", post(update_post))
        .route("/org/posts/{id}/status", post(post_status))
        .merge(super::people_pages::router())
}

pub(super) fn kind_options(ctx: &Ctx, kinds: &[&str], prefix: &str, with_all: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if with_all {
        out.push((String::new(), ctx.t("common-all").to_owned()));
    }
    out.extend(kinds.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("{prefix}-{k}")).to_owned())));
    out
}

pub(super) fn status_badge(ctx: &Ctx, active: bool) -> Markup {
    if active { badge(ctx.t("common-active"), "green") } else { badge(ctx.t("common-inactive"), "") }
}

/// A small form that flips a record's `active` flag.
pub(super) fn status_form(ctx: &Ctx, action: &str, active: bool) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(ctx))
            input type="hidden" name="active" value=(if active { "false" } else { "true" });
            button.secondary type="submit" { @if active { (ctx.t("common-deactivate")) } @else { (ctx.t("common-reactivate")) } }
        }
    }
}

pub(super) fn can_manage(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageOrg))
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<DepartmentFilter>,
) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewOrg, move |tx, u| departments::list(tx, u, &fq, &pq)).await?;
    let status_text =
        |d: &Department| if d.active { ctx.t("common-active") } else { ctx.t("common-inactive") }.to_owned();
    let table = Table::new()
        .row_class(|d: &Department| if d.active { "" } else { "inactive" })
        .column(
            "name",
            ctx.t("common-name"),
            |d| html! { a href=(format!("/org/departments/{}", d.id)) { (d.name) } @if d.is_economic { " " (badge(ctx.t("org-economic"), "blue")) } },
            |d| d.name.clone(),
        )
        .sorts("name")
        .exported("name_en", ctx.t("col-name_en"), |d| d.name_en.clone())
        .text("kind", ctx.t("common-kind"), |d| ctx.t(&format!("kind-{}", d.kind)).to_owned())
        .sorts("official")
        .column("code", ctx.t("common-code"), |d| html! { code { (d.code) } }, |d| d.code.clone())
        .sorts("code")
        .text("divisions", ctx.t("org-divisions"), |d| d.division_count.to_string())
        .column("status", ctx.t("common-status"), |d| status_badge(&ctx, d.active), status_text);
    respond(&p, "departments", &table, &page.items, || {
        let extra: Vec<(&str, String)> =
            vec![("kind", f.kind.clone().unwrap_or_default()), ("status", f.status.clone().unwrap_or_default())];
        let statuses = vec![
            (String::new(), ctx.t("common-all").to_owned()),
            ("active".into(), ctx.t("common-active").to_owned()),
            ("inactive".into(), ctx.t("common-inactive").to_owned()),
        ];
        let body = html! {
            @if can_manage(&ctx) { div.actions { a.button href="/org/departments/new" { (ctx.t("common-create")) } } }
            form.filters method="get" action="/org" {
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "kind", ctx.t("common-kind"), &kind_options(&ctx, &DEPARTMENT_KINDS, "kind", true), f.kind.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "status", ctx.t("common-status"), &statuses, f.status.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("org-no-departments-match-administrators-can")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("nav-org"), Section::Org, body).into_response()
    })
}

fn department_fields(ctx: &Ctx, d: Option<&Department>, retry: Option<&Retry>, parents: &[(i64, String)]) -> Markup {
    let f = "department";
    let err = error(retry, f);
    let code = d.map(|d| d.code.clone()).unwrap_or_default();
    let name = d.map(|d| d.name.clone()).unwrap_or_default();
    let name_en = d.map(|d| d.name_en.clone()).unwrap_or_default();
    let kind = d.map_or("city_department", |d| d.kind.as_str());
    let parent = d.and_then(|d| d.parent_id).map(|p| p.to_string()).unwrap_or_default();
    let vis = d.map_or("public", |d| d.visibility.as_str());
    let economic = d.is_some_and(|d| d.is_economic);
    let economic_now = match retry {
        Some(r) if r.form == f => r.values.get("is_economic").is_some_and(|v| v == "true"),
        _ => economic,
    };
    let mut parent_opts = vec![(String::new(), ctx.t("common-none").to_owned())];
    parent_opts.extend(
        parents.iter().filter(|(id, _)| Some(*id) != d.map(|d| d.id)).map(|(id, n)| (id.to_string(), n.clone())),
    );
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "code", ctx.t("common-code"), value(retry, f, "code", &code), err, true))
        (text_field(ctx, "name", ctx.t("common-name"), value(retry, f, "name", &name), err, true))
        (text_field(ctx, "name_en", ctx.t("common-name_en"), value(retry, f, "name_en", &name_en), err, false))
        (select_field(ctx, "kind", ctx.t("common-kind"), &kind_options(ctx, &DEPARTMENT_KINDS, "kind", false), value(retry, f, "kind", kind), err))
        (select_field(ctx, "parent_id", ctx.t("org-parent-unit"), &parent_opts, value(retry, f, "parent_id", &parent), err))
        (select_field(ctx, "visibility", ctx.t("common-visibility"), &layout::visibility_options(ctx), value(retry, f, "visibility", vis), err))
        label.field { span {
            input type="checkbox" name="is_economic" value="true" checked[economic_now];
            " " (ctx.t("org-economic-department-has-a-market"))
        } }
    }
}

async fn new_department(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    department_form_page(&s, &ctx, None).await
}

async fn department_form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let parents = s.look(ctx, Action::ManageOrg, |tx, _| departments::options(tx)).await?;
    let body = html! {
        form.stack method="post" action="/org/departments" {
            (csrf_field(ctx))
            (department_fields(ctx, None, retry, &parents))
            div.actions { button type="submit" { (ctx.t("common-save")) } a href="/org" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    Ok((
        status,
        layout::page(ctx, &format!("{} · {}", ctx.t("common-create"), ctx.t("common-department")), Section::Org, body),
    )
        .into_response())
}

async fn create_department(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "department", form, |tx, who, input: DepartmentInput| {
        departments::create(tx, who, &input)
    })
    .await?
    {
        Ok(d) => Ok(Redirect::to(&format!("/org/departments/{}", d.id)).into_response()),
        Err(retry) => department_form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show_department(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    department_page(&s, &ctx, id, None).await
}

async fn department_page(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (d, divs, parents) = s
        .look(ctx, Action::ViewOrg, move |tx, u| {
            let d = departments::get(tx, u, id)?;
            Ok((d, divisions::of_department(tx, u, id)?, departments::options(tx)?))
        })
        .await?;
    let manage = can_manage(ctx);
    let f = "division";
    let derr = error(retry, f);
    let body = html! {
        div.card { dl.facts {
            dt { (ctx.t("common-code")) } dd { code { (d.code) } }
            dt { (ctx.t("common-kind")) } dd { (ctx.t(&format!("kind-{}", d.kind))) @if d.is_economic { " " (badge(ctx.t("org-economic"), "blue")) } }
            @if !d.name_en.is_empty() { dt { (ctx.t("common-name_en")) } dd { (d.name_en) } }
            dt { (ctx.t("common-visibility")) } dd { (ctx.t(&format!("vis-{}", d.visibility.as_str()))) }
            dt { (ctx.t("common-status")) } dd { (status_badge(ctx, d.active)) }
            dt { (ctx.t("common-updated_at")) } dd { (clock::fmt_local(d.updated_at)) }
        } }
        h2 { (ctx.t("org-divisions-2")) }
        @if divs.is_empty() {
            (layout::empty_state(ctx.t("org-this-department-has-no-divisions")))
        } @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("common-name")) } th { (ctx.t("common-kind")) } th { (ctx.t("org-quota")) } th { (ctx.t("org-in-post")) } th { (ctx.t("common-status")) } } }
                tbody { @for v in &divs { (division_row(ctx, v)) } }
            } }
        }
        @if manage {
            details.panel open[derr.is_some()] {
                summary { (ctx.t("org-new-division")) }
                form.stack method="post" action="/org/divisions" {
                    (csrf_field(ctx))
                    (error_banner(ctx, derr))
                    input type="hidden" name="department_id" value=(d.id);
                    (text_field(ctx, "name", ctx.t("common-name"), value(retry, f, "name", ""), derr, true))
                    (text_field(ctx, "name_en", ctx.t("common-name_en"), value(retry, f, "name_en", ""), derr, false))
                    (select_field(ctx, "kind", ctx.t("common-kind"), &kind_options(ctx, &DIVISION_KINDS, "divkind", false), value(retry, f, "kind", "general"), derr))
                    (select_field(ctx, "visibility", ctx.t("common-visibility"), &layout::visibility_options(ctx), value(retry, f, "visibility", "public"), derr))
                    div { button type="submit" { (ctx.t("common-create")) } }
                }
            }
            details.panel open[error(retry, "department").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/org/departments/{}", d.id)) {
                    (csrf_field(ctx))
                    (department_fields(ctx, Some(&d), retry, &parents))
                    div.actions { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            div.actions { (status_form(ctx, &format!("/org/departments/{}/status", d.id), d.active)) }
        }
        p { (layout::history_link(ctx, "department", d.id)) " " a href="/org" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &d.name, Section::Org, body)).into_response())
}

fn division_row(ctx: &Ctx, v: &Division) -> Markup {
    html! {
        tr class=@if !v.active { "inactive" } {
            td { a href=(format!("/org/divisions/{}", v.id)) { (v.name) } }
            td { @if v.kind == "market_allocation" { (badge(ctx.t("divkind-market_allocation"), "blue")) } @else { (ctx.t(&format!("divkind-{}", v.kind))) } }
            td { (v.quota) } td { (v.staffed) }
            td { (status_badge(ctx, v.active)) }
        }
    }
}

async fn update_department(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "department", form, move |tx, who, input: DepartmentInput| {
        departments::update(tx, who, id, &input)
    })
    .await?
    {
        Ok(d) => Ok(Redirect::to(&format!("/org/departments/{}", d.id)).into_response()),
        Err(retry) => department_page(&s, &ctx, id, Some(&retry)).await,
    }
}

#[derive(serde::Deserialize)]
pub(super) struct StatusForm {
    #[serde(deserialize_with = "crate::kernel::web::de::flag")]
    pub active: bool,
}

async fn department_status(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "status", form, move |tx, who, st: StatusForm| {
        departments::set_active(tx, who, id, st.active)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/departments/{id}")).into_response()),
        Err(retry) => department_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn create_division(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let dept: i64 = form.get("department_id").and_then(|v| v.parse().ok()).unwrap_or(0);
    match attempt(&s, &ctx, Action::ManageOrg, "division", form, |tx, who, input: DivisionInput| {
        divisions::create(tx, who, &input)
    })
    .await?
    {
        Ok(v) => Ok(Redirect::to(&format!("/org/divisions/{}", v.id)).into_response()),
        Err(retry) => department_page(&s, &ctx, dept, Some(&retry)).await,
    }
}

async fn show_division(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    division_page(&s, &ctx, id, None).await
}

async fn division_page(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let show_people = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ViewPeople));
    let (v, posts, staff, depts) = s
        .look(ctx, Action::ViewOrg, move |tx, u| {
            let v = divisions::get(tx, u, id)?;
            let staff = if show_people { people::staff_of_division(tx, id)? } else { Vec::new() };
            Ok((v, divisions::posts_of(tx, id)?, staff, departments::options(tx)?))
        })
        .await?;
    let manage = can_manage(ctx);
    let (fe, fp) = ("division", "post");
    let (eerr, perr) = (error(retry, fe), error(retry, fp));
    let dept_opts: Vec<(String, String)> = depts.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
    let body = html! {
        @if let Some(r) = retry.filter(|r| r.form == "status" || r.form == "post_edit") { (error_banner(ctx, Some(&r.err))) }
        div.card { dl.facts {
            dt { (ctx.t("common-department")) } dd { a href=(format!("/org/departments/{}", v.department_id)) { (v.department_name) } }
            dt { (ctx.t("common-kind")) } dd { (ctx.t(&format!("divkind-{}", v.kind))) }
            dt { (ctx.t("org-quota-in-post")) } dd { (v.quota) " / " (v.staffed) }
            dt { (ctx.t("common-status")) } dd { (status_badge(ctx, v.active)) }
        } }
        h2 { (ctx.t("org-posts-and-quotas")) }
        @if posts.is_empty() {
            (layout::empty_state(ctx.t("org-no-posts-yet-posts-carry")))
        } @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("org-post")) } th { (ctx.t("org-quota")) } th { (ctx.t("org-in-post")) } th { (ctx.t("common-status")) } @if manage { th { (ctx.t("common-actions")) } } } }
                tbody { @for p in &posts { tr class=@if !p.active { "inactive" } {
                    @if manage && p.active {
                        td colspan="3" {
                            form.filters method="post" action=(format!("/org/posts/{}", p.id)) {
                                (csrf_field(ctx))
                                input type="hidden" name="division_id" value=(v.id);
                                input type="text" name="title" value=(p.title) aria-label=(ctx.t("org-post"));
                                input type="number" name="quota" value=(p.quota) min="0" aria-label=(ctx.t("org-quota"));
                                input type="hidden" name="is_head" value=(p.is_head);
                                span { (p.staffed) " " (ctx.t("org-in-post-2")) }
                                button.secondary type="submit" { (ctx.t("common-save")) }
                            }
                        }
                    } @else {
                        td { (p.title) @if p.is_head { " " (badge(ctx.t("org-head"), "blue")) } } td { (p.quota) } td { (p.staffed) }
                    }
                    td { (status_badge(ctx, p.active)) }
                    @if manage { td { (status_form(ctx, &format!("/org/posts/{}/status", p.id), p.active)) } }
                } } }
            } }
        }
        @if show_people {
            h2 { (ctx.t("org-people-in-post")) }
            @if staff.is_empty() { (layout::empty_state(ctx.t("org-nobody-is-in-post-here"))) }
            @else { ul { @for a in &staff { li { a href=(format!("/org/people/{}", a.person_id)) { (a.person_name) } " — " (a.post_title) span.muted { " " (ctx.t("org-since")) (a.start_date) } } } } }
        }
        @if manage {
            details.panel open[perr.is_some()] {
                summary { (ctx.t("org-new-post")) }
                form.stack method="post" action="/org/posts" {
                    (csrf_field(ctx))
                    (error_banner(ctx, perr))
                    input type="hidden" name="division_id" value=(v.id);
                    (text_field(ctx, "title", ctx.t("org-title"), value(retry, fp, "title", ""), perr, true))
                    (layout::input_field(ctx, "number", "quota", ctx.t("org-quota-2"), value(retry, fp, "quota", "1"), perr, true))
                    label.field { span { input type="checkbox" name="is_head" value="true"; " " (ctx.t("org-head-of-division")) } }
                    div { button type="submit" { (ctx.t("common-create")) } }
                }
            }
            details.panel open[eerr.is_some()] {
                summary { (ctx.t("org-edit-or-move")) }
                form.stack method="post" action=(format!("/org/divisions/{}", v.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, eerr))
                    (select_field(ctx, "department_id", ctx.t("common-department"), &dept_opts, value(retry, fe, "department_id", &v.department_id.to_string()), eerr))
                    (text_field(ctx, "name", ctx.t("common-name"), value(retry, fe, "name", &v.name), eerr, true))
                    (text_field(ctx, "name_en", ctx.t("common-name_en"), value(retry, fe, "name_en", &v.name_en), eerr, false))
                    (select_field(ctx, "kind", ctx.t("common-kind"), &kind_options(ctx, &DIVISION_KINDS, "divkind", false), value(retry, fe, "kind", &v.kind), eerr))
                    (select_field(ctx, "visibility", ctx.t("common-visibility"), &layout::visibility_options(ctx), value(retry, fe, "visibility", v.visibility.as_str()), eerr))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            div.actions { (status_form(ctx, &format!("/org/divisions/{}/status", v.id), v.active)) }
        }
        p { (layout::history_link(ctx, "division", v.id)) }
    };
    let status = retry.map_or(axum::http::StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &format!("{} · {}", v.department_name, v.name), Section::Org, body)).into_response())
}

async fn update_division(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "division", form, move |tx, who, input: DivisionInput| {
        divisions::update(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/divisions/{id}")).into_response()),
        Err(retry) => division_page(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn division_status(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "status", form, move |tx, who, st: StatusForm| {
        divisions::set_active(tx, who, id, st.active)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/divisions/{id}")).into_response()),
        Err(retry) => division_page(&s, &ctx, id, Some(&retry)).await,
    }
}

fn division_of(form: &Fields) -> i64 {
    form.get("division_id").and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn create_post(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let div = division_of(&form);
    match attempt(&s, &ctx, Action::ManageOrg, "post", form, |tx, who, input: PostInput| {
        divisions::create_post(tx, who, &input)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/org/divisions/{}", p.division_id)).into_response()),
        Err(retry) => division_page(&s, &ctx, div, Some(&retry)).await,
    }
}

async fn update_post(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let div = division_of(&form);
    match attempt(&s, &ctx, Action::ManageOrg, "post_edit", form, move |tx, who, input: PostInput| {
        divisions::update_post(tx, who, id, &input)
    })
    .await?
    {
        Ok(p) => Ok(Redirect::to(&format!("/org/divisions/{}", p.division_id)).into_response()),
        Err(retry) => division_page(&s, &ctx, div, Some(&retry)).await,
    }
}

async fn post_status(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let div = s.look(&ctx, Action::ViewOrg, move |tx, _| Ok(divisions::find_post(tx, id)?.division_id)).await?;
    match attempt(&s, &ctx, Action::ManageOrg, "status", form, move |tx, who, st: StatusForm| {
        divisions::set_post_active(tx, who, id, st.active)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/divisions/{div}")).into_response()),
        Err(retry) => division_page(&s, &ctx, div, Some(&retry)).await,
    }
}
