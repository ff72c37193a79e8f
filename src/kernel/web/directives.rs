//! The 批示 and 催办 on a record's page: the count of 催办, each one with its answers, and
//! the forms to give them for those the process file allows.

use maud::{Markup, html};

use super::Ctx;
use super::form::{Retry, error, value};
use super::layout::{self, Pick, csrf_field, error_banner};
use crate::kernel::clock;
use crate::kernel::workflow::directives::{Directive, Kind, May};

/// One directive in a list: kind, author, date, a link to its page and its text.
pub fn line(ctx: &Ctx, d: &Directive) -> Markup {
    let kind = match d.kind {
        Kind::Urge => layout::badge(ctx.t("k-urge"), "yellow"),
        Kind::Instruction => layout::badge(ctx.t("k-instruction"), "blue"),
    };
    let name = d.number.clone().unwrap_or_else(|| ctx.t("k-instruction-document").to_owned());
    html! { (kind) " " strong { (d.author_name) } " · " (clock::fmt_local(d.created_at)) " · " a href=(format!("/directives/{}", d.id)) { (name) } " — " (d.body) }
}

/// The record's directives and, for those who may, the forms posting to `action`.
pub fn section(ctx: &Ctx, list: &[Directive], may: May, action: &str, retry: Option<&Retry>) -> Markup {
    let urged = list.iter().filter(|d| d.kind == Kind::Urge).count();
    let form = "directive";
    if list.is_empty() && !may.instruct && !may.urge {
        return html! {};
    }
    html! {
        h2 { (ctx.t("k-instructions-and-urging")) @if urged > 0 { " " (layout::badge(&ctx.t_args("k-urged-times", &[("count", &urged.to_string())]), "yellow")) } }
        @if !list.is_empty() {
            ul.directives { @for d in list { li {
                (line(ctx, d))
                ul { @for r in &d.recipients { li.muted {
                    (ctx.t("k-addressed-to")) " " (r.name) "："
                    @match &r.answer { Some(a) => { (ctx.t("k-answered")) " — " (a) } None => { (ctx.t("k-awaiting-answer")) } }
                } } }
            } } }
        }
        @if may.instruct || may.urge {
            details.panel open[error(retry, form).is_some()] {
                summary { @if may.instruct { (ctx.t("k-give-instruction")) } @if may.instruct && may.urge { " / " } @if may.urge { (ctx.t("k-give-urge")) } }
                form.stack method="post" action=(action) {
                    (csrf_field(ctx))
                    (error_banner(ctx, error(retry, form)))
                    fieldset.choices { legend { (ctx.t("common-kind")) }
                        @if may.instruct { label { input type="radio" name="kind" value="instruction" checked[value(retry, form, "kind", "instruction") == "instruction" || !may.urge]; " " (ctx.t("k-instruction")) } }
                        @if may.urge { label { input type="radio" name="kind" value="urge" checked[value(retry, form, "kind", "") == "urge" || !may.instruct]; " " (ctx.t("k-urge")) } }
                    }
                    label.field { span { (ctx.t("k-instruction-text")) } textarea name="body" rows="3" required { (value(retry, form, "body", "")) } }
                    @if may.instruct {
                        (layout::picker_field(ctx, "also_user_id", ctx.t("k-also-to"), &[], "", None,
                            &Pick { required: false, ..Pick::PERSON }))
                    }
                    div { button type="submit" { (ctx.t("k-send")) } }
                }
            }
        }
    }
}
