//! Matters and tasks as the search index sees them. A task is found by whoever may see
//! its matter, and by the people involved; a matter also by its tasks' assignees.

use std::collections::HashMap;

use crate::kernel::access::{Visibility, record_search_keys};
use crate::kernel::db::{Row, Tx, id_list};
use crate::kernel::error::AppResult;
use crate::kernel::search::{SearchDoc, Source};
use crate::params;

pub static MATTERS: Source = Source {
    kind: "matter",
    label: "search-kind-matter",
    load: |tx, ids| matters(tx, &format!("WHERE m.id IN ({})", id_list(ids)), &[]),
    load_after: |tx, after, limit| matters(tx, "WHERE m.id > $1 ORDER BY m.id LIMIT $2", params![after, limit as i64]),
    facet: None,
    link: |id| format!("/matters/{id}"),
};

pub static TASKS: Source = Source {
    kind: "task",
    label: "search-kind-task",
    load: |tx, ids| tasks(tx, &format!("WHERE t.id IN ({})", id_list(ids)), &[]),
    load_after: |tx, after, limit| tasks(tx, "WHERE t.id > $1 ORDER BY t.id LIMIT $2", params![after, limit as i64]),
    facet: None,
    link: |id| format!("/tasks/{id}"),
};

fn visibility(r: &Row, i: usize) -> AppResult<Visibility> {
    Ok(Visibility::parse(&r.text(i)?).unwrap_or(Visibility::Confidential))
}

fn matters(tx: &mut Tx<'_>, rest: &str, args: &[crate::kernel::db::Value]) -> AppResult<Vec<SearchDoc>> {
    let sql = format!(
        "SELECT m.id, m.title, m.description, m.kickoff_decisions, m.state, m.visibility, m.department_id, \
         m.leader_id, m.opened_by, m.created_at FROM matters m {rest}"
    );
    let rows = tx.query(&sql, args)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.int(0)).collect::<Result<_, _>>()?;
    let mut assignees: HashMap<i64, Vec<i64>> = HashMap::new();
    let sql = format!("SELECT DISTINCT matter_id, assignee_id FROM tasks WHERE matter_id IN ({})", id_list(&ids));
    for r in tx.query(&sql, &[])? {
        assignees.entry(r.int(0)?).or_default().push(r.int(1)?);
    }
    rows.iter()
        .map(|r| {
            let id = r.int(0)?;
            let dept = r.opt_int(6)?;
            let mut involved = vec![r.int(7)?, r.int(8)?];
            involved.extend(assignees.remove(&id).unwrap_or_default());
            Ok(SearchDoc {
                kind: "matter",
                id,
                title: r.text(1)?,
                body: format!("{}\n{}", r.text(2)?, r.text(3)?),
                state: r.text(4)?,
                facet: String::new(),
                department_id: dept,
                access: record_search_keys(visibility(r, 5)?, dept, &involved),
                created_at: r.int(9)?,
            })
        })
        .collect()
}

fn tasks(tx: &mut Tx<'_>, rest: &str, args: &[crate::kernel::db::Value]) -> AppResult<Vec<SearchDoc>> {
    let sql = format!(
        "SELECT t.id, t.title, t.description, m.title, t.state, t.lead_department_id, m.visibility, m.department_id, \
         t.assignee_id, m.leader_id, m.opened_by, t.created_at FROM tasks t JOIN matters m ON m.id = t.matter_id {rest}"
    );
    tx.query(&sql, args)?
        .iter()
        .map(|r| {
            Ok(SearchDoc {
                kind: "task",
                id: r.int(0)?,
                title: r.text(1)?,
                body: format!("{}\n{}", r.text(2)?, r.text(3)?),
                state: r.text(4)?,
                facet: String::new(),
                department_id: Some(r.int(5)?),
                access: record_search_keys(visibility(r, 6)?, r.opt_int(7)?, &[r.int(8)?, r.int(9)?, r.int(10)?]),
                created_at: r.int(11)?,
            })
        })
        .collect()
}
