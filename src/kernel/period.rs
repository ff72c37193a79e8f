//! Periods for figures: a year `2019`, a quarter `2019-Q2`, a month `2019-04`, an ISO week
//! `2019-W15`, or a range of days `2019-04-01~2019-04-30` (both days included), each in
//! China time, and the period of the same kind just before it — the one a figures page
//! shows beside it.

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::clock;
use super::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Year,
    Quarter,
    Month,
    Week,
    Range,
}

/// A checked period: its first day and the day after its last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: Kind,
    pub first: NaiveDate,
    pub end: NaiveDate,
}

/// The longest range a person may ask for, in days (ten years).
const LONGEST_RANGE: i64 = 3660;

fn invalid() -> AppError {
    AppError::invalid("bad_period", "period")
}

fn date(y: i32, m: u32, d: u32) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(invalid)
}

fn year_of(s: &str) -> AppResult<i32> {
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().map_err(|_| invalid())
    } else {
        Err(invalid())
    }
}

impl Period {
    /// Read a period as a person writes it; see the module's head for the forms.
    pub fn parse(s: &str) -> AppResult<Period> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once('~') {
            let first = clock::parse_date(a.trim()).ok_or_else(invalid)?;
            let last = clock::parse_date(b.trim()).ok_or_else(invalid)?;
            let days = (last - first).num_days();
            if !(0..LONGEST_RANGE).contains(&days) {
                return Err(invalid());
            }
            return Ok(Period { kind: Kind::Range, first, end: last + Duration::days(1) });
        }
        let (y, rest) = match s.split_once('-') {
            Some((y, rest)) => (year_of(y)?, Some(rest)),
            None => (year_of(s)?, None),
        };
        let number = |t: &str, max: u32| t.parse::<u32>().ok().filter(|n| (1..=max).contains(n) && t.len() <= 2);
        match rest {
            None => Ok(Self::of(Kind::Year, date(y, 1, 1)?)),
            Some(q) if q.starts_with('Q') => {
                let n = number(&q[1..], 4).ok_or_else(invalid)?;
                Ok(Self::of(Kind::Quarter, date(y, (n - 1) * 3 + 1, 1)?))
            }
            Some(w) if w.starts_with('W') => {
                let n = number(&w[1..], 53).ok_or_else(invalid)?;
                let monday = NaiveDate::from_isoywd_opt(y, n, chrono::Weekday::Mon).ok_or_else(invalid)?;
                Ok(Self::of(Kind::Week, monday))
            }
            Some(m) if m.len() == 2 => Ok(Self::of(Kind::Month, date(y, number(m, 12).ok_or_else(invalid)?, 1)?)),
            Some(_) => Err(invalid()),
        }
    }

    /// The period of `kind` that holds `day` (a range is the day itself).
    pub fn holding(kind: Kind, day: NaiveDate) -> Period {
        let start = match kind {
            Kind::Year => day.with_ordinal(1),
            Kind::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1),
            Kind::Month => day.with_day(1),
            Kind::Week => Some(day - Duration::days(i64::from(day.weekday().num_days_from_monday()))),
            Kind::Range => Some(day),
        };
        Self::of(kind, start.unwrap_or(day))
    }

    /// The period of `kind` that holds the moment `at`.
    pub fn at(kind: Kind, at: i64) -> Period {
        Self::holding(kind, clock::local_date(at))
    }

    fn of(kind: Kind, first: NaiveDate) -> Period {
        let end = match kind {
            Kind::Year => first.checked_add_months(Months::new(12)),
            Kind::Quarter => first.checked_add_months(Months::new(3)),
            Kind::Month => first.checked_add_months(Months::new(1)),
            Kind::Week => Some(first + Duration::days(7)),
            Kind::Range => Some(first + Duration::days(1)),
        };
        Period { kind, first, end: end.unwrap_or(first) }
    }

    /// The period of the same kind just before; for a range, as many days just before.
    pub fn previous(&self) -> Period {
        match self.kind {
            Kind::Range => {
                let days = (self.end - self.first).num_days();
                Period { kind: Kind::Range, first: self.first - Duration::days(days), end: self.first }
            }
            kind => Self::holding(kind, self.first - Duration::days(1)),
        }
    }

    /// The period of the same kind just after.
    pub fn next(&self) -> Period {
        match self.kind {
            Kind::Range => {
                let days = (self.end - self.first).num_days();
                Period { kind: Kind::Range, first: self.end, end: self.end + Duration::days(days) }
            }
            kind => Self::of(kind, self.end),
        }
    }

    /// The period as it is written: `2019-Q2`, `2019-W15`, `2019-04-01~2019-04-30`.
    pub fn key(&self) -> String {
        let f = self.first;
        match self.kind {
            Kind::Year => f.year().to_string(),
            Kind::Quarter => format!("{}-Q{}", f.year(), (f.month() - 1) / 3 + 1),
            Kind::Month => format!("{}-{:02}", f.year(), f.month()),
            Kind::Week => format!("{}-W{:02}", f.iso_week().year(), f.iso_week().week()),
            Kind::Range => format!("{f}~{}", self.last()),
        }
    }

    /// The last day in the period.
    pub fn last(&self) -> NaiveDate {
        self.end - Duration::days(1)
    }

    /// Year, quarter and month are kept as running totals where a mechanism keeps them;
    /// weeks and ranges are counted from the records.
    pub fn is_calendar_span(&self) -> bool {
        matches!(self.kind, Kind::Year | Kind::Quarter | Kind::Month)
    }

    /// The first moment and the moment after the last, in milliseconds.
    pub fn bounds_ms(&self) -> (i64, i64) {
        (clock::start_of_day_ms(self.first), clock::start_of_day_ms(self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn each_form_reads_back_as_written() {
        for s in ["2019", "2019-Q2", "2019-04", "2019-W15", "2019-04-01~2019-04-30", "2020-W53"] {
            assert_eq!(p(s).key(), s);
        }
        assert_eq!(p(" 2019-04-01 ~ 2019-04-03 ").key(), "2019-04-01~2019-04-03");
    }

    #[test]
    fn bad_periods_are_refused() {
        for s in ["19", "2019-13", "2019-Q5", "2019-W54", "2019-W0", "2019-4", "2019-04-30~2019-04-01", "abcd", ""] {
            assert!(Period::parse(s).is_err(), "{s}");
        }
        assert!(Period::parse("2000-01-01~2019-01-01").is_err(), "more than ten years");
    }

    #[test]
    fn the_previous_period_is_of_the_same_kind() {
        assert_eq!(p("2019").previous().key(), "2018");
        assert_eq!(p("2019-Q1").previous().key(), "2018-Q4");
        assert_eq!(p("2019-03").previous().key(), "2019-02");
        assert_eq!(p("2019-W01").previous().key(), "2018-W52");
        assert_eq!(p("2019-04-08~2019-04-14").previous().key(), "2019-04-01~2019-04-07");
        assert_eq!(p("2019-03").next().key(), "2019-04");
        assert_eq!(p("2019-W52").next().key(), "2020-W01");
    }

    #[test]
    fn a_period_holds_its_days_in_china_time() {
        let day = 86_400_000;
        let q2 = p("2019-Q2");
        let (from, to) = q2.bounds_ms();
        assert_eq!(clock::local_date(from).to_string(), "2019-04-01");
        assert_eq!(clock::local_date(to - 1).to_string(), "2019-06-30");
        assert_eq!((to - from) / day, 91);
        let (from, to) = p("2020").bounds_ms();
        assert_eq!((to - from) / day, 366);
        // 2019-03-31 17:00 UTC is already Monday 1 April in Qingdao.
        assert_eq!(Period::at(Kind::Week, 1_554_051_600_000).key(), "2019-W14");
        assert_eq!(Period::at(Kind::Quarter, 1_554_051_600_000).key(), "2019-Q2");
        assert_eq!(p("2019-W15").first.to_string(), "2019-04-08");
    }
}
