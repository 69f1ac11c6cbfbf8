//! The view of the desk's numbers (`tickets stats`).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Counts keyed by a vocabulary's spellings, in declaration order (zeros included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts(pub Vec<(&'static str, usize)>);

impl Counts {
    /// The count for a spelling (0 if absent).
    pub fn get(&self, key: &str) -> usize {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, n)| *n).unwrap_or(0)
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, count) in &self.0 {
            map.serialize_entry(key, count)?;
        }
        map.end()
    }
}

/// The distribution of a duration over the cases that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Durations {
    /// How many cases have the duration.
    pub count: usize,
    /// Median in whole seconds (the mean of the two middle values when the
    /// count is even, rounded down), or null with no cases.
    pub median_seconds: Option<i64>,
    /// 90th percentile in whole seconds by nearest rank (the smallest value
    /// with at least 90% of the values at or below it), or null.
    pub p90_seconds: Option<i64>,
}

/// `tickets stats`: the stable JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The window's lower bound (RFC 3339) or null.
    pub since: Option<String>,
    /// The window's upper bound (RFC 3339) or null.
    pub until: Option<String>,
    /// Cases opened in the window.
    pub cases: usize,
    /// By current status.
    pub by_status: Counts,
    /// By current tier.
    pub by_level: Counts,
    /// By current severity.
    pub by_severity: Counts,
    /// From opening to the first response, over cases that have one.
    pub time_to_first_response: Durations,
    /// From opening to closing, over closed cases.
    pub time_to_close: Durations,
    /// Closed cases.
    pub closed: usize,
    /// Closed cases whose last action is `auto-close` (the sweep closed them).
    pub auto_closed: usize,
    /// `auto_closed / closed`, or null with no closed case.
    pub auto_closed_share: Option<f64>,
    /// Cases past their first-response target with no response yet (as `list --overdue`).
    pub first_response_overdue: usize,
    /// Cases whose first response came after the target.
    pub first_response_late: usize,
}

/// `tickets stats --by tag`: the stable JSON shape, one row per tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagStats {
    /// The window's lower bound (RFC 3339) or null.
    pub since: Option<String>,
    /// The window's upper bound (RFC 3339) or null.
    pub until: Option<String>,
    /// Always `tag`.
    pub by: &'static str,
    /// Cases opened in the window.
    pub cases: usize,
    /// Those of them with no tag.
    pub untagged: usize,
    /// config.yaml's tags in its order (zeros included), then tags found on
    /// cases that config.yaml no longer lists, sorted.
    pub tags: Vec<TagRow>,
}

/// The numbers of the cases with one tag (a case with two tags counts in both rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagRow {
    /// The tag.
    pub tag: String,
    /// Cases opened in the window with the tag.
    pub cases: usize,
    /// Those not closed.
    pub active: usize,
    /// Those closed.
    pub closed: usize,
    /// Those the sweep closed.
    pub auto_closed: usize,
    /// From opening to the first response, over those that have one.
    pub time_to_first_response: Durations,
    /// From opening to closing, over those closed.
    pub time_to_close: Durations,
}
