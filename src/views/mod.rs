//! The JSON/YAML views for scripts, one file per view. The views are the stable machine-readable
//! contract (SPEC section 5): their field names and order are pinned by the
//! snapshot tests in `src/snapshot_tests.rs`, so a renamed field fails a test.

mod answer_view;
mod case_view;
mod check_view;
mod outbox_view;
mod queue_view;
mod remind_view;
mod stats_view;
mod trend_view;

pub use answer_view::AnswerView;
pub use case_view::{CaseView, EventView, MergedConversation};
pub use check_view::{CheckView, Gravity, Problem};
pub use outbox_view::OutboxView;
pub use queue_view::QueueView;
pub use remind_view::RemindView;
pub use stats_view::{Counts, Durations, Stats, TagRow, TagStats};
pub use trend_view::{PeriodView, TrendView};

use crate::core::error::{Error, Result};
use crate::core::time::format_instant;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for people; untrusted text escaped.
    #[default]
    Table,
    /// JSON for scripts; text exact.
    Json,
    /// YAML for scripts; text exact.
    Yaml,
}

fn instant(t: &Option<DateTime<Utc>>) -> Option<String> {
    t.as_ref().map(format_instant)
}

/// Serializes for scripts; `None` for the table format.
pub fn serialize<T: Serialize>(format: Format, value: &T) -> Result<Option<String>> {
    match format {
        Format::Table => Ok(None),
        Format::Json => serde_json::to_string_pretty(value)
            .map(|s| Some(s + "\n"))
            .map_err(|e| Error::Serialize {
                what: "JSON".into(),
                detail: e.to_string(),
            }),
        Format::Yaml => serde_yaml::to_string(value).map(Some).map_err(|e| Error::Serialize {
            what: "YAML".into(),
            detail: e.to_string(),
        }),
    }
}
