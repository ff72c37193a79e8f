//! The pages of a spreadsheet import: the upload form with the columns it reads and a
//! template to fill in, and the preview with each row's check, confirmed in one step.

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::Ctx;
use super::form::{Fields, is_fixable, read_multipart};
use super::layout::{self, Section, csrf_field};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::{self, Column, Report, Row};

/// An import endpoint's query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and keep nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// An import's report as the API answers it: 422 when any row failed (nothing was kept).
pub fn api_answer(report: Report) -> Response {
    let status = if report.failed > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, axum::Json(report)).into_response()
}

/// One import's pages: where they are and what they read.
pub struct Importer<'a> {
    /// The title's translation key.
    pub title: &'static str,
    /// What to put in the spreadsheet, in words (a translation key).
    pub hint: &'static str,
    pub columns: &'a [Column],
    /// The upload form's address; the confirmation posts to `{base}/confirm` and the
    /// template is `{base}/template.xlsx`.
    pub base: String,
    /// Where an imported record's page is, before its id.
    pub record_page: &'static str,
    pub back: String,
    pub section: Section,
}

impl Importer<'_> {
    fn page(&self, ctx: &Ctx, status: StatusCode, body: Markup) -> Response {
        let body = html! { (body) p { a href=(self.back) { (ctx.t("common-back")) } } };
        (status, layout::page(ctx, ctx.t(self.title), self.section, body)).into_response()
    }

    fn form(&self, ctx: &Ctx) -> Markup {
        upload(ctx, &self.base, &format!("{}/template.xlsx", self.base), self.columns)
    }

    /// The upload form with what to put in the file.
    pub fn form_page(&self, ctx: &Ctx) -> Response {
        self.page(ctx, StatusCode::OK, html! { p.muted { (ctx.t(self.hint)) } (self.form(ctx)) })
    }

    /// The rows of an uploaded file (the form's CSRF token checked), or why they cannot
    /// be read.
    pub async fn uploaded(&self, ctx: &Ctx, form: Multipart) -> AppResult<AppResult<Vec<Row>>> {
        let (fields, file) = read_multipart(form, "file").await?;
        ctx.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
        Ok(file.ok_or_else(|| AppError::invalid("required", "file")).and_then(|(_, b)| import::read(&b, self.columns)))
    }

    /// The rows a preview's confirmation sends back (checked again as they are imported).
    pub fn confirmed(form: &Fields) -> AppResult<Vec<Row>> {
        serde_json::from_str(form.get("rows").map_or("", String::as_str))
            .map_err(|_| AppError::BadRequest { code: "bad_form", detail: None })
    }

    /// The preview or the outcome; a file that could not be read, with the form again.
    pub fn outcome(&self, ctx: &Ctx, report: AppResult<Report>) -> AppResult<Response> {
        match report {
            Ok(report) => {
                let status = if report.failed > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
                let shown = preview(ctx, &report, self.columns, &format!("{}/confirm", self.base), self.record_page);
                let again = report.failed > 0;
                Ok(self.page(ctx, status, html! { (shown) @if again { (self.form(ctx)) } }))
            }
            Err(e) if is_fixable(&e) => {
                Ok(self.page(ctx, e.status(), html! { (layout::error_banner(ctx, Some(&e))) (self.form(ctx)) }))
            }
            Err(e) => Err(e),
        }
    }
}

/// The template: the columns' headings and one example row.
pub fn template(name: &str, columns: &[Column], example: &[&str]) -> AppResult<Response> {
    let headings: Vec<String> = columns
        .iter()
        .map(|c| if c.required { format!("* {}", c.headings[0]) } else { c.headings[0].to_owned() })
        .collect();
    let headings: Vec<&str> = headings.iter().map(String::as_str).collect();
    super::list::xlsx_response(name, &headings, vec![example.iter().map(|s| (*s).to_owned()).collect()])
}

/// The upload form, posting the file to `action`.
pub fn upload(ctx: &Ctx, action: &str, template_href: &str, columns: &[Column]) -> Markup {
    html! {
        p { (ctx.t("k-import-columns")) " "
            @for (i, c) in columns.iter().enumerate() {
                @if i > 0 { "、" }
                @if c.required { "* " } (c.headings[0])
            }
        }
        p.muted { (ctx.t("k-import-all-or-nothing")) " " a href=(template_href) { (ctx.t("k-import-template")) } }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            (csrf_field(ctx))
            label.field { span { (ctx.t("k-import-file")) }
                input type="file" name="file" required accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"; }
            button type="submit" { (ctx.t("k-import-preview")) }
        }
    }
}

/// The preview (or the outcome) of an import: every row with its check; when all rows
/// pass a preview, a button posts them to `confirm` to be imported.
pub fn preview(ctx: &Ctx, report: &Report, columns: &[Column], confirm: &str, record_page: &str) -> Markup {
    let rows: Vec<Row> = report.rows.iter().map(|r| Row { line: r.line, values: r.values.clone() }).collect();
    let data = serde_json::to_string(&rows).unwrap_or_default();
    html! {
        @if report.failed > 0 {
            div.alert role="alert" { (ctx.t_args("k-import-has-errors", &[("count", &report.failed.to_string())])) }
        } @else if report.dry_run {
            form.stack method="post" action=(confirm) {
                (csrf_field(ctx))
                input type="hidden" name="rows" value=(data);
                button type="submit" { (ctx.t_args("k-import-confirm", &[("count", &report.rows.len().to_string())])) }
            }
        } @else {
            div.notice.done role="status" { (ctx.t_args("k-import-done", &[("count", &report.imported.to_string())])) }
        }
        div.table-wrap { table {
            thead { tr {
                th { (ctx.t("k-import-line")) }
                @for c in columns { th { (c.headings[0]) } }
                th { (ctx.t("k-import-result")) }
            } }
            tbody { @for r in &report.rows {
                tr.error[r.error.is_some()] {
                    td { (r.line) }
                    @for c in columns { td { (r.values.get(c.key).map_or("", String::as_str)) } }
                    td {
                        @if let Some(e) = &r.error { span.error { (e.message) } }
                        @else if let Some(id) = r.id { a href=(format!("{record_page}{id}")) { (ctx.t("k-import-made")) } }
                        @else { (ctx.t("k-import-ok")) }
                    }
                }
            } }
        } }
    }
}
