//! A bulletin of overdue records as the 公文 filed: issuer, number, title, the records in
//! a table, what is asked of the units, and the date; it prints on A4.

use maud::{Markup, html};

use super::Ctx;
use crate::kernel::clock;
use crate::kernel::workflow::bulletins::Bulletin;

/// The words a series' document uses (translation keys).
pub struct Words {
    pub issuer: &'static str,
    pub title: &'static str,
    /// With `date` and `count`.
    pub lead: &'static str,
    pub record: &'static str,
    pub unit: &'static str,
    /// None where records have no one person responsible (leads go to a unit).
    pub person: Option<&'static str>,
    pub ask: &'static str,
}

/// The document; each record links to `record_page` followed by its id, and the page's
/// back button goes to `back`.
pub fn document(ctx: &Ctx, b: &Bulletin, words: &Words, record_page: &str, back: &str) -> Markup {
    html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("k-print")) }
            a.button.secondary href=(back) { (ctx.t("common-back")) }
        }
        article.gongwen {
            header { p.issuer { (ctx.t(words.issuer)) } p.number { (b.number) } }
            h2.doc-title { (ctx.t(words.title)) }
            p.para { (ctx.t_args(words.lead, &[("date", &clock::date_words(b.issued_at)), ("count", &b.items.len().to_string())])) }
            table.slip {
                tr { th { (ctx.t("k-bulletin-no")) } th { (ctx.t(words.record)) } th { (ctx.t(words.unit)) } @if let Some(p) = words.person { th { (ctx.t(p)) } } th { (ctx.t("k-bulletin-deadline")) } th { (ctx.t("k-bulletin-overdue")) } }
                @for (i, t) in b.items.iter().enumerate() {
                    tr { td { (i + 1) } td { a href=(format!("{record_page}{}", t.record_id)) { (t.title) } } td { (t.unit) } @if words.person.is_some() { td { (t.person) } } td { (t.deadline) } td { (t.working_days_overdue) } }
                }
            }
            p.para { (ctx.t(words.ask)) }
            p.signature { (ctx.t(words.issuer)) br; (clock::date_words(b.issued_at)) }
        }
    }
}
