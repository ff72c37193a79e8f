//! The official working-day calendar: weekends and public holidays are days off, adjusted
//! working weekends (调休) are working days, per the State Council's yearly notices.
//! Shipped data covers 2019–2026 (`data/holidays-cn.txt`); an administrator adds later
//! notices in the database, which override the shipped data.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

const SHIPPED: &str = include_str!("../../data/holidays-cn.txt");

/// The longest span the calendar will count, so no input makes it loop for long.
pub const MAX_WORKING_DAYS: u32 = 3660;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub working: bool,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    special: HashMap<NaiveDate, SpecialDay>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayInfo {
    pub date: String,
    pub working_day: bool,
    /// `workday`, `weekend`, `holiday` or `adjusted_workday` (调休上班).
    pub kind: String,
    /// The holiday's name, when it is one or an adjusted working day for one.
    pub name: Option<String>,
}

/// Parse lines of `YYYY-MM-DD holiday|workday NAME`; `#` starts a comment.
pub fn parse(text: &str) -> Result<Vec<(NaiveDate, SpecialDay)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (date, kind, name) = (parts.next(), parts.next(), parts.next().unwrap_or("").trim());
        let date = date
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| format!("line {}: bad date", n + 1))?;
        let working = match kind {
            Some("holiday") => false,
            Some("workday") => true,
            _ => return Err(format!("line {}: expected holiday or workday", n + 1)),
        };
        out.push((date, SpecialDay { working, name: name.to_owned() }));
    }
    Ok(out)
}

impl WorkCalendar {
    /// The shipped calendar plus administrators' additions (which win).
    pub fn new(overrides: impl IntoIterator<Item = (NaiveDate, SpecialDay)>) -> Result<Self, String> {
        let mut special: HashMap<NaiveDate, SpecialDay> = parse(SHIPPED)?.into_iter().collect();
        special.extend(overrides);
        Ok(WorkCalendar { special })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some(s) => s.working,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    pub fn day(&self, d: NaiveDate) -> DayInfo {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let (working, kind, name) = match self.special.get(&d) {
            Some(s) if s.working => (true, if weekend { "adjusted_workday" } else { "workday" }, Some(s.name.clone())),
            Some(s) => (false, "holiday", Some(s.name.clone())),
            None if weekend => (false, "weekend", None),
            None => (true, "workday", None),
        };
        DayInfo { date: d.to_string(), working_day: working, kind: kind.into(), name }
    }

    /// The date on or after `d` that is a working day (a period ending on a day off
    /// moves to the next working day).
    pub fn roll_forward(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        for _ in 0..60 {
            if self.is_working_day(day) {
                return day;
            }
            day += Duration::days(1);
        }
        day
    }

    /// The date `n` working days after `start`; the start day itself is not counted.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let n = n.min(MAX_WORKING_DAYS);
        if n == 0 {
            return self.roll_forward(start);
        }
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day += Duration::days(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let span = (b - a).num_days().min(i64::from(MAX_WORKING_DAYS) * 2);
        let count = (1..=span).filter(|i| self.is_working_day(a + Duration::days(*i))).count() as i64;
        sign * count
    }

    /// Special days of one year, in date order.
    pub fn special_days(&self, year: i32) -> Vec<(NaiveDate, SpecialDay)> {
        let mut days: Vec<_> =
            self.special.iter().filter(|(d, _)| d.year() == year).map(|(d, s)| (*d, s.clone())).collect();
        days.sort_by_key(|(d, _)| *d);
        days
    }

    /// Whether any special day is known for `year` (a year without its notice yet).
    pub fn knows_year(&self, year: i32) -> bool {
        self.special.keys().any(|d| d.year() == year)
    }
}

/// The calendar with the administrators' additions from the database.
pub fn load(tx: &mut super::db::Tx<'_>) -> super::error::AppResult<WorkCalendar> {
    let rows = tx.query("SELECT day, working, name FROM calendar_days", &[])?;
    let mut extra = Vec::new();
    for r in &rows {
        if let Some(d) = super::clock::parse_date(&r.text(0)?) {
            extra.push((d, SpecialDay { working: r.bool(1)?, name: r.text(2)? }));
        }
    }
    WorkCalendar::new(extra).map_err(super::error::AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::new([]).unwrap_or_default()
    }

    #[test]
    fn the_2025_spring_festival() {
        let c = cal();
        assert!(c.is_working_day(d("2025-01-26")), "Sunday 26 January was worked (调休)");
        assert!(!c.is_working_day(d("2025-01-28")));
        assert!(!c.is_working_day(d("2025-02-04")));
        assert!(c.is_working_day(d("2025-02-08")), "Saturday 8 February was worked");
        // Friday 24 January + 3: Sun 26 (1), Mon 27 (2), then the holiday, Wed 5 Feb (3).
        assert_eq!(c.add_working_days(d("2025-01-24"), 3), d("2025-02-05"));
        assert_eq!(c.working_days_between(d("2025-01-24"), d("2025-02-05")), 3);
        assert_eq!(c.day(d("2025-01-26")).kind, "adjusted_workday");
    }

    #[test]
    fn the_2025_national_day() {
        let c = cal();
        assert_eq!(c.add_working_days(d("2025-09-26"), 2), d("2025-09-29"));
        assert_eq!(c.add_working_days(d("2025-09-26"), 5), d("2025-10-10"));
        assert_eq!(c.roll_forward(d("2025-10-01")), d("2025-10-09"), "a period ending in the holiday moves on");
        assert!(c.is_working_day(d("2025-10-11")), "Saturday 11 October was worked");
        assert_eq!(c.day(d("2025-10-03")).name.as_deref(), Some("国庆节"));
    }

    #[test]
    fn the_start_day_is_not_counted_and_zero_days_is_the_next_working_day() {
        let c = cal();
        assert_eq!(c.add_working_days(d("2024-06-03"), 1), d("2024-06-04"));
        assert_eq!(c.add_working_days(d("2024-06-08"), 0), d("2024-06-11"), "Sat → Mon 10 is 端午 → Tue");
        assert_eq!(c.working_days_between(d("2024-06-04"), d("2024-06-03")), -1);
    }

    #[test]
    fn administrators_add_the_next_years_notice() {
        let c = WorkCalendar::new([(d("2027-01-01"), SpecialDay { working: false, name: "元旦".into() })])
            .unwrap_or_default();
        assert!(c.knows_year(2027));
        assert!(!c.is_working_day(d("2027-01-01")));
        assert!(!cal().knows_year(2027));
    }

    #[test]
    fn the_shipped_data_covers_2020_to_2026() {
        let c = cal();
        for year in 2020..=2026 {
            assert!(c.special_days(year).len() >= 20, "{year}");
        }
        assert!(parse("2025-13-01 holiday x").is_err());
        assert!(parse("2025-01-01 party x").is_err());
    }
}
