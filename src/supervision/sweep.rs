//! The scheduler's work for leads: remind the responsible unit's heads shortly before the
//! feedback deadline, and tell the supervision office once the deadline has passed — once
//! each, marked on the lead (a new deadline after rework is reminded of again).

use super::LEAD;
use super::leads::{office_users, unit_heads};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Tx, Value};
use crate::kernel::error::AppResult;
use crate::kernel::notify::{self, Note};
use crate::kernel::workflow;

/// At most this many leads are handled per run; the rest wait for the next one.
const BATCH: i64 = 500;

pub fn sweep(tx: &mut Tx<'_>, who: &Who, cal: &WorkCalendar) -> AppResult<usize> {
    let Some(process) = workflow::current(tx, &LEAD)? else { return Ok(0) };
    if process.timing.running.is_empty() {
        return Ok(0);
    }
    let today = clock::local_date(who.now);
    let remind_until = cal.add_working_days(today, process.timing.remind_working_days_before).to_string();
    let running: Vec<Value> = process.timing.running.iter().map(|s| Value::from(s.as_str())).collect();
    let mut done = 0;
    let reminding = (
        "reminded_at",
        "deadline >= $1 AND deadline <= $2",
        vec![Value::from(today.to_string()), Value::from(remind_until)],
    );
    let overdue = ("overdue_at", "deadline < $1", vec![Value::from(today.to_string())]);
    for (mark, condition, mut args) in [reminding, overdue] {
        let marks: Vec<String> = (0..running.len()).map(|i| format!("${}", i + args.len() + 1)).collect();
        let sql = format!(
            "SELECT id, description, deadline, unit_department_id FROM leads WHERE {mark} IS NULL AND {condition} \
             AND primary_id IS NULL AND unit_department_id IS NOT NULL AND state IN ({}) ORDER BY deadline, id LIMIT {BATCH}",
            marks.join(", ")
        );
        args.extend(running.iter().cloned());
        for r in tx.query(&sql, &args)? {
            let (id, text, deadline, unit) = (r.int(0)?, r.text(1)?, r.text(2)?, r.int(3)?);
            let short: String = text.chars().take(30).collect();
            tx.execute(&format!("UPDATE leads SET {mark} = $1 WHERE id = $2"), crate::params![who.now, id])?;
            let overdue = mark == "overdue_at";
            audit::record(
                tx,
                who,
                Change {
                    action: if overdue { "overdue" } else { "remind" },
                    kind: "lead",
                    id: Some(id),
                    before: None,
                    after: None,
                },
            )?;
            let (to, note) = if overdue {
                (
                    office_users(tx)?,
                    Note {
                        kind: "lead_overdue",
                        message: "sv-note-lead-overdue",
                        params: vec![
                            ("id", id.to_string().into()),
                            ("deadline", deadline.into()),
                            ("short", short.into()),
                        ],
                        body: String::new(),
                        link: format!("/supervision/leads/{id}"),
                    },
                )
            } else {
                (
                    unit_heads(tx, unit)?,
                    Note {
                        kind: "lead_reminder",
                        message: "sv-note-lead-reminder",
                        params: vec![
                            ("id", id.to_string().into()),
                            ("deadline", deadline.into()),
                            ("short", short.into()),
                        ],
                        body: String::new(),
                        link: format!("/supervision/leads/{id}"),
                    },
                )
            };
            notify::send(tx, who, &to, &note)?;
            done += 1;
        }
    }
    Ok(done)
}
