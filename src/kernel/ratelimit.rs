//! Request limits per purpose and client (e.g. "login:127.0.0.1"), kept in memory by the
//! `governor` crate (GCRA: a burst of `limit`, refilled evenly over the window). Each
//! limit has its own keyed limiter, so a flood of one kind of request from an address
//! does not refuse another kind. It fails closed: when it cannot keep count (more
//! clients at once than it tracks), it refuses.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::AppError;

/// Distinct clients tracked per limit; beyond it, requests are refused until idle ones
/// are forgotten.
const MAX_CLIENTS: usize = 200_000;

/// How often (in checks) idle clients are forgotten.
const PRUNE_EVERY: u64 = 4096;

type Keyed = DefaultKeyedRateLimiter<String>;

#[derive(Default)]
pub struct RateLimiter {
    /// One keyed limiter per (limit, window).
    limiters: Mutex<HashMap<(u32, i64), Arc<Keyed>>>,
    checks: AtomicU64,
    /// Keys refused lately and until when, so a caller can ask without counting.
    refused: Mutex<HashMap<String, std::time::Instant>>,
}

fn refused(wait: Duration) -> AppError {
    AppError::RateLimited { retry_after_s: i64::try_from(wait.as_secs()).unwrap_or(i64::MAX).saturating_add(1) }
}

impl RateLimiter {
    fn limiter(&self, limit: u32, window_ms: i64) -> Arc<Keyed> {
        let mut all = self.limiters.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry((limit, window_ms))
            .or_insert_with(|| {
                let burst = NonZeroU32::new(limit.max(1)).unwrap_or(NonZeroU32::MIN);
                let every = Duration::from_millis((window_ms.max(1) as u64).div_ceil(u64::from(burst.get())).max(1));
                let quota = Quota::with_period(every).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst);
                Arc::new(Keyed::keyed(quota))
            })
            .clone()
    }

    /// Count one request for `key`; refuse when it goes over `limit` per `window_ms`.
    pub fn check(&self, key: &str, limit: u32, window_ms: i64) -> Result<(), AppError> {
        let limiter = self.limiter(limit, window_ms);
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_EVERY) || limiter.len() >= MAX_CLIENTS {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if limiter.len() >= MAX_CLIENTS {
            return Err(refused(Duration::from_millis(window_ms.max(0) as u64)));
        }
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut refused_keys = self.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = std::time::Instant::now();
            if refused_keys.len() >= MAX_CLIENTS {
                refused_keys.retain(|_, until| *until > now);
            }
            refused_keys.insert(key.to_owned(), now + wait);
            refused(wait)
        })
    }

    /// Refuse, without counting, a key that was refused and is still waiting.
    pub fn exhausted(&self, key: &str) -> Result<(), AppError> {
        let refused_keys = self.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match refused_keys.get(key).and_then(|until| until.checked_duration_since(std::time::Instant::now())) {
            Some(wait) => Err(refused(wait)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_says_how_long_to_wait() {
        let rl = RateLimiter::default();
        for _ in 0..3 {
            assert!(rl.check("k", 3, 60_000).is_ok());
        }
        match rl.check("k", 3, 60_000) {
            Err(AppError::RateLimited { retry_after_s }) => {
                assert!((1..=21).contains(&retry_after_s), "{retry_after_s}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(rl.exhausted("k").is_err(), "a refused key is still refused when asked without counting");
        assert!(rl.exhausted("other").is_ok());
        assert!(rl.check("other", 3, 60_000).is_ok(), "each client has its own count");
        assert!(rl.check("k", 10, 60_000).is_ok(), "each limit has its own count");
    }
}
