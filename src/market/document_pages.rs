//! The document pages: received, issued and overdue lists (paged, filtered, exported), a
//! new document dispatched to departments and associations, one document laid out as a
//! 公文 for printing with its receiving accounts' receipts, and the figures.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::associations;
use super::documents::{
    self, CLASSIFICATIONS, Detail, DocumentFilter, DocumentInput, FeedbackInput, Listed, Recipient,
};
use crate::kernel::access::{self, Action};
use crate::kernel::clock::{self, fmt_local};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, value, with_repeated_lists};
use crate::kernel::web::layout::{
    self, Section, checks_field, csrf_field, error_banner, input_field, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q, period};

pub const SECTION: Section = Section::Of("documents");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/new", get(new_form))
        .route("/documents/overdue", get(overdue_page))
        .route("/documents/figures", get(figures_page))
        .route("/documents/{id}", get(show))
        .route("/documents/{id}/acknowledge", post(acknowledge))
        .route("/documents/{id}/feedback", post(feedback))
        .route("/documents/{id}/attachments", post(upload).layer(crate::kernel::attachments::body_limit()))
}

fn may_issue(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::IssueDocuments))
}

pub fn tabs(ctx: &Ctx, current: &str) -> Markup {
    let mut tabs = vec![("/documents", "mk-received"), ("/documents?box=issued", "mk-issued")];
    if may_issue(ctx) {
        tabs.extend([("/documents/overdue", "mk-overdue"), ("/documents/figures", "mk-figures")]);
    }
    tabs.push(("/associations", "mk-associations"));
    html! {
        nav.tabs aria-label=(ctx.t("m5")) { @for (href, key) in tabs {
            a href=(href) aria-current=[(href == current).then_some("page")] { (ctx.t(key)) }
        } }
    }
}

fn when(at: Option<i64>) -> String {
    at.map(fmt_local).unwrap_or_default()
}

async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<DocumentFilter>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ViewDocuments)?.clone();
    let (pq, fq) = (p.clone(), f.clone());
    let page = s.look(&ctx, Action::ViewDocuments, move |tx, _| documents::list(tx, &user, &fq, &pq)).await?;
    let issued = f.r#box.as_deref() == Some("issued");
    let table = Table::new()
        .column(
            "title",
            ctx.t("mk-title"),
            |d: &Listed| html! { a href=(format!("/documents/{}", d.document.id)) { (d.document.title) } },
            |d| d.document.title.clone(),
        )
        .sorts("title")
        .text("number", ctx.t("mk-number"), |d| d.document.number.clone())
        .sorts("number")
        .text("issuer", ctx.t("mk-issuer"), |d| d.document.issuer_name.clone())
        .text("issued", ctx.t("mk-issued-on"), |d| d.document.issued_on.clone())
        .sorts("issued")
        .text("read", ctx.t("mk-read"), move |d| {
            if issued {
                format!("{}/{}", d.document.read_count, d.document.recipient_count)
            } else {
                when(d.first_read_at)
            }
        })
        .exported("acknowledged", ctx.t("mk-acknowledged"), |d| when(d.acknowledged_at));
    let current = if issued { "/documents?box=issued" } else { "/documents" };
    respond(&p, "documents", &table, &page.items, || {
        let extra = vec![("box", f.r#box.clone().unwrap_or_default())];
        let body = html! {
            (tabs(&ctx, current))
            @if may_issue(&ctx) { div.actions { a.button href="/documents/new" { (ctx.t("mk-new")) } } }
            form.filters method="get" action="/documents" {
                input type="hidden" name="box" value=(f.r#box.clone().unwrap_or_default());
                (text_field(&ctx, "q", ctx.t("mk-search"), p.q().unwrap_or(""), None, false))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("mk-none")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("mk-documents"), SECTION, body).into_response()
    })
}

async fn new_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(&s, &ctx, None).await
}

async fn form_page(s: &AppState, ctx: &Ctx, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::IssueDocuments)?;
    let (departments, associations) = s
        .look(ctx, Action::IssueDocuments, |tx, _| {
            Ok((crate::org::departments::options(tx)?, associations::options(tx)?))
        })
        .await?;
    let as_choices = |v: Vec<(i64, String)>| v.into_iter().map(|(i, n)| (i.to_string(), n)).collect::<Vec<_>>();
    let f = "document";
    let err = error(retry, f);
    let classes: Vec<(String, String)> =
        CLASSIFICATIONS.iter().map(|c| ((*c).to_owned(), ctx.t(&format!("mk-class-{c}")).to_owned())).collect();
    let today = clock::local_date(ctx.now).to_string();
    let body = html! {
        form.stack method="post" action="/documents" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (text_field(ctx, "number", ctx.t("mk-number"), value(retry, f, "number", ""), err, true))
            p.muted { (ctx.t("mk-number-hint")) }
            (text_field(ctx, "title", ctx.t("mk-title"), value(retry, f, "title", ""), err, true))
            (select_field(ctx, "classification", ctx.t("mk-classification"), &classes, value(retry, f, "classification", "internal"), err))
            (input_field(ctx, "date", "issued_on", ctx.t("mk-issued-on"), value(retry, f, "issued_on", &today), err, true))
            (input_field(ctx, "date", "read_by", ctx.t("mk-read-by"), value(retry, f, "read_by", ""), err, false))
            label.field { span { (ctx.t("mk-body")) } textarea name="body" rows="12" required { (value(retry, f, "body", "")) } }
            (checks_field("department_ids", ctx.t("mk-to-departments"), &as_choices(departments), &[]))
            (checks_field("association_ids", ctx.t("mk-to-associations"), &as_choices(associations), &[]))
            div { button type="submit" { (ctx.t("mk-dispatch")) } a.button.secondary href="/documents" { (ctx.t("common-cancel")) } }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, ctx.t("mk-new"), SECTION, body)).into_response())
}

async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (form, mut lists) = with_repeated_lists(&ctx, &body, &["department_ids", "association_ids"])?;
    let association_ids = lists.pop().unwrap_or_default();
    let department_ids = lists.pop().unwrap_or_default();
    let (user, calendar) = (ctx.require(Action::IssueDocuments)?.clone(), s.calendar());
    match attempt(&s, &ctx, Action::IssueDocuments, "document", form, move |tx, who, f: Fields| {
        let text = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = DocumentInput {
            number: text("number"),
            title: text("title"),
            body: text("body"),
            classification: text("classification"),
            issued_on: text("issued_on"),
            read_by: Some(text("read_by")),
            issuer_department_id: None,
            department_ids,
            association_ids,
        };
        documents::dispatch(tx, who, &user, &calendar, &input)
    })
    .await?
    {
        Ok(d) => Ok(Redirect::to(&format!("/documents/{}", d.id)).into_response()),
        Err(retry) => form_page(&s, &ctx, Some(&retry)).await,
    }
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewDocuments)?.clone();
    if access::allows(&user, Action::ReceiveDocuments) {
        let u = user.clone();
        s.change(&ctx, Action::ReceiveDocuments, move |tx, who| documents::opened(tx, who, &u, id)).await?;
    }
    render(&s, &ctx, id, None).await
}

fn recipient_rows(ctx: &Ctx, rows: &[Recipient]) -> Markup {
    html! {
        table.list {
            thead { tr {
                th { (ctx.t("mk-recipient")) } th { (ctx.t("mk-delivered")) } th { (ctx.t("mk-readers")) }
                th { (ctx.t("mk-acknowledged")) } th { (ctx.t("mk-feedback")) }
            } }
            tbody { @for r in rows {
                tr class=[r.overdue.then_some("late")] {
                    td data-label=(ctx.t("mk-recipient")) {
                        (r.name) " " (layout::badge(ctx.t(&format!("mk-kind-{}", r.kind)), if r.kind == "association" { "blue" } else { "" }))
                        @if r.overdue { " " (layout::badge(ctx.t("mk-overdue-unread"), "red")) }
                    }
                    td data-label=(ctx.t("mk-delivered")) { (fmt_local(r.delivered_at)) }
                    td data-label=(ctx.t("mk-readers")) {
                        @if r.readers.is_empty() { span.muted { (ctx.t("mk-unread")) } }
                        @for x in &r.readers { div { (x.name) " · " (fmt_local(x.at)) } }
                    }
                    td data-label=(ctx.t("mk-acknowledged")) {
                        @if let Some(at) = r.acknowledged_at { (r.acknowledged_by.clone().unwrap_or_default()) " · " (fmt_local(at)) }
                    }
                    td data-label=(ctx.t("mk-feedback")) { (r.feedback.clone().unwrap_or_default()) }
                }
            } }
        }
    }
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let user = ctx.require(Action::ViewDocuments)?.clone();
    let now = ctx.now;
    let d: Detail = s.look(ctx, Action::ViewDocuments, move |tx, _| documents::detail(tx, &user, id, now)).await?;
    let doc = &d.document;
    let issued_on = clock::parse_date(&doc.issued_on).map(|day| day.format("%Y年%-m月%-d日").to_string());
    let err = error(retry, "feedback");
    let body = html! {
        (tabs(ctx, ""))
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href="/documents" { (ctx.t("common-back")) }
        }
        (error_banner(ctx, error(retry, "acknowledge")))
        article.gongwen {
            header { p.issuer { (doc.issuer_name) } p.number { (doc.number) } }
            h2.doc-title { (doc.title) }
            @for para in doc.body.lines().filter(|l| !l.trim().is_empty()) { p.para { (para) } }
            p.signature { (doc.issuer_name) br; (issued_on.unwrap_or_else(|| doc.issued_on.clone())) }
            p.muted { (ctx.t(&format!("mk-class-{}", doc.classification))) " · " (ctx.t("mk-read-by")) " " (doc.read_by) }
        }
        @if !d.attachments.is_empty() {
            h2 { (ctx.t("mk-attachments")) }
            ul { @for a in &d.attachments { li { a href=(format!("/api/v1/documents/attachments/{}", a.id)) { (a.filename) } " " span.muted { (a.size / 1024) " KB" } } } }
        }
        @if let Some(mine) = &d.mine {
            section.no-print {
                h2 { (ctx.t("mk-my-account")) }
                (recipient_rows(ctx, std::slice::from_ref(mine)))
                @if mine.acknowledged_at.is_none() {
                    form method="post" action=(format!("/documents/{}/acknowledge", doc.id)) {
                        (csrf_field(ctx)) button type="submit" { (ctx.t("mk-acknowledge")) }
                    }
                }
                form.stack method="post" action=(format!("/documents/{}/feedback", doc.id)) {
                    (csrf_field(ctx))
                    (error_banner(ctx, err))
                    label.field { span { (ctx.t("mk-feedback")) } textarea name="feedback" rows="3" required { (value(retry, "feedback", "feedback", mine.feedback.as_deref().unwrap_or(""))) } }
                    div { button type="submit" { (ctx.t("mk-send-feedback")) } }
                }
            }
        }
        @if !d.recipients.is_empty() {
            h2 { (ctx.t("mk-recipients")) " " span.muted { (doc.read_count) "/" (doc.recipient_count) " " (ctx.t("mk-read")) } }
            (recipient_rows(ctx, &d.recipients))
        }
        @if d.standing == "issuer" {
            form.stack.no-print method="post" action=(format!("/documents/{}/attachments", doc.id)) enctype="multipart/form-data" {
                (csrf_field(ctx))
                (error_banner(ctx, error(retry, "upload")))
                label.field { span { (ctx.t("mk-attach")) } input type="file" name="file" required; }
                div { button.secondary type="submit" { (ctx.t("mk-upload")) } }
            }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &doc.title, SECTION, body)).into_response())
}

async fn acknowledge(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form: f }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ReceiveDocuments)?.clone();
    match attempt(&s, &ctx, Action::ReceiveDocuments, "acknowledge", f, move |tx, who, _: Fields| {
        documents::acknowledge(tx, who, &user, id)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn feedback(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { ctx, form: f }: CsrfForm<Fields>,
) -> AppResult<Response> {
    let user = ctx.require(Action::ReceiveDocuments)?.clone();
    match attempt(&s, &ctx, Action::ReceiveDocuments, "feedback", f, move |tx, who, f: Fields| {
        let input = FeedbackInput { feedback: f.get("feedback").cloned().unwrap_or_default() };
        documents::feedback(tx, who, &user, id, &input)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn upload(State(s): State<AppState>, Path(id): Path<i64>, ctx: Ctx, form: Multipart) -> AppResult<Response> {
    let (mut fields, file) = crate::kernel::web::form::read_multipart(form, "file").await?;
    ctx.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
    fields.remove("_csrf");
    let user = ctx.require(Action::IssueDocuments)?.clone();
    match attempt(&s, &ctx, Action::IssueDocuments, "upload", fields, move |tx, who, _: Fields| {
        let (name, bytes) = file.ok_or_else(|| AppError::invalid("required", "file"))?;
        documents::attach(tx, who, &user, id, &name, &bytes)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn overdue_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require(Action::IssueDocuments)?.clone();
    let now = ctx.now;
    let rows = s.look(&ctx, Action::IssueDocuments, move |tx, _| documents::overdue(tx, &user, now)).await?;
    let body = html! {
        (tabs(&ctx, "/documents/overdue"))
        @if rows.is_empty() { (layout::empty_state(ctx.t("mk-no-overdue"))) }
        @else {
            table.list {
                thead { tr { th { (ctx.t("mk-title")) } th { (ctx.t("mk-number")) } th { (ctx.t("mk-recipient")) } th { (ctx.t("mk-read-by")) } th { (ctx.t("mk-reminded")) } } }
                tbody { @for r in &rows { tr {
                    td data-label=(ctx.t("mk-title")) { a href=(format!("/documents/{}", r.document_id)) { (r.title) } }
                    td data-label=(ctx.t("mk-number")) { (r.number) }
                    td data-label=(ctx.t("mk-recipient")) { (r.recipient) }
                    td data-label=(ctx.t("mk-read-by")) { (r.read_by) }
                    td data-label=(ctx.t("mk-reminded")) { (when(r.reminded_at)) }
                } } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("mk-overdue"), SECTION, body).into_response())
}

async fn figures_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::IssueDocuments)?;
    let asked = q.asked()?;
    let (from, to) = q.bounds()?;
    let now = ctx.now;
    let rows = s.look(&ctx, Action::IssueDocuments, move |tx, _| documents::figures(tx, from, to, now)).await?;
    let pct = |n: i64, of: i64| if of == 0 { 0 } else { n * 100 / of };
    let body = html! {
        (tabs(&ctx, "/documents/figures"))
        (period::chooser(&ctx, &[], asked.as_ref(), true))
        p.muted { @if let Some(p) = &asked { (period::label(&ctx, p)) " · " } (ctx.t("mk-figures-desc")) }
        table.list {
            thead { tr { th { (ctx.t("mk-recipient")) } th { (ctx.t("mk-delivered")) } th { (ctx.t("mk-read")) } th { (ctx.t("mk-acknowledged")) } th { (ctx.t("mk-overdue-unread")) } } }
            tbody { @for r in &rows { tr {
                td data-label=(ctx.t("mk-recipient")) { (r.name) " " (layout::badge(ctx.t(&format!("mk-kind-{}", r.kind)), "")) }
                td data-label=(ctx.t("mk-delivered")) { (r.delivered) }
                td data-label=(ctx.t("mk-read")) {
                    (r.read) " (" (pct(r.read, r.delivered)) "%)"
                    span.bar { span style=(format!("width:{}%", pct(r.read, r.delivered))) {} }
                }
                td data-label=(ctx.t("mk-acknowledged")) { (r.acknowledged) }
                td data-label=(ctx.t("mk-overdue-unread")) { (r.overdue) }
            } } }
        }
    };
    Ok(layout::page(&ctx, ctx.t("mk-figures"), SECTION, body).into_response())
}
