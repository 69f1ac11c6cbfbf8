//! Tables for people that keep one item a line within a known width
//! (`remind`, `outbox`, `check`, `queue`): the cells of every column but
//! the last are never cut or broken (an ID, a date or an address cut in
//! two reads as two). When the line is too long, columns that can go are
//! left out first; then the last column (a summary, a message) is cut with
//! `…` or wrapped at words; when even that leaves it too little room, it
//! moves under the item, on its own indented line(s). Without a width
//! (a pipe) every cell is printed whole, as [`super::plain_table`] does.

use super::list_table::truncate_width;
use super::plain_table;
use unicode_width::UnicodeWidthStr;

/// What happens to the last column when the line is too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Cut with `…` (a list to scan: a summary).
    Cut,
    /// Wrapped at words (text to read: a problem's message).
    Wrap,
}

/// A table fitted to a width: see the module's documentation.
#[derive(Debug, Clone)]
pub struct FittedTable<'a> {
    header: &'a [&'a str],
    droppable: &'a [usize],
    overflow: Overflow,
    min_last: usize,
}

/// How far the lines under an item are indented.
const INDENT: usize = 4;

impl<'a> FittedTable<'a> {
    /// A table with these column headers; the last column is cut with `…`.
    pub fn new(header: &'a [&'a str]) -> FittedTable<'a> {
        FittedTable {
            header,
            droppable: &[],
            overflow: Overflow::Cut,
            min_last: 12,
        }
    }

    /// The columns (by index, never the first nor the last) that are left
    /// out, in this order, while the last column has too little room.
    pub fn droppable(mut self, columns: &'a [usize]) -> FittedTable<'a> {
        self.droppable = columns;
        self
    }

    /// What happens to the last column, and the least room it takes on the
    /// item's line before it moves under it.
    pub fn overflow(mut self, overflow: Overflow, min_last: usize) -> FittedTable<'a> {
        self.overflow = overflow;
        self.min_last = min_last;
        self
    }

    /// Renders the rows, fitted to `width` when there is one.
    pub fn render(&self, rows: &[Vec<String>], width: Option<u16>) -> String {
        let Some(width) = width.map(usize::from) else {
            return plain_table(self.header, rows);
        };
        let count = self.header.len();
        let natural: Vec<usize> = (0..count)
            .map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map_or(0, |c| c.width()))
                    .chain(std::iter::once(self.header[i].width()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // A leading space, then each cell followed by two spaces (as the
        // borderless table lays them out).
        let used = |columns: &[usize]| -> usize { 1 + columns.iter().map(|&i| natural[i] + 2).sum::<usize>() };
        let all: Vec<usize> = (0..count).collect();
        if used(&all) - 2 <= width {
            return plain_table(self.header, rows);
        }
        if count > 1 && rows.iter().all(|r| r.get(count - 1).is_none_or(String::is_empty)) {
            // A last column empty in every row (no error) takes no room.
            let header = &self.header[..count - 1];
            let droppable: Vec<usize> = self.droppable.iter().copied().filter(|&c| c + 2 < count).collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().take(count - 1).cloned().collect())
                .collect();
            return FittedTable {
                header,
                droppable: &droppable,
                ..self.clone()
            }
            .render(&rows, Some(width as u16));
        }
        let last = count - 1;
        let mut kept: Vec<usize> = all;
        let room_for_last = |kept: &[usize]| width.saturating_sub(used(&kept[..kept.len() - 1]));
        let enough = self.min_last.min(natural[last]);
        for &column in self.droppable {
            if room_for_last(&kept) >= enough {
                break;
            }
            kept.retain(|&c| c != column);
        }
        let pick = |row: &[String], columns: &[usize]| -> Vec<String> {
            columns
                .iter()
                .map(|&i| row.get(i).cloned().unwrap_or_default())
                .collect()
        };
        let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
        let mut out = String::new();
        let room = room_for_last(&kept);
        if room >= enough {
            // One line an item: the last column cut, or wrapped under itself.
            let lead: Vec<usize> = kept[..kept.len() - 1].to_vec();
            let hang = used(&lead);
            for row in std::iter::once(&header).chain(rows) {
                let mut line = aligned(&pick(row, &lead), &lead.iter().map(|&i| natural[i]).collect::<Vec<_>>());
                let text = row.get(last).map(String::as_str).unwrap_or("");
                let text = match self.overflow {
                    Overflow::Cut => cut(text, room),
                    Overflow::Wrap => wrap_exactly(text, width, hang),
                };
                line.push_str(&text);
                out.push_str(line.trim_end());
                out.push('\n');
            }
            return out;
        }
        // The last column moves under the item; the other columns are packed
        // on as many lines as they need, never cut. A cell wider than a line
        // (a long path) continues on the next lines, broken after a `/`.
        let cap = width.saturating_sub(INDENT).max(1);
        let narrow: Vec<usize> = natural.iter().map(|w| (*w).min(cap)).collect();
        let lead: Vec<usize> = kept[..kept.len() - 1].to_vec();
        let mut lines: Vec<Vec<usize>> = vec![Vec::new()];
        let mut at = 1;
        for &column in &lead {
            let current = lines.last_mut().expect("a line");
            if !current.is_empty() && at + narrow[column] > width {
                lines.push(vec![column]);
                at = INDENT + narrow[column] + 2;
            } else {
                current.push(column);
                at += narrow[column] + 2;
            }
        }
        for row in std::iter::once(&header).chain(rows) {
            for (n, columns) in lines.iter().enumerate() {
                let indent = if n == 0 { "" } else { "   " };
                let mut more = Vec::new();
                let cells: Vec<String> = pick(row, columns)
                    .into_iter()
                    .map(|cell| {
                        let mut pieces = split_path(&cell, cap, cap.saturating_sub(2).max(1)).into_iter();
                        let first = pieces.next().unwrap_or_default();
                        more.extend(pieces);
                        first
                    })
                    .collect();
                let line = aligned(&cells, &columns.iter().map(|&i| narrow[i]).collect::<Vec<_>>());
                out.push_str(indent);
                out.push_str(line.trim_end());
                out.push('\n');
                for piece in more {
                    out.push_str(&" ".repeat(INDENT + 2));
                    out.push_str(&piece);
                    out.push('\n');
                }
            }
            let text = row.get(last).map(String::as_str).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            let text = match self.overflow {
                Overflow::Cut => cut(text, width.saturating_sub(INDENT)),
                Overflow::Wrap => wrap_exactly(text, width, INDENT),
            };
            out.push_str(&" ".repeat(INDENT));
            out.push_str(&text);
            out.push('\n');
        }
        out
    }
}

/// A cell in pieces that fit: the first in `first` columns, the others in
/// `rest`, broken after a `/` (a path) or else cut with `…`.
fn split_path(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut left = text;
    let mut room = first;
    while left.width() > room {
        let mut end = 0;
        let mut used = 0;
        for (i, c) in left.char_indices() {
            used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used > room {
                break;
            }
            if c == '/' {
                end = i + 1;
            }
        }
        if end == 0 {
            pieces.push(cut(left, room));
            return pieces;
        }
        pieces.push(left[..end].to_string());
        left = &left[end..];
        room = rest;
    }
    pieces.push(left.to_string());
    pieces
}

/// Cuts text to `room` columns with `…`, which never follows a space.
fn cut(text: &str, room: usize) -> String {
    let cut = truncate_width(text, room);
    match cut.strip_suffix('…') {
        Some(kept) if kept.ends_with(' ') => format!("{}…", kept.trim_end()),
        _ => cut,
    }
}

/// Cells each padded to its width, behind a leading space, two spaces apart.
fn aligned(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::from(" ");
    for (cell, width) in cells.iter().zip(widths) {
        line.push_str(cell);
        line.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.width()) + 2));
    }
    line
}

/// Wraps at words to `width` columns, continuing after `hang` spaces; a
/// word longer than the room is cut with `…` rather than past the edge.
fn wrap_exactly(text: &str, width: usize, hang: usize) -> String {
    let room = width.saturating_sub(hang).max(1);
    let words: Vec<String> = text.split(' ').map(|w| truncate_width(w, room)).collect();
    let mut out = String::new();
    let mut line = String::new();
    for word in words {
        if !line.is_empty() && line.width() + 1 + word.width() > room {
            out.push_str(&line);
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', hang));
            line.clear();
        } else if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "RC-8NSTMFYA".to_string(),
            "ana.maria.souza@northwind-traders.example".into(),
            "2026-11-19T10:00:00Z".into(),
            "Push notifications fail on iOS after the update to 4.2".into(),
        ]]
    }

    const HEADER: [&str; 4] = ["ID", "EMAIL", "SINCE", "SUMMARY"];

    fn widest(text: &str) -> usize {
        text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
    }

    #[test]
    fn without_a_width_every_cell_is_whole() {
        assert_eq!(
            FittedTable::new(&HEADER).render(&rows(), None),
            plain_table(&HEADER, &rows())
        );
    }

    #[test]
    fn the_last_column_is_cut_and_the_others_kept_whole() {
        let out = FittedTable::new(&HEADER).render(&rows(), Some(100));
        assert!(widest(&out) <= 100, "{out}");
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("ana.maria.souza@northwind-traders.example"), "{out}");
        assert!(out.contains('…'), "{out}");
    }

    #[test]
    fn when_too_narrow_the_last_column_moves_under_the_item() {
        for width in [60, 80] {
            let out = FittedTable::new(&HEADER).render(&rows(), Some(width));
            assert!(widest(&out) <= width as usize, "{width}:\n{out}");
            assert!(out.contains("2026-11-19T10:00:00Z"), "{out}");
            assert!(out.contains("ana.maria.souza@northwind-traders.example"), "{out}");
        }
    }

    #[test]
    fn droppable_columns_go_first() {
        let out = FittedTable::new(&HEADER).droppable(&[1]).render(&rows(), Some(60));
        assert!(!out.contains("EMAIL"), "{out}");
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(widest(&out) <= 60, "{out}");
    }

    #[test]
    fn wrapped_text_breaks_at_words() {
        let out = FittedTable::new(&HEADER)
            .overflow(Overflow::Wrap, 30)
            .render(&rows(), Some(60));
        assert!(widest(&out) <= 60, "{out}");
        assert!(out.contains("    Push notifications"), "{out}");
    }
}
