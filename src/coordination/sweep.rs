//! The scheduler's work for tasks: remind (催办) the responsible person shortly before
//! the deadline and escalate overdue tasks to the deciding leader — once each, marked
//! in the task itself so no server repeats it.

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Tx, Value};
use crate::kernel::error::AppResult;
use crate::kernel::notify::{self, Note};
use crate::kernel::workflow::Process;
use crate::params;

/// At most this many tasks are handled per run; the rest wait for the next one.
const BATCH: i64 = 500;

/// Placeholders `$first…` for the running states, and their values.
fn running_states(p: &Process, first: usize) -> (String, Vec<Value>) {
    let marks: Vec<String> = (0..p.timing.running.len()).map(|i| format!("${}", i + first)).collect();
    (marks.join(", "), p.timing.running.iter().map(|s| Value::from(s.as_str())).collect())
}

pub fn sweep(tx: &mut Tx<'_>, who: &Who, cal: &WorkCalendar) -> AppResult<usize> {
    let Some(process) = crate::kernel::workflow::current(tx, &super::TASK)? else { return Ok(0) };
    if process.timing.running.is_empty() {
        return Ok(0);
    }
    let today = clock::local_date(who.now);
    let mut done = 0;

    let remind_until = cal.add_working_days(today, process.timing.remind_working_days_before).to_string();
    let (marks, states) = running_states(&process, 3);
    let sql = format!(
        "SELECT t.id, t.title, t.deadline, t.assignee_id FROM tasks t WHERE t.reminded_at IS NULL \
         AND t.deadline >= $1 AND t.deadline <= $2 AND t.state IN ({marks}) ORDER BY t.deadline, t.id LIMIT {BATCH}"
    );
    let mut args: Vec<Value> = vec![today.to_string().into(), remind_until.into()];
    args.extend(states);
    for r in tx.query(&sql, &args)? {
        let (id, title, deadline, assignee) = (r.int(0)?, r.text(1)?, r.text(2)?, r.int(3)?);
        tx.execute("UPDATE tasks SET reminded_at = $1 WHERE id = $2", params![who.now, id])?;
        tx.execute(
            "INSERT INTO task_updates (task_id, kind, body, actor, at) VALUES ($1, 'reminder', $2, $3, $4)",
            params![id, format!("期限 {deadline}"), who.actor.as_str(), who.now],
        )?;
        audit::record(tx, who, Change { action: "remind", kind: "task", id: Some(id), before: None, after: None })?;
        notify::send(
            tx,
            who,
            &[assignee],
            &Note {
                kind: "reminder",
                message: "co-note-reminder",
                params: vec![("title", title.into()), ("deadline", deadline.into())],
                body: String::new(),
                link: format!("/tasks/{id}"),
            },
        )?;
        done += 1;
    }

    if process.timing.escalate_overdue {
        let (marks, states) = running_states(&process, 2);
        let sql = format!(
            "SELECT t.id, t.title, t.deadline, t.assignee_id, m.leader_id FROM tasks t JOIN matters m ON m.id = t.matter_id \
             WHERE t.escalated_at IS NULL AND t.deadline < $1 AND t.state IN ({marks}) ORDER BY t.deadline, t.id LIMIT {BATCH}"
        );
        let mut args: Vec<Value> = vec![today.to_string().into()];
        args.extend(states);
        for r in tx.query(&sql, &args)? {
            let (id, title, deadline, assignee, leader) = (r.int(0)?, r.text(1)?, r.text(2)?, r.int(3)?, r.int(4)?);
            tx.execute("UPDATE tasks SET escalated_at = $1 WHERE id = $2", params![who.now, id])?;
            tx.execute(
                "INSERT INTO task_updates (task_id, kind, body, actor, at) VALUES ($1, 'escalation', $2, $3, $4)",
                params![id, format!("已逾期（期限 {deadline}）"), who.actor.as_str(), who.now],
            )?;
            audit::record(
                tx,
                who,
                Change { action: "escalate", kind: "task", id: Some(id), before: None, after: None },
            )?;
            notify::send(
                tx,
                who,
                &[leader, assignee],
                &Note {
                    kind: "escalation",
                    message: "co-note-escalation",
                    params: vec![("title", title.into()), ("deadline", deadline.into())],
                    body: String::new(),
                    link: format!("/tasks/{id}"),
                },
            )?;
            done += 1;
        }
    }
    super::stats::refresh_overdue(tx, &today.to_string(), &process.timing.running)?;
    Ok(done)
}
