//! Projects as the search index sees them: found by their title, enterprise, sector,
//! district, event and platform, by everyone inside government (as the project pages are).

use crate::kernel::access::{Visibility, record_search_keys};
use crate::kernel::db::{Tx, Value, id_list};
use crate::kernel::error::AppResult;
use crate::kernel::search::{SearchDoc, Source};
use crate::params;

pub static SOURCE: Source = Source {
    kind: "project",
    label: "inv-search-kind-project",
    load: |tx, ids| projects(tx, &format!("WHERE p.id IN ({})", id_list(ids)), &[]),
    load_after: |tx, after, limit| projects(tx, "WHERE p.id > $1 ORDER BY p.id LIMIT $2", params![after, limit as i64]),
    facet: None,
    link: |id| format!("/investment/projects/{id}"),
};

fn projects(tx: &mut Tx<'_>, rest: &str, args: &[Value]) -> AppResult<Vec<SearchDoc>> {
    let sql = format!(
        "SELECT p.id, p.title, e.name, p.sector, p.district, COALESCE(ev.name, ''), COALESCE(pl.name, ''), p.state, \
         p.department_id, p.responsible_id, p.created_at FROM projects p JOIN enterprises e ON e.id = p.enterprise_id \
         LEFT JOIN events ev ON ev.id = p.event_id LEFT JOIN platforms pl ON pl.id = p.platform_id {rest}"
    );
    tx.query(&sql, args)?
        .iter()
        .map(|r| {
            let department = r.int(8)?;
            Ok(SearchDoc {
                kind: "project",
                id: r.int(0)?,
                title: r.text(1)?,
                body: format!("{}\n{} {}\n{} {}", r.text(2)?, r.text(3)?, r.text(4)?, r.text(5)?, r.text(6)?),
                state: r.text(7)?,
                facet: String::new(),
                department_id: Some(department),
                access: record_search_keys(Visibility::Internal, Some(department), &[r.int(9)?]),
                created_at: r.int(10)?,
            })
        })
        .collect()
}
