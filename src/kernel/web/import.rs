//! The pages of a spreadsheet import: the upload form with the columns it reads and a
//! template to fill in, and the preview with each row's check, confirmed in one step.

use axum::response::Response;
use maud::{Markup, html};

use super::Ctx;
use super::layout::csrf_field;
use crate::kernel::error::AppResult;
use crate::kernel::import::{Column, Report, Row};

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
