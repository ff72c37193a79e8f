//! Leads' feedback deadlines as the kernel's deadline engine sees them: the lead process
//! file says to remind the responsible unit's heads shortly before the deadline and to
//! tell the supervision office once it has passed. A transfer or rework sets a new
//! deadline and clears the marks, so it is reminded of again.

use super::leads::{office_users, unit_heads};
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::workflow::Deadlines;
use crate::params;

pub static DEADLINES: Deadlines = Deadlines {
    deadline: "deadline",
    reminded: "reminded_at",
    escalated: "overdue_at",
    only: "primary_id IS NULL AND unit_department_id IS NOT NULL",
    title: "substr(description, 1, 30)",
    link: "/supervision/leads/",
    recipients,
    noted: None,
};

fn recipients(tx: &mut Tx<'_>, id: i64, relation: &str) -> AppResult<Vec<i64>> {
    match relation {
        "office" => office_users(tx),
        "unit" => {
            let unit = tx
                .query_opt("SELECT unit_department_id FROM leads WHERE id = $1", params![id])?
                .map(|r| r.opt_int(0))
                .transpose()?
                .flatten();
            unit.map_or(Ok(Vec::new()), |d| unit_heads(tx, d))
        }
        _ => Ok(Vec::new()),
    }
}
