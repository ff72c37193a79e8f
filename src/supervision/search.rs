//! Leads as the search index sees them: category and place as the title, the report and
//! the published outcome as the text; found by those [`super::sight`] lets see them.

use crate::kernel::access::Visibility;
use crate::kernel::db::{Row, Tx, id_list};
use crate::kernel::error::AppResult;
use crate::kernel::search::{Facet, SearchDoc, Source};
use crate::params;

pub static SOURCE: Source = Source {
    kind: "lead",
    label: "search-kind-lead",
    load,
    load_after,
    link: |id| format!("/supervision/leads/{id}"),
    facet: Some(&CHANNEL),
};

static CHANNEL: Facet = Facet { label: "sv-facet-channel", values: &super::CHANNELS, names: "sv-channel-" };

const SELECT: &str = "SELECT l.id, c.name, l.address, l.description, l.outcome, l.state, l.channel, \
    l.unit_department_id, l.created_at, l.to_discipline, l.visibility FROM leads l JOIN lead_categories c ON c.code = l.category_code";

fn doc(r: &Row) -> AppResult<SearchDoc> {
    let (category, address) = (r.text(1)?, r.text(2)?);
    let unit = r.opt_int(7)?;
    let channel = r.text(6)?;
    let seen = super::sight::Seen {
        channel: &channel,
        unit,
        to_discipline: r.bool(9)?,
        visibility: Visibility::parse(&r.text(10)?).unwrap_or(Visibility::Confidential),
    };
    let access = super::sight::search_keys(&seen);
    Ok(SearchDoc {
        kind: "lead",
        id: r.int(0)?,
        title: if address.is_empty() { category } else { format!("{category} · {address}") },
        body: format!("{}\n{}", r.text(3)?, r.text(4)?),
        state: r.text(5)?,
        facet: channel.clone(),
        department_id: unit,
        access,
        created_at: r.int(8)?,
    })
}

fn load(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    tx.query(&format!("{SELECT} WHERE l.id IN ({})", id_list(ids)), &[])?.iter().map(doc).collect()
}

fn load_after(tx: &mut Tx<'_>, after: i64, limit: usize) -> AppResult<Vec<SearchDoc>> {
    let sql = format!("{SELECT} WHERE l.id > $1 ORDER BY l.id LIMIT $2");
    tx.query(&sql, params![after, limit as i64])?.iter().map(doc).collect()
}
