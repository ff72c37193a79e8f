//! Every process's event log as one object-centric log, OCEL 2.0 JSON: each record is an
//! object of its kind, each transition an event of that object, and the links between
//! records (a lead handed over as a task, a task of a matter, an idea supported by a
//! package) are the objects' relationships — what a log of one case type loses. Written
//! piece by piece so that a city's year streams in constant memory: the types, then the
//! objects kind by kind, then the events kind by kind.

use serde_json::{Value, json};

use super::{Resources, Scope, Trace};
use crate::kernel::clock::rfc3339;
use crate::kernel::db::{Tx, Where};
use crate::kernel::error::AppResult;
use crate::kernel::workflow::Spec;

/// A record's object id, the same as its case id in the XES log.
pub fn object_id(kind: &str, record: i64) -> String {
    format!("{kind}-{record}")
}

/// The log's opening: the object types (the process kinds) and the event types (every
/// transition of any kind), up to the start of the objects.
pub fn head(kinds: &[&str], activities: &[String]) -> String {
    let object_types: Vec<Value> =
        kinds.iter().map(|k| json!({ "name": k, "attributes": [{ "name": "state", "type": "string" }] })).collect();
    let event_types: Vec<Value> = activities
        .iter()
        .map(|a| {
            json!({ "name": a, "attributes": [
                { "name": "resource", "type": "string" },
                { "name": "role", "type": "string" },
                { "name": "department", "type": "string" },
            ] })
        })
        .collect();
    format!(
        "{{\"objectTypes\":{},\"eventTypes\":{},\"objects\":[\n",
        Value::Array(object_types),
        Value::Array(event_types)
    )
}

/// Between the objects and the events.
pub const BETWEEN: &str = "\n],\"events\":[\n";
pub const TAIL: &str = "\n]}\n";

/// Every activity any record of `specs` went through, and every declared one.
pub fn activities(tx: &mut Tx<'_>, declared: &[String]) -> AppResult<Vec<String>> {
    let mut all: Vec<String> = declared.to_vec();
    for r in tx.query("SELECT DISTINCT transition FROM workflow_events", &[])? {
        all.push(r.text(0)?);
    }
    all.sort();
    all.dedup();
    Ok(all)
}

/// The links of the records `traces` (a page of kind `spec`, ids ascending) to records
/// the same export holds: created in `[from, to)` and within `scope`'s sight.
pub fn links(
    tx: &mut Tx<'_>,
    traces: &[Trace],
    scope: &Scope,
    targets: &dyn Fn(&str) -> Option<(&'static Spec, Scope)>,
    from: i64,
    to: i64,
) -> AppResult<Vec<(i64, Value)>> {
    let (Some(first), Some(last), Some(facets)) = (traces.first(), traces.last(), scope.facets) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for link in facets.links {
        let Some((target, target_scope)) = targets(link.to) else { continue };
        let mut w = Where::default();
        w.and("l.source >= ?", first.record).and("l.source <= ?", last.record);
        w.and("r.created_at >= ?", from).and("r.created_at < ?", to);
        target_scope.restrict(&mut w);
        let sql = format!(
            "SELECT l.source, l.target FROM ({}) l JOIN {} r ON r.id = l.target{} ORDER BY l.source, l.target",
            link.sql, target.table, w.sql
        );
        for r in tx.query(&sql, &w.args)? {
            let relationship = json!({ "objectId": object_id(target.kind, r.int(1)?), "qualifier": link.qualifier });
            out.push((r.int(0)?, relationship));
        }
    }
    Ok(out)
}

/// The objects of `traces`, each with its links, comma-separated; `first` says whether
/// nothing has been written before in the array.
pub fn objects(kind: &str, traces: &[Trace], links: &[(i64, Value)], first: &mut bool) -> String {
    let mut out = String::new();
    for t in traces {
        let relationships: Vec<&Value> = links.iter().filter(|(s, _)| *s == t.record).map(|(_, v)| v).collect();
        let object = json!({
            "id": object_id(kind, t.record),
            "type": kind,
            "attributes": [{ "name": "state", "time": rfc3339(t.created_at), "value": t.state }],
            "relationships": relationships,
        });
        separate(&mut out, first);
        out.push_str(&object.to_string());
    }
    out
}

/// The events of `traces`, each related to its record, comma-separated.
pub fn events(kind: &str, traces: &[Trace], resources: &Resources, first: &mut bool) -> String {
    let mut out = String::new();
    for t in traces {
        for (n, s) in t.steps.iter().enumerate() {
            let event = json!({
                "id": format!("{}-{}", object_id(kind, t.record), n + 1),
                "type": s.transition,
                "time": rfc3339(s.at),
                "attributes": [
                    { "name": "resource", "value": resources.name(s) },
                    { "name": "role", "value": s.role },
                    { "name": "department", "value": s.department },
                ],
                "relationships": [{ "objectId": object_id(kind, t.record), "qualifier": kind }],
            });
            separate(&mut out, first);
            out.push_str(&event.to_string());
        }
    }
    out
}

fn separate(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push_str(",\n");
    }
}
