//! The association pages: the registry (paged, filtered, exported), a new association on
//! its enterprise-registry record, and one association with its leaders, industries,
//! division, accounts and members (pasted as credit codes or names, one per line).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::api::{self, AssociationDetail};
use super::associations::{self, Association, AssociationFilter, AssociationInput, KINDS, MembersInput};
use crate::kernel::access::{self, Action};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Pick, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

const SECTION: Section = super::document_pages::SECTION;

/// The association's own record, found by name in the enterprise registry.
const RECORD: Pick<'static> =
    Pick { source: "/api/v1/enterprises/suggest", narrow: None, required: true, placeholder: "k-picker-placeholder" };

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/associations", get(list).post(create))
        .route("/associations/new", get(new_form))
        .route("/associations/{id}", get(show).post(update))
        .route("/associations/{id}/members", post(members))
}

fn may_manage(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageAssociations))
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<AssociationFilter>,
) -> AppResult<Response> {
    ctx.require(Action::ViewDocuments)?;
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewDocuments, move |tx, _| associations::list(tx, &fq, &pq)).await?;
    let table = Table::new()
        .column(
            "name",
            ctx.t("mk-association"),
            |a: &Association| html! { a href=(format!("/associations/{}", a.id)) { (a.name) } },
            |a| a.name.clone(),
        )
        .sorts("name")
        .text("kind", ctx.t("mk-association-kind"), |a| ctx.t(&format!("mk-akind-{}", a.kind)).to_owned())
        .text("industries", ctx.t("mk-industries"), |a| a.industries.join("、"))
        .text("head", ctx.t("mk-head"), |a| a.head_name.clone())
        .text("division", ctx.t("mk-division"), |a| a.division_name.clone().unwrap_or_default())
        .text("members", ctx.t("mk-members"), |a| a.member_count.to_string())
        .exported("active", ctx.t("mk-active"), |a| {
            ctx.t(if a.active { "common-yes" } else { "common-no" }).to_owned()
        });
    respond(&p, "associations", &table, &page.items, || {
        let extra = vec![("industry", f.industry.clone().unwrap_or_default())];
        let body = html! {
            (super::document_pages::tabs(&ctx, "/associations"))
            @if may_manage(&ctx) { div.actions { a.button href="/associations/new" { (ctx.t("mk-new-association")) } } }
            form.filters method="get" action="/associations" {
                (text_field(&ctx, "q", ctx.t("mk-search-associations"), p.q().unwrap_or(""), None, false))
                (text_field(&ctx, "industry", ctx.t("mk-industries"), f.industry.as_deref().unwrap_or(""), None, false))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("mk-no-associations")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("mk-associations"), SECTION, body).into_response()
    })
}

fn input_of(f: &Fields, enterprise_id: Option<i64>) -> AppResult<AssociationInput> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let enterprise_id = match enterprise_id {
        Some(id) => id,
        None => text("enterprise_id").trim().parse().map_err(|_| AppError::invalid("required", "enterprise_id"))?,
    };
    Ok(AssociationInput {
        enterprise_id,
        kind: text("kind"),
        industries: text("industries")
            .split(['、', ',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        division_id: text("division_id").trim().parse().ok(),
        head_name: text("head_name"),
        secretary_name: text("secretary_name"),
        phone: text("phone"),
        active: text("active") != "0",
    })
}

fn division_options(tx: &mut Tx<'_>) -> AppResult<Vec<(String, String)>> {
    let mut out = vec![(String::new(), String::new())];
    out.extend(crate::org::divisions::market_allocation(tx)?.into_iter().map(|(id, name)| (id.to_string(), name)));
    Ok(out)
}

fn fields(
    ctx: &Ctx,
    retry: Option<&Retry>,
    f: &'static str,
    a: Option<&Association>,
    divisions: &[(String, String)],
) -> maud::Markup {
    let err = error(retry, f);
    let kinds: Vec<(String, String)> =
        KINDS.iter().map(|k| ((*k).to_owned(), ctx.t(&format!("mk-akind-{k}")).to_owned())).collect();
    let industries = a.map(|a| a.industries.join("、")).unwrap_or_default();
    let division = a.and_then(|a| a.division_id).map(|d| d.to_string()).unwrap_or_default();
    let active = [("1".to_owned(), ctx.t("common-yes").to_owned()), ("0".to_owned(), ctx.t("common-no").to_owned())];
    html! {
        (error_banner(ctx, err))
        (select_field(ctx, "kind", ctx.t("mk-association-kind"), &kinds, value(retry, f, "kind", a.map_or("association", |a| a.kind.as_str())), err))
        (text_field(ctx, "industries", ctx.t("mk-industries"), value(retry, f, "industries", &industries), err, true))
        (select_field(ctx, "division_id", ctx.t("mk-division"), divisions, value(retry, f, "division_id", &division), err))
        (text_field(ctx, "head_name", ctx.t("mk-head"), value(retry, f, "head_name", a.map_or("", |a| a.head_name.as_str())), err, true))
        (text_field(ctx, "secretary_name", ctx.t("mk-secretary"), value(retry, f, "secretary_name", a.map_or("", |a| a.secretary_name.as_str())), err, false))
        (text_field(ctx, "phone", ctx.t("mk-phone"), value(retry, f, "phone", a.map_or("", |a| a.phone.as_str())), err, false))
        @if a.is_some() { (select_field(ctx, "active", ctx.t("mk-active"), &active, value(retry, f, "active", if a.is_some_and(|a| a.active) { "1" } else { "0" }), err)) }
    }
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManageAssociations)?;
    let divisions = s.look(ctx, Action::ManageAssociations, |tx, _| division_options(tx)).await?;
    let f = "association";
    let body = html! {
        form.stack method="post" action="/associations" {
            (csrf_field(ctx))
            (layout::picker_field(ctx, "enterprise_id", ctx.t("mk-association-record"), &[], value(retry, f, "enterprise_id", ""), error(retry, f), &RECORD))
            (fields(ctx, retry, f, None, &divisions))
            div { button type="submit" { (ctx.t("common-save")) } a.button.secondary href="/associations" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("mk-new-association"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, CsrfForm { ctx, form }: CsrfForm<Fields>) -> AppResult<Response> {
    match attempt(&s, &ctx, Action::ManageAssociations, "association", form, move |tx, who, f: Fields| {
        associations::create(tx, who, &input_of(&f, None)?)
    })
    .await?
    {
        Ok(a) => Ok(Redirect::to(&format!("/associations/{}", a.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ViewDocuments)?;
    let (d, divisions): (AssociationDetail, _) = s
        .look(ctx, Action::ViewDocuments, move |tx, _| Ok((api::association_detail(tx, id)?, division_options(tx)?)))
        .await?;
    let a = &d.association;
    let members_text: Vec<String> =
        d.members.iter().map(|m| m.credit_code.clone().unwrap_or_else(|| m.name.clone())).collect();
    let body = html! {
        (super::document_pages::tabs(ctx, "/associations"))
        dl.facts {
            dt { (ctx.t("mk-association-kind")) } dd { (ctx.t(&format!("mk-akind-{}", a.kind))) }
            dt { (ctx.t("mk-industries")) } dd { (a.industries.join("、")) }
            dt { (ctx.t("mk-head")) } dd { (a.head_name) }
            dt { (ctx.t("mk-secretary")) } dd { (a.secretary_name) }
            dt { (ctx.t("mk-division")) } dd { (a.division_name.clone().unwrap_or_default()) }
            dt { (ctx.t("mk-accounts")) } dd { @if d.accounts.is_empty() { span.muted { (ctx.t("mk-no-accounts")) } } (d.accounts.join("、")) }
            dt { (ctx.t("mk-active")) } dd { (ctx.t(if a.active { "common-yes" } else { "common-no" })) }
        }
        h2 { (ctx.t("mk-members")) " (" (d.members.len()) ")" }
        @if d.members.is_empty() { (layout::empty_state(ctx.t("mk-no-members"))) }
        ul.columns { @for m in &d.members { li { a href=(format!("/enterprises/{}", m.enterprise_id)) { (m.name) } } } }
        @if may_manage(ctx) {
            details open[retry.is_some()] {
                summary { (ctx.t("common-edit")) }
                form.stack method="post" action=(format!("/associations/{}", a.id)) {
                    (csrf_field(ctx))
                    (fields(ctx, retry, "edit", Some(a), &divisions))
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
                form.stack method="post" action=(format!("/associations/{}/members", a.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, "members")))
                    label.field { span { (ctx.t("mk-members-paste")) } textarea name="members" rows="6" { (value(retry, "members", "members", &members_text.join("\n"))) } }
                    div { button type="submit" { (ctx.t("common-save")) } }
                }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &a.name, SECTION, body)).into_response())
}

async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    match attempt(&s, &ctx, Action::ManageAssociations, "edit", form, move |tx, who, f: Fields| {
        let record = associations::find(tx, id)?.enterprise_id;
        associations::update(tx, who, id, &input_of(&f, Some(record))?)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/associations/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

/// Each pasted line is a credit code or an enterprise's exact name in the registry.
fn resolve(tx: &mut Tx<'_>, text: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let found = tx.query_opt(
            "SELECT id FROM enterprises WHERE merged_into IS NULL AND (uscc = $1 OR name = $1) ORDER BY id LIMIT 1",
            crate::params![line],
        )?;
        match found {
            Some(r) => ids.push(r.int(0)?),
            None => return Err(AppError::invalid_detail("unknown_enterprise", "members", line.to_owned())),
        }
    }
    Ok(ids)
}

async fn members(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form }: CsrfForm<Fields>,
) -> AppResult<Response> {
    match attempt(&s, &ctx, Action::ManageAssociations, "members", form, move |tx, who, f: Fields| {
        let ids = resolve(tx, f.get("members").map_or("", String::as_str))?;
        associations::set_members(tx, who, id, &MembersInput { enterprise_ids: ids })
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/associations/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}
