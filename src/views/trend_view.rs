//! The view of the desk's trend (`tickets stats --by week|month`).

use serde::Serialize;

/// `tickets stats --by week|month`: the stable JSON shape, one entry per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendView {
    /// The period: `week` (Monday to Monday, UTC) or `month` (UTC).
    pub by: &'static str,
    /// The window's lower bound (RFC 3339) or null.
    pub since: Option<String>,
    /// The window's upper bound (RFC 3339) or null.
    pub until: Option<String>,
    /// Every period overlapping the window, oldest first, empty ones included.
    pub periods: Vec<PeriodView>,
}

/// The numbers of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodView {
    /// The period's name: `2026-W47` (ISO week) or `2026-11`.
    pub period: String,
    /// Its first instant (RFC 3339, inclusive).
    pub start: String,
    /// Its end (RFC 3339, exclusive).
    pub end: String,
    /// Cases opened in the period.
    pub opened: usize,
    /// Cases closed in the period (a closed case's last change is its closing).
    pub closed: usize,
    /// Of those, the ones the sweep closed (last action `auto-close`).
    pub auto_closed: usize,
    /// Cases opened in the period that have a first response.
    pub first_responses: usize,
    /// The median time to first response of those, in whole seconds, or null.
    pub first_response_median_seconds: Option<i64>,
    /// Cases opened in the period that missed their first-response target:
    /// answered after it, or past it with no response yet.
    pub first_response_missed: usize,
    /// Cases opened before the period's end and not closed by then.
    pub backlog: usize,
}
