//! The view of a case due a reminder (`tickets remind`).

use super::CaseView;

/// A case due a reminder, for a mail script: the case (`id`, `customer`,
/// `email`, `summary`, `waiting_since`...) and when it will be auto-closed.
#[derive(Debug, serde::Serialize)]
pub struct RemindView {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// When `sweep` will auto-close it if the customer stays silent (RFC 3339 UTC).
    pub auto_close_at: String,
}
