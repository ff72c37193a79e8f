//! Fixed-window request limits per purpose and client (e.g. "login:127.0.0.1"), in
//! memory. Each purpose has its own bucket, so a flood of one kind of request from an
//! address does not refuse another kind. It fails closed: when it cannot keep count
//! (too many clients at once), it refuses.

use std::collections::HashMap;
use std::sync::Mutex;

use super::error::AppError;

/// Distinct clients counted at once; beyond it, new clients are refused until windows
/// turn.
const MAX_CLIENTS: usize = 200_000;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

fn refused(start: i64, window_ms: i64, now: i64) -> AppError {
    let wait_ms = (start + window_ms - now).max(1000);
    AppError::RateLimited { retry_after_s: (wait_ms + 999) / 1000 }
}

impl RateLimiter {
    /// Count one request for `key`; refuse when more than `limit` fall in one window.
    pub fn check(&self, key: &str, limit: u32, window_ms: i64, now: i64) -> Result<(), AppError> {
        let mut w = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.len() >= MAX_CLIENTS && !w.contains_key(key) {
            w.retain(|_, (start, _)| now - *start < window_ms);
            if w.len() >= MAX_CLIENTS {
                return Err(refused(now, window_ms, now));
            }
        }
        let entry = w.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= window_ms {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 > limit { Err(refused(entry.0, window_ms, now)) } else { Ok(()) }
    }

    /// Whether `key` is already over `limit` in its current window, without counting.
    pub fn exhausted(&self, key: &str, limit: u32, window_ms: i64, now: i64) -> Result<(), AppError> {
        let w = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match w.get(key) {
            Some((start, n)) if now - *start < window_ms && *n >= limit => Err(refused(*start, window_ms, now)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_turns() {
        let rl = RateLimiter::default();
        for _ in 0..3 {
            assert!(rl.check("k", 3, 1000, 0).is_ok());
        }
        assert!(matches!(rl.check("k", 3, 1000, 500), Err(AppError::RateLimited { retry_after_s: 1 })));
        assert!(rl.check("other", 3, 1000, 500).is_ok());
        assert!(rl.check("k", 3, 1000, 1000).is_ok());
    }

    #[test]
    fn says_how_long_to_wait_and_peeks_without_counting() {
        let rl = RateLimiter::default();
        assert!(rl.check("k", 1, 60_000, 0).is_ok());
        assert!(rl.exhausted("k", 1, 60_000, 10_000).is_err());
        assert!(matches!(rl.check("k", 1, 60_000, 10_000), Err(AppError::RateLimited { retry_after_s: 50 })));
        assert!(rl.exhausted("fresh", 1, 60_000, 10_000).is_ok());
        assert!(rl.check("fresh", 1, 60_000, 10_000).is_ok(), "peeking did not count");
    }
}
