//! Documents that print on A4: the 交办单 (a task as the assignment slip officials file —
//! what is asked, of whom, by when, on whose decision, with the leaders' 批示 and the 催办
//! it received) and the weekly 通报 of overdue tasks.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::api::detail;
use super::tasks::View;
use crate::kernel::access::Action;
use crate::kernel::clock;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::bulletin::{self, Words};
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx};
use crate::kernel::workflow::directives::Kind;

pub async fn print(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = View::of(&s, ctx.now)?;
    let (d, leader) = s
        .look(&ctx, Action::ViewCoordination, move |tx, u| {
            let d = detail(tx, u.ok_or(AppError::Unauthenticated)?, id, &v)?;
            let leader = tx
                .query_opt("SELECT display_name FROM users WHERE id = $1", crate::params![d.task.leader_id])?
                .map(|r| r.text(0))
                .transpose()?
                .unwrap_or_default();
            Ok((d, leader))
        })
        .await?;
    let t = &d.task;
    let co: Vec<&str> = t.co_departments.iter().map(|(_, n)| n.as_str()).collect();
    let body = html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href=(format!("/tasks/{}", t.id)) { (ctx.t("common-back")) }
        }
        article.gongwen {
            header { p.issuer { (ctx.t("co-slip-issuer")) } p.number { (ctx.t_args("co-slip-number", &[("id", &t.id.to_string())])) } }
            h2.doc-title { (ctx.t("co-slip-title")) }
            table.slip {
                tr { th { (ctx.t("co-matter-2")) } td colspan="3" { (t.matter_title) } }
                tr { th { (ctx.t("co-task")) } td colspan="3" { (t.title) } }
                tr { th { (ctx.t("co-deciding-leader")) } td { (leader) } th { (ctx.t("co-slip-date")) } td { (clock::date_words(t.created_at)) } }
                tr { th { (ctx.t("co-lead-department")) } td { (t.lead_department_name) } th { (ctx.t("co-responsible")) } td { (t.assignee_name) } }
                @if !co.is_empty() { tr { th { (ctx.t("co-co-departments-2")) } td colspan="3" { (co.join("、")) } } }
                tr { th { (ctx.t("co-deadline")) } td colspan="3" { (t.deadline) } }
                tr { th { (ctx.t("co-what-is-asked")) } td colspan="3" { (t.description) } }
                tr { th { (ctx.t("k-instruction")) } td colspan="3" {
                    @for i in d.directives.iter().filter(|x| x.kind == Kind::Instruction) { p { (i.body) " —— " (i.author_name) "，" (clock::date_words(i.created_at)) } }
                } }
                tr { th { (ctx.t("k-urge")) } td colspan="3" {
                    @for u in d.directives.iter().filter(|x| x.kind == Kind::Urge) { p { (u.number.clone().unwrap_or_default()) " " (u.body) "（" (clock::date_words(u.created_at)) "）" } }
                } }
            }
            p.signature { (ctx.t("co-slip-issuer")) br; (clock::date_words(t.created_at)) }
        }
    };
    Ok(layout::page(&ctx, ctx.t("co-slip-title"), Section::Of("tasks"), body).into_response())
}

/// The weekly 通报 of overdue tasks, as the 公文 filed.
pub async fn bulletin(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = s
        .look(&ctx, Action::ViewCoordination, move |tx, _| {
            crate::kernel::workflow::bulletins::get(tx, &super::bulletins::SERIES, id)
        })
        .await?;
    let words = Words {
        issuer: "co-slip-issuer",
        title: "co-bulletin-title",
        lead: "co-bulletin-lead",
        record: "co-task",
        unit: "co-lead-department",
        person: Some("co-responsible"),
        ask: "co-bulletin-ask",
    };
    let body = bulletin::document(&ctx, &b, &words, "/tasks/", "/coordination/figures");
    Ok(layout::page(&ctx, &b.number, Section::Of("matters"), body).into_response())
}
