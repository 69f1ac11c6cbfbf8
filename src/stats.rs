//! Statistics over case summaries (`tickets stats`). Pure: the summaries,
//! the first-response policy and *now* go in, numbers come out.
//!
//! Every figure counts the cases *opened* in the window (`since` inclusive,
//! `until` exclusive), so a window's numbers do not change as later cases
//! arrive. Durations are wall-clock seconds, not business hours.

use crate::digest::Digest;
use crate::output::{is_overdue, Counts, Durations, Stats};
use crate::targets::Policy;
use crate::vocabulary::{ActionKind, Level, Severity, Status};
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

fn counts<T: Copy + PartialEq>(all: &[T], spell: impl Fn(T) -> &'static str, values: &[T]) -> Counts {
    Counts(
        all.iter()
            .map(|v| (spell(*v), values.iter().filter(|x| *x == v).count()))
            .collect(),
    )
}

/// Computes the statistics of the cases opened in `window`.
pub fn compute(summaries: &[Digest], window: Window, policy: &Policy, now: DateTime<Utc>) -> Stats {
    let cases: Vec<&Digest> = summaries.iter().filter(|s| window.contains(s.created_at)).collect();
    let statuses: Vec<Status> = cases.iter().map(|s| s.status).collect();
    let levels: Vec<Level> = cases.iter().map(|s| s.level).collect();
    let severities: Vec<Severity> = cases.iter().map(|s| s.severity).collect();
    let first_responses = cases
        .iter()
        .filter_map(|s| s.first_response_at.map(|at| (at - s.created_at).num_seconds()))
        .collect();
    let closed: Vec<&&Digest> = cases.iter().filter(|s| s.status == Status::Closed).collect();
    // Closed is terminal, so a closed case's last change is its closing.
    let closings = closed
        .iter()
        .map(|s| (s.updated_at - s.created_at).num_seconds())
        .collect();
    let auto_closed = closed.iter().filter(|s| s.last_action == ActionKind::AutoClose).count();
    let mut overdue = 0;
    let mut late = 0;
    for s in &cases {
        let due = policy.first_response_due(&s.customer, s.severity, s.created_at);
        if is_overdue(s, &due, now) {
            overdue += 1;
        }
        if s.first_response_at.is_some_and(|at| at > due) {
            late += 1;
        }
    }
    Stats {
        since: window.since.as_ref().map(crate::time::format_instant),
        until: window.until.as_ref().map(crate::time::format_instant),
        cases: cases.len(),
        by_status: counts(Status::ALL, Status::as_str, &statuses),
        by_level: counts(Level::ALL, Level::as_str, &levels),
        by_severity: counts(Severity::ALL, Severity::as_str, &severities),
        time_to_first_response: Durations::of(first_responses),
        time_to_close: Durations::of(closings),
        closed: closed.len(),
        auto_closed,
        auto_closed_share: (!closed.is_empty()).then(|| auto_closed as f64 / closed.len() as f64),
        first_response_overdue: overdue,
        first_response_late: late,
    }
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
        let t = |s: &str| crate::time::parse_instant(s).unwrap();
        let w = Window {
            since: Some(t("2026-11-01T00:00:00Z")),
            until: Some(t("2026-11-02T00:00:00Z")),
        };
        assert!(w.contains(t("2026-11-01T00:00:00Z")));
        assert!(!w.contains(t("2026-11-02T00:00:00Z")));
        assert!(!w.contains(t("2026-10-31T23:59:59Z")));
    }
}
