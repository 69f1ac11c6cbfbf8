//! The `list` table for people: one case, one line, at any width from 60
//! columns. Built in two passes without holding rows: [`ListTable::observe`]
//! measures every kept case, [`ListTable::layout`] chooses the columns that
//! fit, [`ListTable::row`] renders one case at a time.
//!
//! Status and severity use short forms (`invest`, `med`), and the status
//! says whose turn it is: `new` (no analyst contact yet), `replied` (the
//! customer spoke last) and `open` or `invest` are support's, `waiting` is
//! the customer's, `escal` R&D's. The summary is cut with an ellipsis, by
//! display width, never wrapped. `--wide` shows every column, the full
//! spellings, and cuts nothing.

use super::color::{status_sgr, Style};
use super::first_response_cell;
use crate::core::digest::Digest;
use crate::core::targets::Due;
use crate::core::terminal::escape_line;
use crate::core::vocabulary::{ActionKind, Severity, Status};
use chrono::{DateTime, Duration, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A column of the list table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Status,
    Level,
    Severity,
    Assignee,
    Customer,
    Channel,
    Idle,
    Turn,
    Due,
    FirstResponse,
    Summary,
}

impl Column {
    fn header(self, wide: bool) -> &'static str {
        match self {
            Column::Id => "ID",
            Column::Status => "STATUS",
            Column::Level => "LEVEL",
            Column::Severity if wide => "SEVERITY",
            Column::Severity => "SEV",
            Column::Assignee => "ASSIGNEE",
            Column::Customer => "CUSTOMER",
            Column::Channel => "CHANNEL",
            Column::Idle => "IDLE",
            Column::Turn => "TURN",
            Column::Due => "DUE",
            Column::FirstResponse => "FIRST RESPONSE",
            Column::Summary => "SUMMARY",
        }
    }
}

/// The columns of the default table, in order.
const NARROW: [Column; 8] = [
    Column::Id,
    Column::Status,
    Column::Severity,
    Column::Assignee,
    Column::Customer,
    Column::Idle,
    Column::Due,
    Column::Summary,
];

/// The columns of `--wide`, in order.
const WIDE: [Column; 12] = [
    Column::Id,
    Column::Status,
    Column::Level,
    Column::Severity,
    Column::Assignee,
    Column::Customer,
    Column::Channel,
    Column::Idle,
    Column::Turn,
    Column::Due,
    Column::FirstResponse,
    Column::Summary,
];

/// Which columns go first when the width is short, first to last; the
/// summary keeps at least [`SUMMARY_MIN`] columns while one can go.
const DROP_ORDER: [Column; 4] = [Column::Severity, Column::Customer, Column::Assignee, Column::Idle];
const SUMMARY_MIN: usize = 20;
/// Caps on the free-text columns when the width is limited.
const ASSIGNEE_CAP: usize = 10;
const CUSTOMER_CAP: usize = 14;
const GAP: &str = "  ";

/// The list table: measure, lay out, then render row by row.
#[derive(Debug, Clone)]
pub struct ListTable {
    now: DateTime<Utc>,
    auto_close_after: Duration,
    style: Style,
    wide: bool,
    columns: Vec<Column>,
    widths: Vec<usize>,
}

/// A short span of time, one unit, rounded down: `45m`, `3h`, `12d`.
pub fn short_duration(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    if minutes < 60 {
        format!("{minutes}m")
    } else if minutes < 48 * 60 {
        format!("{}h", minutes / 60)
    } else {
        format!("{}d", minutes / 1440)
    }
}

/// A short span of time still to run, one unit, rounded up: what is left
/// of 7 days, minus a minute, is `7d`.
pub fn short_duration_up(d: Duration) -> String {
    let minutes = d.num_minutes().max(0) + i64::from(d.num_seconds() % 60 > 0);
    if minutes < 60 {
        format!("{minutes}m")
    } else if minutes < 48 * 60 {
        format!("{}h", (minutes + 59) / 60)
    } else {
        format!("{}d", (minutes + 1439) / 1440)
    }
}

/// The short spelling of a status, with whose turn it is for an open case.
pub fn status_short(s: &Digest) -> &'static str {
    match s.status {
        Status::Open if s.first_response_at.is_none() => "new",
        Status::Open if s.last_action == ActionKind::Reply => "replied",
        Status::Open => "open",
        Status::AtInvestigation => "invest",
        Status::WaitingForCustomer => "waiting",
        Status::Escalated => "escal",
        Status::Closed => "closed",
    }
}

/// Whose turn it is: support's, the customer's, R&D's, or nobody's.
pub fn turn(s: &Digest) -> &'static str {
    match s.status {
        Status::Open if s.first_response_at.is_none() => "support (new)",
        Status::Open if s.last_action == ActionKind::Reply => "support (replied)",
        Status::Open | Status::AtInvestigation => "support",
        Status::WaitingForCustomer => "customer",
        Status::Escalated => "R&D",
        Status::Closed => "-",
    }
}

fn severity_short(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "high",
        Severity::Medium => "med",
        Severity::Low => "low",
    }
}

/// What is due next: the first response while none was given (`in 3h`,
/// `LATE 2h`), or a waiting case's auto-close (`closes 6d`); empty when
/// nothing is.
pub fn due_cell(s: &Digest, due: &Due, now: DateTime<Utc>, auto_close_after: Duration) -> String {
    if s.status == Status::Closed {
        return String::new();
    }
    if s.first_response_at.is_none() {
        return if now > due.first_response_due {
            format!("LATE {}", short_duration(now - due.first_response_due))
        } else {
            format!("in {}", short_duration(due.first_response_due - now))
        };
    }
    match crate::core::lifecycle::auto_close_at(s.status, s.waiting_since, auto_close_after) {
        Some(at) if at <= now => "closes now".to_string(),
        // Rounded up: right after a request-info a 7-day rule reads 7d.
        Some(at) => format!("closes {}", short_duration_up(at - now)),
        None => String::new(),
    }
}

/// Cuts text to at most `max` display columns, marking a cut with `…`.
pub fn truncate_width(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

impl ListTable {
    /// A table for `style` (its width, if any, is the limit), or `--wide`.
    pub fn new(now: DateTime<Utc>, auto_close_after: Duration, style: Style, wide: bool) -> ListTable {
        let columns: Vec<Column> = if wide { WIDE.to_vec() } else { NARROW.to_vec() };
        let widths = columns.iter().map(|c| c.header(wide).width()).collect();
        ListTable {
            now,
            auto_close_after,
            style,
            wide,
            columns,
            widths,
        }
    }

    /// Leaves out a column whose every cell would say the same (`--mine`
    /// lists one assignee, `--customer` one customer).
    pub fn without_assignee(mut self) -> ListTable {
        self.remove(Column::Assignee);
        self
    }

    /// See [`ListTable::without_assignee`].
    pub fn without_customer(mut self) -> ListTable {
        self.remove(Column::Customer);
        self
    }

    fn remove(&mut self, column: Column) {
        if let Some(i) = self.columns.iter().position(|c| *c == column) {
            self.columns.remove(i);
            self.widths.remove(i);
        }
    }

    fn cell(&self, column: Column, s: &Digest, due: &Due) -> String {
        match column {
            Column::Id => s.id.clone(),
            Column::Status if self.wide => s.status.to_string(),
            Column::Status => status_short(s).to_string(),
            Column::Level => s.level.to_string(),
            Column::Severity if self.wide => s.severity.to_string(),
            Column::Severity => severity_short(s.severity).to_string(),
            Column::Assignee => s.assignee.as_deref().map(escape_line).unwrap_or_else(|| "-".into()),
            Column::Customer => escape_line(&s.customer),
            Column::Channel => s.channel.to_string(),
            Column::Idle => short_duration(self.now - s.updated_at),
            Column::Turn => turn(s).to_string(),
            Column::Due => due_cell(s, due, self.now, self.auto_close_after),
            Column::FirstResponse => first_response_cell(s, &due.first_response_due, self.now),
            Column::Summary => escape_line(&s.summary),
        }
    }

    /// Measures one case (every column but the summary, which takes what is left).
    pub fn observe(&mut self, s: &Digest, due: &Due) {
        for i in 0..self.columns.len() {
            let column = self.columns[i];
            if column != Column::Summary {
                let width = self.cell(column, s, due).width();
                self.widths[i] = self.widths[i].max(width);
            }
        }
    }

    fn used_width(&self) -> usize {
        // Every column but the summary, each followed by a gap.
        self.columns
            .iter()
            .zip(&self.widths)
            .filter(|(c, _)| **c != Column::Summary)
            .map(|(_, w)| w + GAP.len())
            .sum()
    }

    /// Chooses the columns and widths once every case has been observed:
    /// within the style's width (if any) the free-text columns are capped,
    /// then columns are left out until the summary has room.
    pub fn layout(&mut self) {
        let Some(width) = self.style.width.map(usize::from).filter(|_| !self.wide) else {
            return;
        };
        for (column, cap) in [(Column::Assignee, ASSIGNEE_CAP), (Column::Customer, CUSTOMER_CAP)] {
            if let Some(i) = self.columns.iter().position(|c| *c == column) {
                let floor = column.header(false).width();
                self.widths[i] = self.widths[i].min(cap.max(floor));
            }
        }
        for column in DROP_ORDER {
            if width.saturating_sub(self.used_width()) >= SUMMARY_MIN {
                break;
            }
            self.remove(column);
        }
        // What is left goes to the summary (possibly less than its minimum
        // on a very narrow terminal: the line still never exceeds the width).
        let rest = width.saturating_sub(self.used_width());
        if let Some(i) = self.columns.iter().position(|c| *c == Column::Summary) {
            self.widths[i] = rest;
        }
    }

    fn limit(&self, i: usize) -> Option<usize> {
        let free_text = matches!(self.columns[i], Column::Assignee | Column::Customer | Column::Summary);
        (free_text && self.style.width.is_some() && !self.wide).then_some(self.widths[i])
    }

    fn line(&self, cells: Vec<(String, Option<&'static str>)>) -> String {
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, (text, sgr)) in cells.into_iter().enumerate() {
            let text = match self.limit(i) {
                Some(max) => truncate_width(&text, max),
                None => text,
            };
            let pad = if i == last {
                0
            } else {
                self.widths[i].saturating_sub(text.width())
            };
            match sgr {
                Some(sgr) if !text.is_empty() => line.push_str(&self.style.paint(sgr, &text)),
                _ => line.push_str(&text),
            }
            if i != last {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(GAP);
            }
        }
        let mut line = line.trim_end().to_string();
        line.push('\n');
        line
    }

    /// The header line.
    pub fn header(&self) -> String {
        let cells = self
            .columns
            .iter()
            .map(|c| (c.header(self.wide).to_string(), None))
            .collect();
        self.line(cells)
    }

    /// One case's line.
    pub fn row(&self, s: &Digest, due: &Due) -> String {
        let cells = self
            .columns
            .iter()
            .map(|&column| {
                let text = self.cell(column, s, due);
                let sgr = match column {
                    Column::Status if status_short(s) == "replied" => Some("1;33"),
                    Column::Status => Some(status_sgr(s.status)),
                    Column::Severity if s.severity == Severity::High => Some("31"),
                    Column::Due | Column::FirstResponse if text.starts_with("LATE") => Some("1;31"),
                    _ => None,
                };
                (text, sgr)
            })
            .collect();
        self.line(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_width_counts_display_columns_and_marks_the_cut() {
        assert_eq!(truncate_width("short", 10), "short");
        assert_eq!(truncate_width("exactly10!", 10), "exactly10!");
        assert_eq!(truncate_width("eleven char", 10), "eleven ch…");
        // Wide characters take two columns each: 4 of them and the mark fit in 9.
        assert_eq!(truncate_width("日本語の文字列", 9), "日本語の…");
        assert_eq!(truncate_width("日本語の文字列", 9).width(), 9);
        assert_eq!(
            truncate_width("日本語の文字列", 10).width(),
            9,
            "never half a character"
        );
        assert_eq!(truncate_width("ação rápida", 6), "ação …");
    }

    #[test]
    fn short_durations_keep_one_unit() {
        assert_eq!(short_duration(Duration::minutes(45)), "45m");
        assert_eq!(short_duration(Duration::minutes(90)), "1h");
        assert_eq!(short_duration(Duration::hours(47)), "47h");
        assert_eq!(short_duration(Duration::hours(49)), "2d");
        assert_eq!(short_duration(Duration::minutes(-5)), "0m");
    }

    #[test]
    fn time_left_rounds_up() {
        assert_eq!(short_duration_up(Duration::days(7) - Duration::minutes(1)), "7d");
        assert_eq!(short_duration_up(Duration::days(7)), "7d");
        assert_eq!(short_duration_up(Duration::hours(47) + Duration::minutes(1)), "48h");
        assert_eq!(short_duration_up(Duration::seconds(30)), "1m");
    }
}
