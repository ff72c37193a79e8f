//! Mechanism 1a — 顶格协调推进: a matter that needs a leader's final say is opened by that
//! leader, who records the kickoff and assigns tasks with deadlines (dates or working
//! days); tasks run on the workflow kernel with lights, reminders and escalation.

pub mod api;
pub mod extensions;
mod matter_pages;
pub mod matters;
pub mod search;
pub mod stats;
pub mod sweep;
mod task_pages;
pub mod tasks;

use crate::kernel::workflow::Spec;

pub use sweep::sweep;

pub static MATTER: Spec = Spec {
    kind: "matter",
    table: "matters",
    relations: &["leader", "assignees"],
    guards: &["all_tasks_finished"],
    required_transitions: &["close"],
    required_states: &["open"],
    builtin: include_str!("../../processes/matter.toml"),
};

pub static TASK: Spec = Spec {
    kind: "task",
    table: "tasks",
    relations: &["assignee", "leader", "lead_head"],
    guards: &[],
    required_transitions: &["submit_feedback"],
    required_states: &["assigned"],
    builtin: include_str!("../../processes/task.toml"),
};

pub static SPECS: [&Spec; 2] = [&MATTER, &TASK];

pub fn router() -> axum::Router<crate::kernel::web::AppState> {
    matter_pages::router().merge(task_pages::router())
}
