//! Fixed-window request limits per client key (e.g. "login:127.0.0.1"), in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use super::error::AppError;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// Count one request for `key`; refuse when more than `limit` fall in one window.
    pub fn check(&self, key: &str, limit: u32, window_ms: i64, now: i64) -> Result<(), AppError> {
        let Ok(mut w) = self.windows.lock() else {
            return Ok(());
        };
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now - *start < window_ms);
        }
        let entry = w.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= window_ms {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > limit { Err(AppError::RateLimited) } else { Ok(()) }
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
        assert!(rl.check("k", 3, 1000, 500).is_err());
        assert!(rl.check("other", 3, 1000, 500).is_ok());
        assert!(rl.check("k", 3, 1000, 1000).is_ok());
    }
}
