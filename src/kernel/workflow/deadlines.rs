//! The one deadline engine. A process file says when a record's deadline runs
//! (`timing.running`), how many working days before it to remind (`remind_working_days_before`)
//! and whom (`remind`), and whom to tell once it has passed (`escalate_overdue`,
//! `escalate`); a mechanism says where its records keep the deadline ([`Deadlines`]). Each
//! reminder and each escalation happens once per deadline, marked on the record, so no
//! server repeats it; a mechanism that moves a deadline clears the marks.

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
        let mut to = Vec::new();
        for relation in relations {
            to.extend((d.recipients)(tx, id, relation)?);
        }
        let note = Note {
            kind: match due {
                Due::Reminder => "reminder",
                Due::Overdue => "escalation",
            },
            message,
            params: vec![
                ("process", Param::Named { zh: process.name.clone(), en: process.name_en.clone() }),
                ("title", title.into()),
                ("deadline", deadline.into()),
            ],
            body: String::new(),
            link: format!("{}{id}", d.link),
        };
        notify::send(tx, who, &to, &note)?;
        done += 1;
    }
    Ok(done)
}
