//! Before and after a redesign: every change of a process definition is numbered, and the
//! records created under the old definition are compared with those created under the new
//! one — how long finished records took, how often records went round a rework loop, and
//! how often they met their deadline — with sample sizes and whether the difference is
//! beyond noise.
//!
//! Method: for the duration, a percentile bootstrap (2,000 resamples of each group, a fixed
//! seed so the page is reproducible) of the difference of medians; for the rework share, the
//! normal approximation of the difference of two proportions. Both give a 95 % interval; the
//! difference is beyond noise when the interval leaves out zero. A group needs at least
//! [`MIN_SAMPLE`] records for an interval.

use serde::Serialize;

use super::{HOUR_MS, Trace, median_p90, round1};
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::workflow::Process;
use crate::params;

pub const MIN_SAMPLE: usize = 5;
const RESAMPLES: usize = 2000;

/// One change of a definition.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: i64,
}

/// Number the definition `kind` now runs under, in the change's transaction.
pub fn record(tx: &mut Tx<'_>, who: &Who, kind: &str, definition: &str) -> AppResult<()> {
    tx.execute(
        "INSERT INTO process_versions (kind, version, definition, changed_by, changed_at) \
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM process_versions WHERE kind = $1",
        params![kind, definition, who.actor.as_str(), who.now],
    )?;
    Ok(())
}

/// The changes of `kind`, newest first.
pub fn list(tx: &mut Tx<'_>, kind: &str) -> AppResult<Vec<Version>> {
    tx.query(
        "SELECT version, changed_by, changed_at FROM process_versions WHERE kind = $1 ORDER BY version DESC",
        params![kind],
    )?
    .iter()
    .map(|r| Ok(Version { version: r.int(0)?, changed_by: r.text(1)?, changed_at: r.int(2)? }))
    .collect()
}

/// One measure before and after, with the 95 % interval of the difference (after − before).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedMeasure {
    /// `duration_hours` (median, finished records), `rework_share` or `on_time_share`
    /// (percent of the records that left the deadline's states by the day).
    pub measure: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub before_n: usize,
    pub after_n: usize,
    pub difference: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The interval leaves out zero.
    pub beyond_noise: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub kind: String,
    pub version: i64,
    pub changed_at: String,
    pub measures: Vec<ComparedMeasure>,
    pub method: String,
}

/// A small deterministic generator (xorshift64*), so the same data give the same interval.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

fn median(values: &[f64]) -> f64 {
    median_p90(&mut values.to_vec()).0
}

fn durations(process: &Process, traces: &[Trace]) -> Vec<f64> {
    traces
        .iter()
        .filter(|t| process.is_final(&t.state))
        .filter_map(|t| t.steps.last().map(|s| (s.at - t.created_at) as f64 / HOUR_MS))
        .collect()
}

fn reworked(process: &Process, t: &Trace) -> bool {
    let mut seen = vec![process.initial.as_str()];
    t.steps.iter().any(|s| {
        let again = seen.contains(&s.to.as_str());
        seen.push(&s.to);
        again
    })
}

fn duration_measure(before: &[f64], after: &[f64]) -> ComparedMeasure {
    let mut m = ComparedMeasure {
        measure: "duration_hours".into(),
        before: (!before.is_empty()).then(|| round1(median(before))),
        after: (!after.is_empty()).then(|| round1(median(after))),
        before_n: before.len(),
        after_n: after.len(),
        difference: None,
        low: None,
        high: None,
        beyond_noise: false,
    };
    if let (Some(b), Some(a)) = (m.before, m.after) {
        m.difference = Some(round1(a - b));
    }
    if before.len() >= MIN_SAMPLE && after.len() >= MIN_SAMPLE {
        let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
        let mut diffs: Vec<f64> = (0..RESAMPLES)
            .map(|_| {
                let pick = |g: &[f64], d: &mut Draw| (0..g.len()).map(|_| g[d.below(g.len())]).collect::<Vec<f64>>();
                let (b, a) = (pick(before, &mut draw), pick(after, &mut draw));
                median(&a) - median(&b)
            })
            .collect();
        diffs.sort_by(f64::total_cmp);
        let (low, high) = (diffs[RESAMPLES * 25 / 1000], diffs[RESAMPLES * 975 / 1000 - 1]);
        m.low = Some(round1(low));
        m.high = Some(round1(high));
        m.beyond_noise = low > 0.0 || high < 0.0;
    }
    m
}

/// Whether a record met its deadline: it left the states in which the deadline runs for the
/// last time on or before the day. `None` when it has no deadline or has not left them.
fn on_time(process: &Process, t: &Trace) -> Option<bool> {
    let day = chrono::NaiveDate::parse_from_str(t.deadline.as_deref()?, "%Y-%m-%d").ok()?;
    let running = &process.timing.running;
    if running.contains(&t.state) {
        return None;
    }
    let left = t.steps.iter().rev().find(|s| running.contains(&s.from))?;
    Some(crate::kernel::clock::local_date(left.at) <= day)
}

fn share_measure(measure: &str, before: (usize, usize), after: (usize, usize)) -> ComparedMeasure {
    let share = |(k, n): (usize, usize)| (n > 0).then(|| k as f64 / n as f64);
    let (pb, pa) = (share(before), share(after));
    let mut m = ComparedMeasure {
        measure: measure.into(),
        before: pb.map(|p| round1(p * 100.0)),
        after: pa.map(|p| round1(p * 100.0)),
        before_n: before.1,
        after_n: after.1,
        difference: None,
        low: None,
        high: None,
        beyond_noise: false,
    };
    if let (Some(b), Some(a)) = (pb, pa) {
        m.difference = Some(round1((a - b) * 100.0));
        if before.1 >= MIN_SAMPLE && after.1 >= MIN_SAMPLE {
            let se = (b * (1.0 - b) / before.1 as f64 + a * (1.0 - a) / after.1 as f64).sqrt();
            let (low, high) = ((a - b) - 1.96 * se, (a - b) + 1.96 * se);
            m.low = Some(round1(low * 100.0));
            m.high = Some(round1(high * 100.0));
            m.beyond_noise = low > 0.0 || high < 0.0;
        }
    }
    m
}

/// The records created before a change against those created after it.
pub fn compare(process: &Process, version: &Version, before: &[Trace], after: &[Trace]) -> Comparison {
    let moved = |ts: &[Trace]| {
        let moved: Vec<&Trace> = ts.iter().filter(|t| !t.steps.is_empty()).collect();
        (moved.iter().filter(|t| reworked(process, t)).count(), moved.len())
    };
    let met = |ts: &[Trace]| {
        let decided: Vec<bool> = ts.iter().filter_map(|t| on_time(process, t)).collect();
        (decided.iter().filter(|m| **m).count(), decided.len())
    };
    let mut measures = vec![
        duration_measure(&durations(process, before), &durations(process, after)),
        share_measure("rework_share", moved(before), moved(after)),
    ];
    if !process.timing.running.is_empty() {
        measures.push(share_measure("on_time_share", met(before), met(after)));
    }
    Comparison {
        kind: process.kind.clone(),
        version: version.version,
        changed_at: crate::kernel::clock::rfc3339(version.changed_at),
        measures,
        method: "95% intervals: percentile bootstrap of the difference of medians (2000 resamples); \
                 normal approximation for the differences of proportions (rework, on time); at least 5 records a side"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_speed_up_is_beyond_noise_and_a_same_sample_is_not() {
        let slow: Vec<f64> = (0..30).map(|i| 100.0 + f64::from(i % 7)).collect();
        let fast: Vec<f64> = (0..30).map(|i| 40.0 + f64::from(i % 5)).collect();
        let m = duration_measure(&slow, &fast);
        assert_eq!((m.before_n, m.after_n), (30, 30));
        assert!(m.difference.is_some_and(|d| d < -50.0), "{m:?}");
        assert!(m.beyond_noise && m.high.is_some_and(|h| h < 0.0), "{m:?}");
        let same = duration_measure(&slow, &slow);
        assert!(!same.beyond_noise, "{same:?}");
        assert!(same.low.is_some_and(|l| l <= 0.0) && same.high.is_some_and(|h| h >= 0.0));
        let few = duration_measure(&slow[..3], &fast);
        assert!(few.low.is_none() && !few.beyond_noise, "too few records for an interval");
    }

    #[test]
    fn a_rework_share_halved_on_large_samples_is_beyond_noise() {
        let m = share_measure("rework_share", (40, 100), (10, 100));
        assert_eq!((m.before, m.after, m.difference), (Some(40.0), Some(10.0), Some(-30.0)));
        assert!(m.beyond_noise, "{m:?}");
        let m = share_measure("rework_share", (2, 10), (1, 10));
        assert!(!m.beyond_noise, "{m:?}");
    }
}
