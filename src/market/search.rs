//! Documents as the search index sees them: found by number, title and body, by the
//! issuing department's and receiving accounts' people and by leaders; public documents
//! by everyone inside government.

use crate::kernel::access::{Visibility, record_search_keys};
use crate::kernel::db::{Tx, Value, id_list};
use crate::kernel::error::AppResult;
use crate::kernel::search::{SearchDoc, Source};
use crate::params;

pub static SOURCE: Source = Source {
    kind: "document",
    label: "mk-search-kind-document",
    load: |tx, ids| documents(tx, &format!("WHERE d.id IN ({})", id_list(ids)), &[]),
    load_after: |tx, after, limit| {
        documents(tx, "WHERE d.id > $1 ORDER BY d.id LIMIT $2", params![after, limit as i64])
    },
    facet: None,
    link: |id| format!("/documents/{id}"),
};

fn documents(tx: &mut Tx<'_>, rest: &str, args: &[Value]) -> AppResult<Vec<SearchDoc>> {
    let sql = format!(
        "SELECT d.id, d.number, d.title, d.body, d.classification, d.issuer_department_id, d.created_at FROM documents d {rest}"
    );
    let rows = tx.query(&sql, args)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (id, issuer) = (r.int(0)?, r.int(5)?);
        let visibility = if r.text(4)? == "public" { Visibility::Internal } else { Visibility::Confidential };
        let mut access = record_search_keys(visibility, Some(issuer), &super::documents::reader_accounts(tx, id)?);
        for d in super::documents::receiving_departments(tx, id)? {
            access.push(format!("dept:{d}"));
        }
        out.push(SearchDoc {
            kind: "document",
            id,
            title: format!("{} {}", r.text(1)?, r.text(2)?),
            body: r.text(3)?,
            state: r.text(4)?,
            facet: String::new(),
            department_id: Some(issuer),
            access,
            created_at: r.int(6)?,
        });
    }
    Ok(out)
}
