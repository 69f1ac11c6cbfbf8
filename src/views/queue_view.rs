//! The view of an entry in R&D's resolution queue (`tickets queue`).

use super::CaseView;

/// One queue entry for scripts: the case and its 1-based position.
#[derive(Debug, serde::Serialize)]
pub struct QueueView {
    /// 1-based position in R&D's queue.
    pub position: usize,
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
}
