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
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx};
use crate::kernel::workflow::directives::Kind;

fn date_words(at: i64) -> String {
    clock::local_date(at).format("%Y年%-m月%-d日").to_string()
}

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
                tr { th { (ctx.t("co-deciding-leader")) } td { (leader) } th { (ctx.t("co-slip-date")) } td { (date_words(t.created_at)) } }
                tr { th { (ctx.t("co-lead-department")) } td { (t.lead_department_name) } th { (ctx.t("co-responsible")) } td { (t.assignee_name) } }
                @if !co.is_empty() { tr { th { (ctx.t("co-co-departments-2")) } td colspan="3" { (co.join("、")) } } }
                tr { th { (ctx.t("co-deadline")) } td colspan="3" { (t.deadline) } }
                tr { th { (ctx.t("co-what-is-asked")) } td colspan="3" { (t.description) } }
                tr { th { (ctx.t("k-instruction")) } td colspan="3" {
                    @for i in d.directives.iter().filter(|x| x.kind == Kind::Instruction) { p { (i.body) " —— " (i.author_name) "，" (date_words(i.created_at)) } }
                } }
                tr { th { (ctx.t("k-urge")) } td colspan="3" {
                    @for u in d.directives.iter().filter(|x| x.kind == Kind::Urge) { p { (u.number.clone().unwrap_or_default()) " " (u.body) "（" (date_words(u.created_at)) "）" } }
                } }
            }
            p.signature { (ctx.t("co-slip-issuer")) br; (date_words(t.created_at)) }
        }
    };
    Ok(layout::page(&ctx, ctx.t("co-slip-title"), Section::Of("tasks"), body).into_response())
}

/// The weekly 通报 of overdue tasks, as the 公文 filed.
pub async fn bulletin(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = s.look(&ctx, Action::ViewCoordination, move |tx, _| super::bulletins::get(tx, id)).await?;
    let body = html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href="/coordination/figures" { (ctx.t("common-back")) }
        }
        article.gongwen {
            header { p.issuer { (ctx.t("co-slip-issuer")) } p.number { (b.number) } }
            h2.doc-title { (ctx.t("co-bulletin-title")) }
            p.para { (ctx.t_args("co-bulletin-lead", &[("date", &date_words(b.issued_at)), ("count", &b.tasks.len().to_string())])) }
            table.slip {
                tr { th { (ctx.t("co-bulletin-no")) } th { (ctx.t("co-task")) } th { (ctx.t("co-lead-department")) } th { (ctx.t("co-responsible")) } th { (ctx.t("co-deadline")) } th { (ctx.t("co-bulletin-overdue")) } }
                @for (i, t) in b.tasks.iter().enumerate() {
                    tr { td { (i + 1) } td { a href=(format!("/tasks/{}", t.task_id)) { (t.title) } } td { (t.department) } td { (t.person) } td { (t.deadline) } td { (t.working_days_overdue) } }
                }
            }
            p.para { (ctx.t("co-bulletin-ask")) }
            p.signature { (ctx.t("co-slip-issuer")) br; (date_words(b.issued_at)) }
        }
    };
    Ok(layout::page(&ctx, &b.number, Section::Of("matters"), body).into_response())
}
