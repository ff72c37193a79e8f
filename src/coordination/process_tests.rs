//! The workflow kernel's definition checks, exercised on the shipped task process.

use crate::kernel::workflow::{Spec, parse};

const SPEC: Spec = Spec {
    kind: "task",
    table: "tasks",
    relations: &["assignee", "executor", "researcher", "leader", "lead_head", "lead_leader", "principal_leader"],
    guards: &[super::research::REPORT_WRITTEN],
    required_transitions: &["accept", "approve"],
    required_states: &["assigned", "done"],
    builtin: include_str!("processes/task.toml"),
    deadlines: Some(&super::sweep::DEADLINES),
};

#[test]
fn the_shipped_task_process_is_valid() {
    let p = parse(&SPEC, SPEC.builtin).map_err(|e| e.join("; "));
    assert!(p.is_ok(), "{p:?}");
    let p = p.unwrap_or_else(|_| unreachable!());
    assert_eq!(p.available("assigned", &["assignee"]).len(), 1);
    assert!(p.available("assigned", &["leader"]).is_empty());
}

#[test]
fn broken_definitions_are_refused_with_every_problem_named() {
    let broken = SPEC.builtin.replace("to = \"done\"", "to = \"finished\"").replace(
        "by = [\"leader\"]\nnotify = [\"assignee\"]\n\n[[transitions]]\nid = \"return\"",
        "by = [\"mayor\"]\nnotify = [\"assignee\"]\n\n[[transitions]]\nid = \"return\"",
    );
    let errs = parse(&SPEC, &broken).err().unwrap_or_default();
    assert!(errs.iter().any(|e| e.contains("unknown state \"finished\"")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("cannot be reached")), "{errs:?}");
    let no_accept = SPEC.builtin.replace("id = \"accept\"", "id = \"take\"");
    let errs = parse(&SPEC, &no_accept).err().unwrap_or_default();
    assert!(errs.iter().any(|e| e.contains("\"accept\" is needed")), "{errs:?}");
    assert!(parse(&SPEC, "kind = 1").is_err());
}

#[test]
fn timing_may_name_only_known_relations() {
    let broken = SPEC.builtin.replace("remind = [\"assignee\"]", "remind = [\"mayor\"]");
    let errs = parse(&SPEC, &broken).err().unwrap_or_default();
    assert!(errs.iter().any(|e| e.contains("timing names unknown relation \"mayor\"")), "{errs:?}");
    let without_deadlines = Spec { deadlines: None, ..SPEC };
    let errs = parse(&without_deadlines, SPEC.builtin).err().unwrap_or_default();
    assert!(errs.iter().any(|e| e.contains("keeps no deadline")), "{errs:?}");
}
