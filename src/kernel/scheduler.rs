//! The background scheduler: every interval it runs each mechanism's sweep (reminders,
//! escalations) and hands queued e-mail and SMS to the gateway. With several servers on
//! one PostgreSQL database only the one that takes the advisory lock acts; on SQLite
//! there is only one writer anyway. Sweeps mark what they did in the rows themselves,
//! so a repeated run never repeats a reminder.

use std::sync::Arc;
use std::time::Duration;

use super::audit::Who;
use super::calendar::WorkCalendar;
use super::db::{Dialect, Tx};
use super::error::AppResult;
use super::notify::{self, Gateway, LogGateway};
use super::web::AppState;

/// A mechanism's periodic work, run inside one transaction.
pub type Sweep = fn(&mut Tx<'_>, &Who, &WorkCalendar) -> AppResult<usize>;

const LOCK_KEY: i64 = 20_190_509;

/// Run every sweep once, now. Returns how many things were done (0 when another server
/// holds the lock).
pub async fn run_once(state: &AppState, sweeps: &'static [Sweep]) -> AppResult<usize> {
    let who = Who::system("scheduler", state.clock.now_ms());
    let calendar = state.calendar();
    let gateway: Arc<dyn Gateway> = Arc::new(LogGateway);
    state
        .db
        .write(move |tx| {
            if tx.dialect() == Dialect::Postgres {
                let got = tx.query_one("SELECT pg_try_advisory_xact_lock($1)", crate::params![LOCK_KEY])?.bool(0)?;
                if !got {
                    return Ok(0);
                }
            }
            let mut done = 0;
            for sweep in sweeps {
                done += sweep(tx, &who, &calendar)?;
            }
            done += notify::drain_outbox(tx, gateway.as_ref(), who.now, 500)?;
            Ok(done)
        })
        .await
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
