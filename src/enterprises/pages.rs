//! The registry's pages: the list (paged, sorted, filtered, exported), one enterprise
//! with its form and the merges into it, and the likely duplicates with a merge button.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::registry::{self, Enterprise, EnterpriseFilter, EnterpriseInput, SIZES};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::fmt_local;
use crate::kernel::error::AppResult;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, badge, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

const SECTION: Section = Section::Of("enterprises");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list).post(create))
        .route("/enterprises/new", get(new_form))
        .route("/enterprises/duplicates", get(duplicates))
        .route("/enterprises/mine", get(mine).post(correct_mine))
        .route("/enterprises/{id}/account", post(link_account))
        .route("/enterprises/{id}/shareholders", post(set_shareholders))
        .route("/enterprises/{id}", get(show).post(update))
        .route("/enterprises/{id}/merge", post(merge))
        .route("/enterprises/merges/{id}/undo", post(undo))
}

fn may_manage(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageEnterprises))
}

fn size_name(ctx: &Ctx, size: &str) -> String {
    if size.is_empty() { String::new() } else { ctx.t(&format!("ent-size-{size}")).to_owned() }
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<EnterpriseFilter>,
) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewEnterprises, move |tx, _| registry::list(tx, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "name",
            ctx.t("common-name"),
            |e: &Enterprise| html! { a href=(format!("/enterprises/{}", e.id)) { (e.name) } },
            |e| e.name.clone(),
        )
        .sorts("name")
        .column(
            "uscc",
            ctx.t("ent-uscc"),
            |e| html! { @match &e.uscc { Some(c) => { code { (c) } } None => { span.muted { (ctx.t("ent-no-uscc")) } } } },
            |e| e.uscc.clone().unwrap_or_default(),
        )
        .text("industry", ctx.t("ent-industry"), |e| e.industry.clone())
        .sorts("industry")
        .text("district", ctx.t("ent-district"), |e| e.district.clone())
        .sorts("district")
        .text("size", ctx.t("ent-size"), |e| size_name(&ctx, &e.size))
        .exported("legal_representative", ctx.t("ent-legal-representative"), |e| e.legal_representative.clone())
        .exported("address", ctx.t("ent-address"), |e| e.address.clone())
        .text("updated", ctx.t("common-updated_at"), |e| fmt_local(e.updated_at))
        .sorts("updated");
    respond(&p, "enterprises", &table, &page.items, || {
        let extra: Vec<(&str, String)> = vec![
            ("district", f.district.clone().unwrap_or_default()),
            ("industry", f.industry.clone().unwrap_or_default()),
            ("status", f.status.clone().unwrap_or_default()),
        ];
        let statuses =
            vec![(String::new(), ctx.t("ent-live").to_owned()), ("merged".to_owned(), ctx.t("ent-merged").to_owned())];
        let body = html! {
            div.actions {
                @if may_manage(&ctx) {
                    a.button href="/enterprises/new" { (ctx.t("common-create")) }
                    a.button.secondary href="/enterprises/import" { (ctx.t("ent-import")) }
                }
                a.button.secondary href="/enterprises/duplicates" { (ctx.t("ent-likely-duplicates")) }
            }
            p.muted { (ctx.t("ent-intro")) }
            form.filters method="get" action="/enterprises" {
                (text_field(&ctx, "q", ctx.t("ent-search"), p.q().unwrap_or(""), None, false))
                (text_field(&ctx, "district", ctx.t("ent-district"), f.district.as_deref().unwrap_or(""), None, false))
                (text_field(&ctx, "industry", ctx.t("ent-industry"), f.industry.as_deref().unwrap_or(""), None, false))
                (select_field(&ctx, "status", ctx.t("common-status"), &statuses, f.status.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("ent-none")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("nav-enterprises"), SECTION, body).into_response()
    })
}

fn fields(ctx: &Ctx, e: Option<&Enterprise>, retry: Option<&Retry>) -> Markup {
    let f = "enterprise";
    let err = error(retry, f);
    let was = |field: &str, current: String| value(retry, f, field, &current).to_owned();
    let mut sizes = vec![(String::new(), ctx.t("k-choose").to_owned())];
    sizes.extend(SIZES.iter().map(|s| ((*s).to_owned(), size_name(ctx, s))));
    html! {
        (error_banner(ctx, err))
        (text_field(ctx, "name", ctx.t("common-name"), &was("name", e.map(|e| e.name.clone()).unwrap_or_default()), err, true))
        (text_field(ctx, "uscc", ctx.t("ent-uscc-18"), &was("uscc", e.and_then(|e| e.uscc.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "legal_representative", ctx.t("ent-legal-representative"), &was("legal_representative", e.map(|e| e.legal_representative.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "contact_name", ctx.t("ent-contact-name"), &was("contact_name", e.map(|e| e.contact_name.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "contact_phone", ctx.t("ent-contact-phone"), &was("contact_phone", e.map(|e| e.contact_phone.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "industry", ctx.t("ent-industry"), &was("industry", e.map(|e| e.industry.clone()).unwrap_or_default()), err, false))
        (select_field(ctx, "size", ctx.t("ent-size"), &sizes, &was("size", e.map(|e| e.size.clone()).unwrap_or_default()), err))
        (text_field(ctx, "district", ctx.t("ent-district"), &was("district", e.map(|e| e.district.clone()).unwrap_or_default()), err, false))
        (layout::input_field(ctx, "date", "registered_on", ctx.t("ent-registered-on"), &was("registered_on", e.and_then(|e| e.registered_on.clone()).unwrap_or_default()), err, false))
        (text_field(ctx, "address", ctx.t("ent-address"), &was("address", e.map(|e| e.address.clone()).unwrap_or_default()), err, false))
    }
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    form_page(&ctx, None).await
}

async fn form_page(ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManageEnterprises)?;
    let body = html! {
        form.stack method="post" action="/enterprises" {
            (csrf_field(ctx))
            (fields(ctx, None, retry))
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/enterprises" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("ent-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "enterprise", form, |tx, who, input: EnterpriseInput| {
        registry::create(tx, who, &input)
    })
    .await?
    {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}", e.id)).into_response()),
        Err(retry) => form_page(&ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let (e, merges, accounts, holders) = s
        .look(ctx, Action::ViewEnterprises, move |tx, _| {
            Ok((
                registry::find(tx, id)?,
                registry::merges_into(tx, id)?,
                registry::accounts_of(tx, id)?,
                super::ties::shareholders(tx, id)?,
            ))
        })
        .await?;
    let body = html! {
        @if let Some(into) = e.merged_into {
            div.alert role="status" { (ctx.t("ent-was-merged")) " " a href=(format!("/enterprises/{into}")) { "#" (into) } }
        }
        div.card { dl.facts {
            dt { (ctx.t("ent-uscc")) } dd { @match &e.uscc { Some(c) => { code { (c) } } None => { span.muted { (ctx.t("ent-no-uscc")) } } } }
            dt { (ctx.t("ent-legal-representative")) } dd { (e.legal_representative) }
            dt { (ctx.t("ent-contact-name")) } dd { (e.contact_name) " " (e.contact_phone) }
            dt { (ctx.t("ent-industry")) } dd { (e.industry) " " (size_name(ctx, &e.size)) }
            dt { (ctx.t("ent-district")) } dd { (e.district) " " (e.address) }
            dt { (ctx.t("ent-registered-on")) } dd { (e.registered_on.clone().unwrap_or_default()) }
            dt { (ctx.t("ent-source")) } dd { (ctx.t(&format!("ent-source-{}", e.source))) " · " (fmt_local(e.created_at)) }
            dt { (ctx.t("ent-shareholders")) } dd { @if holders.is_empty() { span.muted { "—" } } @else { (holders.join("、")) } }
        } }
        @if !merges.is_empty() {
            h2 { (ctx.t("ent-merges")) }
            ul { @for m in &merges { li {
                a href=(format!("/enterprises/{}", m.merged_id)) { (m.merged_name) } " · " (fmt_local(m.merged_at))
                @if let Some(code) = &m.moved_uscc { " · " (ctx.t("ent-code-moved")) " " code { (code) } }
                @match m.undone_at {
                    Some(at) => { " " (badge(ctx.t("ent-undone"), "")) " " (fmt_local(at)) }
                    None => @if may_manage(ctx) {
                        form.inline method="post" action=(format!("/enterprises/merges/{}/undo", m.id)) {
                            (csrf_field(ctx)) button.secondary type="submit" { (ctx.t("ent-undo-merge")) }
                        }
                    },
                }
            } } }
        }
        @if !accounts.is_empty() { p.muted { (ctx.t("ent-accounts")) (accounts.join("、")) } }
        @if may_manage(ctx) && e.merged_into.is_none() {
            form.filters method="post" action=(format!("/enterprises/{}/account", e.id)) {
                (csrf_field(ctx))
                (error_banner(ctx, error(retry, "account")))
                (text_field(ctx, "username", ctx.t("ent-link-account"), "", None, true))
                button.secondary type="submit" { (ctx.t("ent-link")) }
            }
            details.panel open[error(retry, "shareholders").is_some()] {
                summary { (ctx.t("ent-edit-shareholders")) }
                form.stack method="post" action=(format!("/enterprises/{}/shareholders", e.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, "shareholders")))
                    label.field { span { (ctx.t("ent-shareholders-one-per-line")) }
                        textarea name="names" rows="4" { (holders.join("\n")) } }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
            details.panel open[error(retry, "enterprise").is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/enterprises/{}", e.id)) {
                    (csrf_field(ctx))
                    (fields(ctx, Some(&e), retry))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
        p { (layout::history_link(ctx, "enterprise", e.id)) " " a href="/enterprises" { (ctx.t("common-back")) } }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &e.name, SECTION, body)).into_response())
}

async fn update(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "enterprise", form, move |tx, who, input: EnterpriseInput| {
        registry::update(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn duplicates(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    duplicates_page(&s, &ctx, None).await
}

async fn duplicates_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let pairs = s.look(ctx, Action::ViewEnterprises, |tx, _| registry::duplicates(tx)).await?;
    let manage = may_manage(ctx);
    let one = |e: &Enterprise| {
        html! {
            a href=(format!("/enterprises/{}", e.id)) { (e.name) } br;
            span.muted {
                @let code = e.uscc.clone().unwrap_or_else(|| ctx.t("ent-no-uscc").to_owned());
                ([code.as_str(), e.contact_phone.as_str(), e.district.as_str()].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" · "))
            }
        }
    };
    let merge_button = |keep: &Enterprise, gone: &Enterprise, words: &str| {
        html! {
            form.inline method="post" action=(format!("/enterprises/{}/merge", keep.id)) {
                (csrf_field(ctx))
                input type="hidden" name="merged_id" value=(gone.id);
                button.secondary type="submit" { (words) }
            }
        }
    };
    let body = html! {
        (error_banner(ctx, retry.map(|r| &r.err)))
        p.muted { (ctx.t("ent-duplicates-intro")) }
        @if pairs.is_empty() { (layout::empty_state(ctx.t("ent-no-duplicates"))) }
        @else {
            div.table-wrap { table.list {
                thead { tr { th { (ctx.t("ent-record-a")) } th { (ctx.t("ent-record-b")) } th { (ctx.t("ent-alike-by")) } @if manage { th { (ctx.t("ent-merge")) } } } }
                tbody { @for d in &pairs { tr {
                    td { (one(&d.a)) } td { (one(&d.b)) }
                    td { (ctx.t(&format!("ent-alike-{}", d.reason))) }
                    @if manage { td { (merge_button(&d.a, &d.b, ctx.t("ent-keep-a"))) " " (merge_button(&d.b, &d.a, ctx.t("ent-keep-b"))) } }
                } } }
            } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("ent-likely-duplicates"), SECTION, body)).into_response())
}

async fn merge(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "merge", form, move |tx, who, input: registry::MergeInput| {
        registry::merge(tx, who, id, input.merged_id)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(retry) => duplicates_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn undo(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "undo", form, move |tx, who, _: Fields| {
        registry::undo(tx, who, id)
    })
    .await?
    {
        Ok(m) => Ok(Redirect::to(&format!("/enterprises/{}", m.kept_id)).into_response()),
        Err(retry) => duplicates_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn link_account(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "account", form, move |tx, who, fields: Fields| {
        let user_id = registry::enterprise_account(tx, fields.get("username").map_or("", String::as_str))?;
        registry::link_account(tx, who, id, &registry::AccountInput { user_id })
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn set_shareholders(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageEnterprises, "shareholders", form, move |tx, who, fields: Fields| {
        let names = fields.get("names").map_or("", String::as_str).lines().map(str::trim);
        let input =
            super::ties::ShareholdersInput { names: names.filter(|n| !n.is_empty()).map(str::to_owned).collect() };
        super::ties::set_shareholders(tx, who, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn mine(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    mine_page(&s, &ctx, None).await
}

/// An enterprise's own record, with the details it may correct.
async fn mine_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::CorrectOwnEnterprise)?.id;
    let e = s.look(ctx, Action::CorrectOwnEnterprise, move |tx, _| registry::of_account(tx, user)).await?;
    let f = "own";
    let err = error(retry, f);
    let was = |field: &str, current: &str| value(retry, f, field, current).to_owned();
    let mut sizes = vec![(String::new(), ctx.t("k-choose").to_owned())];
    sizes.extend(SIZES.iter().map(|s| ((*s).to_owned(), size_name(ctx, s))));
    let body = html! {
        div.card { dl.facts {
            dt { (ctx.t("common-name")) } dd { (e.name) }
            dt { (ctx.t("ent-uscc")) } dd { @match &e.uscc { Some(c) => { code { (c) } } None => { span.muted { (ctx.t("ent-no-uscc")) } } } }
        } }
        p.muted { (ctx.t("ent-own-hint")) }
        form.stack method="post" action="/enterprises/mine" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (text_field(ctx, "legal_representative", ctx.t("ent-legal-representative"), &was("legal_representative", &e.legal_representative), err, false))
            (text_field(ctx, "contact_name", ctx.t("ent-contact-name"), &was("contact_name", &e.contact_name), err, false))
            (text_field(ctx, "contact_phone", ctx.t("ent-contact-phone"), &was("contact_phone", &e.contact_phone), err, false))
            (text_field(ctx, "industry", ctx.t("ent-industry"), &was("industry", &e.industry), err, false))
            (select_field(ctx, "size", ctx.t("ent-size"), &sizes, &was("size", &e.size), err))
            (text_field(ctx, "district", ctx.t("ent-district"), &was("district", &e.district), err, false))
            (text_field(ctx, "address", ctx.t("ent-address"), &was("address", &e.address), err, false))
            div { button type="submit" { (ctx.t("common-save")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("nav-my-enterprise"), SECTION, body)).into_response())
}

async fn correct_mine(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.require(Action::CorrectOwnEnterprise)?.id;
    match attempt(
        &s,
        &ctx,
        Action::CorrectOwnEnterprise,
        "own",
        form,
        move |tx, who, input: registry::OwnCorrection| registry::correct_own(tx, who, user, &input),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to("/enterprises/mine").into_response()),
        Err(retry) => mine_page(&s, &ctx, Some(&retry)).await,
    }
}
