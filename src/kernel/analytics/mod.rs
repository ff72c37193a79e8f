//! Process analytics from the workflow event log (流程再造, measured): for one kind of
//! record, the flow its records actually took (a directly-follows graph of states), how
//! long they waited in each state (in calendar hours and in working hours on the official
//! calendar), the distinct paths (variants) with their rework loops, and the moves the
//! declared process does not allow. Every transition of every process is already in
//! `workflow_events`, so every mechanism's process is covered without its own code.

pub mod bpmn;
pub mod ocel;
pub mod scope;
pub mod versions;
pub mod xes;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::calendar::WorkCalendar;
use super::clock::{local_date, start_of_day_ms};
use super::db::{Tx, Where};
use super::error::AppResult;
use super::settings::Setting;
use super::workflow::{Process, Spec};
pub use scope::{Facets, Link, Scope};

/// The working day the durations are counted in: 09:00–17:00 China time on the official
/// calendar's working days.
const DAY_STARTS_MS: i64 = 9 * 3_600_000;
const WORKING_DAY_MS: i64 = 8 * 3_600_000;
const HOUR_MS: f64 = 3_600_000.0;

/// One transition of one record, with who made it as a role and a department (never a
/// person) and when the record came into the state it left.
#[derive(Debug, Clone)]
pub struct Step {
    pub transition: String,
    pub from: String,
    pub to: String,
    pub at: i64,
    pub since: i64,
    /// The account that made it (0: the system), for pseudonyms.
    pub actor: i64,
    pub role: String,
    pub department: String,
}

/// The steps of one record, in order.
#[derive(Debug, Clone)]
pub struct Trace {
    pub record: i64,
    pub created_at: i64,
    pub state: String,
    /// The day it was due (`YYYY-MM-DD`), where its kind keeps a deadline.
    pub deadline: Option<String>,
    pub steps: Vec<Step>,
}

/// Records created in `[from, to)` (ms) within `scope`, with their steps.
pub fn traces(tx: &mut Tx<'_>, spec: &Spec, scope: &Scope, from: i64, to: i64) -> AppResult<Vec<Trace>> {
    traces_after(tx, spec, scope, from, to, 0, i64::MAX)
}

/// Up to `limit` of those records, with ids above `after`: a page of a streamed export.
pub fn traces_after(
    tx: &mut Tx<'_>,
    spec: &Spec,
    scope: &Scope,
    from: i64,
    to: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<Trace>> {
    let mut w = Where::default();
    w.and("r.created_at >= ?", from).and("r.created_at < ?", to).and("r.id > ?", after);
    scope.restrict(&mut w);
    let kind = w.push(spec.kind);
    let sql = format!(
        "SELECT r.id, r.created_at, r.state, {deadline} AS deadline, e.transition, e.from_state, e.to_state, e.at, \
         COALESCE(e.actor_id, 0) AS actor, COALESCE(u.role, '') AS role, COALESCE(d.code, '') AS department \
         FROM {table} r LEFT JOIN workflow_events e ON e.kind = {kind} AND e.record_id = r.id \
         LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN departments d ON d.id = u.department_id \
         WHERE r.id IN (SELECT r.id FROM {table} r{filter} ORDER BY r.id LIMIT {limit}) ORDER BY r.id, e.id",
        table = spec.table,
        deadline = spec.deadlines.map_or("CAST(NULL AS TEXT)".to_owned(), |d| format!("r.{}", d.deadline)),
        filter = w.sql
    );
    let mut out: Vec<Trace> = Vec::new();
    for r in tx.query(&sql, &w.args)? {
        let record = r.int("id")?;
        if out.last().is_none_or(|t| t.record != record) {
            out.push(Trace {
                record,
                created_at: r.int("created_at")?,
                state: r.text("state")?,
                deadline: r.opt_text("deadline")?,
                steps: Vec::new(),
            });
        }
        let Some(transition) = r.opt_text("transition")? else { continue };
        if let Some(trace) = out.last_mut() {
            let since = trace.steps.last().map_or(trace.created_at, |s| s.at);
            trace.steps.push(Step {
                transition,
                from: r.text("from_state")?,
                to: r.text("to_state")?,
                at: r.int("at")?,
                since,
                actor: r.int("actor")?,
                role: r.text("role")?,
                department: r.text("department")?,
            });
        }
    }
    Ok(out)
}

/// How exported logs name who made a step: 0, the role and department (no person); 1, a
/// stable pseudonym per person, for handover analyses, that nobody without the database's
/// salt can trace back.
pub const RESOURCE_DETAIL: Setting =
    Setting { key: "analytics.resource_detail", default: 0, min: 0, max: 1, meaning: "k-setting-resource-detail" };

/// The resource names of an export, as the setting asks.
#[derive(Debug, Clone)]
pub enum Resources {
    RoleAndDepartment,
    Pseudonyms { salt: String },
}

impl Resources {
    pub fn load(tx: &mut Tx<'_>) -> AppResult<Resources> {
        Ok(match super::settings::get(tx, &RESOURCE_DETAIL)? {
            1 => Resources::Pseudonyms { salt: super::crypto::pseudonym_salt(tx)? },
            _ => Resources::RoleAndDepartment,
        })
    }

    /// Who made step `s`: never a name; `system` for the service's own moves.
    pub fn name(&self, s: &Step) -> String {
        match self {
            _ if s.actor == 0 => "system".to_owned(),
            Resources::Pseudonyms { salt } => super::crypto::pseudonym(salt, s.actor),
            _ if s.department.is_empty() => s.role.clone(),
            _ => format!("{}@{}", s.role, s.department),
        }
    }
}

/// Working hours between two instants: the parts of working days' 09:00–17:00 they span.
pub fn working_hours(calendar: &WorkCalendar, from: i64, to: i64) -> f64 {
    if to <= from {
        return 0.0;
    }
    let (mut day, last) = (local_date(from), local_date(to));
    let mut ms = 0;
    // Records do not wait ten years; the bound keeps a bad timestamp from looping long.
    for _ in 0..3660 {
        if day > last {
            break;
        }
        if calendar.is_working_day(day) {
            let start = start_of_day_ms(day) + DAY_STARTS_MS;
            ms += (to.min(start + WORKING_DAY_MS) - from.max(start)).max(0);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    ms as f64 / HOUR_MS
}

/// Median and 90th percentile (nearest rank) of `values`, which it sorts.
fn median_p90(values: &mut [f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let rank = |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    (rank(0.5), rank(0.9))
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A path between two states, as records took it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub transition: String,
    pub count: usize,
    /// Time in `from` before this move, in hours.
    pub median_hours: f64,
    pub p90_hours: f64,
    pub median_working_hours: f64,
    /// Whether the declared process allows the move.
    pub declared: bool,
}

/// How long records waited in one state before they left it, and how many wait there now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Wait {
    pub state: String,
    pub left: usize,
    pub median_hours: f64,
    pub p90_hours: f64,
    pub median_working_hours: f64,
    pub p90_working_hours: f64,
    pub waiting_now: usize,
    /// The records that waited longest there (ids, longest first).
    pub slowest: Vec<i64>,
}

/// A distinct path: the transitions in order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Variant {
    pub transitions: Vec<String>,
    pub records: usize,
    /// Percent of the records.
    pub share: f64,
    /// From creation to the last step, in hours.
    pub median_hours: f64,
    /// A state is entered more than once (returned, reworked).
    pub rework: bool,
    pub example: i64,
}

/// A move the declared process does not allow (possible after an override).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deviation {
    pub record: i64,
    pub transition: String,
    pub from: String,
    pub to: String,
    pub at: String,
}

/// Two activities in direct succession within a record, as process-mining tools count them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Follows {
    pub from: String,
    pub to: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Analysis {
    pub kind: String,
    pub records: usize,
    pub events: usize,
    pub edges: Vec<Edge>,
    pub waits: Vec<Wait>,
    pub variants: Vec<Variant>,
    /// Percent of records with a rework loop.
    pub rework_share: f64,
    pub deviations: Vec<Deviation>,
    pub activities: Vec<String>,
    pub follows: Vec<Follows>,
}

/// Whether `process` allows `transition` from `from` to `to`.
fn declares(process: &Process, transition: &str, from: &str, to: &str) -> bool {
    process.transitions.iter().any(|t| t.id == transition && t.to == to && t.from.iter().any(|f| f == from))
}

/// The measures of `traces` against the declared `process`.
pub fn analyse(process: &Process, calendar: &WorkCalendar, traces: &[Trace]) -> Analysis {
    // (from, to, transition) → the hours and the working hours spent before each move.
    type Path = (String, String, String);
    let mut edges: BTreeMap<Path, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut waits: BTreeMap<String, Vec<(f64, f64, i64)>> = BTreeMap::new();
    let mut variants: HashMap<Vec<String>, (Vec<f64>, bool, i64)> = HashMap::new();
    let mut follows: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut deviations = Vec::new();
    let mut events = 0;
    for t in traces {
        events += t.steps.len();
        let mut seen = vec![process.initial.as_str()];
        let mut rework = false;
        for s in &t.steps {
            let hours = (s.at - s.since) as f64 / HOUR_MS;
            let working = working_hours(calendar, s.since, s.at);
            let e = edges.entry((s.from.clone(), s.to.clone(), s.transition.clone())).or_default();
            e.0.push(hours);
            e.1.push(working);
            waits.entry(s.from.clone()).or_default().push((hours, working, t.record));
            rework |= seen.contains(&s.to.as_str());
            seen.push(&s.to);
            if !declares(process, &s.transition, &s.from, &s.to) {
                deviations.push(Deviation {
                    record: t.record,
                    transition: s.transition.clone(),
                    from: s.from.clone(),
                    to: s.to.clone(),
                    at: super::clock::rfc3339(s.at),
                });
            }
        }
        for pair in t.steps.windows(2) {
            *follows.entry((pair[0].transition.clone(), pair[1].transition.clone())).or_default() += 1;
        }
        let path: Vec<String> = t.steps.iter().map(|s| s.transition.clone()).collect();
        let total = t.steps.last().map_or(0.0, |s| (s.at - t.created_at) as f64 / HOUR_MS);
        let v = variants.entry(path).or_insert((Vec::new(), rework, t.record));
        v.0.push(total);
    }
    let mut waiting_now: HashMap<&str, usize> = HashMap::new();
    for t in traces.iter().filter(|t| !process.is_final(&t.state)) {
        *waiting_now.entry(t.state.as_str()).or_default() += 1;
    }
    let records = traces.len();
    let percent = |n: usize| if records == 0 { 0.0 } else { round1(n as f64 * 100.0 / records as f64) };
    let edges = edges
        .into_iter()
        .map(|((from, to, transition), (mut hours, mut working))| {
            let (median, p90) = median_p90(&mut hours);
            let declared =
                process.transitions.iter().any(|t| t.id == transition && t.to == to && t.from.contains(&from));
            Edge {
                count: hours.len(),
                median_hours: round1(median),
                p90_hours: round1(p90),
                median_working_hours: round1(median_p90(&mut working).0),
                declared,
                from,
                to,
                transition,
            }
        })
        .collect();
    let mut states: Vec<String> = process.states.iter().map(|s| s.id.clone()).collect();
    states.retain(|s| waits.contains_key(s) || waiting_now.contains_key(s.as_str()));
    let waits = states
        .into_iter()
        .map(|state| {
            let mut rows = waits.remove(&state).unwrap_or_default();
            rows.sort_by(|a, b| b.0.total_cmp(&a.0));
            let slowest = rows.iter().take(10).map(|r| r.2).collect();
            let (mut hours, mut working): (Vec<f64>, Vec<f64>) = rows.iter().map(|r| (r.0, r.1)).unzip();
            let (median, p90) = median_p90(&mut hours);
            let (wmedian, wp90) = median_p90(&mut working);
            Wait {
                left: rows.len(),
                median_hours: round1(median),
                p90_hours: round1(p90),
                median_working_hours: round1(wmedian),
                p90_working_hours: round1(wp90),
                waiting_now: waiting_now.get(state.as_str()).copied().unwrap_or(0),
                slowest,
                state,
            }
        })
        .collect();
    let reworked: usize = variants.values().filter(|v| v.1).map(|v| v.0.len()).sum();
    let mut variants: Vec<Variant> = variants
        .into_iter()
        .map(|(transitions, (mut totals, rework, example))| {
            let n = totals.len();
            Variant {
                transitions,
                records: n,
                share: percent(n),
                median_hours: round1(median_p90(&mut totals).0),
                rework,
                example,
            }
        })
        .collect();
    variants.sort_by(|a, b| b.records.cmp(&a.records).then_with(|| a.transitions.cmp(&b.transitions)));
    let mut activities: Vec<String> =
        traces.iter().flat_map(|t| t.steps.iter().map(|s| s.transition.clone())).collect();
    activities.sort();
    activities.dedup();
    Analysis {
        kind: process.kind.clone(),
        records,
        events,
        edges,
        waits,
        variants,
        rework_share: percent(reworked),
        deviations,
        activities,
        follows: follows.into_iter().map(|((from, to), count)| Follows { from, to, count }).collect(),
    }
}

/// One step of one process in one department: how long records waited in a state before
/// someone of that department moved them on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlowStep {
    pub kind: String,
    pub state: String,
    /// The code of the department that moved the records on ('' for the system).
    pub department: String,
    pub records: usize,
    pub median_working_hours: f64,
    /// The same step's median in the period before, where it had records.
    pub previous_median_working_hours: Option<f64>,
    /// The records that waited longest (ids, longest first).
    pub slowest: Vec<i64>,
}

/// Median working hours per (kind, state, department) of the steps in `traces`.
fn steps_by_department(
    calendar: &WorkCalendar,
    kind: &str,
    traces: &[Trace],
) -> HashMap<(String, String, String), Vec<(f64, i64)>> {
    let mut out: HashMap<(String, String, String), Vec<(f64, i64)>> = HashMap::new();
    for t in traces {
        for s in &t.steps {
            out.entry((kind.to_owned(), s.from.clone(), s.department.clone()))
                .or_default()
                .push((working_hours(calendar, s.since, s.at), t.record));
        }
    }
    out
}

/// The `n` slowest steps across every process (by median working hours, at least
/// `min_records` records each), with the period before for the trend.
pub fn slowest_steps(
    calendar: &WorkCalendar,
    now: &[(String, Vec<Trace>)],
    before: &[(String, Vec<Trace>)],
    n: usize,
    min_records: usize,
) -> Vec<SlowStep> {
    let previous: HashMap<_, _> = before
        .iter()
        .flat_map(|(kind, traces)| steps_by_department(calendar, kind, traces))
        .map(|(key, mut rows)| {
            let mut hours: Vec<f64> = rows.drain(..).map(|r| r.0).collect();
            (key, round1(median_p90(&mut hours).0))
        })
        .collect();
    let mut steps: Vec<SlowStep> = now
        .iter()
        .flat_map(|(kind, traces)| steps_by_department(calendar, kind, traces))
        .filter(|(_, rows)| rows.len() >= min_records)
        .map(|(key, mut rows)| {
            rows.sort_by(|a, b| b.0.total_cmp(&a.0));
            let slowest = rows.iter().take(10).map(|r| r.1).collect();
            let mut hours: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let median = round1(median_p90(&mut hours).0);
            SlowStep {
                previous_median_working_hours: previous.get(&key).copied(),
                records: rows.len(),
                median_working_hours: median,
                slowest,
                kind: key.0,
                state: key.1,
                department: key.2,
            }
        })
        .collect();
    steps.sort_by(|a, b| {
        b.median_working_hours
            .total_cmp(&a.median_working_hours)
            .then_with(|| (&a.kind, &a.state).cmp(&(&b.kind, &b.state)))
    });
    steps.truncate(n);
    steps
}

/// The discovered flow as a process of its own (its states those records were in, a
/// transition per path taken, labelled with how often and how long), for the diagram.
pub fn discovered(process: &Process, analysis: &Analysis, zh: bool) -> Process {
    let mut p = process.clone();
    p.transitions = analysis
        .edges
        .iter()
        .map(|e| {
            let name = process
                .transition(&e.transition)
                .map_or(e.transition.clone(), |t| if zh { t.name.clone() } else { t.name_en.clone() });
            let label = format!("{name} ×{} · {}h", e.count, e.median_hours);
            super::workflow::TransitionDef {
                id: e.transition.clone(),
                from: vec![e.from.clone()],
                to: e.to.clone(),
                name: label.clone(),
                name_en: label,
                by: Vec::new(),
                notify: Vec::new(),
                needs_note: false,
                guard: None,
                tone: if e.declared { super::workflow::Tone::Plain } else { super::workflow::Tone::Danger },
            }
        })
        .collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(transition: &str, from: &str, to: &str, since: i64, at: i64) -> Step {
        Step {
            transition: transition.into(),
            from: from.into(),
            to: to.into(),
            at,
            since,
            actor: 0,
            role: "staff".into(),
            department: "fgw".into(),
        }
    }

    #[test]
    fn working_hours_count_only_the_working_day() {
        let cal = WorkCalendar::default();
        // Monday 2019-04-08 08:00 to Tuesday 10:00 China time: 8 h on Monday, 1 h on Tuesday.
        let monday = start_of_day_ms(chrono::NaiveDate::from_ymd_opt(2019, 4, 8).unwrap_or_default());
        let h = 3_600_000;
        assert_eq!(working_hours(&cal, monday + 8 * h, monday + 24 * h + 10 * h), 9.0);
        // Saturday and Sunday count nothing.
        assert_eq!(working_hours(&cal, monday + 5 * 24 * h, monday + 7 * 24 * h), 0.0);
        assert_eq!(working_hours(&cal, monday + 10 * h, monday + 9 * h), 0.0);
    }

    #[test]
    fn paths_waits_variants_rework_and_deviations_are_found() {
        let toml = r#"
            kind = "k"
            name = "k"
            name_en = "k"
            initial = "new"
            [[states]]
            id = "new"
            name = "new"
            name_en = "new"
            [[states]]
            id = "doing"
            name = "doing"
            name_en = "doing"
            [[states]]
            id = "done"
            name = "done"
            name_en = "done"
            final = true
            [[transitions]]
            id = "start"
            from = ["new"]
            to = "doing"
            name = "start"
            name_en = "start"
            by = ["x"]
            [[transitions]]
            id = "finish"
            from = ["doing"]
            to = "done"
            name = "finish"
            name_en = "finish"
            by = ["x"]
            [[transitions]]
            id = "return"
            from = ["doing"]
            to = "new"
            name = "return"
            name_en = "return"
            by = ["x"]
        "#;
        let process: Process = toml::from_str(toml).unwrap_or_else(|e| panic!("{e}"));
        let h = 3_600_000;
        let trace = |record: i64, steps: Vec<Step>, state: &str| Trace {
            record,
            created_at: 0,
            state: state.into(),
            deadline: None,
            steps,
        };
        let traces = vec![
            trace(
                1,
                vec![step("start", "new", "doing", 0, 2 * h), step("finish", "doing", "done", 2 * h, 6 * h)],
                "done",
            ),
            trace(
                2,
                vec![step("start", "new", "doing", 0, 4 * h), step("finish", "doing", "done", 4 * h, 5 * h)],
                "done",
            ),
            trace(
                3,
                vec![
                    step("start", "new", "doing", 0, h),
                    step("return", "doing", "new", h, 2 * h),
                    step("start", "new", "doing", 2 * h, 3 * h),
                ],
                "doing",
            ),
            trace(4, vec![step("finish", "new", "done", 0, h)], "done"),
        ];
        let a = analyse(&process, &WorkCalendar::default(), &traces);
        assert_eq!((a.records, a.events), (4, 8));
        let start = a.edges.iter().find(|e| e.transition == "start").map(|e| (e.count, e.median_hours));
        assert_eq!(start, Some((4, 1.0)));
        let doing =
            a.waits.iter().find(|w| w.state == "doing").map(|w| (w.left, w.median_hours, w.waiting_now, w.slowest[0]));
        assert_eq!(doing, Some((3, 1.0, 1, 1)), "the record that waited 4 h comes first");
        assert_eq!(a.variants[0].transitions, ["start", "finish"]);
        assert_eq!((a.variants[0].records, a.variants[0].share), (2, 50.0));
        assert!(a.variants.iter().any(|v| v.rework && v.example == 3));
        assert_eq!(a.rework_share, 25.0);
        assert_eq!(a.deviations.len(), 1, "finish straight from new is not declared");
        assert_eq!(a.deviations[0].record, 4);
        let twice = a.follows.iter().find(|f| f.from == "start" && f.to == "finish").map(|f| f.count);
        assert_eq!(twice, Some(2));
    }
}
