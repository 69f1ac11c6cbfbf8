//! Rendering: the JSON/YAML views for scripts, one file per view, and the
//! tables and text for people. The views are the stable machine-readable
//! contract (SPEC section 5): their field names and order are pinned by the
//! snapshot tests in `src/snapshot_tests.rs`, so a renamed field fails a test.

mod case_view;
mod check_view;
mod list_table;
mod outbox_view;
mod queue_view;
mod remind_view;
mod stats_view;

pub use case_view::{is_overdue, CaseView, Due, EventView};
pub use check_view::{CheckView, Gravity, Problem};
pub use list_table::{due_cell, short_duration, status_short, truncate_width, turn, ListTable};
pub use outbox_view::OutboxView;
pub use queue_view::QueueView;
pub use remind_view::RemindView;
pub use stats_view::{Counts, Durations, Stats};

use crate::case::Case;
use crate::color::Style;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::terminal::{escape_block, escape_line};
use crate::time::format_instant;
use crate::vocabulary::{ActionKind, Status, Visibility};
use chrono::{DateTime, Duration, Utc};
use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde::Serialize;

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
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
            .map_err(|e| Error::Other(format!("cannot write JSON: {e}"))),
        Format::Yaml => serde_yaml::to_string(value)
            .map(Some)
            .map_err(|e| Error::Other(format!("cannot write YAML: {e}"))),
    }
}

/// A table without borders, as `ls -l` or `kubectl get` print them.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    table
}

/// Renders rows as aligned columns exactly as a borderless [`table`] does,
/// without its per-cell machinery: a pipe may carry 100,000 rows.
pub fn plain_table(header: &[&str], rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        line.clear();
        for (width, cell) in widths.iter().zip(row) {
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.width() + 1));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Renders a table to a string without trailing spaces.
pub fn render_table(table: &Table) -> String {
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// "3h 20m", "2d 4h": a short human duration.
pub fn human_duration(d: Duration) -> String {
    let minutes = d.num_minutes().abs();
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    }
}

/// The first-response column: time left ("in 3h 20m"), how late ("LATE
/// 1h 5m"), or, once responded, whether the target was met.
pub fn first_response_cell(s: &Digest, due: &DateTime<Utc>, now: DateTime<Utc>) -> String {
    match s.first_response_at {
        Some(at) if at > *due => format!("responded {} late", human_duration(at - *due)),
        Some(_) => "responded".to_string(),
        None if s.status == Status::Closed => "-".to_string(),
        None if now > *due => format!("LATE {}", human_duration(now - *due)),
        None => format!("in {}", human_duration(*due - now)),
    }
}

/// Fits a table for people: on a terminal to its width, in a pipe unwrapped;
/// with colour only when the style says so.
pub fn fit(table: &mut Table, style: &Style) {
    // COLUMNS fits a pipe too: whoever sets it asks for that width.
    if style.terminal || style.width.is_some() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(width) = style.width {
            table.set_width(width);
        }
        // The first column (an ID to copy) never wraps.
        if table.column_count() > 1 {
            if let Some(first) = table.column_mut(0) {
                first.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
    } else {
        table.force_no_tty();
    }
    if style.color {
        table.enforce_styling();
        // comfy-table colours through crossterm, which drops colour when
        // NO_COLOR is set; our choice (`--color always` wins) was made already.
        crossterm::style::force_color_output(true);
    }
}

/// Shortens text to at most `max` characters, marking the cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The `show` text for people.
pub fn show_text(case: &Case, due: &Due, now: DateTime<Utc>, style: &Style) -> String {
    let summary = Digest::of(case);
    let mut out = String::new();
    let field =
        |out: &mut String, name: &str, value: &str| out.push_str(&format!("{:<20}{}\n", format!("{name}:"), value));
    out.push_str(&style.bold(&format!("{}  {}", case.id, escape_line(&case.summary))));
    out.push('\n');
    field(&mut out, "status", &style.status(case.status));
    field(&mut out, "level", case.level.as_str());
    field(&mut out, "severity", case.severity.as_str());
    field(
        &mut out,
        "assignee",
        &case
            .assignee
            .as_deref()
            .map(escape_line)
            .unwrap_or_else(|| "(unassigned)".into()),
    );
    if let Some(reason) = case.routing_reason() {
        field(&mut out, "routing", &escape_line(reason));
    }
    field(
        &mut out,
        "customer",
        &format!("{} (plan: {})", escape_line(&case.customer), due.plan),
    );
    if let Some(email) = &case.email {
        field(&mut out, "email", &escape_line(email));
    }
    field(&mut out, "channel", case.channel.as_str());
    if let Some(impact) = case.impact {
        field(&mut out, "impact", impact.as_str());
    }
    field(&mut out, "created_at", &format_instant(&case.created_at));
    field(&mut out, "updated_at", &format_instant(&case.updated_at));
    if let Some(since) = &case.waiting_since {
        field(&mut out, "waiting_since", &format_instant(since));
    }
    if let Some(at) = &case.escalated_at {
        field(&mut out, "escalated_at", &format_instant(at));
    }
    field(
        &mut out,
        "first_response_due",
        &format!(
            "{} ({})",
            format_instant(&due.first_response_due),
            first_response_cell(&summary, &due.first_response_due, now)
        ),
    );
    field(
        &mut out,
        "first_response_at",
        &instant(&case.first_response_at).unwrap_or_else(|| "-".into()),
    );
    if let Some(of) = &case.follow_up_of {
        field(&mut out, "follow_up_of", &escape_line(of));
    }
    if let Some(resolution) = &case.resolution {
        field(&mut out, "resolution", &escape_line(resolution));
    }
    if let Some(id) = &case.message_id {
        field(&mut out, "message_id", &escape_line(id));
    }
    out.push_str("\ndescription:\n");
    out.push_str(&indent(&escape_block(&case.description)));
    out.push_str("\nhistory:\n");
    for event in &case.history {
        let from = event.from.map(|s| s.as_str()).unwrap_or("-");
        let mut line = format!(
            "  {}  {:<12} {:<12} {} -> {}",
            format_instant(&event.at),
            escape_line(&event.actor),
            event.action.as_str(),
            from,
            event.to
        );
        if let Some(level) = event.level {
            line.push_str(&format!("  level={level}"));
        }
        if let Some(assignee) = &event.assignee {
            line.push_str(&format!("  assignee={}", escape_line(assignee)));
        }
        if let Some(severity) = event.severity {
            if event.action != ActionKind::Open {
                line.push_str(&format!("  severity={severity}"));
            }
        }
        if let Some(impact) = event.impact {
            line.push_str(&format!("  impact={impact}"));
        }
        if event.action.visibility() == Visibility::Internal {
            line.push_str("  [internal]");
        }
        out.push_str(&line);
        out.push('\n');
        if let Some(message) = &event.message {
            out.push_str(&indent(&format!("  {}", escape_block(message).replace('\n', "\n  "))));
        }
    }
    out
}

#[cfg(test)]
mod plain_table_tests {
    use super::*;

    #[test]
    fn plain_table_renders_exactly_as_the_borderless_table() {
        let header = ["ID", "STATUS", "CUSTOMER", "SUMMARY"];
        let rows = vec![
            vec![
                "RC-1".to_string(),
                "open".into(),
                "Ação Ltda".into(),
                "Push fails — 日本語 wide".into(),
            ],
            vec![
                "RC-22222".to_string(),
                "waiting-for-customer".into(),
                "-".into(),
                "".into(),
            ],
            vec![
                "RC-3".to_string(),
                "closed".into(),
                "Globex".into(),
                "x\\e[31m escaped".into(),
            ],
        ];
        let mut table = table(&header);
        table.force_no_tty();
        for row in &rows {
            table.add_row(row.clone());
        }
        assert_eq!(plain_table(&header, &rows), render_table(&table));
    }
}
