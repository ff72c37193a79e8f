//! Tasks' deadlines as the kernel's deadline engine sees them (remind the responsible
//! person, escalate overdue tasks to the deciding leader — the task process file says
//! when and to whom), and the scheduler's recount of overdue figures.

use crate::kernel::audit::Who;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::workflow::Deadlines;
use crate::kernel::workflow::deadlines::Due;
use crate::params;

pub static DEADLINES: Deadlines = Deadlines {
    deadline: "deadline",
    reminded: "reminded_at",
    escalated: "escalated_at",
    only: "",
    title: "title",
    link: "/tasks/",
    recipients,
    noted: Some(noted),
};

fn recipients(tx: &mut Tx<'_>, id: i64, relation: &str) -> AppResult<Vec<i64>> {
    let row = tx.query_opt(
        "SELECT t.assignee_id, m.leader_id, t.lead_department_id FROM tasks t JOIN matters m ON m.id = t.matter_id \
         WHERE t.id = $1",
        params![id],
    )?;
    let Some(r) = row else { return Ok(Vec::new()) };
    match relation {
        "assignee" => Ok(vec![r.int(0)?]),
        "leader" => Ok(vec![r.int(1)?]),
        "lead_head" => super::tasks::department_heads(tx, r.int(2)?),
        "lead_leader" => crate::org::people::leaders_over(tx, r.int(2)?),
        "principal_leader" => Ok(crate::org::people::principal_leader(tx)?.into_iter().collect()),
        _ => Ok(Vec::new()),
    }
}

/// The task's own history shows the reminder or the escalation.
fn noted(tx: &mut Tx<'_>, who: &Who, id: i64, due: Due, deadline: &str) -> AppResult<()> {
    let (kind, body) = match due {
        Due::Reminder => ("reminder", format!("期限 {deadline}")),
        Due::Overdue => ("escalation", format!("已逾期（期限 {deadline}）")),
    };
    tx.execute(
        "INSERT INTO task_updates (task_id, kind, body, actor, at) VALUES ($1, $2, $3, $4, $5)",
        params![id, kind, body, who.actor.as_str(), who.now],
    )?;
    Ok(())
}

/// Recount the overdue figures per department and person (nothing to report: not an action).
pub fn sweep(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let Some(process) = crate::kernel::workflow::current(tx, &super::TASK)? else { return Ok(0) };
    super::stats::refresh_overdue(tx, &clock::local_date(who.now).to_string(), &process.timing.running)?;
    Ok(0)
}
