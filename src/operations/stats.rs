//! Statistics over case summaries (`tickets stats`). Pure: the summaries,
//! the first-response policy and *now* go in, numbers come out.
//!
//! Every figure counts the cases *opened* in the window (`since` inclusive,
//! `until` exclusive), so a window's numbers do not change as later cases
//! arrive. Durations are wall-clock seconds, not business hours.

use crate::core::digest::Digest;
use crate::core::targets::is_overdue;
use crate::core::targets::Policy;
use crate::core::vocabulary::{ActionKind, Level, Severity, Status};
use crate::views::{Counts, Durations, Stats};
use chrono::{DateTime, Utc};

/// The cases to count: opened at or after `since` and before `until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Inclusive lower bound on `created_at`.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `created_at`.
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    /// Whether a case opened at `created_at` is in the window.
    pub fn contains(&self, created_at: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| created_at >= s) && self.until.is_none_or(|u| created_at < u)
    }
}

/// The computation of a [`Durations`] view lives with the statistics.
impl Durations {
    /// The distribution of these durations, in seconds.
    pub fn of(mut seconds: Vec<i64>) -> Durations {
        seconds.sort_unstable();
        Durations {
            count: seconds.len(),
            median_seconds: median(&seconds),
            p90_seconds: nearest_rank(&seconds, 90),
        }
    }
}

/// The median of sorted values; the two middle values are averaged (rounded down).
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2)),
    }
}

/// The `percent`-th percentile of sorted values by nearest rank.
pub fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn counts<T: Copy + PartialEq>(all: &[T], spell: impl Fn(T) -> &'static str, tally: &[usize]) -> Counts {
    Counts(all.iter().zip(tally).map(|(v, n)| (spell(*v), *n)).collect())
}

fn tally<T: PartialEq>(all: &[T], tally: &mut [usize], value: T) {
    if let Some(at) = all.iter().position(|v| *v == value) {
        tally[at] += 1;
    }
}

/// The statistics of the cases opened in a window, one summary at a time:
/// memory holds two durations per case at most, never the summaries.
#[derive(Debug, Clone)]
pub struct Accumulator<'a> {
    window: Window,
    policy: &'a Policy,
    now: DateTime<Utc>,
    cases: usize,
    by_status: Vec<usize>,
    by_level: Vec<usize>,
    by_severity: Vec<usize>,
    first_responses: Vec<i64>,
    closings: Vec<i64>,
    closed: usize,
    auto_closed: usize,
    overdue: usize,
    late: usize,
}

impl<'a> Accumulator<'a> {
    /// Nothing counted yet.
    pub fn new(window: Window, policy: &'a Policy, now: DateTime<Utc>) -> Self {
        Accumulator {
            window,
            policy,
            now,
            cases: 0,
            by_status: vec![0; Status::ALL.len()],
            by_level: vec![0; Level::ALL.len()],
            by_severity: vec![0; Severity::ALL.len()],
            first_responses: Vec::new(),
            closings: Vec::new(),
            closed: 0,
            auto_closed: 0,
            overdue: 0,
            late: 0,
        }
    }

    /// Counts one case (ignored when opened outside the window).
    pub fn add(&mut self, s: &Digest) {
        if !self.window.contains(s.created_at) {
            return;
        }
        self.cases += 1;
        tally(Status::ALL, &mut self.by_status, s.status);
        tally(Level::ALL, &mut self.by_level, s.level);
        tally(Severity::ALL, &mut self.by_severity, s.severity);
        if let Some(at) = s.first_response_at {
            self.first_responses.push((at - s.created_at).num_seconds());
        }
        if s.status == Status::Closed {
            // Closed is terminal, so a closed case's last change is its closing.
            self.closed += 1;
            self.closings.push((s.updated_at - s.created_at).num_seconds());
            if s.last_action == ActionKind::AutoClose {
                self.auto_closed += 1;
            }
        }
        let due = self.policy.first_response_due(&s.customer, s.severity, s.created_at);
        if is_overdue(s, &due, self.now) {
            self.overdue += 1;
        }
        if s.first_response_at.is_some_and(|at| at > due) {
            self.late += 1;
        }
    }

    /// The statistics of every case counted.
    pub fn finish(self) -> Stats {
        let closed = self.closed;
        Stats {
            since: self.window.since.as_ref().map(crate::core::time::format_instant),
            until: self.window.until.as_ref().map(crate::core::time::format_instant),
            cases: self.cases,
            by_status: counts(Status::ALL, Status::as_str, &self.by_status),
            by_level: counts(Level::ALL, Level::as_str, &self.by_level),
            by_severity: counts(Severity::ALL, Severity::as_str, &self.by_severity),
            time_to_first_response: Durations::of(self.first_responses),
            time_to_close: Durations::of(self.closings),
            closed,
            auto_closed: self.auto_closed,
            auto_closed_share: (closed > 0).then(|| self.auto_closed as f64 / closed as f64),
            first_response_overdue: self.overdue,
            first_response_late: self.late,
        }
    }
}

/// Computes the statistics of the cases opened in `window`.
pub fn compute(summaries: &[Digest], window: Window, policy: &Policy, now: DateTime<Utc>) -> Stats {
    let mut accumulator = Accumulator::new(window, policy, now);
    for summary in summaries {
        accumulator.add(summary);
    }
    accumulator.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_averages_the_middle_pair_and_p90_takes_the_nearest_rank() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3, 10]), Some(3));
        assert_eq!(median(&[1, 3, 10, 20]), Some(6));
        assert_eq!(median(&[1, 2]), Some(1), "1.5 rounds down");
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10), "ceil(9.9) = 10th");
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 90), None);
    }

    #[test]
    fn window_includes_since_and_excludes_until() {
        let t = |s: &str| crate::core::time::parse_instant(s).unwrap();
        let w = Window {
            since: Some(t("2026-11-01T00:00:00Z")),
            until: Some(t("2026-11-02T00:00:00Z")),
        };
        assert!(w.contains(t("2026-11-01T00:00:00Z")));
        assert!(!w.contains(t("2026-11-02T00:00:00Z")));
        assert!(!w.contains(t("2026-10-31T23:59:59Z")));
    }
}
