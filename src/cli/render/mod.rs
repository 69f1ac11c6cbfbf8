//! What the command line draws for people: tables fitted to the terminal,
//! colour, the case as text, and the pager.

pub mod color;
pub mod fitted;
pub mod list_table;
pub mod pager;
pub mod progress;

use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::targets::Due;
use crate::core::terminal::{attachment_name_for_display, escape_block, escape_line};
use crate::core::time::format_instant;
use crate::core::vocabulary::{ActionKind, Status, Visibility};
use chrono::{DateTime, Duration, Utc};
use color::Style;
use comfy_table::{presets, Cell, ContentArrangement, Table};

pub use list_table::{due_cell, short_duration, status_short, truncate_width, turn, ListTable};

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

/// The narrowest a [`fit`] table's last column gets.
const MIN_LAST_COLUMN: u16 = 10;

/// Fits a table for people: on a terminal to its width, in a pipe unwrapped;
/// with colour only when the style says so.
pub fn fit(table: &mut Table, style: &Style) {
    // COLUMNS fits a pipe too: whoever sets it asks for that width.
    if style.terminal || style.width.is_some() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(width) = style.width {
            table.set_width(width);
        }
        // Only the last column (a summary, a message) wraps: an ID to copy,
        // a date or an address cut inside a word reads as two.
        let last = table.column_count().saturating_sub(1);
        for (index, column) in table.column_iter_mut().enumerate() {
            column.set_constraint(if index < last {
                comfy_table::ColumnConstraint::ContentWidth
            } else {
                // Never so narrow that its header stands on end: past the
                // terminal's edge is better than a column one letter wide.
                comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(MIN_LAST_COLUMN))
            });
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

/// One row a line: once the rows are in, a [`fit`] table cuts its last
/// column with `…` instead of wrapping it (a list to scan, not to read).
pub fn one_line_rows(table: &mut Table) {
    table.set_truncation_indicator("…");
    for row in table.row_iter_mut() {
        row.max_height(1);
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

/// What `show` tells beyond the case itself.
#[derive(Debug, Clone, Default)]
pub struct ShowContext {
    /// The cases that follow this one up (a reverse lookup).
    pub follow_ups: Vec<String>,
    /// The store's auto-close rule, for a waiting case's closing date.
    pub auto_close_after: Option<Duration>,
    /// The cases merged into this one, whose public conversation it shows.
    pub merged: Vec<Case>,
}

/// Wraps text at word boundaries to `width` columns (a word longer than
/// that stays whole), continuing lines after `hang` spaces. A line that
/// fits is returned as it is; the text's own indentation is kept.
pub fn wrap(text: &str, width: usize, hang: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let room = width.saturating_sub(hang).max(20);
    if text.width() <= room {
        return text.to_string();
    }
    let words = text.trim_start_matches(' ');
    let mut out = String::new();
    let mut line = text[..text.len() - words.len()].to_string();
    let mut has_word = false;
    for word in words.split(' ') {
        if has_word && line.width() + 1 + word.width() > room {
            out.push_str(&line);
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', hang));
            line.clear();
        } else if has_word {
            line.push(' ');
        }
        line.push_str(word);
        has_word = true;
    }
    out.push_str(&line);
    out
}

/// The `show` text for people.
pub fn show_text(case: &Case, due: &Due, now: DateTime<Utc>, style: &Style, extra: &ShowContext) -> String {
    use unicode_width::UnicodeWidthStr;
    let summary = Digest::of(case);
    let mut out = String::new();
    let width = style.width.map(usize::from);
    // On a known width a value wraps at words under its field.
    // A word too long for the room beside the field (an address) starts
    // on the next line instead, indented.
    let field = |out: &mut String, name: &str, value: &str| {
        let label = format!("{name}:");
        let value = match width {
            Some(width) if !value.contains('\n') => {
                let beside = wrap(value, width, 20);
                if beside.lines().all(|l| 20 + l.trim_start().width() <= width) {
                    beside
                } else {
                    let under = wrap(value, width, 4);
                    out.push_str(&label);
                    out.push('\n');
                    out.push_str(&format!("    {under}\n"));
                    return;
                }
            }
            _ => value.to_string(),
        };
        out.push_str(&format!("{label:<20}{value}\n"))
    };
    let title = format!("{}  {}", case.id, escape_line(&case.summary));
    let title = match width {
        Some(width) => wrap(&title, width, case.id.len() + 2),
        None => title,
    };
    for line in title.lines() {
        out.push_str(&style.bold(line));
        out.push('\n');
    }
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
    if let Some(reason) = case.routed_reason() {
        // The routing reasons are long sentences: wrapped under their field.
        let text = escape_line(reason);
        let text = match width {
            Some(width) => wrap(&text, width, 20),
            None => text,
        };
        field(&mut out, "routing", &text);
    }
    if let Some(by_hand) = case.assigned_by_hand() {
        let note = by_hand.message.as_deref().map(escape_line).unwrap_or_default();
        field(
            &mut out,
            "assigned",
            &format!(
                "by hand by {} at {}: {note}",
                escape_line(&by_hand.actor),
                format_instant(&by_hand.at)
            ),
        );
    }
    field(
        &mut out,
        "customer",
        &format!("{} (plan: {})", escape_line(&case.customer), due.plan),
    );
    if let Some(email) = &case.email {
        field(&mut out, "email", &escape_line(email));
    }
    if !case.cc.is_empty() {
        field(&mut out, "cc", &escape_line(&case.cc.join(", ")));
    }
    if !case.tags.is_empty() {
        field(&mut out, "tags", &escape_line(&case.tags.join(", ")));
    }
    field(&mut out, "channel", case.channel.as_str());
    if let Some(impact) = case.impact {
        field(&mut out, "impact", impact.as_str());
    }
    field(&mut out, "created_at", &format_instant(&case.created_at));
    field(&mut out, "updated_at", &format_instant(&case.updated_at));
    if let Some(since) = &case.waiting_since {
        field(&mut out, "waiting_since", &format_instant(since));
        if let Some(after) = extra
            .auto_close_after
            .filter(|_| case.status == Status::WaitingForCustomer)
        {
            let at = *since + after;
            let when = if at <= now {
                "due now: the next sweep closes it".to_string()
            } else {
                format!("in {}, unless the customer answers", human_duration(at - now))
            };
            field(&mut out, "auto_closes_at", &format!("{} ({when})", format_instant(&at)));
        }
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
        &case
            .first_response_at
            .as_ref()
            .map(format_instant)
            .unwrap_or_else(|| "-".into()),
    );
    if let Some(of) = &case.follow_up_of {
        field(&mut out, "follow_up_of", &escape_line(of));
    }
    if !extra.follow_ups.is_empty() {
        field(&mut out, "follow_ups", &extra.follow_ups.join(", "));
    }
    if let Some(into) = &case.merged_into {
        let into = escape_line(into);
        field(
            &mut out,
            "merged_into",
            &format!("{into} (replies and follow-ups go to {into})"),
        );
    }
    if !extra.merged.is_empty() {
        let ids: Vec<String> = extra.merged.iter().map(|c| escape_line(&c.id)).collect();
        field(&mut out, "merged_from", &ids.join(", "));
    }
    if let Some(resolution) = &case.resolution {
        // Several lines print as lines, under the field.
        let text = wrap_block(&escape_block(resolution), width, 20);
        let mut lines = text.lines();
        field(&mut out, "resolution", lines.next().unwrap_or_default());
        for line in lines {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{:<20}{line}\n", ""));
            }
        }
    }
    if let Some(id) = &case.message_id {
        field(&mut out, "message_id", &escape_line(id));
    }
    out.push_str("\ndescription:\n");
    out.push_str(&indent(&wrap_block(&escape_block(&case.description), width, 4)));
    out.push_str("\nhistory:\n");
    // Aligned however long an actor is (an e-mail address signs a reply);
    // on a known width, as wide as the events that fit keep it.
    let actor_of = |e: &crate::core::case::Event| escape_line(&e.actor).width();
    let mut actor_width = case.history.iter().map(actor_of).max().unwrap_or(0).max(12);
    if let Some(width) = width {
        let mut candidates: Vec<usize> = case.history.iter().map(actor_of).filter(|w| *w > 12).collect();
        candidates.push(12);
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup();
        actor_width = candidates
            .into_iter()
            .find(|&c| {
                case.history
                    .iter()
                    .filter(|e| actor_of(e) <= c)
                    .all(|e| aligned_header(e, c).width() <= width)
            })
            .unwrap_or(12);
    }
    for event in &case.history {
        out.push_str(&event_text(event, event.message.as_deref(), actor_width, width));
    }
    out
}

/// One event of `show`'s history: its header (aligned to `actor_width`, or
/// on lines that never break a word when that is too wide), then `message`
/// and the event's files, wrapped at words under it on a known width.
fn event_text(
    event: &crate::core::case::Event,
    message: Option<&str>,
    actor_width: usize,
    width: Option<usize>,
) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    let line = aligned_header(event, actor_width);
    match width {
        Some(width) if line.width() > width => out.push_str(&event_header(event, width)),
        _ => {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if let Some(message) = message {
        let text = wrap_block(&escape_block(message), width, 6);
        out.push_str(&indent(&format!("  {}", text.replace('\n', "\n  "))));
    }
    for attachment in &event.attachments {
        let line = attachment_line(attachment);
        let line = match width {
            Some(width) => wrap(&line, width, 6),
            None => line,
        };
        out.push_str(&format!("      {line}\n"));
    }
    out
}

/// Each line of a block wrapped at words to fit `width` behind `hang`
/// columns of indentation (added by the caller); unchanged without a width.
fn wrap_block(text: &str, width: Option<usize>, hang: usize) -> String {
    match width {
        Some(width) => text
            .lines()
            .map(|l| wrap(l, width, hang).replace(&format!("\n{}", " ".repeat(hang)), "\n"))
            .collect::<Vec<_>>()
            .join("\n"),
        None => text.to_string(),
    }
}

/// An event's header on one line, its actor padded to `actor_width`.
fn aligned_header(event: &crate::core::case::Event, actor_width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let from = event.from.map(|s| s.as_str()).unwrap_or("-");
    let actor = escape_line(&event.actor);
    let pad = actor_width.saturating_sub(actor.width());
    let mut line = format!(
        "  {}  {actor}{} {:<12} {} -> {}",
        format_instant(&event.at),
        " ".repeat(pad),
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
    for part in merge_parts(event).into_iter().chain(case_data_parts(event)) {
        line.push_str(&format!("  {part}"));
    }
    if event.action.visibility() == Visibility::Internal {
        line.push_str("  [internal]");
    }
    line
}

/// What an event changes of the case's data (format 3): `customer=NAME`,
/// `tags=+a,-b`, `cc=+addr`, escaped.
fn case_data_parts(event: &crate::core::case::Event) -> Vec<String> {
    let joined = |changes: &[crate::core::list_change::ListChange]| {
        escape_line(&changes.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
    };
    let mut parts = Vec::new();
    if let Some(customer) = &event.customer {
        parts.push(format!("customer={}", escape_line(customer)));
    }
    if !event.tags.is_empty() {
        parts.push(format!("tags={}", joined(&event.tags)));
    }
    if !event.cc.is_empty() {
        parts.push(format!("cc={}", joined(&event.cc)));
    }
    parts
}

/// An event's header when it is wider than the terminal: its parts (the
/// instant, the actor, the action, the move, each change) are never
/// broken; a part that does not fit goes to the next line, under the action.
fn event_header(event: &crate::core::case::Event, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let from = event.from.map(|s| s.as_str()).unwrap_or("-");
    let mut parts = vec![
        format_instant(&event.at),
        escape_line(&event.actor),
        event.action.as_str().to_string(),
        format!("{from} -> {}", event.to),
    ];
    if let Some(level) = event.level {
        parts.push(format!("level={level}"));
    }
    if let Some(assignee) = &event.assignee {
        parts.push(format!("assignee={}", escape_line(assignee)));
    }
    if let Some(severity) = event.severity.filter(|_| event.action != ActionKind::Open) {
        parts.push(format!("severity={severity}"));
    }
    if let Some(impact) = event.impact {
        parts.push(format!("impact={impact}"));
    }
    parts.extend(merge_parts(event));
    parts.extend(case_data_parts(event));
    if event.action.visibility() == Visibility::Internal {
        parts.push("[internal]".to_string());
    }
    let hang = 6;
    let mut out = String::new();
    let mut line = String::from("  ");
    let mut empty = true;
    for part in parts {
        if !empty && line.width() + 2 + part.width() > width {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(hang);
            empty = true;
        }
        if !empty {
            line.push_str("  ");
        }
        line.push_str(&part);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// What a merge's events name: `into=TARGET` on the duplicate's `merge`,
/// `from=SRC` on the target's `merged`.
fn merge_parts(event: &crate::core::case::Event) -> Vec<String> {
    let into = event.merged_into.iter().map(|id| format!("into={}", escape_line(id)));
    let from = event.merged_from.iter().map(|id| format!("from={}", escape_line(id)));
    into.chain(from).collect()
}

/// The public conversation of the cases merged into a case, for `show`
/// after its own history: each case's public events under its ID and
/// summary, so that what came from a duplicate is marked as such.
pub fn merged_text(merged: &[Case], style: &Style) -> String {
    let width = style.width.map(usize::from);
    let mut out = String::new();
    for case in merged {
        // The summary under the ID, wrapped at words on a known width.
        let summary = format!("  {}", escape_line(&case.summary));
        out.push_str(&format!("\nfrom {} (merged into this case)\n", escape_line(&case.id)));
        out.push_str(&match width {
            Some(width) => wrap(&summary, width, 2),
            None => summary,
        });
        out.push('\n');
        for event in case
            .history
            .iter()
            .filter(|e| e.action.visibility() == Visibility::Public)
        {
            // The opening's message is the routing reason: the customer's
            // words are the description.
            let message = match event.action {
                ActionKind::Open => Some(case.description.as_str()),
                _ => event.message.as_deref(),
            };
            out.push_str(&event_text(event, message, 12, width));
        }
    }
    out
}

/// `attachment: NAME (SIZE, TYPE, sha256 PREFIX)`, the name escaped and cut.
pub fn attachment_line(attachment: &crate::core::case::Attachment) -> String {
    format!(
        "attachment: {} ({}, {}, sha256 {})",
        escape_line(&attachment_name_for_display(&attachment.name)),
        crate::core::case::size_for_people(attachment.size),
        escape_line(&attachment.content_type),
        attachment.sha256.get(..12).unwrap_or(&attachment.sha256)
    )
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
