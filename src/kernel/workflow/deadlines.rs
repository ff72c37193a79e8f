//! The one deadline engine. A process file says when a record's deadline runs
//! (`timing.running`), how many working days before it to remind (`remind_working_days_before`)
//! and whom (`remind`), and whom to tell once it has passed (`escalate_overdue`,
//! `escalate`), then whom to tell as it stays overdue (`escalation`: the leader in charge,
//! then the principal leader) and how often to remind again (`repeat_working_days`); a
//! mechanism says where its records keep the deadline ([`Deadlines`]). Each reminder and
//! each escalation happens once per deadline (the first marked on the record, the later
//! ones in `deadline_steps`), so no server repeats it and one missed while the server was
//! down goes out on the next run; a deadline that moves starts afresh.

use super::{Process, Spec};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Tx, Value};
use crate::kernel::error::AppResult;
use crate::kernel::notify::{self, Note, Param};

/// At most this many records of a kind are reminded (and as many escalated) per run;
/// the rest wait for the next run.
const BATCH: i64 = 500;

/// Which of the two things the engine does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The deadline is near.
    Reminder,
    /// The deadline has passed.
    Overdue,
}

/// Record something more about a reminder or escalation of record `id` due on a date.
pub type Noted = fn(&mut Tx<'_>, &Who, i64, Due, &str) -> AppResult<()>;

/// Where a kind of record keeps its deadline, for the engine to read and mark.
pub struct Deadlines {
    /// Column holding the deadline (`YYYY-MM-DD`), in the spec's table.
    pub deadline: &'static str,
    /// Columns marking, with a time, that the reminder and the escalation were sent.
    pub reminded: &'static str,
    pub escalated: &'static str,
    /// A further SQL condition on the records, or "".
    pub only: &'static str,
    /// SQL expression for the record's title in the notes.
    pub title: &'static str,
    /// The record's page, to which the id is appended.
    pub link: &'static str,
    /// Users who hold a relation to record `id`.
    pub recipients: fn(&mut Tx<'_>, i64, &str) -> AppResult<Vec<i64>>,
    /// What else the mechanism records when a reminder or escalation goes out.
    pub noted: Option<Noted>,
}

/// What a transition did to a record's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Leaving the running states: whether the record finished by its deadline.
    Finished {
        met: bool,
    },
    /// Entering the running states: the deadline the process file sets, if it sets one.
    Started,
    Unchanged,
}

/// Keep record `id`'s deadline as a transition from `from` to `to` requires: entering the
/// running states sets the process's deadline (when it names one) and clears the
/// reminder and escalation marks; leaving them says whether the deadline was met.
#[allow(clippy::too_many_arguments)]
pub fn on_transition(
    tx: &mut Tx<'_>,
    who: &Who,
    spec: &Spec,
    process: &Process,
    cal: &WorkCalendar,
    id: i64,
    from: &str,
    to: &str,
) -> AppResult<Kept> {
    let Some(d) = spec.deadlines else { return Ok(Kept::Unchanged) };
    let today = clock::local_date(who.now);
    match (process.runs_deadline(from), process.runs_deadline(to)) {
        (false, true) => {
            let days = process.timing.deadline_working_days;
            if days > 0 {
                let due = cal.add_working_days(today, days).to_string();
                let sql = format!(
                    "UPDATE {} SET {} = $1, {} = NULL, {} = NULL WHERE id = $2",
                    spec.table, d.deadline, d.reminded, d.escalated
                );
                tx.execute(&sql, crate::params![due, id])?;
            }
            Ok(Kept::Started)
        }
        (true, false) => {
            let sql = format!("SELECT {} FROM {} WHERE id = $1", d.deadline, spec.table);
            let deadline = tx.query_opt(&sql, crate::params![id])?.map(|r| r.opt_text(0)).transpose()?.flatten();
            Ok(Kept::Finished { met: deadline.is_some_and(|due| met(today, &due)) })
        }
        _ => Ok(Kept::Unchanged),
    }
}

/// Whether work finished on `today` met a deadline (`YYYY-MM-DD`, the last day allowed).
pub fn met(today: chrono::NaiveDate, deadline: &str) -> bool {
    today.to_string().as_str() <= deadline
}

/// Remind and escalate the records of `spec` whose deadlines call for it, under the
/// process in force (an administrator's override included).
pub fn sweep(tx: &mut Tx<'_>, who: &Who, cal: &WorkCalendar, spec: &Spec) -> AppResult<usize> {
    let Some(d) = spec.deadlines else { return Ok(0) };
    let Some(process) = super::current(tx, spec)? else { return Ok(0) };
    if process.timing.running.is_empty() {
        return Ok(0);
    }
    let today = clock::local_date(who.now);
    let remind_until = cal.add_working_days(today, process.timing.remind_working_days_before).to_string();
    let mut done = 0;
    if !process.timing.remind.is_empty() {
        let window = format!("{col} >= $1 AND {col} <= $2", col = d.deadline);
        let args = vec![Value::from(today.to_string()), Value::from(remind_until)];
        done += each(tx, who, spec, d, &process, Due::Reminder, &window, args)?;
    }
    if process.timing.escalate_overdue && !process.timing.escalate.is_empty() {
        let window = format!("{} < $1", d.deadline);
        done += each(tx, who, spec, d, &process, Due::Overdue, &window, vec![Value::from(today.to_string())])?;
    }
    for (i, step) in process.timing.escalation.iter().enumerate() {
        // Deadlines at least `after_working_days` working days past.
        let last = back(cal, today, step.after_working_days);
        let key = format!("escalate:{}", i + 2);
        done += later(tx, who, spec, d, &process, &last, Later { step: &key, since: None, to: &step.to })?;
    }
    let every = process.timing.repeat_working_days;
    if every > 0 && !process.timing.repeat.is_empty() {
        // Overdue by `every` working days, and not reminded again in the last `every`.
        let last = back(cal, today, every);
        let (key, since) = (format!("repeat:{today}"), format!("repeat:{last}"));
        done += later(
            tx,
            who,
            spec,
            d,
            &process,
            &last,
            Later { step: &key, since: Some(&since), to: &process.timing.repeat },
        )?;
    }
    Ok(done)
}

/// The latest deadline that is at least `n` working days past on `today` (the working
/// days after it, up to and including today, number `n`); for 0, yesterday.
fn back(cal: &WorkCalendar, today: chrono::NaiveDate, n: u32) -> String {
    let mut day = today;
    let mut counted = 0;
    while counted < n {
        if cal.is_working_day(day) {
            counted += 1;
        }
        day -= chrono::Duration::days(1);
    }
    if n == 0 {
        day -= chrono::Duration::days(1);
    }
    day.to_string()
}

/// A step after the first escalation: its key in `deadline_steps`, and for repeats the
/// key before which an earlier repeat no longer counts.
struct Later<'a> {
    step: &'a str,
    since: Option<&'a str>,
    to: &'a [String],
}

/// Tell `later.to` of each running record whose deadline is on or before `last` and
/// that has not had this step, once (the insert into `deadline_steps` decides).
fn later(
    tx: &mut Tx<'_>,
    who: &Who,
    spec: &Spec,
    d: &Deadlines,
    process: &Process,
    last: &str,
    later: Later<'_>,
) -> AppResult<usize> {
    let mut args = vec![Value::from(last), Value::from(spec.kind), Value::from(later.step)];
    let done_before = match later.since {
        Some(since) => {
            args.push(Value::from(since));
            format!("(s.step = $3 OR (s.step LIKE 'repeat:%' AND s.step > ${}))", args.len())
        }
        None => "s.step = $3".to_owned(),
    };
    let states: Vec<String> = (0..process.timing.running.len()).map(|i| format!("${}", i + args.len() + 1)).collect();
    args.extend(process.timing.running.iter().map(|s| Value::from(s.as_str())));
    let only = if d.only.is_empty() { String::new() } else { format!(" AND {}", d.only) };
    let sql = format!(
        "SELECT r.id, r.{deadline}, {title} FROM {table} r WHERE r.{deadline} <= $1 AND r.state IN ({states}){only} \
         AND NOT EXISTS (SELECT 1 FROM deadline_steps s WHERE s.kind = $2 AND s.record_id = r.id AND s.deadline = r.{deadline} \
         AND {done_before}) ORDER BY r.{deadline}, r.id LIMIT {BATCH}",
        deadline = d.deadline,
        title = d.title,
        table = spec.table,
        states = states.join(", "),
    );
    let mut done = 0;
    for r in tx.query(&sql, &args)? {
        let (id, deadline, title) = (r.int(0)?, r.text(1)?, r.text(2)?);
        let fresh = tx.execute(
            "INSERT INTO deadline_steps (kind, record_id, deadline, step, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            crate::params![spec.kind, id, deadline.as_str(), later.step, who.now],
        )?;
        if fresh == 0 {
            continue;
        }
        let after = Some(serde_json::json!({ "step": later.step, "deadline": deadline }));
        audit::record(tx, who, Change { action: "escalate", kind: spec.kind, id: Some(id), before: None, after })?;
        if let Some(noted) = d.noted {
            noted(tx, who, id, Due::Overdue, &deadline)?;
        }
        let kind = if later.step.starts_with("repeat:") { "reminder" } else { "escalation" };
        tell(tx, who, d, process, Told { id, title, deadline, kind, message: "note-deadline-overdue", to: later.to })?;
        done += 1;
    }
    Ok(done)
}

#[allow(clippy::too_many_arguments)]
fn each(
    tx: &mut Tx<'_>,
    who: &Who,
    spec: &Spec,
    d: &Deadlines,
    process: &Process,
    due: Due,
    window: &str,
    mut args: Vec<Value>,
) -> AppResult<usize> {
    let (mark, relations, message, action) = match due {
        Due::Reminder => (d.reminded, &process.timing.remind, "note-deadline-reminder", "remind"),
        Due::Overdue => (d.escalated, &process.timing.escalate, "note-deadline-overdue", "escalate"),
    };
    let states: Vec<String> = (0..process.timing.running.len()).map(|i| format!("${}", i + args.len() + 1)).collect();
    args.extend(process.timing.running.iter().map(|s| Value::from(s.as_str())));
    let only = if d.only.is_empty() { String::new() } else { format!(" AND {}", d.only) };
    let sql = format!(
        "SELECT id, {deadline}, {title} FROM {table} WHERE {mark} IS NULL AND {window} AND state IN ({states}){only} \
         ORDER BY {deadline}, id LIMIT {BATCH}",
        deadline = d.deadline,
        title = d.title,
        table = spec.table,
        states = states.join(", "),
    );
    let rows = tx.query(&sql, &args)?;
    let mut done = 0;
    for r in rows {
        let (id, deadline, title) = (r.int(0)?, r.text(1)?, r.text(2)?);
        tx.execute(&format!("UPDATE {} SET {mark} = $1 WHERE id = $2", spec.table), crate::params![who.now, id])?;
        audit::record(tx, who, Change { action, kind: spec.kind, id: Some(id), before: None, after: None })?;
        if let Some(noted) = d.noted {
            noted(tx, who, id, due, &deadline)?;
        }
        let kind = match due {
            Due::Reminder => "reminder",
            Due::Overdue => "escalation",
        };
        tell(tx, who, d, process, Told { id, title, deadline, kind, message, to: relations })?;
        done += 1;
    }
    Ok(done)
}

/// One note of the engine: about which record, of what kind, to whom (relations).
struct Told<'a> {
    id: i64,
    title: String,
    deadline: String,
    kind: &'static str,
    message: &'static str,
    to: &'a [String],
}

fn tell(tx: &mut Tx<'_>, who: &Who, d: &Deadlines, process: &Process, t: Told<'_>) -> AppResult<()> {
    let mut to = Vec::new();
    for relation in t.to {
        to.extend((d.recipients)(tx, t.id, relation)?);
    }
    let note = Note {
        kind: t.kind,
        message: t.message,
        params: vec![
            ("process", Param::Named { zh: process.name.clone(), en: process.name_en.clone() }),
            ("title", t.title.into()),
            ("deadline", t.deadline.into()),
        ],
        body: String::new(),
        link: format!("{}{}", d.link, t.id),
    };
    notify::send(tx, who, &to, &note)?;
    Ok(())
}
