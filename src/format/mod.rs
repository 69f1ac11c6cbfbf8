//! The case file's bytes: the canonical YAML written, the parser and the
//! fast reader that read it back, and git's conflict markers. Pure functions
//! on text (a path is only named in messages): nothing here opens a file.
//! Below both the store and the merge.

mod conflict_markers;
pub mod fast_reader;
mod nesting;
mod yaml;
pub mod yaml_expansion;

pub use conflict_markers::{
    conflict_error, conflict_marker_line, conflict_marker_line_in_bytes, explanation_in, EXPLANATION_PREFIX,
};
pub use nesting::MAX_NESTING;
pub use yaml::{parse_case, parse_yaml, to_yaml};

use crate::core::vocabulary::Status;

/// Room kept under the cap so that any case can still be closed (64 KiB).
pub const CLOSING_RESERVE_BYTES: u64 = 64 * 1024;

/// A change that would make a case that is not closed larger than this is
/// refused: the rest of the cap is kept for closing it.
pub const MAX_OPEN_CASE_BYTES: u64 = MAX_FILE_BYTES - CLOSING_RESERVE_BYTES;

/// Case files larger than this are refused as invalid data (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The largest case file a writer may leave for a case in this status: the
/// whole cap when closed, the cap less [`CLOSING_RESERVE_BYTES`] otherwise.
pub fn size_cap(status: Status) -> u64 {
    if status == Status::Closed {
        MAX_FILE_BYTES
    } else {
        MAX_OPEN_CASE_BYTES
    }
}

/// The line (1-based) of a top-level `key:` in a case file's text.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let wanted = format!("{key}:");
    text.lines().position(|l| l.starts_with(&wanted)).map(|i| i + 1)
}

/// The line (1-based) where the `index`-th (0-based) history event of a
/// case file's text starts.
pub fn line_of_event(text: &str, index: usize) -> Option<usize> {
    let start = line_of_key(text, "history")?;
    text.lines()
        .enumerate()
        .skip(start)
        .filter(|(_, l)| l.starts_with("- ") || l.starts_with("  - "))
        .nth(index)
        .map(|(i, _)| i + 1)
}
