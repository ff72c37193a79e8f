//! Time is a parameter: code that needs "now" gets it from a [`Clock`], so tests can move
//! time instead of sleeping. Times are stored as UTC milliseconds and shown in China
//! Standard Time (UTC+8, no daylight saving since 1991).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that stands still until moved; for tests and the demo's fixed "today".
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(ms: i64) -> Arc<Self> {
        Arc::new(ManualClock(AtomicI64::new(ms)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl ManualClock {
    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

pub fn to_local(ms: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&china())
}

/// `2019-04-10 09:30` in China Standard Time.
pub fn fmt_local(ms: i64) -> String {
    to_local(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// RFC 3339 with the +08:00 offset, for APIs.
pub fn rfc3339(ms: i64) -> String {
    to_local(ms).to_rfc3339()
}

/// Today's date in China.
pub fn local_date(ms: i64) -> NaiveDate {
    to_local(ms).date_naive()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The first moment of a day in China, in milliseconds.
pub fn start_of_day_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis() - 8 * 3_600_000)
}

/// A local date and time in China, in milliseconds.
pub fn from_local(t: chrono::NaiveDateTime) -> Option<i64> {
    t.and_local_timezone(china()).single().map(|d| d.timestamp_millis())
}

/// A date as 公文 write it: 2019年4月15日.
pub fn date_words(ms: i64) -> String {
    local_date(ms).format("%Y年%-m月%-d日").to_string()
}
