//! The background scheduler: every interval it runs each mechanism's sweep (reminders,
//! escalations), each in a short transaction, and hands queued e-mail and SMS to the
//! gateway outside any transaction. With several servers on
//! one PostgreSQL database only the one that takes the advisory lock acts; on SQLite
//! there is only one writer anyway. Sweeps mark what they did in the rows themselves,
//! so a repeated run never repeats a reminder.

use std::time::Duration;

use super::audit::Who;
use super::db::{Dialect, Tx};
use super::error::AppResult;
use super::notify;
use super::web::AppState;
use super::workflow;

/// A mechanism's periodic work, run inside one transaction.
/// A mechanism's periodic work, given the running service's environment (its processes,
/// calendar and seams).
pub type Sweep = fn(&mut Tx<'_>, &Who, &crate::kernel::registry::Environment) -> AppResult<usize>;

const LOCK_KEY: i64 = 20_190_509;

/// Whether this server acts in this transaction: on PostgreSQL only the one that takes
/// the advisory lock does; SQLite has one writer anyway.
fn acting(tx: &mut Tx<'_>) -> AppResult<bool> {
    if tx.dialect() == Dialect::Postgres {
        return Ok(tx.query_one("SELECT pg_try_advisory_xact_lock($1)", crate::params![LOCK_KEY])?.bool(0)?);
    }
    Ok(true)
}

/// Remind and escalate every process's deadlines, and run every sweep once, now, each in a short transaction of its own, then hand queued
/// e-mail and SMS to the gateway outside any transaction. Returns how many things were
/// done (0 when another server acts).
pub async fn run_once(state: &AppState, sweeps: &'static [Sweep]) -> AppResult<usize> {
    let now = state.clock.now_ms();
    let mut done = 0;
    for &spec in state.registry.processes.iter().filter(|s| s.deadlines.is_some()) {
        let (who, calendar) = (Who::system("scheduler", now), state.calendar());
        done += state
            .db
            .write(move |tx| if acting(tx)? { workflow::deadlines::sweep(tx, &who, &calendar, spec) } else { Ok(0) })
            .await?;
    }
    for &sweep in sweeps {
        let (who, env) = (Who::system("scheduler", now), state.environment());
        done += state.db.write(move |tx| if acting(tx)? { sweep(tx, &who, &env) } else { Ok(0) }).await?;
    }
    Ok(done + deliver(state, now).await?)
}

/// Claim queued messages, deliver them through the gateway with no transaction open,
/// and record the answers.
async fn deliver(state: &AppState, now: i64) -> AppResult<usize> {
    let claimed =
        state.db.write(move |tx| if acting(tx)? { notify::claim_outbox(tx, now, 500) } else { Ok(Vec::new()) }).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let mut results = Vec::with_capacity(claimed.len());
    for message in &claimed {
        results.push((message.id, state.gateway.deliver(message).await));
    }
    let at = state.clock.now_ms();
    state.db.write(move |tx| notify::record_deliveries(tx, at, &results)).await
}

/// Run the sweeps every `interval` until the process ends.
pub fn spawn(state: AppState, sweeps: &'static [Sweep], interval: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&state, sweeps).await {
                Ok(n) if n > 0 => tracing::info!(actions = n, "scheduler ran"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler run failed"),
            }
        }
    });
}
