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
use crate::views::{Counts, Durations, PeriodView, Stats, TagRow, TagStats, TrendView};
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

/// The numbers per tag of the cases opened in a window (`stats --by tag`),
/// one summary at a time: the tags come from the digest.
#[derive(Debug, Clone)]
pub struct TagAccumulator {
    window: Window,
    cases: usize,
    untagged: usize,
    known: usize,
    rows: Vec<TagTally>,
}

#[derive(Debug, Clone, Default)]
struct TagTally {
    tag: String,
    cases: usize,
    closed: usize,
    auto_closed: usize,
    first_responses: Vec<i64>,
    closings: Vec<i64>,
}

impl TagAccumulator {
    /// Nothing counted yet; `tags` (config.yaml's) get a row each, zeros included.
    pub fn new(window: Window, tags: &[String]) -> Self {
        TagAccumulator {
            window,
            cases: 0,
            untagged: 0,
            known: tags.len(),
            rows: tags
                .iter()
                .map(|tag| TagTally {
                    tag: tag.clone(),
                    ..TagTally::default()
                })
                .collect(),
        }
    }

    /// Counts one case in the row of each of its tags (ignored when opened
    /// outside the window).
    pub fn add(&mut self, s: &Digest) {
        if !self.window.contains(s.created_at) {
            return;
        }
        self.cases += 1;
        if s.tags.is_empty() {
            self.untagged += 1;
        }
        for tag in &s.tags {
            let at = match self.rows.iter().position(|r| &r.tag == tag) {
                Some(at) => at,
                None => {
                    self.rows.push(TagTally {
                        tag: tag.clone(),
                        ..TagTally::default()
                    });
                    self.rows.len() - 1
                }
            };
            let row = &mut self.rows[at];
            row.cases += 1;
            if let Some(at) = s.first_response_at {
                row.first_responses.push((at - s.created_at).num_seconds());
            }
            if s.status == Status::Closed {
                row.closed += 1;
                row.closings.push((s.updated_at - s.created_at).num_seconds());
                if s.last_action == ActionKind::AutoClose {
                    row.auto_closed += 1;
                }
            }
        }
    }

    /// The numbers per tag: config.yaml's tags in its order, then the
    /// others found on cases, sorted.
    pub fn finish(self) -> TagStats {
        let mut rows = self.rows;
        let known = self.known.min(rows.len());
        rows[known..].sort_by(|a, b| a.tag.cmp(&b.tag));
        TagStats {
            since: self.window.since.as_ref().map(crate::core::time::format_instant),
            until: self.window.until.as_ref().map(crate::core::time::format_instant),
            by: "tag",
            cases: self.cases,
            untagged: self.untagged,
            tags: rows
                .into_iter()
                .map(|r| TagRow {
                    tag: r.tag,
                    cases: r.cases,
                    active: r.cases - r.closed,
                    closed: r.closed,
                    auto_closed: r.auto_closed,
                    time_to_first_response: Durations::of(r.first_responses),
                    time_to_close: Durations::of(r.closings),
                })
                .collect(),
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

/// The length of a trend's periods (`stats --by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// ISO weeks, Monday 00:00 UTC to the next Monday.
    Week,
    /// Calendar months, UTC.
    Month,
}

impl Period {
    /// The spelling in `--by` and in the view.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The start of the period holding `t`.
    pub fn start_of(self, t: DateTime<Utc>) -> DateTime<Utc> {
        use chrono::{Datelike, NaiveDate};
        let date = t.date_naive();
        let first = match self {
            Period::Week => date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday())),
            Period::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date),
        };
        first.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The start of the period after the one starting at `start`.
    pub fn next(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Period::Week => start + chrono::Duration::days(7),
            Period::Month => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }

    /// The name of the period starting at `start`: `2026-W47` or `2026-11`.
    pub fn label(self, start: DateTime<Utc>) -> String {
        match self {
            Period::Week => start.format("%G-W%V").to_string(),
            Period::Month => start.format("%Y-%m").to_string(),
        }
    }
}

/// What one period has counted so far.
#[derive(Debug, Clone, Default)]
struct Bucket {
    opened: usize,
    closed: usize,
    auto_closed: usize,
    first_responses: Vec<i64>,
    missed: usize,
}

/// The trend of the desk per period, one summary at a time: memory holds a
/// few counters per period and one duration per answered case of the
/// periods shown, never the summaries.
///
/// The window picks the periods shown (every period overlapping it), and
/// each period is counted whole; the backlog counts every case, shown or not.
#[derive(Debug, Clone)]
pub struct TrendAccumulator<'a> {
    by: Period,
    window: Window,
    policy: &'a Policy,
    now: DateTime<Utc>,
    buckets: std::collections::BTreeMap<DateTime<Utc>, Bucket>,
}

impl<'a> TrendAccumulator<'a> {
    /// Nothing counted yet.
    pub fn new(by: Period, window: Window, policy: &'a Policy, now: DateTime<Utc>) -> Self {
        TrendAccumulator {
            by,
            window,
            policy,
            now,
            buckets: std::collections::BTreeMap::new(),
        }
    }

    /// Whether the period starting at `start` overlaps the window.
    fn shown(&self, start: DateTime<Utc>) -> bool {
        self.window.since.is_none_or(|s| self.by.next(start) > s) && self.window.until.is_none_or(|u| start < u)
    }

    /// Counts one case.
    pub fn add(&mut self, s: &Digest) {
        let opened = self.by.start_of(s.created_at);
        let shown = self.shown(opened);
        let due = self.policy.first_response_due(&s.customer, s.severity, s.created_at);
        let missed = is_overdue(s, &due, self.now) || s.first_response_at.is_some_and(|at| at > due);
        let bucket = self.buckets.entry(opened).or_default();
        bucket.opened += 1;
        if shown {
            if let Some(at) = s.first_response_at {
                bucket.first_responses.push((at - s.created_at).num_seconds());
            }
            if missed {
                bucket.missed += 1;
            }
        }
        if s.status == Status::Closed {
            // Closed is terminal, so a closed case's last change is its closing.
            let bucket = self.buckets.entry(self.by.start_of(s.updated_at)).or_default();
            bucket.closed += 1;
            if s.last_action == ActionKind::AutoClose {
                bucket.auto_closed += 1;
            }
        }
    }

    /// The trend: every period overlapping the window, from the first with a
    /// case (or the window's start) to the one holding *now* (or the window's end).
    pub fn finish(self) -> TrendView {
        let by = self.by;
        let first = match self.window.since {
            Some(since) => Some(by.start_of(since)),
            None => self.buckets.keys().next().copied(),
        };
        let last = match self.window.until {
            Some(until) => by.start_of(until - chrono::Duration::nanoseconds(1)),
            None => {
                let newest = self.buckets.keys().next_back().copied();
                newest.map_or(by.start_of(self.now), |n| n.max(by.start_of(self.now)))
            }
        };
        let mut periods = Vec::new();
        let mut backlog: i64 = 0;
        let mut buckets = self.buckets.into_iter().peekable();
        let mut start = match first {
            Some(first) => first,
            None => last + chrono::Duration::days(1),
        };
        while start <= last {
            // Everything before the period (shown or not) goes into the backlog.
            while let Some((_, b)) = buckets.next_if(|(k, _)| *k < start) {
                backlog += b.opened as i64 - b.closed as i64;
            }
            let end = by.next(start);
            let mut bucket = buckets
                .next_if(|(k, _)| *k == start)
                .map(|(_, b)| b)
                .unwrap_or_default();
            backlog += bucket.opened as i64 - bucket.closed as i64;
            bucket.first_responses.sort_unstable();
            periods.push(PeriodView {
                period: by.label(start),
                start: crate::core::time::format_instant(&start),
                end: crate::core::time::format_instant(&end),
                opened: bucket.opened,
                closed: bucket.closed,
                auto_closed: bucket.auto_closed,
                first_responses: bucket.first_responses.len(),
                first_response_median_seconds: median(&bucket.first_responses),
                first_response_missed: bucket.missed,
                backlog: backlog.max(0) as usize,
            });
            start = end;
        }
        TrendView {
            by: by.as_str(),
            since: self.window.since.as_ref().map(crate::core::time::format_instant),
            until: self.window.until.as_ref().map(crate::core::time::format_instant),
            periods,
        }
    }
}

/// Computes the trend of `summaries` per period.
pub fn trend(summaries: &[Digest], by: Period, window: Window, policy: &Policy, now: DateTime<Utc>) -> TrendView {
    let mut accumulator = TrendAccumulator::new(by, window, policy, now);
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
    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let t = |s: &str| crate::core::time::parse_instant(s).unwrap();
        let thursday = t("2026-11-19T10:00:00Z");
        assert_eq!(Period::Week.start_of(thursday), t("2026-11-16T00:00:00Z"));
        assert_eq!(Period::Week.label(t("2026-11-16T00:00:00Z")), "2026-W47");
        assert_eq!(Period::Month.start_of(thursday), t("2026-11-01T00:00:00Z"));
        assert_eq!(Period::Month.next(t("2026-12-01T00:00:00Z")), t("2027-01-01T00:00:00Z"));
        assert_eq!(Period::Month.label(t("2026-12-01T00:00:00Z")), "2026-12");
        // 2027-01-01 is a Friday of ISO week 2026-W53.
        assert_eq!(
            Period::Week.label(Period::Week.start_of(t("2027-01-01T00:00:00Z"))),
            "2026-W53"
        );
    }
}
