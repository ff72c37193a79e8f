//! The public page of adopted support packages: each measure, its department, its
//! deadline and whether it was delivered on time; confidential measures are withheld.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;

use super::packages;
use crate::kernel::clock;
use crate::kernel::error::AppResult;
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx};

pub fn router() -> Router<AppState> {
    Router::new().route("/support", get(page))
}

async fn page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "support")?;
    let now = ctx.now;
    let list = s.db.read(move |tx| packages::public(tx, now)).await?;
    let today = clock::local_date(now).to_string();
    let body = html! {
        p.muted { (ctx.t("idea-public-desc")) }
        @if list.is_empty() { (layout::empty_state(ctx.t("idea-no-packages"))) }
        @for p in &list {
            section.card {
                h2 { (p.title) }
                p.muted { (ctx.t(&format!("idea-package-{}", p.kind))) " · " (p.industry) " · " (p.department_name) " · " (ctx.t("idea-approved-at")) " " (p.approved_on) }
                table.data { thead { tr { th { (ctx.t("idea-measure")) } th { (ctx.t("idea-measure-department")) } th { (ctx.t("idea-measure-deadline")) } th { (ctx.t("idea-delivery")) } } }
                    tbody { @for m in &p.measures { tr {
                        td data-label=(ctx.t("idea-measure")) { @match &m.content { Some(c) => { (c) } None => { span.muted { (ctx.t("idea-withheld")) } } } }
                        td data-label=(ctx.t("idea-measure-department")) { (m.department_name) }
                        td data-label=(ctx.t("idea-measure-deadline")) { (m.deadline) }
                        td data-label=(ctx.t("idea-delivery")) {
                            @let tone = match packages::delivery(&m.deadline, m.delivered_on.as_deref(), &today) { "on_time" => "green", "late" | "overdue" => "red", _ => "" };
                            (layout::badge(ctx.t(&format!("idea-delivery-{}", m.delivery)), tone))
                            @if let Some(d) = &m.delivered_on { " " span.muted { (d) } }
                        }
                    } } } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("idea-public"), Section::Of("support"), body).into_response())
}
